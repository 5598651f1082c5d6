"""What a session shows: an exercise's card, and the questions after its hold."""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers import figures
from bot.handlers.common import inline_keyboard, services
from bot.handlers.session_buttons import DONE, HURTS, NOT_FOR_ME, PAIN, READY, SKIP, button_data
from bot.journal import is_known
from bot.storage.repository import SessionState
from catalog.model import Exercise


def _card_text(exercise: Exercise, state: SessionState) -> str:
    steps = "\n".join(f"{n}. {html.escape(step)}" for n, step in enumerate(exercise.steps, 1))
    hold = texts.hold_text(state.target_hold, each_side=bool(exercise.sides))
    text = texts.CARD.format(
        position=state.position + 1,
        total=len(state.routine),
        name=html.escape(exercise.name),
        start=html.escape(exercise.start_position),
        steps=steps,
        hold=hold,
        purpose=html.escape(exercise.purpose),
    )
    if exercise.caution:
        text += texts.CARD_CAUTION.format(caution=html.escape(exercise.caution))
    return text


async def send_card(chat_id: int, state: SessionState, context: ContextTypes.DEFAULT_TYPE) -> None:
    exercise = services(context).catalog.get(state.exercise_id)
    card = _card_text(exercise, state)
    plain = html.unescape(re.sub(r"<[^>]+>", "", card))
    keyboard = inline_keyboard(
        [
            [(texts.READY, button_data(READY, state))],
            [(texts.SKIP_EXERCISE, button_data(SKIP, state))],
            [(texts.NOT_FOR_ME, button_data(NOT_FOR_ME, state))],
        ]
    )
    url = services(context).settings.mini_app_url
    if url:
        # The Mini App timer runs this same session (bot/miniapp/); the chat's stays too.
        timer = [InlineKeyboardButton(texts.OPEN_TIMER, web_app=WebAppInfo(url))]
        rows = keyboard.inline_keyboard
        keyboard = InlineKeyboardMarkup([rows[0], timer, *rows[1:]])
    sent = await figures.send_card(context, chat_id, exercise.id, card, len(plain), keyboard)
    if is_known(sent.message_id):  # a card sent before a crash may have left no id
        # Kept, so an Undo that moves the session back can take this card's buttons away.
        await services(context).repository.card_shown(state.id, state.position, sent.message_id)


async def ask_answer(chat_id: int, state: SessionState, context: ContextTypes.DEFAULT_TYPE) -> None:
    exercise = services(context).catalog.get(state.exercise_id)
    keyboard = inline_keyboard(
        [
            [(texts.DONE, button_data(DONE, state)), (texts.HURTS, button_data(HURTS, state))],
            [(texts.SKIP, button_data(SKIP, state))],
        ]
    )
    await context.bot.send_message(
        chat_id, texts.ANSWER_QUESTION.format(name=exercise.name), reply_markup=keyboard
    )


async def ask_pain(chat_id: int, state: SessionState, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = inline_keyboard(
        [
            [(str(n), button_data(PAIN, state, n)) for n in range(0, 6)],
            [(str(n), button_data(PAIN, state, n)) for n in range(6, 11)],
        ]
    )
    await context.bot.send_message(chat_id, texts.PAIN_IN_SESSION, reply_markup=keyboard)
