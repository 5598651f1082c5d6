"""/routine: today's exercises with their holds, the ones set aside, and bringing one back."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import texts
from bot.handlers import callback_data as cd
from bot.handlers import onboarding
from bot.handlers.common import inline_keyboard, services, todays_routine

logger = logging.getLogger(__name__)

PREFIX = cd.ROUTINE


async def routine_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Today's routine (each hold, each side where it applies), then what is out and why."""
    assert update.effective_user and update.effective_message
    svc = services(context)
    user = await svc.repository.get_user(update.effective_user.id)
    if user is None or user.onboarding_step != onboarding.DONE:
        await update.effective_message.reply_text(texts.SESSION_NEEDS_SETUP)
        return
    routine = await todays_routine(svc, user)
    if routine:
        lines = [texts.ROUTINE_TODAY]
        lines += [
            texts.ROUTINE_LINE.format(
                number=item.position,
                name=item.exercise.name,
                hold=texts.hold_text(item.target_hold, each_side=bool(item.sides)),
            )
            for item in routine
        ]
    else:
        lines = [texts.ROUTINE_NOTHING_TODAY]
    reasons = await svc.repository.set_aside_reasons(user.id)
    progress = await svc.repository.load_progress(user.id)
    aside = [e for e in svc.catalog.exercises if e.id in reasons]
    # Removed by the pain rules: the coach brings these back (no button).
    resting = [
        e
        for e in svc.catalog.exercises
        if e.id in progress and progress[e.id].removed and e.id not in reasons
    ]
    rows = []
    if aside:
        lines += ["", texts.ROUTINE_SET_ASIDE]
        for exercise in aside:
            reason = texts.REASON_SHORT.get(reasons[exercise.id], texts.REASON_SHORT["other"])
            lines.append(texts.ROUTINE_SET_ASIDE_LINE.format(name=exercise.name, reason=reason))
            label = texts.BRING_BACK.format(name=exercise.name)
            rows.append([(label, cd.pack(PREFIX, cd.BRING_BACK, exercise.id))])
    if resting:
        lines += ["", texts.ROUTINE_RESTING]
        lines += [texts.ROUTINE_RESTING_LINE.format(name=e.name) for e in resting]
    await update.effective_message.reply_text(
        "\n".join(lines), reply_markup=inline_keyboard(rows) if rows else None
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Bring back an exercise set aside: it is in the person's next routine."""
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    svc = services(context)
    _, action, exercise_id = cd.unpack(query.data)
    if action != cd.BRING_BACK or exercise_id not in svc.catalog:
        await query.answer(texts.STALE_BUTTON)
        return
    back = await svc.repository.bring_back(update.effective_user.id, exercise_id, svc.clock.now())
    await query.answer(None if back else texts.ALREADY_ANSWERED)
    if not back:
        return
    # The other set-aside exercises keep their buttons.
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        rows = [
            [b for b in row if b.callback_data != query.data]
            for row in message.reply_markup.inline_keyboard
        ]
        rows = [row for row in rows if row]
        try:
            await query.edit_message_reply_markup(InlineKeyboardMarkup(rows) if rows else None)
        except TelegramError as error:
            logger.debug("bring-back button left in place: %s", type(error).__name__)
    name = svc.catalog.get(exercise_id).name
    await context.bot.send_message(update.effective_chat.id, texts.BROUGHT_BACK.format(name=name))


def handlers() -> list:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("routine", routine_command, filters=private),
        CallbackQueryHandler(button, pattern=cd.pattern(PREFIX)),
    ]
