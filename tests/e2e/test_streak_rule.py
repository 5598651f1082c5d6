"""One fair streak rule (issue 14, point 5), end to end.

A day with at least one exercise done, guided or reported, counts. A day the coach told the
person to rest (pain above 5, a worse morning, an urgent red flag until cleared) and a paused
day neither count nor break the streak, and /stats says how many rest days kept it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import texts
from bot.clock import FakeClock
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import ChatMessage, ScriptedUser
from tests.e2e.helpers import do_exercise, onboard, repository

pytestmark = pytest.mark.e2e

LEVEL_1 = ["cat", "cow", "knee_to_chest", "glute_bridge"]
DAY = timedelta(days=1)


async def _whole_session(user: ScriptedUser, answer: str = "done") -> str:
    """Today's four exercises, each given `answer`; the summary's text."""
    await user.send_text("/session")
    for _ in LEVEL_1:
        await do_exercise(user, answer)
    return (await user.wait_for_message("Session complete")).text


async def _a_day_done(emulator: BotApiEmulator, user_id: int) -> ScriptedUser:
    """A person onboarded (reminder at 21:00) who has done today's whole session."""
    user = emulator.user(user_id=user_id)
    await onboard(user, at="21:00")
    await _whole_session(user)
    return user


async def _stopped_after_one(user: ScriptedUser, answer: str) -> ChatMessage:
    """/session, the first exercise given `answer`, then stop at the second card; the
    message that ends the session."""
    await user.send_text("/session")
    await do_exercise(user, answer)
    await user.wait_for_message("2 of 4")
    await user.send_text("stop")
    return await user.wait_for_message("Session ended")


async def _reported_done(user: ScriptedUser, how_much: str) -> ChatMessage:
    """The person types "done" and presses `how_much`; the message that counts the day."""
    await user.send_text("done")
    await user.wait_for_message("All of it, without pain?")
    await user.press(how_much)
    return await user.wait_for_message("Counted for today")


async def _stats(user: ScriptedUser) -> str:
    await user.send_text("/stats")
    return (await user.wait_for_message("Your progress")).text


