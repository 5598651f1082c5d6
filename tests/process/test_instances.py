"""Two bot processes on one PostgreSQL database: each due reminder is sent exactly once.

Each process talks to an emulator of its own, so what each one sent can be told apart; both
emulators know all the chats. (Sharing one emulator would only split getUpdates between the
two, which reminders do not use.)
"""

from __future__ import annotations

import asyncio

import pytest

from bot.emulator.server import BotApiEmulator
from bot.storage.database import migrate
from tests.process.harness import (
    Bots,
    Db,
    add_chats,
    eventually,
    reminder_sends,
    reminders_per_chat,
)

PEOPLE = 1000
# Each process claims this many at a time; PTB's AIORateLimiter sends at most 30/s each.
PER_SECOND = 100


async def test_two_processes_send_each_of_1000_due_reminders_exactly_once(
    bots: Bots, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip(
            "several instances are a PostgreSQL deployment (claims use FOR UPDATE SKIP LOCKED);"
            " SQLite serialises writers on one file"
        )
    postgres_url = database_url
    await migrate(postgres_url)
    db = Db(postgres_url)
    people = set(range(100_000, 100_000 + PEOPLE))
    try:
        await db.seed_due(people)
        async with BotApiEmulator() as one, BotApiEmulator() as two:
            add_chats(one, people)
            add_chats(two, people)
            first = bots.make(one, postgres_url, REMINDERS_PER_SECOND=PER_SECOND)
            second = bots.make(two, postgres_url, REMINDERS_PER_SECOND=PER_SECOND)
            await asyncio.gather(first.start(), second.start())

            def all_arrived() -> bool:
                return sum(reminders_per_chat(one, two).values()) >= PEOPLE

            await eventually(all_arrived, 60, "every reminder sent", bots=bots)
            # A few more ticks of both: nothing more goes out.
            await asyncio.sleep(1)
            for process in (first, second):
                stopped = await process.terminate()
                assert stopped.code == 0, process.tail()

        counts = reminders_per_chat(one, two)
        assert set(counts) == people
        assert set(counts.values()) == {1}, {p: n for p, n in counts.items() if n != 1}
        # Both took part: the claims were split, not serialised behind one process.
        shares = (len(reminder_sends(one)), len(reminder_sends(two)))
        assert min(shares) > 0, shares
        assert not [r for r in one.requests + two.requests if r.status != 200]
        statuses = await db.reminder_statuses()
        assert statuses == dict.fromkeys(people, "sent")
        print(f"shares of the 1000 reminders: {shares}")  # noqa: T201
    finally:
        await db.close()
