"""Replies as people type them (issue 14, point 1), end to end."""

from __future__ import annotations

import pytest

from bot import texts
from bot.emulator.server import BotApiEmulator
from bot.storage.database import create_engine
from bot.storage.repository import Repository
from tests.e2e.helpers import hold, onboard

pytestmark = pytest.mark.e2e


async def _session_pains(database_url: str, user_id: int) -> list[tuple[str | None, int]]:
    repo = Repository(create_engine(database_url))
    try:
        reports = await repo.pain_reports(user_id)
    finally:
        await repo.close()
    return [(r.exercise_id, r.pain) for r in reports if r.source == "session"]


async def test_typed_scores_at_how_did_it_go(emulator: BotApiEmulator, bot, database_url) -> None:
    user = emulator.user(user_id=1401)
    await onboard(user)
    await user.send_text("/session")
    for position, typed in enumerate(["ouch 6", "hurts 7/10", "it hurt a bit, maybe 3"], 1):
        await user.wait_for_message(f"{position} of 4")
        await hold(user)
        await user.send_text(typed)
    await user.wait_for_message("4 of 4")
    await hold(user)
    # At the score prompt, "ouch 6" is 6 too.
    await user.send_text("it hurts")
    await user.wait_for_message("How much did it hurt")
    await user.send_text("ouch 6")
    await user.wait_for_message("Session complete")
    assert await _session_pains(database_url, 1401) == [
        ("cat", 6),
        ("cow", 7),
        ("knee_to_chest", 3),
        ("glute_bridge", 6),
    ]
    assert not [m for m in user.transcript if "didn't catch" in m.text]


async def test_a_bare_number_is_a_pain_score(emulator: BotApiEmulator, bot, database_url) -> None:
    user = emulator.user(user_id=1402)
    await onboard(user)
    await user.send_text("/session")
    await user.wait_for_message("1 of 4")
    await hold(user)
    await user.send_text("6")
    await user.wait_for_message("2 of 4")
    assert await _session_pains(database_url, 1402) == [("cat", 6)]


async def test_text_the_bot_cannot_place_gets_what_it_can_do(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=1403)
    await onboard(user)
    await user.send_text("what a lovely morning")
    choices = await user.wait_for_message(texts.NOT_PLACED)
    assert choices.buttons == [[texts.START_SESSION], [texts.MY_PROGRESS, texts.HELP_BUTTON]]
    await user.press(texts.MY_PROGRESS)
    await user.wait_for_message("Your progress")
    await user.press(texts.HELP_BUTTON, message_id=choices.message_id)
    await user.wait_for_message("/session")


async def test_a_question_gets_who_can_answer_it(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=1404)
    await onboard(user)
    await user.send_text("Is it normal that my back clicks when I bend?")
    answer = await user.wait_for_message(texts.MEDICAL_QUESTION)
    assert "GP" in answer.text and "physiotherapist" in answer.text
    assert [texts.START_SESSION] in answer.buttons


async def test_red_flags_come_before_the_question_line(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=1405)
    await onboard(user)
    await user.send_text("is it normal that my groin feels numb?")
    await user.wait_for_message("Please get medical help today")
    await user.wait_idle()
    assert not [m for m in user.transcript if texts.MEDICAL_QUESTION in m.text]
