"""Undo an answer while the session is open; "Not for me" sets an exercise aside; /routine."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import texts
from bot.domain.progression import ExerciseProgress
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import ScriptedUser
from bot.storage.database import create_engine
from bot.storage.repository import Repository
from catalog.loader import load_catalog
from tests.e2e.helpers import hold, onboard

pytestmark = pytest.mark.e2e


async def _seed(database_url: str, user_id: int, clock, *, level: int = 1, **progress) -> None:
    repo = Repository(create_engine(database_url))
    try:
        if level != 1:
            await repo.update_user(user_id, level=level)
        items = {k: ExerciseProgress(exercise_id=k, **v) for k, v in progress.items()}
        await repo.save_progress(user_id, items, {k: 15 for k in items}, clock.now())
    finally:
        await repo.close()


async def _stored(database_url: str, user_id: int):
    """The active session's answers and the person's progress, read from the database."""
    repo = Repository(create_engine(database_url))
    try:
        state = await repo.active_session(user_id)
        answers = await repo.answers(state.id) if state else []
        return state, answers, await repo.load_progress(user_id)
    finally:
        await repo.close()


def _name(card_text: str) -> str:
    return card_text.split("·")[1].split("\n")[0].strip()


async def test_undo_after_done_restores_the_hold_and_shows_the_card_again(
    emulator: BotApiEmulator, bot, database_url, clock
) -> None:
    user = emulator.user(user_id=1401)
    await onboard(user)
    # The cat stretch was eased to 10 s: done without pain, it grows back to 15 s.
    await _seed(database_url, 1401, clock, cat={"target_hold": 10})
    await user.send_text("/session")
    card = await user.wait_for_message("1 of 4")
    assert "Cat stretch" in card.text and "Hold: 10 s" in card.text
    await hold(user)
    await user.press(texts.DONE)
    line = await user.wait_for_message("Cat stretch: ")
    assert "15 s next time, up from 10 s" in line.text
    assert line.inline_buttons == [[texts.UNDO]]
    await user.wait_for_message("2 of 4")
    state, answers, progress = await _stored(database_url, 1401)
    assert [a.exercise_id for a in answers] == ["cat"]
    assert progress["cat"].target_hold == 15

    await user.press(texts.UNDO, message_id=line.message_id)
    again = await user.wait_for_message("1 of 4")
    assert _name(again.text) == "Cat stretch"
    assert "10 s" in again.text
    state, answers, progress = await _stored(database_url, 1401)
    assert state is not None and state.position == 0 and state.phase == "card"
    assert answers == []
    assert progress["cat"] == ExerciseProgress(exercise_id="cat", target_hold=10)

    # A second press of the same Undo is answered "Already noted" and changes nothing.
    await user.press_stale(line.message_id, texts.UNDO)
    await user.wait_idle()
    assert texts.ALREADY_ANSWERED in user.callback_answers
    state, answers, _ = await _stored(database_url, 1401)
    assert state.position == 0 and answers == []

    # Done again: the same change as the first time, from the restored hold.
    await hold(user)
    await user.press(texts.DONE)
    line = await user.wait_for_message("Cat stretch: ")
    assert "15 s next time, up from 10 s" in line.text


async def test_undo_after_hurts_takes_back_the_pain_and_the_harder_variants(
    emulator: BotApiEmulator, bot, database_url, clock
) -> None:
    user = emulator.user(user_id=1402)
    await onboard(user)
    unlocked = {"target_hold": 10, "pain_free_streak": 2}
    await _seed(
        database_url, 1402, clock, level=2, partial_cobra=dict(unlocked), bird_dog_arm=unlocked
    )
    await user.send_text("/session")
    intro = await user.wait_for_message("Today's session")
    assert "9 exercises" in intro.text
    for position in (1, 2):
        await user.wait_for_message(f"{position} of 9")
        await user.press(texts.SKIP_EXERCISE)
    card = await user.wait_for_message("3 of 9")
    assert _name(card.text) == "Partial cobra"
    await hold(user)
    await user.press(texts.HURTS)
    await user.wait_for_message("How much did it hurt")
    await user.press("3", message_id=user.last_message.message_id)
    line = await user.wait_for_message("Partial cobra: ")
    assert "Cobra" in line.text  # out for today
    await user.wait_for_message("4 of 8")
    _, _, progress = await _stored(database_url, 1402)
    assert progress["partial_cobra"].pain_free_streak == 3

    await user.press(texts.UNDO, message_id=line.message_id)
    card = await user.wait_for_message("3 of 9")
    assert _name(card.text) == "Partial cobra"
    state, answers, progress = await _stored(database_url, 1402)
    assert "cobra" in [e for e, _ in state.routine]
    assert [a.exercise_id for a in answers] == ["cat", "cow"]
    assert progress["partial_cobra"].pain_free_streak == 2
    repo = Repository(create_engine(database_url))
    try:
        assert [r.pain for r in await repo.pain_reports(1402)] == [2]  # onboarding's only
    finally:
        await repo.close()


async def _skip_to(user: ScriptedUser, name: str, total: int) -> str:
    for position in range(1, total + 1):
        card = await user.wait_for_message(f"{position} of {total}")
        if _name(card.text) == name:
            return card.text
        await user.press(texts.SKIP_EXERCISE)
    raise AssertionError(f"no {name} card")


async def _finish(user: ScriptedUser) -> None:
    while True:
        message = await user.wait_for_message(
            predicate=lambda m: " of " in m.text or "Session complete" in m.text
        )
        if "Session complete" in message.text:
            return
        await user.press(texts.SKIP_EXERCISE)


async def test_not_for_me_sets_the_hip_flexor_stretch_aside_until_brought_back(
    emulator: BotApiEmulator, bot, database_url, clock
) -> None:
    user = emulator.user(user_id=1403)
    await onboard(user)
    await _seed(database_url, 1403, clock, level=2)
    await user.send_text("/session")
    await user.wait_for_message("Today's session: 7 exercises")
    card = await _skip_to(user, "Hip flexor stretch", 7)
    position = int(card.split(" of ")[0])
    await user.press(texts.NOT_FOR_ME)
    question = await user.wait_for_message("not for you")
    await user.press(texts.REASON_KNEEL, message_id=question.message_id)
    await user.wait_for_message("Hip flexor stretch is out of your routine")
    # Today's session goes on with the next card, the count one less.
    nxt = await user.wait_for_message(f"{position} of 6")
    assert _name(nxt.text) != "Hip flexor stretch"
    await user.press(texts.SKIP_EXERCISE)
    await _finish(user)

    _, _, progress = await _stored(database_url, 1403)
    assert progress["hip_flexor_stretch"].set_aside

    await user.send_text("/routine")
    shown = await user.wait_for_message("Set aside")
    today_part = shown.text.split("Set aside")[0]
    assert "Cat stretch: 15 s" in today_part
    assert "arm lift): 10 s each side" in today_part or "arm lift: 10 s each side" in today_part
    assert "Hip flexor stretch" not in today_part
    assert "Hip flexor stretch" in shown.text.split("Set aside")[1]

    # The next day it is still out; brought back, it is in the next routine.
    clock.advance(timedelta(days=1))
    await user.send_text("/session")
    await user.wait_for_message("Today's session: 6 exercises")
    await user.send_text("/stop")
    await user.wait_for_message("Session ended")
    await user.send_text("/routine")
    shown = await user.wait_for_message("Set aside")
    await user.press(
        texts.BRING_BACK.format(name="Hip flexor stretch"), message_id=shown.message_id
    )
    await user.wait_for_message("Hip flexor stretch is back")
    _, _, progress = await _stored(database_url, 1403)
    assert not progress["hip_flexor_stretch"].set_aside

    clock.advance(timedelta(days=1))
    await user.send_text("/session")
    await user.wait_for_message("Today's session: 7 exercises")
    await _skip_to(user, "Hip flexor stretch", 7)


async def test_routine_lists_resting_exercises_without_a_button(
    emulator: BotApiEmulator, bot, database_url, clock
) -> None:
    user = emulator.user(user_id=1404)
    await onboard(user)
    await _seed(database_url, 1404, clock, cow={"target_hold": 10, "removed": True})
    await user.send_text("/routine")
    shown = await user.wait_for_message("Resting")
    assert "Cow stretch" in shown.text.split("Resting")[1]
    assert "Cow stretch" not in shown.text.split("Resting")[0]
    assert shown.inline_buttons == []


async def test_not_for_me_on_the_last_card_ends_the_session_and_keep_it_keeps_it(
    emulator: BotApiEmulator, bot, database_url, clock
) -> None:
    user = emulator.user(user_id=1405)
    await onboard(user)
    await user.send_text("/session")
    await user.wait_for_message("1 of 4")
    # "Keep it": nothing changes, the card is still the one to answer.
    await user.press(texts.NOT_FOR_ME)
    question = await user.wait_for_message("not for you")
    await user.press(texts.KEEP_IT, message_id=question.message_id)
    await user.wait_idle()
    await user.press(texts.SKIP_EXERCISE)
    for position in (2, 3):
        await user.wait_for_message(f"{position} of 4")
        await user.press(texts.SKIP_EXERCISE)
    card = await user.wait_for_message("4 of 4")
    assert _name(card.text) == "Glute bridge"
    await user.press(texts.NOT_FOR_ME)
    question = await user.wait_for_message("not for you")
    await user.press(texts.REASON_SPACE, message_id=question.message_id)
    out = await user.wait_for_message("Glute bridge is out of your routine")
    # Level 1 strengthening has nothing else: the first bird dog takes its place.
    bird_dog = load_catalog().get("bird_dog_arm").name
    assert texts.SET_ASIDE_INSTEAD.format(replacement=bird_dog) in out.text
    await user.wait_for_message("Session complete")

    repo = Repository(create_engine(database_url))
    try:
        exported = await repo.export_user(1405)
        assert exported is not None
        rows = {r["exercise_id"]: r for r in exported["exercise_progress"]}
        assert rows["glute_bridge"]["set_aside"] == "space"
        assert all("undo" in r for r in exported["exercise_results"])
    finally:
        await repo.close()

    clock.advance(timedelta(days=1))
    await user.send_text("/session")
    await user.wait_for_message("Today's session: 4 exercises")
    await _skip_to(user, bird_dog, 4)


async def test_after_undo_only_the_current_card_shows_buttons(
    emulator: BotApiEmulator, bot, database_url, clock
) -> None:
    """The next card, already sent when Undo takes an answer back, is no longer current: its
    buttons go, so every card still showing Ready is the one the session waits at."""
    user = emulator.user(user_id=1420)
    await onboard(user)
    await user.send_text("/session")
    await user.wait_for_message("1 of 4")
    await hold(user)
    await user.press(texts.DONE)
    line = await user.wait_for_message("Cat stretch: ")
    second = await user.wait_for_message("2 of 4")
    assert [texts.READY] in second.inline_buttons

    await user.press(texts.UNDO, message_id=line.message_id)
    again = await user.wait_for_message("1 of 4")
    await user.wait_idle()
    shown = {m.message_id: m for m in user.transcript}
    assert shown[second.message_id].inline_buttons == [], user.render_transcript()
    assert shown[line.message_id].inline_buttons == []
    assert [texts.READY] in shown[again.message_id].inline_buttons
    with_ready = [m.text for m in user.transcript if [texts.READY] in m.inline_buttons]
    assert with_ready and all("1 of 4" in text for text in with_ready), with_ready
    # Each keyboard went in one edit that Telegram took (an unchanged one gets 400).
    edits = emulator.requests_for("editMessageReplyMarkup", chat_id=1420)
    assert [r.status for r in edits] == [200, 200], [(r.status, r.description) for r in edits]

    # The card shown again goes on as any card: Ready, and the next card comes once.
    await hold(user)
    await user.press(texts.DONE)
    await user.wait_for_message("2 of 4")
    await user.wait_idle()
    with_ready = [m.text for m in user.transcript if [texts.READY] in m.inline_buttons]
    assert sum("2 of 4" in text for text in with_ready) == 1, with_ready


async def test_after_not_for_me_the_set_aside_card_shows_no_buttons(
    emulator: BotApiEmulator, bot, database_url, clock
) -> None:
    """The card of an exercise set aside is no longer the session's: its Ready and Not for
    me go, so the only card still showing Ready is the next one."""
    user = emulator.user(user_id=1421)
    await onboard(user)
    await user.send_text("/session")
    first = await user.wait_for_message("1 of 4")
    assert [texts.READY] in first.inline_buttons
    await user.press(texts.NOT_FOR_ME, message_id=first.message_id)
    question = await user.wait_for_message("not for you")
    await user.press(texts.REASON_SPACE, message_id=question.message_id)
    await user.wait_for_message("is out of your routine")
    nxt = await user.wait_for_message("1 of 3")
    await user.wait_idle()
    shown = {m.message_id: m for m in user.transcript}
    assert shown[first.message_id].inline_buttons == [], user.render_transcript()
    assert shown[question.message_id].inline_buttons == []
    with_ready = [m.message_id for m in user.transcript if [texts.READY] in m.inline_buttons]
    assert with_ready == [nxt.message_id], user.render_transcript()
