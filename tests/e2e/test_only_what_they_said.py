"""Only what the person said, with consent on record, becomes an answer (issue 13, 6 and 7)."""

from __future__ import annotations

import asyncio

import pytest

from alembic import command
from bot import texts
from bot.app import build_application, running
from bot.emulator.server import BotApiEmulator
from bot.storage.database import alembic_config, create_engine
from bot.storage.repository import Repository
from tests.e2e.fuzz_updates import Forger
from tests.e2e.helpers import hold, onboard

pytestmark = pytest.mark.e2e


async def _answers_and_pain(database_url: str, user_id: int) -> tuple[int, int]:
    """How many exercise answers and pain reports are stored for the person."""
    repo = Repository(create_engine(database_url))
    try:
        exported = await repo.export_user(user_id) or {}
    finally:
        await repo.close()
    return len(exported.get("exercise_results", [])), len(exported.get("pain_reports", []))


async def test_an_edited_old_done_answers_nothing(
    emulator: BotApiEmulator, bot, database_url
) -> None:
    user = emulator.user(user_id=1301)
    await onboard(user)
    await user.send_text("/session")
    await user.wait_for_message("1 of 4")
    await hold(user)
    await user.send_text("done")
    await user.wait_for_message("2 of 4")
    await hold(user)
    # The person fixes a typo in their old "done" while the cow's question is open.
    assert Forger(emulator).edit(1301, user.user, "done!") is not None
    await user.wait_idle()
    assert not [m for m in user.transcript if m.text.startswith("Cow stretch:")]
    assert (await _answers_and_pain(database_url, 1301))[0] == 1


async def test_a_forwarded_done_is_not_an_answer(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=1302)
    await onboard(user)
    stranger = {"id": 99, "is_bot": False, "first_name": "Sam"}
    body = {
        "text": "done",
        "forward_origin": {"type": "user", "sender_user": stranger, "date": 1_700_000_000},
    }
    Forger(emulator).message(1302, user.user, body)
    reply = await user.wait_for_message()
    assert reply.text == texts.FORWARDED_NOT_AN_ANSWER
    await user.wait_idle()
    assert not [m for m in user.transcript if texts.ALL_WITHOUT_PAIN in m.text]


async def test_a_forwarded_red_flag_does_not_hold_the_programme(
    emulator: BotApiEmulator, bot
) -> None:
    user = emulator.user(user_id=1303)
    await onboard(user)
    body = {
        "text": "my groin is numb",
        "forward_origin": {"type": "hidden_user", "sender_user_name": "Kim", "date": 1_700_000_000},
    }
    Forger(emulator).message(1303, user.user, body)
    await user.wait_for_message(texts.FORWARDED_NOT_AN_ANSWER)
    await user.send_text("/session")
    await user.wait_for_message("Today's session")


async def test_no_consent_on_record_is_asked_before_any_health_data(
    emulator: BotApiEmulator, settings, clock, database_url
) -> None:
    user = emulator.user(user_id=1304)
    async with running(build_application(settings, clock=clock), poll_timeout=1):
        await onboard(user)
    # As for anyone set up before consent was asked: 0004 down and up again drops it.
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0003")
    await asyncio.to_thread(command.upgrade, config, "head")
    answers, pain = await _answers_and_pain(database_url, 1304)

    async with running(build_application(settings, clock=clock), poll_timeout=1):
        await user.send_text("done")
        asked = await user.wait_for_message("keep some health information")
        await user.send_text("hurts 6")
        await user.wait_for_message("keep some health information")
        await user.send_text("/session")
        await user.wait_idle()
        assert not [m for m in user.transcript if "Today's session" in m.text]
        assert not [m for m in user.transcript if texts.ALL_WITHOUT_PAIN in m.text]
        assert await _answers_and_pain(database_url, 1304) == (answers, pain)

        await user.press(texts.CONSENT_YES, message_id=asked.message_id)
        await user.wait_for_message(texts.CONSENT_THANKS_RETURNING)
        await user.send_text("done")
        await user.wait_for_message(texts.ALL_WITHOUT_PAIN)
