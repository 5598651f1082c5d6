"""Text details a person notices (issue 14, point 8), end to end."""

from __future__ import annotations

import re

import pytest

from bot import texts
from bot.emulator.server import BotApiEmulator
from tests.e2e.helpers import do_exercise, hold, onboard

pytestmark = pytest.mark.e2e


async def test_no_double_colon_and_no_nested_brackets(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=1601)
    await onboard(user, zone="Europe/London", at="12:00")
    await user.send_text("/reminders")
    shown = await user.wait_for_message("Daily reminder")
    assert not re.search(r"\([^()]*\(", shown.text), shown.text
    await user.send_text("/session")
    await user.wait_for_message("1 of 4")
    await hold(user)
    await user.press(texts.DONE)
    await user.wait_for_message("2 of 4")
    for message in user.transcript:
        assert not re.search(r":[^:\n]*: \d+ s", message.text), message.text


async def test_a_thumbs_up_after_a_pain_stop_is_not_cheered(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=1602)
    await onboard(user)
    await user.send_text("/session")
    await do_exercise(user, "hurts", pain=8)
    await user.wait_for_message("Let's stop here for today")
    before = len(user.transcript)
    await user.send_text("👍")
    await user.wait_idle()
    after = user.transcript[before:]
    assert after, "no answer to the thumbs up"
    for message in after:
        assert "Well done" not in message.text and "Counted for today" not in message.text
    assert texts.REST_AFTER_HIGH_PAIN in after[0].text


def test_counts_read_right() -> None:
    assert texts.summary_done(1, 1) == "Done: 1 of 1 exercise."
    assert texts.summary_done(0, 4) == "Done: 0 of 4 exercises."
    assert texts.exercises(1) == "1 exercise" and texts.exercises(3) == "3 exercises"
    assert texts.minutes(1) == "1 minute" and texts.minutes(12) == "12 minutes"
