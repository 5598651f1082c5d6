"""kill -9 and restart: nothing answered is lost, and no reminder is lost or sent twice.

The bot is a real `python -m bot` process; the crash is SIGKILL of its main process, with no
chance to clean up. Both backends: what survives a crash is what was committed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import insert, update

from bot import texts
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import ScriptedUser
from bot.storage.models import ExerciseResult, ReminderLog, TrainingSession, User
from bot.storage.repository import CLAIMED, SENT
from tests.process.harness import (
    Bots,
    Db,
    add_chats,
    eventually,
    now,
    reminder_sends,
    reminders_per_chat,
)

SQLITE_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("sqlite", marks=pytest.mark.sqlite, id="sqlite")], indirect=True
)
# A card comes with a figure drawn in a worker process that the first card starts.
STEP_TIMEOUT = 15.0


async def _results(db: Db, user_id: int) -> list[tuple[str, str]]:
    """The person's stored answers, (exercise, answer), in the order given."""
    async with db.engine.connect() as connection:
        rows = await connection.execute(
            ExerciseResult.__table__.select()
            .join(TrainingSession.__table__, TrainingSession.id == ExerciseResult.session_id)
            .where(TrainingSession.user_id == user_id)
            .order_by(ExerciseResult.id)
        )
        return [(row.exercise_id, row.answer) for row in rows]


async def _hold_and_answer(user: ScriptedUser, answer: str) -> None:
    """Press Ready on the current card, sit out the hold, answer (hurts: pain 2)."""
    await user.press(texts.READY)
    await user.wait_for_message("How did", timeout=STEP_TIMEOUT)
    if answer == "hurts":
        await user.press(texts.HURTS)
        await user.wait_for_message("How much did it hurt", timeout=STEP_TIMEOUT)
        await user.press("2", message_id=user.last_message.message_id)
    else:
        await user.press(texts.DONE)


async def test_kill_9_mid_session_keeps_every_answer_and_the_session_continues(
    bots: Bots, db: Db, database_url: str
) -> None:
    person = 501
    await db.seed_onboarded(person)
    async with BotApiEmulator() as emulator:
        user = emulator.user(person)
        first = await bots.start(emulator, database_url)
        await user.send_text("/session")
        await user.wait_for_message("Today's session", timeout=STEP_TIMEOUT)
        await user.wait_for_message("1 of 4", timeout=STEP_TIMEOUT)
        await _hold_and_answer(user, "done")
        await user.wait_for_message("2 of 4", timeout=STEP_TIMEOUT)
        await _hold_and_answer(user, "hurts")
        await user.wait_for_message("3 of 4", timeout=STEP_TIMEOUT)
        # Killed while the third exercise is being held: its countdown dies with the process.
        await user.press(texts.READY)
        await user.wait_for_message("Hold…", timeout=STEP_TIMEOUT)
        crash = await first.kill()
        assert crash.code == -9

        answered = await _results(db, person)
        assert answered == [("cat", "done"), ("cow", "hurts")]

        second = await bots.start(emulator, database_url)
        assert second.running
        await user.send_text("/session")
        offer = await user.wait_for_message(
            "session in progress (2 of 4 done)", timeout=STEP_TIMEOUT
        )
        assert [texts.CONTINUE] in offer.buttons
        await user.press(texts.CONTINUE)
        card = await user.wait_for_message("3 of 4", timeout=STEP_TIMEOUT)
        assert "Knees to chest" in card.text
        # The continued session takes answers as before, after the ones kept.
        await _hold_and_answer(user, "done")

        async def three_answers() -> bool:
            return len(await _results(db, person)) == 3

        await eventually(three_answers, STEP_TIMEOUT, "the third answer stored", bots=bots)
        assert (await second.terminate()).code == 0

    assert await _results(db, person) == [
        ("cat", "done"),
        ("cow", "hurts"),
        ("knee_to_chest", "done"),
    ]


BROADCAST = 200
# Mid-batch: each claim takes REMINDERS_PER_SECOND (50) people at once.
KILL_AFTER = 110


