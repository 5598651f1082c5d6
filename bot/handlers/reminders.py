"""Daily reminders: the settings commands, the one repeating tick that sends them, their buttons."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable, Sequence
from datetime import date, datetime, timedelta

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import i18n, texts
from bot.domain.gates import Gate, session_gate
from bot.domain.reminders import SNOOZE, Morning, missed_yesterday, snooze_same_day
from bot.domain.routine import RoutineItem, estimated_minutes
from bot.domain.schedule import day_part
from bot.domain.streaks import Frozen
from bot.domain.time_of_day import AmbiguousHour, parse_time_of_day, read_time_of_day
from bot.domain.timezones import ZoneChoices, describe_timezone, zone
from bot.handlers import callback_data as cd
from bot.handlers import reports
from bot.handlers.common import (
    Services,
    held_keyboard,
    inline_keyboard,
    local_midnight,
    routine_for,
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
from bot.ratelimit import may_have_arrived
from bot.storage.models import User
from bot.storage.repository import (
    DAILY,
    FAILED,
    RETRY,
    SENT,
    SNOOZED,
    DueReminder,
    ReminderInputs,
)
from bot.transport import inline_keyboard_json, post_prebuilt, prebuilt_message

logger = logging.getLogger(__name__)

PREFIX = cd.REMINDER
TIME = "time"
REPORT_DONE, REPORT_HURTS, SNOOZE_ACTION, SKIP_TODAY, MORNING = "done", "hurt", "snz", "skip", "am"

JOB_NAME = "reminders"
TICK_LOCK = "reminder_tick_lock"
# Most reminders claimed at once, whatever the rate.
CLAIM_SIZE = 500
# Most sends in flight at once: enough for 30/s at half a second per request. Faster rates
# keep about IN_FLIGHT_SECONDS of sends in flight (Telegram answers in 50-300 ms), at most
# MAX_IN_FLIGHT, well below the HTTP connection pool (256).
IN_FLIGHT = 16
IN_FLIGHT_SECONDS = 0.25
MAX_IN_FLIGHT = 128
# How far sending may fall behind its pace and still catch up, in seconds.
MAX_LAG = 0.1
# Settling a batch that failed is tried again after these waits (doubling up to the cap), and
# once the bot is stopping, only while a try would end within this long of the stop (a
# platform kills the process ~10 s after SIGTERM).
SETTLE_FIRST_WAIT = 0.25
SETTLE_MAX_WAIT = 2.0
SETTLE_WHILE_STOPPING = 3.0
# How one send ended, besides the log statuses.
ASKED, BLOCKED = "asked", "blocked"


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


# The tick ---------------------------------------------------------------------------


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Claim what is due, send it, and repeat until nothing is due or the next tick is near.

    Sends are spaced evenly at REMINDERS_PER_SECOND, below Telegram's ~30/s, so a reply to
    someone who is chatting never queues behind a broadcast.
    """
    lock: asyncio.Lock = context.bot_data.setdefault(TICK_LOCK, asyncio.Lock())
    # Ticks never run side by side. A tick still busy with a broadcast works until the next
    # one is due, which waits here and takes over: a long broadcast never pauses.
    async with lock:
        await _claim_and_send(context)


