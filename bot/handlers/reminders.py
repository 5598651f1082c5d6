"""Daily reminders: the settings commands and the reminder's buttons.

The tick that sends them is bot/handlers/reminder_fanout.py; their words and buttons are
bot/handlers/reminder_messages.py.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import texts
from bot.domain.gates import Gate, session_gate
from bot.domain.reminders import SNOOZE, Morning, missed_yesterday, snooze_same_day
from bot.domain.routine import RoutineItem
from bot.domain.streaks import Frozen
from bot.domain.time_of_day import AmbiguousHour, parse_time_of_day, read_time_of_day
from bot.domain.timezones import ZoneChoices, describe_timezone, zone
from bot.handlers import callback_data as cd
from bot.handlers import reports
from bot.handlers.common import (
    Services,
    held_keyboard,
    inline_keyboard,
    services,
    show_choice,
    today,
    todays_routine,
    upcoming_reminder,
)
from bot.handlers.onboarding import (
    DONE,
    REMINDER_CHOICES,
    find_zone,
    fixed_offset_note,
    known_zone,
    morning_or_evening,
    place_choices,
)
from bot.handlers.reminder_messages import (
    MORNING,
    PREFIX,
    REPORT_DONE,
    REPORT_HURTS,
    SKIP_TODAY,
    SNOOZE_ACTION,
    TIME,
    day_value,
    reminder_message,
)
from bot.storage.models import User
from bot.storage.repository import SENT

logger = logging.getLogger(__name__)


# Settings ------------------------------------------------------------------------


async def _set_up_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> User | None:
    """The person, once onboarding is finished; otherwise they are told to finish it."""
    assert update.effective_user and update.effective_message
    user = await services(context).repository.get_user(update.effective_user.id)
    if user is None or user.onboarding_step != DONE:
        await update.effective_message.reply_text(texts.FINISH_SETUP_SEND_START)
        return None
    return user


async def _next_text(svc: Services, user: User) -> str:
    return await upcoming_reminder(svc, user) or texts.NOT_SET


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
        zone_text = (
            describe_timezone(user.timezone, svc.clock.now()) if user.timezone else texts.NOT_SET
        )
        await message.reply_text(texts.TIMEZONE_CURRENT.format(zone=zone_text))
        return
    found = await find_zone(typed)
    if found is None:
        await message.reply_text(texts.TIMEZONE_NOT_FOUND)
    elif isinstance(found, ZoneChoices):
        question, keyboard = place_choices(PREFIX, found)
        await message.reply_text(question, reply_markup=keyboard)
    else:
        for text, keyboard in await _save_zone(svc, user, found.zone, found.fixed_offset):
            await message.reply_text(text, reply_markup=keyboard)


async def _save_zone(
    svc: Services, user: User, zone_name: str, fixed_offset: bool
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """Set the zone; what to say: that it is set, and for a fixed offset, a way out of it."""
    await svc.repository.update_user(user.id, timezone=zone_name, now=svc.clock.now())
    said = describe_timezone(zone_name, svc.clock.now())
    replies: list[tuple[str, InlineKeyboardMarkup | None]] = [
        (texts.TIMEZONE_SET.format(zone=said), None)
    ]
    if fixed_offset:
        replies.append(fixed_offset_note(PREFIX, zone_name, svc.clock.now()))
    return replies


def _time_keyboard() -> InlineKeyboardMarkup:
    rows = [REMINDER_CHOICES[:3], REMINDER_CHOICES[3:]]
    return inline_keyboard(
        [
            [(texts.clock_time(t), cd.pack(PREFIX, TIME, t.strftime("%H%M"))) for t in row]
            for row in rows
        ]
    )


async def set_reminder_time(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/remind [time]: show the reminder time with common choices, or change it."""
    assert update.effective_message
    message = update.effective_message
    user = await _set_up_user(update, context)
    if user is None:
        return
    typed = " ".join(context.args or ())
    if not typed:
        current = texts.clock_time(user.reminder_time) if user.reminder_time else texts.NOT_SET
        await message.reply_text(
            texts.REMIND_CURRENT.format(time=current), reply_markup=_time_keyboard()
        )
        return
    chosen = read_time_of_day(typed)
    if chosen is None:
        await message.reply_text(texts.TIME_NOT_UNDERSTOOD)
        return
    if isinstance(chosen, AmbiguousHour):
        question, keyboard = morning_or_evening(PREFIX, TIME, chosen)
        await message.reply_text(question, reply_markup=keyboard)
        return
    await message.reply_text(await _save_time(services(context), user, chosen))


