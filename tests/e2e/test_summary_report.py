"""/summary as a GP or physiotherapist reads it: two kinds of pain, never mixed, and an
honest length of time in the programme, counted in the person's own calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import ScriptedUser
from tests.e2e.helpers import do_exercise, onboard, repository

pytestmark = pytest.mark.e2e

# The first reply may wait for worker processes on a busy machine.
SLOW = 20


def _line(text: str, starts: str) -> str:
    """The one line of `text` that starts with `starts`."""
    lines = [line for line in text.splitlines() if line.startswith(starts)]
    assert len(lines) == 1, text
    return lines[0]


async def _summary(user: ScriptedUser) -> str:
    await user.send_text("/summary")
    return (await user.wait_for_message("Back exercise summary", timeout=SLOW)).text


async def _hurts(user: ScriptedUser, pain: int, *, exercise: bool) -> None:
    """Report pain outside a session ("hurts"), naming the first exercise offered or none."""
    await user.send_text("hurts")
    await user.wait_for_message("How much, from 0")
    await user.send_text(str(pain))
    if exercise:
        which = await user.wait_for_message("which exercise hurt")
        await user.press(which.buttons[0][0])
    await user.wait_for_message(f"Noted: {pain} out of 10")


async def _session_first_hurts_6(user: ScriptedUser) -> None:
    """A session whose first exercise hurt 6 (it rests for the day); the others were done."""
    await user.send_text("/session")
    await do_exercise(user, "hurts", pain=6)
    # Read past "... rest of today" so the next card, not this line, is taken as a card.
    await user.wait_for_message("rest of today")
    for _ in range(3):
        await do_exercise(user, "done")
    await user.wait_for_message("Session complete", timeout=SLOW)


async def _whole_session(user: ScriptedUser) -> None:
    """/session with every exercise done, to its end."""
    await user.send_text("/session")
    for _ in range(4):
        await do_exercise(user, "done")
    await user.wait_for_message("Session complete", timeout=SLOW)


async def test_two_sessions_on_one_day_are_counted_as_one_day_and_said_so(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    # Two whole sessions finished on the same local day: the summary counts days with a
    # session (1), so it must say days, never "Sessions: 1" for two sessions.
    user = emulator.user(user_id=1203)
    await onboard(user)
    await _whole_session(user)
    await _whole_session(user)
    async with repository(database_url) as repo:
        assert await repo.finished_count(1203) == 2

    text = await _summary(user)
    assert _line(text, "Days with a session") == "Days with a session: 1"
    assert "Sessions:" not in text


async def test_day_one_keeps_back_pain_and_exercise_pain_apart(
    emulator: BotApiEmulator, bot
) -> None:
    # Onboarded today with back pain 2; the first exercise of the session hurt 6.
    user = emulator.user(user_id=1201)
    await onboard(user)
    await _session_first_hurts_6(user)

    text = await _summary(user)
    # Two separate series, never one merged average ((2 + 6) / 2 = 4.0).
    assert "4.0" not in text
    back = _line(text, "Back pain")
    during = _line(text, "Pain during exercises")
    assert "2.0/10" in back and "6" not in back
    assert "6.0/10" in during and "2" not in during
    # Day one is the first week, not "1 week".
    assert "1 week" not in text
    assert "first week" in text and "1 day" in text
    assert "Days with a session: 1\n" in text
    assert "not a diagnosis" in text


async def test_weeks_and_series_follow_the_local_calendar(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    # Tokyo is UTC+9: at 16:00 UTC it is already 01:00 on the next local day.
    user = emulator.user(user_id=1202)
    await onboard(user, zone="Tokyo")  # 17:00 on Friday 27 November, local day 1
    await _session_first_hurts_6(user)

    # Local day 6 (Wednesday 2 December, 23:00 in Tokyo).
    clock.set(datetime(2026, 12, 2, 14, 0, tzinfo=UTC))
    text = await _summary(user)
    assert "6 days (first week)" in text
    assert "1 week" not in text

    # Local day 7 (Thursday 3 December, 01:00 in Tokyo; still 2 December in UTC): a week.
    clock.advance(timedelta(hours=2))
    await _hurts(user, 3, exercise=False)  # back pain, named no exercise: week 1
    text = await _summary(user)
    assert "In the programme: 1 week" in text and "1 weeks" not in text
    assert "Back pain" in text and "2.5/10" in _line(text, "Back pain")

    # Local day 8 (4 December, 01:00 in Tokyo; 3 December in UTC): week 2 has begun.
    clock.advance(timedelta(days=1))
    await _hurts(user, 5, exercise=True)  # pain in an exercise, outside a session: week 2

    # Local day 14 (10 December, 01:00 in Tokyo; 9 December in UTC): two weeks.
    clock.advance(timedelta(days=6))
    text = await _summary(user)
    assert "In the programme: 2 weeks" in text
    assert "2 weeks and" not in text
    # One value per programme week, week 1 first; "–" for a week without reports.
    assert _line(text, "Back pain").endswith("2.5/10, –")
    assert _line(text, "Pain during exercises").endswith("6.0/10, 5.0/10")
    assert "Days with a session: 1 (by week: 1, 0)" in text
