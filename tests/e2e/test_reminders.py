"""Daily reminders end to end: the real bot, the emulator, and an injected clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.app import build_application, running
from bot.clock import FakeClock
from bot.config import Settings
from bot.domain.progression import ExerciseProgress
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import ScriptedUser
from bot.storage.database import create_engine
from bot.storage.repository import Repository
from tests.conftest import TICK_SECONDS
from tests.e2e.helpers import onboard

pytestmark = pytest.mark.e2e

# Long enough for several reminder ticks to have run and found nothing to do.
SEVERAL_TICKS = TICK_SECONDS * 8


@asynccontextmanager
async def _repo(database_url: str) -> AsyncIterator[Repository]:
    repo = Repository(create_engine(database_url))
    try:
        yield repo
    finally:
        await repo.close()


def _reminders(user: ScriptedUser) -> list[str]:
    """The reminders this person has received so far."""
    return [m.text for m in user.transcript if "Time for your back routine" in m.text]


async def _nothing_more(user: ScriptedUser, count: int) -> None:
    """Let the tick run several times, then check the number of reminders is unchanged."""
    await asyncio.sleep(SEVERAL_TICKS)
    assert len(_reminders(user)) == count, user.render_transcript()


async def _one_minute_ahead(user: ScriptedUser, clock: FakeClock) -> None:
    """Onboard in Berlin with a reminder one local minute after the clock's time."""
    local = clock.now().astimezone(ZoneInfo("Europe/Berlin"))
    at = (local + timedelta(minutes=1)).strftime("%H:%M")
    await onboard(user, zone="Berlin", at=at)


async def test_reminder_one_minute_ahead_arrives_once_and_done_extends_streak(
    emulator: BotApiEmulator, bot, clock: FakeClock, database_url: str
) -> None:
    user = emulator.user(user_id=801)
    await _one_minute_ahead(user, clock)
    await user.send_text("/reminders")
    shown = await user.wait_for_message("Daily reminder")
    assert "Next one: today at 09:01" in shown.text

    clock.advance(timedelta(seconds=59))
    await _nothing_more(user, 0)
    clock.advance(timedelta(seconds=1))
    reminder = await user.wait_for_message("Time for your back routine")
    assert "4 exercises, about" in reminder.text
    labels = [label for row in reminder.buttons for label in row]
    assert labels == [
        texts.START_NOW,
        texts.DONE_ALREADY,
        texts.IT_HURTS,
        texts.SNOOZE,
        texts.SKIP_TODAY,
    ]
    clock.advance(timedelta(minutes=10))
    await _nothing_more(user, 1)

    # "done", typed as a reply outside any session.
    await user.send_text("done")
    await user.wait_for_message(texts.ALL_WITHOUT_PAIN)
    await user.press(texts.YES_ALL)
    counted = await user.wait_for_message("Counted for today")
    assert "Streak: 1 day (best 1 day)" in counted.text
    assert "Glute bridge: 30 s, the full hold" in counted.text

    # Tomorrow's reminder, answered with the button: the streak grows to two days.
    clock.advance(timedelta(days=1))
    await user.wait_for_message("Time for your back routine")
    await user.press(texts.DONE_ALREADY)
    await user.wait_for_message(texts.ALL_WITHOUT_PAIN)
    await user.press(texts.YES_ALL)
    counted = await user.wait_for_message("Counted for today")
    assert "Streak: 2 days (best 2 days)" in counted.text
    assert len(_reminders(user)) == 2
    # Each "done" asked its one check once.
    assert sum(texts.ALL_WITHOUT_PAIN in m.text for m in user.transcript) == 2

    async with _repo(database_url) as repo:
        days = await repo.session_days(801)
        progress = await repo.load_progress(801)
    assert len(days) == 2
    # Two pain-free days count like two pain-free sessions.
    assert progress["glute_bridge"].pain_free_streak == 2