async def _save_time(svc: Services, user: User, chosen) -> str:
    user = await svc.repository.update_user(user.id, reminder_time=chosen, now=svc.clock.now())
    if user.next_reminder_at is None:
        return texts.REMINDER_SET.format(time=texts.clock_time(chosen))
    return texts.REMINDER_SET_NEXT.format(
        time=texts.clock_time(chosen), when=await _next_text(svc, user)
    )


async def show_reminders(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reminders: the setting, and when the next reminder comes in local time."""
    svc = services(context)
    assert update.effective_message
    user = await _set_up_user(update, context)
    if user is None:
        return
    if user.reminder_time is None:
        await update.effective_message.reply_text(texts.REMINDERS_NOT_SET)
        return
    at = texts.clock_time(user.reminder_time)
    zone_text = describe_timezone(user.timezone or "UTC", svc.clock.now())
    if session_gate(user.red_flag_hold) is Gate.BLOCKED:
        text = texts.SAFETY_REMINDERS_PAUSED
    elif user.next_reminder_at is None:
        text = texts.REMINDERS_PAUSED.format(time=at, zone=zone_text)
    else:
        text = texts.REMINDERS_ON.format(time=at, zone=zone_text, when=await _next_text(svc, user))
    await update.effective_message.reply_text(text)


async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/pause: no reminders until /resume; nothing else changes."""
    svc = services(context)
    assert update.effective_message
    user = await _set_up_user(update, context)
    if user is None:
        return
    if not user.active:
        await update.effective_message.reply_text(texts.ALREADY_PAUSED)
        return
    # Paused days neither count nor break the streak: from today until /resume.
    day = today(svc, user)
    await svc.repository.mark_streak_day(user.id, day, Frozen.PAUSED, svc.clock.now())
    await svc.repository.update_user(user.id, active=False, now=svc.clock.now())
    await update.effective_message.reply_text(texts.PAUSED)


async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/resume: reminders back on, from the next due time."""
    svc = services(context)
    assert update.effective_message
    user = await _set_up_user(update, context)
    if user is None:
        return
    if session_gate(user.red_flag_hold) is Gate.BLOCKED:
        # Urgent signs: reminders come back only once a doctor has checked them.
        await update.effective_message.reply_text(
            texts.SESSION_HELD_URGENT, reply_markup=held_keyboard()
        )
        return
    was_on = user.active and not user.blocked
    if not user.active:
        # Every paused day, to today, is kept frozen for the streak.
        day = today(svc, user)
        await svc.repository.end_streak_freeze(user.id, Frozen.PAUSED, day, svc.clock.now())
    user = await svc.repository.update_user(
        user.id, active=True, blocked=False, now=svc.clock.now()
    )
    if user.next_reminder_at is None:
        await update.effective_message.reply_text(texts.REMINDERS_NOT_SET)
        return
    template = texts.ALREADY_ON if was_on else texts.RESUMED
    await update.effective_message.reply_text(template.format(when=await _next_text(svc, user)))


async def _send_reminder(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    routine: Sequence[RoutineItem],
    day: date,
    *,
    snoozed: bool,
    missed: bool,
) -> None:
    """The reminder as an answer to a button (the morning check): the same message."""
    text, rows = reminder_message(routine, day, snoozed=snoozed, missed=missed)
    keyboard = inline_keyboard(rows) if rows else None
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)


# Buttons ------------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a reminder button; one from another day is stale."""
    svc = services(context)
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    _, action, value = cd.unpack(query.data)
    chat_id = update.effective_chat.id
    user = await svc.repository.get_user(update.effective_user.id)
    if user is None or user.onboarding_step != DONE:
        await query.answer(texts.STALE_BUTTON)
        return
    if action == TIME:
        chosen = parse_time_of_day(f"{value[:2]}:{value[2:]}") if len(value) == 4 else None
        if chosen is None:
            await query.answer(texts.STALE_BUTTON)
            return
        await query.answer()
        if not await show_choice(query):
            return  # a second tap of the same button
        await context.bot.send_message(chat_id, await _save_time(svc, user, chosen))
        return
    if action in (cd.TIMEZONE_CHOICE, cd.NAME_CITY):
        await _zone_button(query, chat_id, user, action, value, context)
        return
    pressed_day, _, extra = value.partition(".")
    day = today(svc, user)
    if pressed_day != day_value(day):
        await query.answer(texts.OLD_REMINDER)
        return
    if action == MORNING and extra in Morning.__members__.values():
        await query.answer()
        if not await show_choice(query):
            return  # a second tap of the same button
        await reports.morning_answer(chat_id, user, Morning(extra), context)
        if extra == Morning.WORSE:
            return  # a lighter day was offered instead of the full routine
        if not await svc.repository.finished_on(user.id, day):
            routine = await todays_routine(svc, user)
            missed = missed_yesterday(await svc.repository.session_days(user.id), day)
            await _send_reminder(context, chat_id, routine, day, snoozed=False, missed=missed)
    elif action in (REPORT_DONE, REPORT_HURTS):
        # A pressed button proves the reminder arrived: it is never sent again.
        await svc.repository.mark_reminder(user.id, day, SENT, svc.clock.now())
        await query.answer()
        if action == REPORT_DONE:
            await reports.start_done(chat_id, user, context)
        else:
            await reports.start_hurts(chat_id, user, context)
    elif action == SNOOZE_ACTION:
        await _snooze(query, chat_id, user, day, context)
    elif action == SKIP_TODAY:
        if await svc.repository.finished_on(user.id, day) or not await svc.repository.skip_day(
            user.id, day
        ):
            await query.answer(texts.REMINDER_SETTLED)
            return
        await query.answer()
        user = await svc.repository.get_user(user.id) or user
        when = await _next_text(svc, user)
        await context.bot.send_message(chat_id, texts.SKIPPED_TODAY.format(when=when))
    else:
        await query.answer(texts.STALE_BUTTON)


async def _zone_button(
    query: CallbackQuery,
    chat_id: int,
    user: User,
    action: str,
    value: str,
    context: ContextTypes.DEFAULT_TYPE,
) -> None:
    """A place picked for a name several places share, or "Name a city instead"."""
    if action == cd.TIMEZONE_CHOICE and not known_zone(value):
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    if not await show_choice(query):
        return  # a second tap of the same button
    if action == cd.NAME_CITY:
        await context.bot.send_message(chat_id, texts.ASK_CITY_COMMAND)
        return
    for text, keyboard in await _save_zone(services(context), user, value, fixed_offset=False):
        await context.bot.send_message(chat_id, text, reply_markup=keyboard)


async def _snooze(
    query: CallbackQuery, chat_id: int, user: User, day: date, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """Bring today's reminder back in half an hour, unless the day is settled."""
    svc = services(context)
    now = svc.clock.now()
    until = now + SNOOZE
    if not snooze_same_day(until, user.timezone or "UTC", day):
        # Nothing comes back after midnight; the next daily reminder comes at its time.
        await svc.repository.mark_reminder(user.id, day, SENT, now)
        await query.answer()
        when = await _next_text(svc, user)
        await context.bot.send_message(chat_id, texts.SNOOZE_PAST_MIDNIGHT.format(when=when))
        return
    if await svc.repository.finished_on(user.id, day) or not await svc.repository.snooze(
        user.id, day, until
    ):
        await query.answer(texts.REMINDER_SETTLED)
        return
    await query.answer()
    when = texts.local_when(until, zone(user.timezone or "UTC"), now)
    await context.bot.send_message(chat_id, texts.SNOOZED.format(when=when))


def handlers() -> list:
    """This flow's handlers."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("timezone", set_timezone, filters=private),
        CommandHandler("remind", set_reminder_time, filters=private),
        CommandHandler("reminders", show_reminders, filters=private),
        CommandHandler("pause", pause, filters=private),
        CommandHandler("resume", resume, filters=private),
        CallbackQueryHandler(button, pattern=cd.pattern(PREFIX)),
    ]