async def test_kill_9_mid_broadcast_every_reminder_arrives_none_twice_beyond_in_flight(
    bots: Bots, db: Db, database_url: str
) -> None:
    people = set(range(20_000, 20_000 + BROADCAST))
    await db.seed_due(people)
    async with BotApiEmulator() as emulator:
        add_chats(emulator, people)
        first = await bots.start(emulator, database_url, REMINDERS_PER_SECOND=50)
        await eventually(
            lambda: len(reminder_sends(emulator)) >= KILL_AFTER, 20, "first sends", bots=bots
        )
        crash = await first.kill()
        assert crash.code == -9

        before = reminders_per_chat(emulator)
        statuses = await db.reminder_statuses()
        in_flight = {person for person, status in statuses.items() if status == CLAIMED}
        marked = {person for person, status in statuses.items() if status == SENT}
        assert KILL_AFTER <= len(before) < BROADCAST, "the kill was not mid-broadcast"
        assert in_flight, "no claim was in flight at the kill"
        assert max(before.values()) == 1
        # Sent means it arrived; what arrived but was not marked is still claimed.
        assert marked <= set(before)
        assert set(before) - marked <= in_flight
        assert set(statuses) == marked | in_flight

        second = await bots.start(emulator, database_url, REMINDERS_PER_SECOND=50)

        async def rest_delivered() -> bool:
            # Everyone not claimed by the dead process has theirs, and the new process has
            # nothing of its own in flight: only the dead process's claims are left.
            return set(reminders_per_chat(emulator)) >= people - in_flight and (
                await db.claimed() == in_flight
            )

        await eventually(rest_delivered, 40, "reminders not claimed at the kill", bots=bots)
        # The dead process's claims wait for their lease: none was sent again early.
        assert {p: n for p, n in reminders_per_chat(emulator).items() if p in in_flight} == {
            p: n for p, n in before.items() if p in in_flight
        }
        assert await db.expire_claims(in_flight) == len(in_flight)

        async def all_sent() -> bool:
            return await db.sent() == people

        await eventually(all_sent, 30, "claims re-sent after their lease", bots=bots)
        await second.terminate()

    counts = reminders_per_chat(emulator)
    assert set(counts) == people
    twice = {person for person, n in counts.items() if n > 1}
    # Only a reminder that had reached Telegram when the process died comes twice.
    assert twice <= in_flight & set(before)
    assert max(counts.values()) <= 2
    print(  # noqa: T201 - the numbers behind the assertions, for the log
        f"kill -9 after {len(before)} sends: {len(in_flight)} claims in flight, "
        f"{len(in_flight & set(before))} of them had arrived (sent twice)"
    )


LEASE_SECONDS = 2


@SQLITE_ONLY
async def test_lost_claims_are_resent_after_a_configured_lease(
    bots: Bots, db: Db, database_url: str
) -> None:
    people = set(range(30_000, 30_020))
    due = await db.seed_due(people)
    # A process claimed these a little over the lease ago and died before sending.
    claimed_at = now() - timedelta(seconds=LEASE_SECONDS + 1)
    async with db.engine.begin() as connection:
        await connection.execute(
            update(User.__table__)
            .where(User.id.in_(people))
            .values(next_reminder_at=due + timedelta(days=1))
        )
        await connection.execute(
            insert(ReminderLog.__table__),
            [
                {
                    "user_id": person,
                    "local_date": due.date(),
                    "due_at": due,
                    "status": CLAIMED,
                    "claimed_at": claimed_at,
                    "snoozes": 0,
                }
                for person in people
            ],
        )
    async with BotApiEmulator() as emulator:
        add_chats(emulator, people)
        await bots.start(emulator, database_url, REMINDER_CLAIM_LEASE_SECONDS=LEASE_SECONDS)

        async def all_sent() -> bool:
            return await db.sent() == people

        await eventually(all_sent, 4, "claims re-sent after a 2 s lease", bots=bots)
    assert reminders_per_chat(emulator) == dict.fromkeys(people, 1)