async def test_hurts_with_pain_6_lowers_the_named_exercise(
    emulator: BotApiEmulator, bot, clock: FakeClock, database_url: str
) -> None:
    user = emulator.user(user_id=802)
    await _one_minute_ahead(user, clock)
    # Level 2, where holds are worked up: bird dog (arm) is at 20 s.
    async with _repo(database_url) as repo:
        await repo.update_user(802, level=2)
        grown = ExerciseProgress(exercise_id="bird_dog_arm", target_hold=20, pain_free_streak=2)
        await repo.save_progress(802, {"bird_dog_arm": grown}, {"bird_dog_arm": 10}, clock.now())
    clock.advance(timedelta(minutes=1))
    await user.wait_for_message("Time for your back routine")

    await user.press(texts.IT_HURTS)
    await user.wait_for_message("How much, from 0")
    await user.press("6", message_id=user.last_message.message_id)
    which = await user.wait_for_message("which exercise hurt")
    assert [texts.NOT_SURE] in which.buttons
    await user.press("Bird dog (arm lift)")
    noted = await user.wait_for_message("Noted: 6 out of 10")
    assert "Bird dog (arm lift): 15 s next time, down from 20 s" in noted.text

    async with _repo(database_url) as repo:
        progress = await repo.load_progress(802)
        reports = await repo.pain_reports(802)
        days = await repo.session_days(802)
    assert progress["bird_dog_arm"].target_hold == 15
    assert set(progress) == {"bird_dog_arm"}  # nothing else changed
    assert (reports[-1].pain, reports[-1].source, reports[-1].exercise_id) == (
        6,
        "reminder",
        "bird_dog_arm",
    )
    assert days == []  # a pain report is not a session
    assert not any(texts.ALL_WITHOUT_PAIN in m.text for m in user.transcript)

    # Tomorrow first asks how the back is, then the routine uses the lower hold.
    clock.advance(timedelta(days=1))
    check = await user.wait_for_message(texts.MORNING_CHECK)
    assert check.buttons == [[texts.BETTER, texts.SAME, texts.WORSE]]
    await user.press(texts.SAME)
    await user.wait_for_message(texts.MORNING_SAME)
    await user.wait_for_message("Time for your back routine")
    await user.send_text("/stats")
    stats = await user.wait_for_message("Your progress")
    assert "Bird dog (arm lift): 15 s (started at 10 s)" in stats.text


async def test_restart_within_grace_sends_late_once_beyond_grace_records_missed(
    emulator: BotApiEmulator, settings: Settings, clock: FakeClock, database_url: str
) -> None:
    late, early = emulator.user(user_id=803), emulator.user(user_id=804)
    first = build_application(settings, clock=clock)
    async with running(first, poll_timeout=1):
        await onboard(late, zone="Berlin", at="10:00")  # due 09:00 UTC
        await onboard(early, zone="Berlin", at="9:30")  # due 08:30 UTC
    # The bot is down from 08:00 to 10:45 UTC.
    clock.set(datetime(2026, 11, 27, 10, 45, tzinfo=UTC))
    second = build_application(settings, clock=clock)
    async with running(second, poll_timeout=1):
        # 1 h 45 min late: within the 2 h grace, sent once.
        await late.wait_for_message("Time for your back routine")
        await _nothing_more(late, 1)
        # 2 h 15 min late: recorded as missed, not sent.
        assert _reminders(early) == []
    async with _repo(database_url) as repo:
        assert [r.status for r in await repo.reminder_log(803)] == ["sent"]
        assert [r.status for r in await repo.reminder_log(804)] == ["missed"]

    # Restarting again sends nothing twice; tomorrow both get theirs.
    third = build_application(settings, clock=clock)
    async with running(third, poll_timeout=1):
        await _nothing_more(late, 1)
        clock.set(datetime(2026, 11, 28, 9, 1, tzinfo=UTC))
        await late.wait_for_message("Time for your back routine")
        await early.wait_for_message("Time for your back routine")
        await _nothing_more(late, 2)


async def test_snooze_and_skip(emulator: BotApiEmulator, bot, clock: FakeClock) -> None:
    user = emulator.user(user_id=805)
    await _one_minute_ahead(user, clock)
    clock.advance(timedelta(minutes=1))
    first = await user.wait_for_message("Time for your back routine")
    await user.press(texts.SNOOZE, message_id=first.message_id)
    await user.wait_for_message("I'll remind you again today at 09:31")
    clock.advance(timedelta(minutes=29))
    await asyncio.sleep(SEVERAL_TICKS)
    assert not any("again" in m.text and "Here's" in m.text for m in user.transcript)
    clock.advance(timedelta(minutes=1))
    again = await user.wait_for_message("Here's your reminder again")
    assert again.buttons[0] == [texts.START_NOW]

    await user.press(texts.SKIP_TODAY, message_id=again.message_id)
    await user.wait_for_message("Rest day noted. See you tomorrow at 09:01")
    # A snooze after skipping is refused; nothing more comes today.
    await user.press(texts.SNOOZE, message_id=again.message_id)
    await user.wait_idle()
    assert user.callback_answers[-1] == texts.REMINDER_SETTLED
    clock.advance(timedelta(hours=2))
    await _nothing_more(user, 1)
    # Yesterday's buttons are stale tomorrow.
    clock.set(datetime(2026, 11, 28, 8, 2, tzinfo=UTC))
    await user.wait_for_message("Time for your back routine")
    await user.press(texts.SNOOZE, message_id=first.message_id)
    await user.wait_idle()
    assert user.callback_answers[-1] == texts.OLD_REMINDER


