"""Reminder settings: /timezone and /remind."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, filters

from bot import texts
from bot.domain.time_of_day import parse_time_of_day
from bot.domain.timezones import describe_timezone, resolve_timezone
from bot.handlers.common import services
from bot.handlers.onboarding import DONE
from bot.storage.models import User


async def _set_up_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> User | None:
    """The person, once onboarding is finished; otherwise they are told to finish it."""
    assert update.effective_user and update.effective_message
    user = await services(context).repository.get_user(update.effective_user.id)
    if user is None or user.onboarding_step != DONE:
        await update.effective_message.reply_text(texts.FINISH_SETUP_FIRST + " Send /start.")
        return None
    return user


async def set_timezone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/timezone [zone]: show the zone, or change it."""
    svc = services(context)
    assert update.effective_message
    message = update.effective_message
    user = await _set_up_user(update, context)
    if user is None:
        return
    typed = " ".join(context.args or ())
    if not typed:
        zone = describe_timezone(user.timezone, svc.clock.now()) if user.timezone else texts.NOT_SET
        await message.reply_text(texts.TIMEZONE_CURRENT.format(zone=zone))
        return
    zone_name = resolve_timezone(typed)
    if zone_name is None:
        await message.reply_text(texts.TIMEZONE_NOT_FOUND)
        return
    await svc.repository.update_user(user.id, timezone=zone_name)
    await message.reply_text(
        texts.TIMEZONE_SET.format(zone=describe_timezone(zone_name, svc.clock.now()))
    )


async def set_reminder_time(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/remind [time]: show the reminder time, or change it."""
    svc = services(context)
    assert update.effective_message
    message = update.effective_message
    user = await _set_up_user(update, context)
    if user is None:
        return
    typed = " ".join(context.args or ())
    if not typed:
        current = texts.clock_time(user.reminder_time) if user.reminder_time else texts.NOT_SET
        await message.reply_text(texts.REMIND_CURRENT.format(time=current))
        return
    chosen = parse_time_of_day(typed)
    if chosen is None:
        await message.reply_text(texts.TIME_NOT_UNDERSTOOD)
        return
    await svc.repository.update_user(user.id, reminder_time=chosen)
    await message.reply_text(texts.REMINDER_SET.format(time=texts.clock_time(chosen)))


def handlers() -> list:
    """This flow's handlers."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("timezone", set_timezone, filters=private),
        CommandHandler("remind", set_reminder_time, filters=private),
    ]
