"""Reminders exactly once under faults (issue 13, point 2), with the bot as a real process.

(a) The database stops answering right after the sends, for 8 s: the batch's settle step
    waits for it, and the lease never sends the batch again.
(b) Telegram answers sendMessage only after the bot's read timeout (PTB's 5 s), while the
    message was delivered: a send that may have arrived counts as sent.

Each person must hold exactly one reminder in the emulator's stored messages after waiting
past a short claim lease (REMINDER_CLAIM_LEASE_SECONDS), so a resend by the lease would show.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.emulator.server import BotApiEmulator
from tests.process.harness import (
    REMINDER_TEXT,
    Bots,
    Db,
    add_chats,
    database_down,
    eventually,
    reminders_per_chat,
    stored_reminders,
)

SQLITE_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("sqlite", marks=pytest.mark.sqlite, id="sqlite")], indirect=True
)
# Short, so a resend by the lease would come within the test.
LEASE_SECONDS = 2
OUTAGE_SECONDS = 8.0
# Longer than PTB's default read timeout (5 s): the bot gives up waiting, Telegram delivers.
LATE_ANSWER_SECONDS = 7.0


async def test_a_database_outage_right_after_the_sends_sends_nothing_twice(
    bots: Bots, db: Db, database_url: str
) -> None:
    people = set(range(70_000, 70_020))
    await db.seed_due(people)
    async with BotApiEmulator() as emulator:
        add_chats(emulator, people)
        # Every reminder is answered after 1 s (well inside the read timeout): the database
        # goes away while they are on their way, after the claim and before the settle.
        emulator.inject_fault("slow", method="sendMessage", count=len(people), delay=1.0)
        fault = emulator.faults[-1]
        bot = await bots.start(emulator, database_url, REMINDER_CLAIM_LEASE_SECONDS=LEASE_SECONDS)
        await eventually(lambda: fault.remaining < len(people), 20, "the first send", bots=bots)
        async with database_down(database_url):
            await eventually(
                lambda: len(stored_reminders(emulator)) == len(people),
                OUTAGE_SECONDS,
                "all 20 delivered during the outage",
                bots=bots,
            )
            await asyncio.sleep(OUTAGE_SECONDS - 2)

        async def all_sent() -> bool:
            return await db.sent() == people

        await eventually(all_sent, 20, "the batch settled once the database is back", bots=bots)
        # Past the lease, and a few ticks more: a lease resend would have come by now.
        await asyncio.sleep(LEASE_SECONDS + 2)
        assert stored_reminders(emulator) == dict.fromkeys(people, 1)
        assert reminders_per_chat(emulator) == dict.fromkeys(people, 1)
        assert await db.sent() == people
        assert REMINDER_TEXT not in bot.log()


@SQLITE_ONLY
async def test_a_send_answered_after_the_timeout_counts_as_sent(
    bots: Bots, db: Db, database_url: str
) -> None:
    people = set(range(71_000, 71_005))
    await db.seed_due(people)
    async with BotApiEmulator() as emulator:
        add_chats(emulator, people)
        emulator.inject_fault(
            "slow", method="sendMessage", count=len(people), delay=LATE_ANSWER_SECONDS
        )
        bot = await bots.start(emulator, database_url, REMINDER_CLAIM_LEASE_SECONDS=LEASE_SECONDS)
        await eventually(
            lambda: len(stored_reminders(emulator)) == len(people),
            LATE_ANSWER_SECONDS + 10,
            "the late answers stored",
            bots=bots,
        )

        async def all_sent() -> bool:
            return await db.sent() == people

        await eventually(all_sent, 10, "the timed-out sends counted as sent", bots=bots)
        # Past the lease, and a few ticks more: a lease resend would have come by now.
        await asyncio.sleep(LEASE_SECONDS + 2)
        assert stored_reminders(emulator) == dict.fromkeys(people, 1)
        assert await db.sent() == people
        log = bot.log()
        assert "TimedOut" in log
        assert REMINDER_TEXT not in log


# Platforms send SIGKILL about 10 s after SIGTERM.
STOP_GRACE = 10.0


async def test_sigterm_while_the_database_is_down_still_exits_in_time(
    bots: Bots, db: Db, database_url: str
) -> None:
    people = set(range(72_000, 72_020))
    await db.seed_due(people)
    async with BotApiEmulator() as emulator:
        add_chats(emulator, people)
        emulator.inject_fault("slow", method="sendMessage", count=len(people), delay=1.0)
        fault = emulator.faults[-1]
        bot = await bots.start(emulator, database_url)
        await eventually(lambda: fault.remaining < len(people), 20, "the first send", bots=bots)
        async with database_down(database_url):
            await eventually(
                lambda: len(stored_reminders(emulator)) == len(people),
                OUTAGE_SECONDS,
                "all 20 delivered during the outage",
                bots=bots,
            )
            # The batch's settle is failing and being retried when the stop comes.
            await eventually(
                lambda: "settling 20 reminders failed" in bot.log(), 10, "a failed settle"
            )
            stopped = await bot.terminate(timeout=STOP_GRACE + 5)
        assert stopped.code == 0, bot.tail()
        assert stopped.seconds < STOP_GRACE, f"exit took {stopped.seconds:.1f}s"
        # The settle gave up, or the stop deadline (bot/updates.py) ended what still waited
        # on the database; either way the batch is left to the claim lease, never lost.
        log = bot.log()
        assert "20 reminders left unsettled" in log or "exiting, unfinished work left" in log
    print(f"SIGTERM with the database down: exit in {stopped.seconds:.2f}s")  # noqa: T201
