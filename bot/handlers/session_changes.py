"""Changing a session under way: taking an answer back, and setting an exercise aside."""

from __future__ import annotations

import logging

from telegram import CallbackQuery
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.domain.choices import replacement_for, set_aside
from bot.domain.gates import harder_variants
from bot.domain.progression import progress_of
from bot.handlers.common import inline_keyboard, services, show_choice
from bot.handlers.session_buttons import CARD, END, KEEP, NOT_FOR_ME, REASONS, button_data
from bot.handlers.session_close import close
from bot.handlers.session_prompts import send_card
from bot.storage.repository import FINISHED, STOPPED, SessionState

logger = logging.getLogger(__name__)


async def undo(
    query: CallbackQuery,
    chat_id: int,
    state: SessionState,
    position: int,
    context: ContextTypes.DEFAULT_TYPE,
) -> None:
    """Take back the answer at `position`: only while the session waits at the next card."""
    svc = services(context)
    undone = await svc.repository.undo_answer(state.id, position)
    await query.answer(None if undone else texts.ALREADY_ANSWERED)
    if undone is None:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError as error:
        logger.debug("undo button left in place: %s", type(error).__name__)
    # The next card, sent already, is no longer current: its buttons go, and the card
    # shown again has the live ones.
    await _take_buttons_off(chat_id, state.id, position + 1, context)
    await send_card(chat_id, undone, context)


async def _take_buttons_off(
    chat_id: int, session_id: int, position: int, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """The card of `position` is no longer the session's: its buttons go (once: an edit that
    changes nothing is refused)."""
    card = await services(context).repository.take_card(session_id, position)
    if card is None:
        return
    try:
        await context.bot.edit_message_reply_markup(chat_id, card, reply_markup=None)
    except TelegramError as error:
        logger.debug("a card's buttons left in place: %s", type(error).__name__)


async def not_for_me(
    query: CallbackQuery,
    chat_id: int,
    state: SessionState,
    choice: list[int],
    context: ContextTypes.DEFAULT_TYPE,
) -> None:
    """Not for me, on a card: ask why (one tap), then set the exercise aside (one choice)."""
    svc = services(context)
    if state.phase != CARD or (choice and not 0 <= choice[0] <= KEEP):
        await query.answer(texts.ALREADY_ANSWERED)
        return
    exercise = svc.catalog.get(state.exercise_id)
    if not choice:
        await query.answer()
        rows = [
            [(label, button_data(NOT_FOR_ME, state, n))]
            for n, label in enumerate(texts.REASON_LABELS)
        ]
        rows.append([(texts.KEEP_IT, button_data(NOT_FOR_ME, state, KEEP))])
        await context.bot.send_message(
            chat_id,
            texts.NOT_FOR_ME_QUESTION.format(name=exercise.name),
            reply_markup=inline_keyboard(rows),
        )
        return
    if choice[0] == KEEP:
        await query.answer()
        await show_choice(query)
        return
    user = await svc.repository.get_user(state.user_id)
    assert user is not None
    progress = await svc.repository.load_progress(state.user_id)
    # Its harder variants build on it: they leave today's session with it (and stay locked).
    out = harder_variants(svc.catalog, [exercise.id])
    dropped = [e for e, _ in state.routine[state.position + 1 :] if e in out]
    moved = await svc.repository.set_aside_in_session(
        state,
        REASONS[choice[0]].value,
        set_aside(progress_of(exercise, progress)),
        exercise.hold.start,
        svc.clock.now(),
        drop=dropped,
    )
    await query.answer(None if moved else texts.ALREADY_ANSWERED)
    if moved is None:
        return
    await show_choice(query)
    await _take_buttons_off(chat_id, state.id, state.position, context)
    lines = [texts.SET_ASIDE_DONE.format(name=exercise.name)]
    if dropped:
        lines.append(texts.set_aside_harder([svc.catalog.get(e).name for e in dropped]))
    replacement = replacement_for(svc.catalog, user.level, progress, exercise.id)
    easier = exercise.progresses_from
    if replacement is not None:
        lines.append(texts.SET_ASIDE_INSTEAD.format(replacement=svc.catalog.get(replacement).name))
    elif easier is not None and easier in svc.catalog:
        lines.append(texts.SET_ASIDE_EASIER_STAYS.format(easier=svc.catalog.get(easier).name))
    else:
        lines.append(texts.SET_ASIDE_NOTHING_NEW)
    lines.append(texts.SET_ASIDE_BACK_HINT)
    await context.bot.send_message(chat_id, "\n".join(lines))
    if moved.status == STOPPED:
        await context.bot.send_message(chat_id, texts.SET_ASIDE_NOTHING_LEFT)
    elif moved.phase == END:
        await close(chat_id, moved, FINISHED, context)
    else:
        await send_card(chat_id, moved, context)
