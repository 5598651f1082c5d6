"""Times and places typed the way people say them (issue 14, point 2), end to end."""

from __future__ import annotations

from datetime import time

import pytest

from bot import texts
from bot.emulator.server import BotApiEmulator
from bot.storage.database import create_engine
from bot.storage.repository import Repository
from tests.e2e.helpers import answer_safety_screen, onboard

pytestmark = pytest.mark.e2e


async def _settings(database_url: str, user_id: int) -> tuple[str | None, time | None]:
    repo = Repository(create_engine(database_url))
    try:
        row = await repo.get_user(user_id)
    finally:
        await repo.close()
    assert row is not None
    return row.timezone, row.reminder_time


async def test_onboarding_city_in_cyrillic_and_a_bare_hour_asks_morning_or_evening(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=1401)
    await answer_safety_screen(user)
    await user.press("2")
    await user.wait_for_message("Which time zone")
    await user.send_text("Мюнхен")
    await user.wait_for_message("Time zone set: Europe/Berlin")
    await user.wait_for_message("What time")
    await user.send_text("7")
    question = await user.wait_for_message("7:00 in the morning or 19:00?")
    assert ["07:00", "19:00"] in question.buttons
    assert await _settings(database_url, 1401) == ("Europe/Berlin", None)
    await user.press("19:00")
    done = await user.wait_for_message("You're all set")
    assert "19:00" in done.text
    assert await _settings(database_url, 1401) == ("Europe/Berlin", time(19, 0))


async def test_onboarding_a_spoken_time_with_evening_is_not_asked(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=1402)
    await answer_safety_screen(user)
    await user.press("2")
    await user.wait_for_message("Which time zone")
    await user.send_text("sao paulo")
    await user.wait_for_message("Time zone set: America/Sao_Paulo")
    await user.wait_for_message("What time")
    await user.send_text("half past 6 in the evening")
    done = await user.wait_for_message("You're all set")
    assert "18:30" in done.text
    assert await _settings(database_url, 1402) == ("America/Sao_Paulo", time(18, 30))


async def test_onboarding_ambiguous_city_offers_the_choices(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=1403)
    await answer_safety_screen(user)
    await user.press("2")
    await user.wait_for_message("Which time zone")
    await user.send_text("Portland")
    offer = await user.wait_for_message("Which Portland")
    labels = [label for row in offer.inline_buttons for label in row]
    assert len(labels) == 2
    assert any("Oregon" in label for label in labels)
    assert any("Maine" in label for label in labels)
    assert await _settings(database_url, 1403) == (None, None)
    await user.press("Maine")
    await user.wait_for_message("Time zone set: America/New_York")
    await user.wait_for_message("What time")
    await user.send_text("6pm")
    await user.wait_for_message("You're all set")
    assert await _settings(database_url, 1403) == ("America/New_York", time(18, 0))


async def test_onboarding_gmt_is_accepted_with_a_way_to_name_a_city(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=1404)
    await answer_safety_screen(user)
    await user.press("2")
    await user.wait_for_message("Which time zone")
    await user.send_text("GMT")
    await user.wait_for_message("Time zone set: UTC+00:00")
    note = await user.wait_for_message("summer time")
    assert [texts.NAME_A_CITY] in note.buttons
    await user.wait_for_message("What time")
    assert await _settings(database_url, 1404) == ("Etc/UTC", None)
    await user.press(texts.NAME_A_CITY)
    await user.wait_for_message("Which city")
    await user.send_text("Leeds")
    await user.wait_for_message("Time zone set: Europe/London")
    await user.wait_for_message("What time")
    await user.send_text("quarter to 8")
    await user.wait_for_message("7:45 in the morning or 19:45?")
    await user.press("07:45")
    await user.wait_for_message("You're all set")
    assert await _settings(database_url, 1404) == ("Europe/London", time(7, 45))


async def test_timezone_command_offers_choices_and_flags_fixed_offsets(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=1405)
    await onboard(user, zone="Lyon", at="8:00")
    assert await _settings(database_url, 1405) == ("Europe/Paris", time(8, 0))

    await user.send_text("/timezone Portland")
    offer = await user.wait_for_message("Which Portland")
    labels = [label for row in offer.inline_buttons for label in row]
    assert len(labels) == 2
    await user.press("Oregon")
    await user.wait_for_message("Time zone set: America/Los_Angeles")
    assert await _settings(database_url, 1405) == ("America/Los_Angeles", time(8, 0))

    await user.send_text("/timezone UTC+2")
    await user.wait_for_message("Time zone set: UTC+02:00")
    note = await user.wait_for_message("summer time")
    await user.press(texts.NAME_A_CITY, message_id=note.message_id)
    await user.wait_for_message("/timezone")
    assert await _settings(database_url, 1405) == ("Etc/GMT-2", time(8, 0))

    await user.send_text("/timezone Porto")
    await user.wait_for_message("Time zone set: Europe/Lisbon")


async def test_remind_reads_spoken_times_and_asks_about_a_bare_hour(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=1406)
    await onboard(user, zone="Leeds", at="8:00")
    await user.send_text("/remind 6pm")
    await user.wait_for_message("every day at 18:00")
    await user.send_text("/remind 18h30")
    await user.wait_for_message("every day at 18:30")
    await user.send_text("/remind noon")
    await user.wait_for_message("every day at 12:00")
    await user.send_text("/remind half past 6")
    question = await user.wait_for_message("6:30 in the morning or 18:30?")
    assert ["06:30", "18:30"] in question.buttons
    assert await _settings(database_url, 1406) == ("Europe/London", time(12, 0))
    await user.press("06:30")
    await user.wait_for_message("every day at 06:30")
    assert await _settings(database_url, 1406) == ("Europe/London", time(6, 30))