async def test_snooze_that_would_come_back_after_midnight_is_declined(
    emulator: BotApiEmulator, bot, clock: FakeClock, database_url: str
) -> None:
    user = emulator.user(user_id=812)
    await onboard(user, zone="Berlin", at="23:45")  # 22:45 UTC
    clock.set(datetime(2026, 11, 27, 22, 46, tzinfo=UTC))
    first = await user.wait_for_message("Time for your back routine")
    await user.press(texts.SNOOZE, message_id=first.message_id)
    declined = await user.wait_for_message("nearly midnight")
    assert "tomorrow at 23:45" in declined.text
    # Nothing comes back at 00:16, with buttons that would belong to a day that is over.
    clock.advance(timedelta(minutes=31))
    await _nothing_more(user, 1)
    async with _repo(database_url) as repo:
        assert [r.status for r in await repo.reminder_log(812)] == ["sent"]
        person = await repo.get_user(812)
        assert person is not None and person.snooze_until is None


async def test_pause_and_resume(emulator: BotApiEmulator, bot, clock: FakeClock) -> None:
    user = emulator.user(user_id=806)
    await _one_minute_ahead(user, clock)
    await user.send_text("/pause")
    await user.wait_for_message(texts.PAUSED)
    await user.send_text("/reminders")
    await user.wait_for_message("paused")
    clock.advance(timedelta(minutes=5))
    await _nothing_more(user, 0)
    await user.send_text("/resume")
    resumed = await user.wait_for_message("Reminders back on")
    assert "tomorrow at 09:01" in resumed.text
    clock.advance(timedelta(days=1))
    await user.wait_for_message("Time for your back routine")


async def test_blocked_user_turned_off_without_retries_and_back_on_start(
    emulator: BotApiEmulator, bot, clock: FakeClock, database_url: str
) -> None:
    user = emulator.user(user_id=807)
    await _one_minute_ahead(user, clock)
    user.block_bot()
    clock.advance(timedelta(minutes=1))
    for _ in range(100):
        async with _repo(database_url) as repo:
            row = await repo.get_user(807)
        if row.blocked:
            break
        await asyncio.sleep(TICK_SECONDS)
    assert row.blocked and row.next_reminder_at is None
    attempts = [r for r in emulator.requests_for("sendMessage", chat_id=807) if r.status == 403]
    assert len(attempts) == 1  # no retries after a 403

    clock.advance(timedelta(days=1))
    await asyncio.sleep(SEVERAL_TICKS)
    assert (
        len(emulator.requests_for("sendMessage", chat_id=807))
        == len([r for r in emulator.requests_for("sendMessage", chat_id=807) if r.status != 403])
        + 1
    )

    user.block_bot(False)
    await user.send_text("/start")
    await user.wait_for_message(texts.WELCOME_BACK_UNBLOCKED)
    clock.advance(timedelta(days=1))
    await user.wait_for_message("Time for your back routine")


