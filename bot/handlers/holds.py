"""Timed holds: get ready, the countdown, release, rest between sides, and retries."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import i18n, texts
from bot.handlers.common import Services, services
from bot.handlers.session_buttons import ANSWER, HOLDING
from bot.handlers.session_prompts import ask_answer
from bot.journal import is_known
from bot.ratelimit import Dropped, Lane, sending_as
from bot.storage.database import storage_fault
from bot.storage.repository import SessionState

logger = logging.getLogger(__name__)


# The countdown message is edited every this many (unscaled) seconds: well under
# Telegram's one-message-a-second-per-chat limit, and never with the same text twice.
COUNTDOWN_STEP = 5
# Least time between two edits of one countdown, and before its end, in steps.
EDIT_GAP = 0.9
# "Get ready… 3, 2, 1" before each hold and side, one (unscaled) second a step.
GET_READY_STEPS = 3
# A step after a hold that the database failed is tried again after this many (real)
# seconds, doubling up to the cap, until the database answers.
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 15.0


@dataclass(slots=True)
class HoldRun:
    """One running hold: which message counts down, and what it shows."""

    chat_id: int
    session_id: int
    position: int
    side: int
    sides: tuple[str, ...]
    message_id: int
    target: int
    # Event-loop times: when the hold began (after the get-ready count), and the real
    # length of one countdown step.
    started: float
    step: float
    shown: int
    last_edit: float
    edit: asyncio.Task[None] | None = None
    # Tries of a step after the hold that the database failed (see `_retry_later`).
    retries: int = 0
    # The person's language: each step runs as a job, outside the update that started it.
    language: str = field(default_factory=i18n.current)


def _job_name(session_id: int) -> str:
    return f"hold:{session_id}"


def _side_label(labels: tuple[str, ...], side: int) -> str:
    """The countdown's prefix, "Left knee down: ": this side's catalog label, naming the limb."""
    if not labels:
        return ""
    return labels[side][:1].upper() + labels[side][1:] + ": "


def _scaled(svc: Services, seconds: float) -> float:
    return seconds * svc.settings.hold_time_scale


async def start_hold(chat_id: int, state: SessionState, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Count "get ready" in a new message, then the hold in the same one; nothing sleeps."""
    svc = services(context)
    exercise = svc.catalog.get(state.exercise_id)
    label = _side_label(exercise.side_labels or exercise.sides, state.side)
    text = texts.GET_READY.format(side=label, seconds=GET_READY_STEPS)
    message = await context.bot.send_message(chat_id, text)
    if not is_known(message.message_id):
        # Sent by this update's run that a crash cut off before its id was journaled: the
        # countdown goes on in a new message rather than editing one it cannot name.
        message = await context.bot.send_message(chat_id, text)
    now = asyncio.get_running_loop().time()
    run = HoldRun(
        chat_id=chat_id,
        session_id=state.id,
        position=state.position,
        side=state.side,
        sides=exercise.side_labels or exercise.sides,
        message_id=message.message_id,
        target=state.target_hold,
        started=now,
        step=_scaled(svc, COUNTDOWN_STEP),
        shown=GET_READY_STEPS,
        last_edit=now,
    )
    _after(context, _get_ready, _scaled(svc, 1), run)


def _after(
    context: ContextTypes.DEFAULT_TYPE, callback, delay: float, run: HoldRun, **kwargs
) -> None:
    """A job of this hold; `misfire_grace_time=None`: late is better than never."""
    assert context.job_queue is not None
    context.job_queue.run_once(
        callback,
        delay,
        data=run,
        name=_job_name(run.session_id),
        chat_id=run.chat_id,
        job_kwargs={"misfire_grace_time": None, **kwargs},
    )