async def test_a_session_stopped_after_one_done_counts_for_the_day(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = await _a_day_done(emulator, 1401)
    clock.advance(DAY)
    stopped = await _stopped_after_one(user, "done")
    assert "Done: 1 of 4" in stopped.text
    assert "Streak: 2 days (best 2 days)" in stopped.text, user.render_transcript()
    stats = await _stats(user)
    assert "Streak: 2 days (best 2 days)" in stats, stats
    assert texts.STATS_STREAK_RULE in stats


async def test_a_session_stopped_with_nothing_done_does_not_count(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = emulator.user(user_id=1402)
    await onboard(user, at="21:00")
    await _stopped_after_one(user, "skip")
    stats = await _stats(user)
    assert "Streak: 0 days (best 0 days)" in stats, stats


async def test_a_day_told_to_rest_after_pain_8_keeps_the_streak(
    emulator: BotApiEmulator, bot, clock: FakeClock, database_url: str
) -> None:
    user = await _a_day_done(emulator, 1403)
    clock.advance(DAY)
    await user.send_text("/session")
    await do_exercise(user, "hurts", pain=8)
    await user.wait_for_message("Let's stop here for today")
    clock.advance(DAY)
    summary = await _whole_session(user)
    assert "Streak: 2 days, 1 rest day kept it (best 2 days)" in summary, summary
    stats = await _stats(user)
    assert "Streak: 2 days, 1 rest day kept it" in stats, stats
    async with repository(database_url) as repo:
        exported = await repo.export_user(1403)
        assert exported is not None
        marks = [(row["local_date"], row["kind"]) for row in exported["streak_days"]]
        assert len(marks) == 1 and marks[0][1] == "pain"
        assert await repo.delete_user(1403)
        assert await repo.streak_days(1403, clock.now().date()) == ([], [])


async def test_pain_above_5_reported_outside_a_session_is_a_rest_day(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = await _a_day_done(emulator, 1404)
    clock.advance(DAY)
    await user.send_text("hurts 9")
    await user.wait_for_message("That is a lot of pain")
    clock.advance(DAY)
    await _whole_session(user)
    stats = await _stats(user)
    assert "Streak: 2 days, 1 rest day kept it" in stats, stats


async def test_a_paused_day_keeps_the_streak(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = await _a_day_done(emulator, 1405)
    await user.send_text("/pause")
    await user.wait_for_message("Reminders paused")
    clock.advance(DAY)
    clock.advance(DAY)
    # Still paused: the day in between is frozen while the pause goes on.
    summary = await _whole_session(user)
    assert "Streak: 2 days, 1 rest day kept it" in summary, summary
    await user.send_text("/resume")
    await user.wait_for_message("Reminders back on")
    clock.advance(DAY)
    # Once resumed, the paused day stays frozen.
    stats = await _stats(user)
    assert "Streak: 2 days, 1 rest day kept it" in stats, stats
    clock.advance(DAY)
    # After resuming, a day without exercise breaks it again.
    stats = await _stats(user)
    assert "Streak: 0 days (best 2 days)" in stats, stats


async def test_an_urgent_red_flag_holds_the_streak_until_cleared(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = await _a_day_done(emulator, 1406)
    await user.send_text("I suddenly can't control my bladder")
    await user.wait_for_message("Please get medical help today")
    await user.wait_for_message("I've paused your daily reminders and the exercises")
    clock.advance(DAY)
    clock.advance(DAY)
    await user.send_text("/session")
    await user.wait_for_message("on hold until a doctor has checked")
    await user.press(texts.CHECKED_BY_DOCTOR)
    await user.wait_for_message("glad you've been checked")
    summary = await _whole_session(user)
    # The day of the red flag counted (a session); the next one was held.
    assert "Streak: 2 days, 1 rest day kept it" in summary, summary


async def test_a_worse_morning_keeps_the_streak(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = emulator.user(user_id=1407)
    # The clock says 09:00 in Berlin; the reminder comes at 09:05.
    await onboard(user, at="9:05")
    await user.send_text("/session")
    await do_exercise(user, "hurts", pain=4)
    for _ in LEVEL_1[1:]:
        await do_exercise(user, "done")
    await user.wait_for_message("Session complete")
    clock.advance(DAY + timedelta(minutes=10))
    await user.wait_for_message("compared with yesterday")
    await user.press(texts.WORSE)
    await user.wait_for_message("Sorry your back is worse today")
    clock.advance(DAY)
    stats = await _stats(user)
    assert "Streak: 1 day, 1 rest day kept it (best 1 day)" in stats, stats


async def test_a_plain_missed_day_breaks_the_streak(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = await _a_day_done(emulator, 1408)
    clock.advance(DAY)
    clock.advance(DAY)
    summary = await _whole_session(user)
    assert "Streak: 1 day (best 1 day)" in summary, summary
    stats = await _stats(user)
    assert "Streak: 1 day (best 1 day)" in stats and "kept it" not in stats, stats


async def test_some_of_it_reported_counts(emulator: BotApiEmulator, bot, clock: FakeClock) -> None:
    user = await _a_day_done(emulator, 1409)
    clock.advance(DAY)
    counted = await _reported_done(user, texts.SOME_OF_IT)
    assert "Streak: 2 days (best 2 days)" in counted.text, counted.text


async def test_stats_shows_the_days_the_streak_counts(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    """/stats never says "Sessions finished: 0" beside "Streak: 1 day": the number beside the
    streak is the days that count by the same rule, however the day was counted."""
    user = emulator.user(user_id=1410)
    await onboard(user, at="21:00")
    # Stopped after one exercise done: the day counts, though no session finished.
    await _stopped_after_one(user, "done")
    stats = await _stats(user)
    assert "Days you exercised: 1\nStreak: 1 day (best 1 day)" in stats, stats
    # A session finished with every exercise skipped: nothing done, the day does not count.
    clock.advance(DAY)
    await _whole_session(user, "skip")
    stats = await _stats(user)
    assert "Days you exercised: 1\nStreak: 1 day (best 1 day)" in stats, stats
    # Reported done alone the next day: it counts, and the skipped day broke the run.
    clock.advance(DAY)
    await _reported_done(user, texts.YES_ALL)
    stats = await _stats(user)
    assert "Days you exercised: 2\nStreak: 1 day (best 1 day)" in stats, stats