async def test_429_is_honoured_and_the_reminder_delivered(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = emulator.user(user_id=808)
    await _one_minute_ahead(user, clock)
    emulator.inject_fault("429", method="sendMessage", chat_id=808, retry_after=1)
    clock.advance(timedelta(minutes=1))
    await user.wait_for_message("Time for your back routine", timeout=10)
    sends = emulator.requests_for("sendMessage", chat_id=808)
    refused = [r for r in sends if r.status == 429]
    assert len(refused) == 1
    retried = [r for r in sends if r.status == 200 and r.timestamp > refused[0].timestamp]
    assert retried and retried[0].timestamp - refused[0].timestamp >= 1.0
    await _nothing_more(user, 1)


async def test_done_already_after_a_guided_session_sends_no_reminder(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = emulator.user(user_id=809)
    await onboard(user, zone="Berlin", at="20:00")
    await user.send_text("done")
    await user.wait_for_message(texts.ALL_WITHOUT_PAIN)
    await user.press(texts.SOME_OF_IT)
    counted = await user.wait_for_message("Counted for today")
    assert "Holds stay where they are" in counted.text
    clock.advance(timedelta(hours=12))
    await _nothing_more(user, 0)
    await user.send_text("done")
    await user.wait_for_message(texts.ALREADY_COUNTED)


async def test_worse_twice_keeps_holds_and_suggests_a_physio(
    emulator: BotApiEmulator, bot, clock: FakeClock, database_url: str
) -> None:
    user = emulator.user(user_id=810)
    await _one_minute_ahead(user, clock)
    for day in range(2):
        await user.send_text("hurts")
        await user.wait_for_message("How much, from 0")
        await user.press("4", message_id=user.last_message.message_id)
        await user.wait_for_message("which exercise hurt")
        await user.press(texts.NOT_SURE)
        await user.wait_for_message("Noted: 4 out of 10")
        clock.set(datetime(2026, 11, 28 + day, 8, 1, tzinfo=UTC))
        await user.wait_for_message(texts.MORNING_CHECK)
        await user.press(texts.WORSE)
        # A lighter day is offered instead of the full routine's reminder.
        offer = await user.wait_for_message("holds stay where they were")
        assert offer.buttons == [[texts.GENTLE_DAY], [texts.REST_TODAY]]
        if day == 1:
            await user.wait_for_message("two days in a row")
    # A pain-free "done" on a worse morning keeps every hold.
    await user.send_text("done")
    await user.wait_for_message(texts.ALL_WITHOUT_PAIN)
    await user.press(texts.YES_ALL)
    counted = await user.wait_for_message("Counted for today")
    assert "up from" not in counted.text
    async with _repo(database_url) as repo:
        progress = await repo.load_progress(810)
    assert progress["glute_bridge"].target_hold == 30


async def test_reply_is_not_stuck_behind_a_broadcast(
    emulator: BotApiEmulator, settings: Settings, clock: FakeClock, database_url: str
) -> None:
    paced = settings.model_copy(update={"reminders_per_second": 20.0})
    chatty = emulator.user(user_id=899)
    app = build_application(paced, clock=clock)
    async with running(app, poll_timeout=1):
        await onboard(chatty, zone="Berlin", at="20:00")
        async with _repo(database_url) as repo:
            for user_id in range(10_000, 10_060):
                await repo.ensure_user(user_id, user_id, clock.now())
                await repo.update_user(
                    user_id,
                    onboarding_step="done",
                    timezone="Europe/Berlin",
                    reminder_time=time(9, 1),
                    now=clock.now(),
                )
        clock.advance(timedelta(minutes=1))
        # Wait for the broadcast to start, then ask for help.
        await emulator.user(user_id=10_000).wait_for_message("Time for your back routine")
        asked = asyncio.get_running_loop().time()
        await chatty.send_text("/help")
        await chatty.wait_for_message("I coach a short daily routine")
        waited = asyncio.get_running_loop().time() - asked
        # 60 reminders at 20/s take 3 s; the reply does not wait for them (the bar is
        # 2 s, and the reply went out while reminders were still going out).
        assert waited < 2.0
        await emulator.user(user_id=10_059).wait_for_message("Time for", timeout=10)
    sends = sorted(r.timestamp for r in emulator.requests_for("sendMessage") if r.chat_id >= 10_000)
    reply = [
        r for r in emulator.requests_for("sendMessage", chat_id=899) if "I coach" in str(r.params)
    ]
    assert reply and reply[-1].timestamp < sends[-1]
    assert (
        len(sends)
        == 60
        == len({r.chat_id for r in emulator.requests_for("sendMessage") if r.chat_id >= 10_000})
    )
    # The broadcast runs at the configured 20/s on average, and no one-second window goes
    # far above it (network jitter can bunch a couple of arrivals), far below Telegram's 30/s.
    assert (len(sends) - 1) / (sends[-1] - sends[0]) <= 21
    busiest = max(sum(1 for t in sends if start <= t < start + 1) for start in sends)
    assert busiest <= 23, busiest


async def test_remind_buttons_timezone_change_and_next_after_done(
    emulator: BotApiEmulator, bot, clock: FakeClock, database_url: str
) -> None:
    user = emulator.user(user_id=811)
    await onboard(user, zone="Berlin", at="20:00")
    await user.send_text("/remind")
    offer = await user.wait_for_message("I remind you every day at 20:00")
    assert ["07:00", "08:00", "12:00"] in offer.buttons
    await user.press("07:00")
    await user.wait_for_message("every day at 07:00 your time. Next one: tomorrow at 07:00")
    await user.send_text("/remind 7.30 pm")
    await user.wait_for_message("Next one: today at 19:30")
    # A new zone moves the next reminder to 19:30 there (UTC-8 in November).
    await user.send_text("/timezone Los Angeles")
    await user.wait_for_message("Time zone set: America/Los_Angeles")
    async with _repo(database_url) as repo:
        row = await repo.get_user(811)
    assert row.next_reminder_at == datetime(2026, 11, 28, 3, 30, tzinfo=UTC)
    # Once today's routine is done, the next reminder the person will see is tomorrow's.
    await user.send_text("done")
    await user.wait_for_message(texts.ALL_WITHOUT_PAIN)
    await user.press(texts.YES_ALL)
    await user.wait_for_message("Counted for today")
    await user.send_text("/reminders")
    shown = await user.wait_for_message("Daily reminder: 19:30")
    assert "Next one: tomorrow at 19:30" in shown.text


async def test_urgent_red_flag_pauses_reminders(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = emulator.user(user_id=812)
    await _one_minute_ahead(user, clock)
    await user.send_text("I suddenly can't control my bladder")
    await user.wait_for_message("Please get medical help today")
    await user.wait_for_message(texts.SAFETY_REMINDERS_PAUSED)
    clock.advance(timedelta(minutes=5))
    await _nothing_more(user, 0)
    await user.send_text("/reminders")
    await user.wait_for_message("paused")


async def test_pain_above_five_not_pinned_on_one_exercise_rests_today(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = emulator.user(user_id=813)
    await onboard(user)
    await user.send_text("hurts")
    await user.wait_for_message("How much, from 0")
    await user.send_text("7")
    await user.wait_for_message("which exercise hurt")
    await user.press(texts.NOT_SURE)
    await user.wait_for_message("Noted: 7 out of 10")
    await user.send_text("/session")
    await user.wait_for_message(texts.SESSION_EMPTY)
    clock.advance(timedelta(days=1))
    await user.send_text("/session")
    await user.wait_for_message("Today's session")


async def test_a_new_time_after_todays_reminder_promises_tomorrow(
    emulator: BotApiEmulator, bot, clock: FakeClock, database_url: str
) -> None:
    user = emulator.user(user_id=814)
    await _one_minute_ahead(user, clock)
    clock.advance(timedelta(minutes=1))
    await user.wait_for_message("Time for your back routine")
    # Today's reminder went out; a later time today would not send a second one.
    later = (clock.now() + timedelta(minutes=10)).astimezone(ZoneInfo("Europe/Berlin"))
    await user.send_text(f"/remind {later:%H:%M}")
    said = await user.wait_for_message("Next one:")
    assert f"Next one: tomorrow at {later:%H:%M}" in said.text
    await user.send_text("/reminders")
    shown = await user.wait_for_message("Daily reminder")
    assert f"Next one: tomorrow at {later:%H:%M}" in shown.text
    clock.advance(timedelta(minutes=11))
    await _nothing_more(user, 1)
    clock.advance(timedelta(days=1))
    await user.wait_for_message("Time for your back routine")


async def test_the_back_check_greets_by_the_local_hour(
    emulator: BotApiEmulator, bot, clock: FakeClock
) -> None:
    user = emulator.user(user_id=815)
    # 19:30 in Berlin: an evening reminder.
    clock.set(datetime(2026, 11, 27, 18, 29, tzinfo=UTC))
    await onboard(user, zone="Berlin", at="19:30")
    await user.send_text("hurts")
    await user.wait_for_message("How much, from 0")
    await user.send_text("4")
    await user.wait_for_message("which exercise hurt")
    await user.press(texts.NOT_SURE)
    await user.wait_for_message("Noted: 4 out of 10")
    clock.advance(timedelta(days=1, minutes=1))
    check = await user.wait_for_message("How is your back compared with yesterday?")
    assert check.text.startswith("Good evening.")
    assert not [m for m in user.transcript if "morning" in m.text.lower()]
