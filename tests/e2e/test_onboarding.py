"""Onboarding driven end to end: scripted users talk to the real bot over loopback HTTP."""

from __future__ import annotations

from datetime import time

import pytest

from bot import texts
from bot.emulator.server import BotApiEmulator
from bot.storage.database import create_engine
from bot.storage.repository import Repository
from tests.e2e.helpers import answer_safety_screen

pytestmark = pytest.mark.e2e


async def _user_row(database_url: str, user_id: int):
    repo = Repository(create_engine(database_url))
    try:
        return await repo.get_user(user_id), await repo.pain_reports(user_id)
    finally:
        await repo.close()


async def test_clean_onboarding(emulator: BotApiEmulator, bot, database_url: str) -> None:
    user = emulator.user(user_id=501)
    await answer_safety_screen(user)
    await user.press("3")
    await user.wait_for_message("noted: 3 out of 10")
    question = await user.wait_for_message("Which time zone")
    assert any(texts.SHARE_LOCATION in label for row in question.buttons for label in row)

    await user.send_text("Berlin")
    await user.wait_for_message("Time zone set: Europe/Berlin")
    await user.wait_for_message("What time should I remind you")
    await user.send_text("7.30 pm")
    done = await user.wait_for_message("You're all set")
    assert "19:30" in done.text

    row, pains = await _user_row(database_url, 501)
    assert row.onboarding_step == "done"
    assert row.timezone == "Europe/Berlin"
    assert row.reminder_time == time(19, 30)
    assert [(p.pain, p.source) for p in pains] == [(3, "onboarding")]


async def test_reminder_time_button(emulator: BotApiEmulator, bot, database_url: str) -> None:
    user = emulator.user(user_id=502)
    await answer_safety_screen(user)
    await user.press("2")
    await user.wait_for_message("Which time zone")
    await user.send_text("UTC-5")
    await user.wait_for_message("Time zone set")
    await user.wait_for_message("What time")
    await user.press("08:00")
    await user.wait_for_message("You're all set")
    row, _ = await _user_row(database_url, 502)
    assert (row.timezone, row.reminder_time) == ("Etc/GMT+5", time(8, 0))


async def test_red_flag_answer_holds_the_programme(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=503)
    await user.send_text("/start")
    await user.wait_for_message("quick safety check")
    await user.press(texts.YES_ONE_APPLIES)
    advice = await user.wait_for_message("emergency")
    assert [texts.CHECKED_BY_DOCTOR] in advice.buttons

    # Coming back without being checked still shows the advice, never the programme.
    await user.send_text("/start")
    await user.wait_for_message("carry on where we left off")
    again = await user.wait_for_message("emergency")
    await user.wait_idle()
    assert not any("How much does your back hurt" in m.text for m in user.transcript)

    await user.press(texts.CHECKED_BY_DOCTOR, message_id=again.message_id)
    await user.wait_for_message("do any of these apply")
    await user.press(texts.YES_ONE_APPLIES)
    await user.wait_for_message("see a doctor before you start")
    await user.press(texts.DOCTOR_SAYS_OK)
    await user.wait_for_message("keep some health information")
    row, _ = await _user_row(database_url, 503)
    assert (row.onboarding_step, row.red_flag_hold, row.consented_at) == ("consent", None, None)


async def test_bad_time_zone_then_good(emulator: BotApiEmulator, bot, database_url: str) -> None:
    user = emulator.user(user_id=504)
    await answer_safety_screen(user)
    await user.send_text("4")
    await user.wait_for_message("Which time zone")
    await user.send_text("Nowhere-land")  # Atlantis is a real city (South Africa)
    await user.wait_for_message("couldn't find that time zone")
    await user.send_text("utc+13")
    await user.wait_for_message("Time zone set")
    row, _ = await _user_row(database_url, 504)
    assert row.timezone == "Etc/GMT-13"


async def test_shared_location_sets_time_zone(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=505)
    await answer_safety_screen(user)
    await user.press("1")
    await user.wait_for_message("Which time zone")
    await user.share_location(-36.85, 174.76)
    await user.wait_for_message("Time zone set: Pacific/Auckland")
    row, _ = await _user_row(database_url, 505)
    assert row.timezone == "Pacific/Auckland"