async def _get_ready(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One step of "get ready… 3, 2, 1" (each shown, never dropped), then the hold begins."""
    assert context.job is not None and context.job_queue is not None
    run: HoldRun = context.job.data
    i18n.activate(run.language)
    svc = services(context)
    label = _side_label(run.sides, run.side)
    run.shown -= 1
    if run.shown > 0:
        await _edit(context, run, texts.GET_READY.format(side=label, seconds=run.shown))
        _after(context, _get_ready, _scaled(svc, 1), run)
        return
    # The hold starts as "Hold…" goes out; a slow edit must not make it longer.
    run.started = run.last_edit = asyncio.get_running_loop().time()
    run.shown = run.target
    run.edit = asyncio.create_task(
        _edit(context, run, texts.HOLD_COUNTDOWN.format(side=label, seconds=run.target))
    )
    # The end of the hold is its own job at its own instant: however busy the bot is, and
    # whichever countdown edits are dropped, the hold is never longer than its target.
    _after(context, _release, _scaled(svc, run.target), run)
    if run.target > COUNTDOWN_STEP:
        context.job_queue.run_repeating(
            _tick,
            interval=run.step,
            first=run.step,
            data=run,
            name=_job_name(run.session_id),
            chat_id=run.chat_id,
            # A run that finds the last edit still in flight drops its own edit (below).
            job_kwargs={"max_instances": 3, "coalesce": True},
        )
    await run.edit


async def _tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One countdown edit, best effort: computed from the clock, dropped when late."""
    assert context.job is not None
    run: HoldRun = context.job.data
    i18n.activate(run.language)
    now = asyncio.get_running_loop().time()
    seconds = run.target - round((now - run.started) / run.step) * COUNTDOWN_STEP
    if seconds <= COUNTDOWN_STEP:
        context.job.schedule_removal()  # the last one; the Release comes on its own
    ends_in = run.started + run.target / COUNTDOWN_STEP * run.step - now
    if (
        seconds <= 0
        or seconds == run.shown  # Telegram rejects an edit that changes nothing
        or (run.edit is not None and not run.edit.done())
        # Telegram allows about one message a second per chat: never crowd the last edit
        # or the Release.
        or now - run.last_edit < EDIT_GAP * run.step
        or ends_in < EDIT_GAP * run.step
    ):
        return
    run.shown, run.last_edit = seconds, now
    label = _side_label(run.sides, run.side)
    run.edit = asyncio.create_task(
        _edit(
            context,
            run,
            texts.HOLD_COUNTDOWN.format(side=label, seconds=seconds),
            Lane.COUNTDOWN,
        )
    )
    await run.edit


async def _release(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The hold's end: say Release first, then record it and go on."""
    assert context.job is not None and context.job_queue is not None
    run: HoldRun = context.job.data
    i18n.activate(run.language)
    for job in context.job_queue.get_jobs_by_name(_job_name(run.session_id)):
        if job.callback is _tick:
            job.schedule_removal()
    if run.edit is not None:
        # A countdown edit still in flight must not land after the Release (whatever it
        # raises is its own tick's to report).
        await asyncio.wait([run.edit])
    label = _side_label(run.sides, run.side)
    if run.side + 1 < len(run.sides):
        next_side = run.sides[run.side + 1]
        await _edit(context, run, texts.HOLD_REST_NEXT.format(side=label, next_side=next_side))
    else:
        await _edit(context, run, texts.HOLD_RELEASE.format(side=label))
    await _record_release(context, run)


async def _record_release_again(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A retry of recording a hold's end that the database failed."""
    assert context.job is not None
    i18n.activate(context.job.data.language)
    await _record_release(context, context.job.data)


async def _record_release(context: ContextTypes.DEFAULT_TYPE, run: HoldRun) -> None:
    """Record the hold's end (the next side, or the question), then go on.

    While the database fails, this is tried again later (`_retry_later`) until it works, so
    a hold never leaves the session in `holding` with nobody asking the question.
    """
    svc = services(context)
    holding = (run.position, run.side, HOLDING)
    next_side = run.side + 1 < len(run.sides)
    to = (run.position, run.side + 1, HOLDING) if next_side else (run.position, run.side, ANSWER)
    try:
        state = await svc.repository.move(run.session_id, holding, to)
        if state is None and run.retries:
            # The failed try may have been stored after all (an answer lost on the way back).
            state = await svc.repository.get_session(run.session_id)
            if state is None or (state.status, state.position, state.side, state.phase) != (
                "active",
                *to,
            ):
                return
    except Exception as error:
        if storage_fault(error) is None:
            raise
        _retry_later(context, _record_release_again, run, error)
        return
    run.retries = 0
    if state is None:
        return
    if next_side:
        # Long enough to change legs: the exercise's own rest between sides.
        rest = svc.catalog.get(state.exercise_id).side_rest
        _after(context, _after_rest, _scaled(svc, rest), run)
        return
    await ask_answer(run.chat_id, state, context)


def _retry_later(
    context: ContextTypes.DEFAULT_TYPE, callback, run: HoldRun, error: BaseException
) -> None:
    """Run `callback` again after a capped backoff (a job of the hold's own, never a sleep)."""
    delay = min(RETRY_FIRST_SECONDS * 2**run.retries, RETRY_MAX_SECONDS)
    run.retries += 1
    # The type only: a driver's message may name hosts or users.
    logger.warning(
        "a hold's end could not be recorded (%s); trying again in %.1f s (try %d)",
        type(error).__name__,
        delay,
        run.retries,
    )
    _after(context, callback, delay, run)


async def _after_rest(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The rest between sides is over: count the next side."""
    assert context.job is not None
    run: HoldRun = context.job.data
    i18n.activate(run.language)
    try:
        state = await services(context).repository.get_session(run.session_id)
    except Exception as error:
        if storage_fault(error) is None:
            raise
        _retry_later(context, _after_rest, run, error)
        return
    run.retries = 0
    if state is not None and state.status == "active" and state.phase == HOLDING:
        await start_hold(run.chat_id, state, context)


async def _edit(
    context: ContextTypes.DEFAULT_TYPE, run: HoldRun, text: str, lane: Lane = Lane.REPLY
) -> None:
    """Show `text` in the hold's message. The start and the Release go ahead of reminders;
    a countdown edit (`Lane.COUNTDOWN`) is best effort: the rate limiter drops it when the
    send budget is short, and the next step shows the time left (bot/ratelimit.py)."""
    try:
        with sending_as(lane):
            await context.bot.edit_message_text(
                text, chat_id=run.chat_id, message_id=run.message_id
            )
    except Dropped:
        logger.debug("countdown edit dropped: the send budget was short")
    except BadRequest as exc:
        if not _gone(exc):
            logger.warning("countdown edit failed: %s", type(exc).__name__)
            return
        # The countdown's message is gone (the person deleted it): go on in a new one.
        try:
            with sending_as(lane):
                message = await context.bot.send_message(run.chat_id, text)
        except TelegramError as error:
            logger.warning("countdown message not sent again: %s", type(error).__name__)
            return
        run.message_id = message.message_id
    except TelegramError as exc:
        # A missed countdown edit must not end the hold; the next one will try again.
        logger.warning("countdown edit failed: %s", type(exc).__name__)


def _gone(error: BadRequest) -> bool:
    """Telegram's answer to an edit of a message that is no longer there (or never was)."""
    reason = str(error).lower()
    return "message to edit not found" in reason or "message_id_invalid" in reason


def cancel_holds(context: ContextTypes.DEFAULT_TYPE, session_id: int) -> None:
    assert context.job_queue is not None
    for job in context.job_queue.get_jobs_by_name(_job_name(session_id)):
        job.schedule_removal()


def hold_running(context: ContextTypes.DEFAULT_TYPE, session_id: int) -> bool:
    assert context.job_queue is not None
    return bool(context.job_queue.get_jobs_by_name(_job_name(session_id)))