async def _claim_and_send(context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    settings = svc.settings
    repository = svc.repository
    grace = timedelta(minutes=settings.reminder_grace_minutes)
    lease = timedelta(seconds=settings.reminder_claim_lease_seconds)
    rate = settings.reminders_per_second
    # About a second's worth per claim: a short write transaction, and a kill -9 leaves
    # little in flight to be sent again.
    claim_size = min(CLAIM_SIZE, max(1, int(rate)))
    loop = asyncio.get_running_loop()
    interval = settings.reminder_tick_seconds
    # Work until the next tick is due; it waits for this one and goes on.
    deadline = loop.time() + interval
    slot = loop.time()
    gate = asyncio.Semaphore(max(IN_FLIGHT, min(MAX_IN_FLIGHT, int(rate * IN_FLIGHT_SECONDS))))
    # Many people share a day's plan (same level, progress and pains): planned once a tick.
    plans: dict[Hashable, tuple[RoutineItem, ...]] = {}

    def going_on() -> bool:
        # Stop claiming once the bot is shutting down: what is claimed gets sent, no more.
        return loop.time() < deadline and context.application.running

    async def claim(reclaim: bool) -> tuple[list[DueReminder], dict[int, ReminderInputs]]:
        now = svc.clock.now()
        claimed = await repository.claim_due(
            now, grace=grace, limit=claim_size, lease=lease, reclaim=reclaim
        )
        if not claimed:
            return [], {}
        inputs = await repository.reminder_inputs(
            claimed, {due.user_id: local_midnight(svc, due.timezone) for due in claimed}
        )
        return claimed, inputs

    if not going_on():
        return
    # Nothing of this process is in flight yet: claims older than the lease are lost ones.
    next_batch: asyncio.Task | None = asyncio.create_task(claim(reclaim=True))
    while next_batch is not None:
        claimed, inputs = await next_batch
        if not claimed:
            return
        # The next batch is claimed while this one goes out. Not its lost claims: this
        # batch's own are not settled yet, and must never be taken for lost (a clock moved
        # on past the lease). The first claim of the next tick reclaims them.
        next_batch = asyncio.create_task(claim(reclaim=False)) if going_on() else None
        sends = []
        for due in claimed:
            # Pacing, not waiting on anyone: this runs in the job, never in a handler. A
            # claim's few milliseconds are caught up; a longer stall is not made up in a burst.
            if loop.time() - slot > MAX_LAG:
                slot = loop.time()
            if slot > loop.time():
                await asyncio.sleep(slot - loop.time())
            await gate.acquire()
            sends.append(asyncio.create_task(_send(context, due, inputs[due.user_id], gate, plans)))
            slot += 1 / rate
        ended = list(zip(claimed, await asyncio.gather(*sends), strict=True))
        await _settle(
            context,
            sent=[_key(due) for due, how in ended if how in (SENT, ASKED)],
            failed=[_key(due) for due, how in ended if how == FAILED],
            asked=[due.user_id for due, how in ended if how == ASKED],
        )


async def _settle(
    context: ContextTypes.DEFAULT_TYPE,
    *,
    sent: list[tuple[int, date]],
    failed: list[tuple[int, date]],
    asked: list[int],
) -> None:
    """Record how a batch ended, trying again until the database answers.

    The messages are out: a batch left claimed would be sent again after the claim lease.
    Until this returns, the tick holds this process's tick lock, so this process claims
    nothing, and its lease-based reclaim cannot resend the batch. Waits double from
    SETTLE_FIRST_WAIT up to SETTLE_MAX_WAIT. Once the bot is stopping, a try that would end
    more than SETTLE_WHILE_STOPPING after the stop began is not started: it gives up, and what
    is left is sent again after the lease. A try already running when the stop comes still
    ends (on SQLite after its busy timeout), so the exit waits at most a wait and two tries.
    """
    if not (sent or failed or asked):
        return
    svc = services(context)
    loop = asyncio.get_running_loop()
    count = len(sent) + len(failed)
    wait = SETTLE_FIRST_WAIT
    failures = 0
    # The last instant the bot was seen running: a stop began after it.
    running_at = loop.time()
    while True:
        started = loop.time()
        try:
            await svc.repository.settle_reminders(
                sent=sent, failed=failed, asked=asked, now=svc.clock.now()
            )
        except Exception as exc:
            # Any failure of this one short UPDATE is the database's (down, locked,
            # connection lost): nothing else can make it fail, so it is always retried.
            failures += 1
            failed_at = loop.time()
            if context.application.running:
                running_at = failed_at
            elif (failed_at - running_at) + wait + (failed_at - started) > SETTLE_WHILE_STOPPING:
                logger.error(
                    "stopping: %d reminders left unsettled after %d tries (%s); they are"
                    " sent again after the claim lease",
                    count,
                    failures,
                    type(exc).__name__,
                )
                return
            logger.warning(
                "settling %d reminders failed (%s); trying again in %g s",
                count,
                type(exc).__name__,
                wait,
            )
            await asyncio.sleep(wait)
            wait = min(wait * 2, SETTLE_MAX_WAIT)
        else:
            if failures:
                logger.info("settled %d reminders after %d failed tries", count, failures)
            return


def _key(due: DueReminder) -> tuple[int, date]:
    return due.user_id, due.local_date


async def _send(
    context: ContextTypes.DEFAULT_TYPE,
    due: DueReminder,
    inputs: ReminderInputs,
    gate: asyncio.Semaphore,
    plans: dict[Hashable, tuple[RoutineItem, ...]] | None = None,
) -> str | None:
    """Send one claimed reminder; how it went (None: leave it claimed, to be tried again)."""
    svc = services(context)
    # Each send is its own task, so this sets the language for this person's message only.
    i18n.activate(due.language)
    try:
        # Built once and posted as it is: no Telegram objects for the keyboard, and the
        # answer is not parsed into a Message (see bot.transport.post_prebuilt).
        if due.check_due and due.kind in (DAILY, RETRY):
            text, rows = morning_check(due.local_date, due.timezone, svc.clock.now())
            await _post(context, due.chat_id, text, rows)
            return ASKED  # asked once: the next reminder is a plain one
        routine = _plan(svc, due.level, inputs, {} if plans is None else plans)
        missed = missed_yesterday(inputs.session_days, due.local_date)
        text, rows = reminder_message(
            routine, due.local_date, snoozed=due.kind == SNOOZED, missed=missed
        )
        await _post(context, due.chat_id, text, rows)
        return SENT
    except Forbidden:
        # Blocked: turn reminders off at once; their next /start turns them on again.
        await svc.repository.block(due.user_id, due.local_date)
        logger.info("reminders off: the user blocked the bot")
        return BLOCKED
    except BadRequest as exc:
        logger.warning("reminder rejected: %s", type(exc).__name__)
        return FAILED
    except TelegramError as exc:
        if may_have_arrived(exc):
            # No answer came, so it may have been delivered: counted as sent, never sent
            # again. A missing reminder is better than a double one.
            logger.info("reminder counted as sent without an answer: %s", type(exc).__name__)
            return SENT
        # Nothing was delivered: left as claimed, it is tried again after the claim lease,
        # within the grace period.
        logger.warning("reminder not sent yet: %s", type(exc).__name__)
        return None
    except Exception as exc:
        # Anything else (a database timeout, a bug) must not end the tick and strand the
        # rest of the batch: this one stays claimed and is retried after the lease.
        logger.error("reminder not sent: %s", type(exc).__name__, exc_info=exc)
        return None
    finally:
        gate.release()


def _plan(
    svc: Services,
    level: int,
    inputs: ReminderInputs,
    plans: dict[Hashable, tuple[RoutineItem, ...]],
) -> tuple[RoutineItem, ...]:
    """Today's routine for these inputs, planned once for everyone who shares them."""
    key = (level, frozenset(inputs.progress.values()), inputs.painful, inputs.hurt)
    routine = plans.get(key)
    if routine is None:
        routine = routine_for(svc, level, inputs.progress, inputs.painful, inputs.hurt)
        plans[key] = routine
    return routine


def _day_value(day: date) -> str:
    return day.strftime("%Y%m%d")


Rows = list[list[tuple[str, str]]]


def reminder_message(
    routine: Sequence[RoutineItem], day: date, *, snoozed: bool, missed: bool
) -> tuple[str, Rows | None]:
    """The reminder itself: what today holds, with its five buttons (text, button rows).

    In the current language (bot.i18n): the one place a reminder's words are chosen.
    """
    if not routine:
        return texts.REMINDER_NOTHING_TODAY, None
    minutes = estimated_minutes(routine)
    if snoozed:
        template = texts.REMINDER_SNOOZED
    elif missed:
        template = texts.REMINDER_AFTER_MISSED
    else:
        template = texts.REMINDER
    text = template.format(exercises=texts.exercises(len(routine)), minutes=texts.minutes(minutes))
    value = _day_value(day)
    rows = [
        [(texts.START_NOW, cd.pack(cd.SESSION, cd.START_SESSION))],
        [
            (texts.DONE_ALREADY, cd.pack(PREFIX, REPORT_DONE, value)),
            (texts.IT_HURTS, cd.pack(PREFIX, REPORT_HURTS, value)),
        ],
        [
            (texts.SNOOZE, cd.pack(PREFIX, SNOOZE_ACTION, value)),
            (texts.SKIP_TODAY, cd.pack(PREFIX, SKIP_TODAY, value)),
        ],
    ]
    return text, rows


def morning_check(day: date, timezone: str, now: datetime) -> tuple[str, Rows]:
    """Something hurt last time: how is the back, before today's reminder (text, buttons)."""
    value = _day_value(day)
    rows = [
        [
            (texts.BETTER, cd.pack(PREFIX, MORNING, f"{value}.{Morning.BETTER}")),
            (texts.SAME, cd.pack(PREFIX, MORNING, f"{value}.{Morning.SAME}")),
            (texts.WORSE, cd.pack(PREFIX, MORNING, f"{value}.{Morning.WORSE}")),
        ]
    ]
    local = now.astimezone(zone(timezone))
    return texts.BACK_CHECK[day_part(local.time())], rows


async def _post(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str, rows: Rows | None
) -> None:
    """Send a message of the fan-out, built once, through the bot's request and limiter."""
    markup = inline_keyboard_json(rows) if rows else None
    await post_prebuilt(
        context.bot, "sendMessage", prebuilt_message(chat_id, text, markup), chat_id
    )


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
    day_value, _, extra = value.partition(".")
    day = today(svc, user)
    if day_value != _day_value(day):
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


def schedule(application, interval: float) -> None:
    """One repeating job for every user's reminders (the database says who is due)."""
    assert application.job_queue is not None
    # Jobs added before the JobQueue starts get their first run an interval after start;
    # this one-off tick runs at start, so a restart never delays due reminders.
    application.job_queue.run_once(tick, 0, name=JOB_NAME, job_kwargs={"misfire_grace_time": None})
    application.job_queue.run_repeating(
        tick,
        interval=interval,
        first=interval,
        name=JOB_NAME,
        # A tick still running when the next is due hands over to it (see `tick`); missed
        # ones are not made up.
        job_kwargs={"max_instances": 2, "coalesce": True, "misfire_grace_time": None},
    )