async def test_bad_time_then_good(emulator: BotApiEmulator, bot, database_url: str) -> None:
    user = emulator.user(user_id=506)
    await answer_safety_screen(user)
    await user.press("0")
    await user.send_text("London")
    await user.wait_for_message("What time")
    await user.send_text("25:99")
    await user.wait_for_message("couldn't read that as a time")
    await user.send_text("07:15")
    await user.wait_for_message("every day at 07:15")
    row, _ = await _user_row(database_url, 506)
    assert row.reminder_time == time(7, 15)


async def test_start_twice_keeps_everything(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=507)
    await answer_safety_screen(user)
    await user.press("2")
    await user.send_text("Tokyo")
    await user.wait_for_message("What time")
    await user.send_text("6:45")
    await user.wait_for_message("You're all set")
    before, pains_before = await _user_row(database_url, 507)

    await user.send_text("/start")
    back = await user.wait_for_message("Welcome back")
    assert "Asia/Tokyo" in back.text and "06:45" in back.text
    await user.wait_idle()
    # The disclaimer is said once: it is not in the welcome-back message.
    assert sum("not a diagnosis" in m.text for m in user.transcript) == 1
    after, pains_after = await _user_row(database_url, 507)
    assert (after.timezone, after.reminder_time, after.onboarding_step, after.level) == (
        before.timezone,
        before.reminder_time,
        before.onboarding_step,
        before.level,
    )
    assert len(pains_after) == len(pains_before)


async def test_start_twice_mid_onboarding_resumes(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=508)
    await answer_safety_screen(user)
    await user.send_text("/start")
    await user.wait_for_message("carry on where we left off")
    await user.wait_for_message("How much does your back hurt")


async def test_high_pain_pauses_onboarding(emulator: BotApiEmulator, bot, database_url) -> None:
    user = emulator.user(user_id=509)
    await answer_safety_screen(user)
    await user.press("9")
    await user.wait_for_message("don't start the exercises today")
    await user.wait_idle()
    assert not any("Which time zone" in m.text for m in user.transcript)
    row, pains = await _user_row(database_url, 509)
    assert row.onboarding_step == "pain"
    assert [p.pain for p in pains] == [9]


async def test_red_flag_words_anywhere_get_urgent_advice(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=510)
    await answer_safety_screen(user)
    await user.send_text("3")
    await user.wait_for_message("Which time zone")
    await user.send_text("My legs keep giving way")
    await user.wait_for_message("Please get medical help today")
    await user.wait_idle()
    # The message was not also taken as a (bad) time zone.
    assert not any("couldn't find that time zone" in m.text for m in user.transcript)


async def test_stale_onboarding_button(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=511)
    await user.send_text("/start")
    first = await user.wait_for_message("quick safety check")
    await user.press(texts.NO_NONE_APPLY)
    await user.wait_for_message("do any of these apply")
    await user.press(texts.NO_NONE_APPLY)
    await user.wait_for_message("keep some health information")
    # The first question's buttons were removed once answered; its data now is stale.
    await user.press_data(first.message_id, "ob:rf:yes")
    await user.wait_idle()
    assert texts.STALE_BUTTON in user.callback_answers


async def test_help_and_registered_commands(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=512)
    await user.send_text("/help")
    help_message = await user.wait_for_message("/timezone")
    for name, _ in texts.COMMANDS:
        assert f"/{name}" in help_message.text
    # The menu is the everyday commands, in private chats only (tests/e2e/test_bot_profile.py).
    private = emulator.commands_for({"type": "all_private_chats"})
    assert [c["command"] for c in private] == list(texts.MENU_COMMANDS)


async def test_change_settings_after_onboarding(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=513)
    await answer_safety_screen(user)
    await user.press("2")
    await user.send_text("Paris")
    await user.wait_for_message("What time")
    await user.send_text("8:00")
    await user.wait_for_message("You're all set")
    await user.send_text("/timezone Nowhere-land")
    await user.wait_for_message("couldn't find that time zone")
    await user.send_text("/timezone America/Los_Angeles")
    await user.wait_for_message("Time zone set: America/Los_Angeles")
    await user.send_text("/remind half past")
    await user.wait_for_message("couldn't read that as a time")
    await user.send_text("/remind 21:10")
    await user.wait_for_message("every day at 21:10")
    row, _ = await _user_row(database_url, 513)
    assert (row.timezone, row.reminder_time) == ("America/Los_Angeles", time(21, 10))
