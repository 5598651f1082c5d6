"""The reminder fan-out: one repeating tick claims the due reminders and sends them, paced."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable
from datetime import date, timedelta

from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot import i18n
from bot.domain.reminders import missed_yesterday
from bot.domain.routine import RoutineItem
from bot.handlers.common import Services, local_midnight, routine_for, services
from bot.handlers.reminder_messages import Rows, morning_check, reminder_message
from bot.ratelimit import Lane, may_have_arrived
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
# Paid broadcasts in flight at once, and their pace: Telegram takes up to 1,000/s, but at
# full speed the bot's event loop has no room left for replies (B2c, 128 in flight and no
# pace: /help p95 2.4 s during the paid part). 300/s is a third of a core at ~1 ms each.
PAID_IN_FLIGHT = 32
PAID_PER_SECOND = 300
# How far sending may fall behind its pace and still catch up, in seconds.
MAX_LAG = 0.1
# Settling a batch that failed is tried again after these waits (doubling up to the cap), and
# once the bot is stopping, only while a try would end within this long of the stop (a
# platform kills the process ~10 s after SIGTERM).
SETTLE_FIRST_WAIT = 0.25
SETTLE_MAX_WAIT = 2.0
SETTLE_WHILE_STOPPING = 3.0
# What a paid broadcast costs, in Telegram Stars (Bot API 7.11).
STARS_PER_PAID_MESSAGE = 0.1
# How one send ended, besides the log statuses.
ASKED, BLOCKED = "asked", "blocked"


async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Claim what is due, send it, and repeat until nothing is due or the next tick is near.

    Sends are spaced evenly at REMINDERS_PER_SECOND at most, a ceiling; in the rate limiter
    they go in its broadcast lane (bot/ratelimit.py), so they take only the slots that
    replies to people and holds leave, and a reply never queues behind a broadcast.
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
    pace, paid_pace = _Pace(rate), _Pace(PAID_PER_SECOND)
    gate = asyncio.Semaphore(max(IN_FLIGHT, min(MAX_IN_FLIGHT, int(rate * IN_FLIGHT_SECONDS))))
    # Reminders this late go as paid broadcasts, past the free pace (PAID_BROADCAST_AFTER_MINUTES).
    paid_after = settings.paid_broadcast_after_minutes
    late = None if paid_after is None else timedelta(minutes=paid_after)
    paid_gate = asyncio.Semaphore(PAID_IN_FLIGHT)
    # Many people share a day's plan (same level, progress and pains): planned once a tick.
    plans: dict[Hashable, tuple[RoutineItem, ...]] = {}

    def going_on() -> bool:
        # Stop claiming once the bot is shutting down: what is claimed gets sent, no more.
        return loop.time() < deadline and context.application.running

    def paid(due: DueReminder) -> bool:
        """Whether it would go out more than PAID_BROADCAST_AFTER_MINUTES late: it is now."""
        return late is not None and due.due_at is not None and svc.clock.now() - due.due_at > late

    async def claim(
        reclaim: bool, limit: int
    ) -> tuple[list[DueReminder], dict[int, ReminderInputs]]:
        now = svc.clock.now()
        claimed = await repository.claim_due(
            now, grace=grace, limit=limit, lease=lease, reclaim=reclaim
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
    next_batch: asyncio.Task | None = asyncio.create_task(claim(True, claim_size))
    while next_batch is not None:
        claimed, inputs = await next_batch
        if not claimed:
            return
        # The next batch is claimed while this one goes out. Not its lost claims: this
        # batch's own are not settled yet, and must never be taken for lost (a clock moved
        # on past the lease). The first claim of the next tick reclaims them.
        # A broadcast already late goes as paid, not held to the free pace: claim as many as
        # a claim takes, not a second's worth at that pace.
        size = CLAIM_SIZE if late is not None and any(map(paid, claimed)) else claim_size
        next_batch = asyncio.create_task(claim(False, size)) if going_on() else None
        sends = []
        paid_ones: set[int] = set()
        for due in claimed:
            if paid(due):
                await paid_pace.next()
                await paid_gate.acquire()
                paid_ones.add(due.user_id)
                sends.append(
                    asyncio.create_task(
                        _send(context, due, inputs[due.user_id], paid_gate, plans, paid=True)
                    )
                )
                continue
            await pace.next()
            await gate.acquire()
            sends.append(asyncio.create_task(_send(context, due, inputs[due.user_id], gate, plans)))
        ended = list(zip(claimed, await asyncio.gather(*sends), strict=True))
        charged = sum(1 for due, how in ended if due.user_id in paid_ones and how in (SENT, ASKED))
        if charged:
            logger.info(
                "%d reminders more than %g minutes late went as paid broadcasts (%.1f Stars)",
                charged,
                paid_after,
                charged * STARS_PER_PAID_MESSAGE,
            )
        await _settle(
            context,
            sent=[_key(due) for due, how in ended if how in (SENT, ASKED)],
            failed=[_key(due) for due, how in ended if how == FAILED],
            asked=[due.user_id for due, how in ended if how == ASKED],
        )


class _Pace:
    """Sends spaced evenly at `rate` a second.

    Pacing, not waiting on anyone: this runs in the job, never in a handler. A claim's few
    milliseconds are caught up; a stall longer than MAX_LAG is not made up in a burst.
    """

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate
        self.slot = asyncio.get_running_loop().time()

    async def next(self) -> None:
        now = asyncio.get_running_loop().time()
        if now - self.slot > MAX_LAG:
            self.slot = now
        if self.slot > now:
            await asyncio.sleep(self.slot - now)
        self.slot += self.interval


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
    *,
    paid: bool = False,
) -> str | None:
    """Send one claimed reminder; how it went (None: leave it claimed, to be tried again).

    `paid`: as a paid broadcast (allow_paid_broadcast), not held to the 30 messages/s.
    """
    svc = services(context)
    # Each send is its own task, so this sets the language for this person's message only.
    i18n.activate(due.language)
    try:
        # Built once and posted as it is: no Telegram objects for the keyboard, and the
        # answer is not parsed into a Message (see bot.transport.post_prebuilt).
        if due.check_due and due.kind in (DAILY, RETRY):
            text, rows = morning_check(due.local_date, due.timezone, svc.clock.now())
            await _post(context, due.chat_id, text, rows, paid=paid)
            return ASKED  # asked once: the next reminder is a plain one
        routine = _plan(svc, due.level, inputs, {} if plans is None else plans)
        missed = missed_yesterday(inputs.session_days, due.local_date)
        text, rows = reminder_message(
            routine, due.local_date, snoozed=due.kind == SNOOZED, missed=missed
        )
        await _post(context, due.chat_id, text, rows, paid=paid)
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


async def _post(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    text: str,
    rows: Rows | None,
    *,
    paid: bool = False,
) -> None:
    """Send a message of the fan-out, built once, through the bot's request and limiter, in
    its broadcast lane (or as a paid broadcast)."""
    markup = inline_keyboard_json(rows) if rows else None
    await post_prebuilt(
        context.bot,
        "sendMessage",
        prebuilt_message(chat_id, text, markup, paid=paid),
        chat_id,
        rate_limit_args=Lane.BROADCAST,
        paid=paid,
    )


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
