"""Onboarding while a doctor's check waits: one short pointer to the button, never the whole
advice again for every message; red-flag words still get the full advice at once."""

from __future__ import annotations

import pytest

from bot import i18n, texts
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import ChatMessage, ScriptedUser
from bot.storage.database import create_engine
from bot.storage.repository import Repository

pytestmark = pytest.mark.e2e

# A person in English and one in Russian: what they type, and a red flag in their words.
PEOPLE = {
    "en": {"chat": "when can I start?", "red_flag": "I suddenly have numbness between my legs"},
    "ru": {"chat": "когда можно начать?", "red_flag": "у меня онемение в паху"},
}


def t(language: str, name: str) -> str:
    """A text of bot.texts as the person reads it."""
    with i18n.using(language):
        return getattr(texts, name)


async def _replies_to(user: ScriptedUser, typed: str) -> list[ChatMessage]:
    """Everything the bot says back to one typed message."""
    before = len(user.transcript)
    last = user.last_message.message_id if user.last_message else 0
    await user.send_text(typed)
    await user.wait_for_message(predicate=lambda m: m.message_id > last)
    await user.wait_idle()
    return user.transcript[before:]


async def _hold(database_url: str, user_id: int) -> tuple[str, str | None]:
    repo = Repository(create_engine(database_url))
    try:
        row = await repo.get_user(user_id)
        assert row is not None
        return row.onboarding_step, row.red_flag_hold
    finally:
        await repo.close()


@pytest.mark.parametrize("language", list(PEOPLE))
async def test_typing_while_a_doctor_check_waits_gets_one_short_pointer(
    emulator: BotApiEmulator, bot, database_url: str, language: str
) -> None:
    user = emulator.user(user_id=561, language_code=language)
    typed = PEOPLE[language]
    checked, doctor_ok = t(language, "CHECKED_BY_DOCTOR"), t(language, "DOCTOR_SAYS_OK")
    await user.send_text("/start")
    await user.wait_for_message(t(language, "RED_FLAG_QUESTION")[:30])
    await user.press(t(language, "YES_ONE_APPLIES"))
    await user.wait_for_message(t(language, "URGENT_ADVICE")[:30])

    # A question typed while urgent signs wait: one short message, the button again.
    replies = await _replies_to(user, typed["chat"])
    assert [m.buttons for m in replies] == [[[checked]]], user.render_transcript()
    pointer = replies[0]
    assert pointer.text == t(language, "WAITING_FOR_DOCTOR_CHECK")
    assert t(language, "URGENT_ADVICE") not in pointer.text
    assert t(language, "FINISH_SETUP_FIRST") not in pointer.text
    # Twice: still one short message each time.
    assert [m.text for m in await _replies_to(user, "ok")] == [pointer.text]

    # Red-flag words are never met with the pointer: the full urgent advice, at once.
    replies = await _replies_to(user, typed["red_flag"])
    assert replies and replies[0].text == t(language, "SAFETY_URGENT"), user.render_transcript()
    assert t(language, "WAITING_FOR_DOCTOR_CHECK") not in [m.text for m in replies]

    # The pointer's button is the way on.
    await user.press(checked, message_id=pointer.message_id)
    await user.wait_for_message(t(language, "SEE_DOCTOR_QUESTION")[:30])
    await user.press(t(language, "YES_ONE_APPLIES"))
    await user.wait_for_message(t(language, "SEE_DOCTOR_ADVICE")[:30])

    # The see-a-doctor hold: its own short pointer and its own button.
    replies = await _replies_to(user, typed["chat"])
    assert [m.buttons for m in replies] == [[[doctor_ok]]], user.render_transcript()
    assert replies[0].text == t(language, "WAITING_FOR_DOCTOR_OK")
    await user.press(doctor_ok, message_id=replies[0].message_id)
    await user.wait_for_message(t(language, "CONSENT_QUESTION")[:30])
    assert await _hold(database_url, 561) == ("consent", None)


async def test_urgent_words_during_the_see_doctor_hold_wait_for_the_doctor_check(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    """Urgent signs typed while a see-a-doctor hold waits are never cleared by "A doctor says
    I can exercise" (given for the milder signs): only "A doctor has checked me" goes on."""
    user = emulator.user(user_id=562)
    await user.send_text("/start")
    await user.wait_for_message("quick safety check")
    await user.press(texts.NO_NONE_APPLY)
    await user.wait_for_message("do any of these apply")
    await user.press(texts.YES_ONE_APPLIES)
    advice = await user.wait_for_message("see a doctor before you start")
    replies = await _replies_to(user, "and my legs keep giving way")
    assert replies[0].text == texts.SAFETY_URGENT

    # The see-a-doctor button does not lift urgent signs.
    await user.press(texts.DOCTOR_SAYS_OK, message_id=advice.message_id)
    offered = await user.wait_for_message(texts.WAITING_FOR_DOCTOR_CHECK)
    assert offered.buttons == [[texts.CHECKED_BY_DOCTOR]]
    await user.wait_idle()
    assert await _hold(database_url, 562) == ("see_doctor", "urgent")
    assert not any("keep some health information" in m.text for m in user.transcript)

    replies = await _replies_to(user, "what now?")
    assert [(m.text, m.buttons) for m in replies] == [
        (texts.WAITING_FOR_DOCTOR_CHECK, [[texts.CHECKED_BY_DOCTOR]])
    ], user.render_transcript()
    await user.press(texts.CHECKED_BY_DOCTOR, message_id=replies[0].message_id)
    # Checked for the urgent signs: the milder ones are asked about again.
    await user.wait_for_message("do any of these apply")
    await user.press(texts.NO_NONE_APPLY)
    await user.wait_for_message("keep some health information")
    assert await _hold(database_url, 562) == ("consent", None)


async def test_a_no_to_the_screen_never_lifts_urgent_signs_typed_before_it(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=563)
    await user.send_text("/start")
    question = await user.wait_for_message("quick safety check")
    replies = await _replies_to(user, "I can't feel my groin")
    assert replies[0].text == texts.SAFETY_URGENT
    await user.press(texts.NO_NONE_APPLY, message_id=question.message_id)
    advice = await user.wait_for_message(texts.URGENT_ADVICE[:40])
    assert advice.buttons == [[texts.CHECKED_BY_DOCTOR]]
    await user.wait_idle()
    assert await _hold(database_url, 563) == ("red_flags", "urgent")
    assert not any("do any of these apply" in m.text for m in user.transcript)
