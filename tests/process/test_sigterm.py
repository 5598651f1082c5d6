"""SIGTERM (a deploy, a platform restart): in-flight sends finish and the process exits in time.

Platforms send SIGTERM and SIGKILL about 10 s later (Heroku, Docker's default), so a clean
stop has to fit in 10 s. SQLite only: the shutdown path is the same on both backends, and the
crash tests cover claims on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.emulator.server import BotApiEmulator
from tests.process.harness import (
    Bots,
    Db,
    add_chats,
    eventually,
    reminder_sends,
    reminders_per_chat,
)

pytestmark = pytest.mark.parametrize(
    "database_url", [pytest.param("sqlite", marks=pytest.mark.sqlite, id="sqlite")], indirect=True
)

GRACE = 10.0


async def test_sigterm_mid_broadcast_finishes_in_flight_sends_and_exits_in_time(
    bots: Bots, db: Db, database_url: str
) -> None:
    # One claim takes 50 people, and the next is claimed while those go out (the claims
    # overlap the sends): SIGTERM comes while most of 300 are untouched.
    people = set(range(60_000, 60_300))
    await db.seed_due(people)
    async with BotApiEmulator() as emulator:
        add_chats(emulator, people)
        first = await bots.start(emulator, database_url, REMINDERS_PER_SECOND=50)
        await eventually(lambda: len(reminder_sends(emulator)) >= 10, 20, "first sends")
        at_signal = len(reminder_sends(emulator))
        stopped = await first.terminate(timeout=GRACE)
        assert stopped.code == 0, first.tail()
        assert stopped.seconds < GRACE

        delivered = reminders_per_chat(emulator)
        assert at_signal < len(delivered) < len(people), (at_signal, len(delivered))
        assert set(delivered.values()) == {1}
        # Every claimed reminder was sent and recorded before the exit: none is left for the
        # lease, and the rest are untouched for the next process.
        assert await db.claimed() == set()
        assert await db.sent() == set(delivered)
    print(  # noqa: T201
        f"SIGTERM after {at_signal} sends: {len(delivered) - at_signal} in-flight sends"
        f" finished, exit {stopped.code} in {stopped.seconds:.2f}s"
    )


# Short enough for a quick test, long enough that a tick outlives the SIGTERM by seconds.
TICK = 4


async def test_sigterm_stops_claiming_new_reminders(bots: Bots, db: Db, database_url: str) -> None:
    people = set(range(61_000, 61_500))
    await db.seed_due(people)
    async with BotApiEmulator() as emulator:
        add_chats(emulator, people)
        first = await bots.start(
            emulator, database_url, REMINDER_TICK_SECONDS=TICK, REMINDERS_PER_SECOND=25
        )
        # The first tick comes one interval after start-up.
        await eventually(lambda: len(reminder_sends(emulator)) >= 5, TICK * 3, "first sends")
        stopped = await first.terminate(timeout=GRACE)
        assert stopped.exited and stopped.code == 0, first.tail()
        # A batch being claimed as the signal came is in flight; anything later is not.
        cutoff = stopped.signalled_at + timedelta(seconds=0.5)
        late = [at for at in (await db.claim_times()).values() if at > cutoff]
        assert not late, (
            f"{len(late)} reminders claimed up to"
            f" {(max(late) - stopped.signalled_at).total_seconds():.1f}s after SIGTERM;"
            f" exit took {stopped.seconds:.1f}s"
        )
