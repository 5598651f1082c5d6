"""The guided session: a card per exercise, timed holds, answers, progression, summary."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from dataclasses import dataclass

from telegram import CallbackQuery, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import texts
from bot.domain.choices import Reason, replacement_for, set_aside
from bot.domain.gates import Gate, harder_variants, left_after_hurt, session_gate
from bot.domain.progression import (
    Answer,
    AnswerKind,
    apply_answer,
    end_session,
    level_up_ready,
    progress_of,
)
from bot.domain.replies import Reply, parse_answer, parse_pain
from bot.domain.routine import estimated_minutes
from bot.domain.safety import Urgency, pain_urgency
from bot.domain.streaks import Frozen, local_day, told_to_rest
from bot.handlers import callback_data as cd
from bot.handlers import common, figures, onboarding, reports, stats
from bot.handlers.common import (
    Services,
    change_line,
    inline_keyboard,
    is_row_id,
    services,
    show_choice,
    today,
    todays_routine,
    upcoming_reminder,
)
from bot.storage.database import storage_fault
from bot.storage.repository import FINISHED, STOPPED, SessionState
from catalog.model import Exercise, Level

logger = logging.getLogger(__name__)

PREFIX = cd.SESSION
START, READY, DONE, HURTS, SKIP, PAIN = "go", "ready", "done", "hurts", "skip", "pain"
CONTINUE, RESTART, LEVEL_UP, STAY = "cont", "new", "lvl", "stay"
CLEARED, GENTLE, REST = cd.CLEARED, cd.GENTLE, cd.REST
URGENT_CLEARED = cd.URGENT_CLEARED
UNDO, NOT_FOR_ME = cd.UNDO, cd.NOT_FOR_ME
# "Not for me": the reasons in the order their buttons show, then "keep it".
REASONS = tuple(Reason)
KEEP = len(REASONS)

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

CARD, HOLDING, ANSWER, PAIN_PHASE, END = "card", "holding", "answer", "pain", "end"

# Why a session stopped for safety.
PAIN_STOP, RED_FLAG_URGENT, RED_FLAG_SEE_DOCTOR = "pain", "urgent", "see_doctor"


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


def _data(action: str, state: SessionState, *extra: object) -> str:
    value = ".".join(str(v) for v in (state.id, state.position, state.side, *extra))
    return cd.pack(PREFIX, action, value)


def _parse(value: str) -> list[int] | None:
    try:
        return [int(part) for part in value.split(".")]
    except ValueError:
        return None


def _job_name(session_id: int) -> str:
    return f"hold:{session_id}"


def _side_label(labels: tuple[str, ...], side: int) -> str:
    """The countdown's prefix, "Left knee down: ": this side's catalog label, naming the limb."""
    if not labels:
        return ""
    return labels[side][:1].upper() + labels[side][1:] + ": "


def _scaled(svc: Services, seconds: float) -> float:
    return seconds * svc.settings.hold_time_scale


# Starting -------------------------------------------------------------------------


async def session_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/session: start today's routine, or offer to continue one in progress."""
    assert update.effective_user and update.effective_chat
    await _begin(update.effective_chat.id, update.effective_user.id, context, fresh=False)


async def _begin(
    chat_id: int,
    user_id: int,
    context: ContextTypes.DEFAULT_TYPE,
    *,
    fresh: bool,
    gentle: bool = False,
) -> None:
    svc = services(context)
    user = await svc.repository.get_user(user_id)
    gate = session_gate(user.red_flag_hold if user is not None else None)
    if gate is Gate.BLOCKED:
        # Urgent signs: no exercise at all until a doctor has checked them.
        markup = (
            common.held_keyboard() if user and user.onboarding_step == onboarding.DONE else None
        )
        text = texts.SESSION_HELD_URGENT if markup else texts.SESSION_HELD
        await context.bot.send_message(chat_id, text, reply_markup=markup)
        return
    if user is None or user.onboarding_step != onboarding.DONE:
        await context.bot.send_message(chat_id, texts.SESSION_NEEDS_SETUP)
        return
    if gate is Gate.ASK and not gentle:
        await context.bot.send_message(
            chat_id,
            texts.SEE_DOCTOR_BEFORE_SESSION,
            reply_markup=common.lighter_day_keyboard(doctor_ok=True),
        )
        return
    active = await svc.repository.active_session(user_id)
    if active is not None and not fresh:
        await _offer_continue(chat_id, active, context)
        return
    if user.report_step is not None:
        # A report left half-way is dropped once a guided session starts.
        await svc.repository.update_user(user_id, report_step=None, report_pain=None)
    now = svc.clock.now()
    routine = await todays_routine(svc, user, gentle=gentle)
    if not routine:
        await context.bot.send_message(chat_id, texts.SESSION_EMPTY)
        return
    state = await svc.repository.start_session(
        user_id, [(item.exercise.id, item.target_hold) for item in routine], now
    )
    await context.bot.send_message(
        chat_id,
        texts.SESSION_INTRO.format(
            exercises=texts.exercises(len(routine)),
            minutes=texts.minutes(estimated_minutes(routine)),
        ),
    )
    await _send_card(chat_id, state, context)


async def _offer_continue(
    chat_id: int, state: SessionState, context: ContextTypes.DEFAULT_TYPE
) -> None:
    keyboard = inline_keyboard(
        [[(texts.CONTINUE, _data(CONTINUE, state))], [(texts.START_OVER, _data(RESTART, state))]]
    )
    await context.bot.send_message(
        chat_id,
        texts.CONTINUE_OFFER.format(done=state.position, total=len(state.routine)),
        reply_markup=keyboard,
    )


# Cards and holds --------------------------------------------------------------------


def _card_text(exercise: Exercise, state: SessionState) -> str:
    steps = "\n".join(f"{n}. {html.escape(step)}" for n, step in enumerate(exercise.steps, 1))
    hold = f"{state.target_hold} s"
    if exercise.sides:
        hold += " each side"
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


async def _send_card(chat_id: int, state: SessionState, context: ContextTypes.DEFAULT_TYPE) -> None:
    exercise = services(context).catalog.get(state.exercise_id)
    card = _card_text(exercise, state)
    plain = html.unescape(re.sub(r"<[^>]+>", "", card))
    keyboard = inline_keyboard(
        [
            [(texts.READY, _data(READY, state))],
            [(texts.SKIP_EXERCISE, _data(SKIP, state))],
            [(texts.NOT_FOR_ME, _data(NOT_FOR_ME, state))],
        ]
    )
    await figures.send_card(context, chat_id, exercise.id, card, len(plain), keyboard)


async def _start_hold(
    chat_id: int, state: SessionState, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """Count "get ready" in a new message, then the hold in the same one; nothing sleeps."""
    svc = services(context)
    exercise = svc.catalog.get(state.exercise_id)
    label = _side_label(exercise.side_labels or exercise.sides, state.side)
    message = await context.bot.send_message(
        chat_id, texts.GET_READY.format(side=label, seconds=GET_READY_STEPS)
    )
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
        _edit(context, run, texts.HOLD_COUNTDOWN.format(side=label, seconds=seconds))
    )
    await run.edit


async def _release(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The hold's end: say Release first, then record it and go on."""
    assert context.job is not None and context.job_queue is not None
    run: HoldRun = context.job.data
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
    await _ask_answer(run.chat_id, state, context)


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
    try:
        state = await services(context).repository.get_session(run.session_id)
    except Exception as error:
        if storage_fault(error) is None:
            raise
        _retry_later(context, _after_rest, run, error)
        return
    run.retries = 0
    if state is not None and state.status == "active" and state.phase == HOLDING:
        await _start_hold(run.chat_id, state, context)


async def _edit(context: ContextTypes.DEFAULT_TYPE, run: HoldRun, text: str) -> None:
    try:
        await context.bot.edit_message_text(text, chat_id=run.chat_id, message_id=run.message_id)
    except TelegramError as exc:
        # A missed countdown edit must not end the hold; the next one will try again.
        logger.warning("countdown edit failed: %s", type(exc).__name__)


def _cancel_holds(context: ContextTypes.DEFAULT_TYPE, session_id: int) -> None:
    assert context.job_queue is not None
    for job in context.job_queue.get_jobs_by_name(_job_name(session_id)):
        job.schedule_removal()


def _hold_running(context: ContextTypes.DEFAULT_TYPE, session_id: int) -> bool:
    assert context.job_queue is not None
    return bool(context.job_queue.get_jobs_by_name(_job_name(session_id)))


async def _ask_answer(
    chat_id: int, state: SessionState, context: ContextTypes.DEFAULT_TYPE
) -> None:
    exercise = services(context).catalog.get(state.exercise_id)
    keyboard = inline_keyboard(
        [
            [(texts.DONE, _data(DONE, state)), (texts.HURTS, _data(HURTS, state))],
            [(texts.SKIP, _data(SKIP, state))],
        ]
    )
    await context.bot.send_message(
        chat_id, texts.ANSWER_QUESTION.format(name=exercise.name), reply_markup=keyboard
    )


async def _ask_pain(chat_id: int, state: SessionState, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = inline_keyboard(
        [
            [(str(n), _data(PAIN, state, n)) for n in range(0, 6)],
            [(str(n), _data(PAIN, state, n)) for n in range(6, 11)],
        ]
    )
    await context.bot.send_message(chat_id, texts.PAIN_IN_SESSION, reply_markup=keyboard)


# Answers --------------------------------------------------------------------------


async def _answer(
    chat_id: int,
    state: SessionState,
    answer: Answer,
    expect_phase: str,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery | None = None,
) -> bool:
    """Apply one answer; False when it was already given.

    A pressed button's query is answered as soon as the answer is stored, before the next
    card (a drawing to upload) or the summary: Telegram shows a spinner until then.
    """
    svc = services(context)
    exercise = svc.catalog.get(state.exercise_id)
    progress = progress_of(exercise, await svc.repository.load_progress(state.user_id))
    user = await svc.repository.get_user(state.user_id)
    # The morning check said "worse": holds stay where they are today.
    steady = user is not None and user.steady_on == today(svc, user)
    update = apply_answer(exercise, progress, answer, grow=not steady)
    # "If partial cobra hurts, do not move on to cobra": at any score, every harder variant
    # of an exercise that hurt leaves the rest of today's session at once.
    rest = [exercise_id for exercise_id, _ in state.routine[state.position + 1 :]]
    hurt = answer.kind is AnswerKind.HURTS
    kept = left_after_hurt(svc.catalog, rest, exercise.id) if hurt else tuple(rest)
    dropped = [e for e in rest if e not in kept]
    moved = await svc.repository.record_answer(
        state,
        expect_phase,
        answer=answer.kind.value,
        pain=answer.pain if hurt else None,
        progress=update.progress,
        start_hold=exercise.hold.start,
        now=svc.clock.now(),
        drop=dropped,
    )
    if query is not None:
        await query.answer(None if moved else texts.ALREADY_ANSWERED)
    if moved is None:
        return False
    if hurt and user is not None and answer.pain is not None and told_to_rest(answer.pain):
        # Pain above 5: the coach says rest, so the day neither counts nor breaks the streak.
        now = svc.clock.now()
        await svc.repository.mark_streak_day(user.id, today(svc, user), Frozen.PAIN, now)
    if answer.pain is not None and pain_urgency(answer.pain) is Urgency.STOP_TODAY:
        # One clear message: stop, why, and what was saved.
        await _close(chat_id, moved, STOPPED, context, reason=PAIN_STOP)
        return True
    line = change_line(svc, update.change)
    if dropped:
        names = [svc.catalog.get(e).name for e in dropped]
        line += "\n" + texts.harder_out_today(names, exercise.name)
    # While the session is open, the answer can be taken back (one step, the hold restored).
    undo = None
    if moved.phase != END:
        data = cd.pack(PREFIX, UNDO, f"{state.id}.{state.position}.0")
        undo = inline_keyboard([[(texts.UNDO, data)]])
    await context.bot.send_message(chat_id, line, reply_markup=undo)
    if moved.phase == END:
        await _close(chat_id, moved, FINISHED, context)
    else:
        await _send_card(chat_id, moved, context)
    return True


async def _close(
    chat_id: int,
    state: SessionState,
    status: str,
    context: ContextTypes.DEFAULT_TYPE,
    *,
    reason: str | None = None,
) -> None:
    """Finish or stop the session, move removed exercises along, and sum it up.

    `reason`: why a session stopped for safety (pain 8+, or a red flag). Its message then
    puts the safety advice first, names what was saved, and promises no reminder.
    """
    svc = services(context)
    _cancel_holds(context, state.id)
    user = await svc.repository.get_user(state.user_id)
    assert user is not None
    now = svc.clock.now()
    today = local_day(now, user.timezone or "UTC")
    if not await svc.repository.close_session(state.id, status, now, today):
        return
    answers = await svc.repository.answers(state.id)
    lines: list[str] = []
    if status == FINISHED:
        progress = await svc.repository.load_progress(user.id)
        given = {a.exercise_id: _domain_answer(a.answer, a.pain) for a in answers}
        ended = end_session(svc.catalog, progress, given)
        changed = {k: v for k, v in ended.progress_by_id.items() if progress.get(k) != v}
        if changed:
            starts = {k: svc.catalog.get(k).hold.start for k in changed if k in svc.catalog}
            await svc.repository.save_progress(user.id, changed, starts, now)
        lines += [texts.RETURNED.format(name=svc.catalog.get(k).name) for k in ended.returned]
    # Pain above 5 is never "done".
    done = sum(a.answer == "done" or (a.answer == "hurts" and (a.pain or 0) <= 5) for a in answers)
    lines.append(texts.summary_done(done, len(state.routine)))
    pains = [
        f"{svc.catalog.get(a.exercise_id).name} {a.pain}/10"
        for a in answers
        if a.pain is not None and a.exercise_id in svc.catalog
    ]
    if pains:
        lines.append(texts.SUMMARY_PAIN.format(items=", ".join(pains)))
    elif reason is None:
        lines.append(texts.SUMMARY_NO_PAIN)
    if any(a.answer == "hurts" for a in answers):
        # Something hurt: the next reminder first asks how the back is.
        user = await svc.repository.update_user(user.id, check_due=True)
    if reason in (RED_FLAG_URGENT, RED_FLAG_SEE_DOCTOR):
        # The advice went first; this only says what was kept, and what happens next.
        after = (
            texts.SAFETY_REMINDERS_PAUSED if reason == RED_FLAG_URGENT else texts.CHECK_BEFORE_NEXT
        )
        text = f"{texts.SESSION_STOPPED_TITLE}\n\n" + "\n".join(lines) + f"\n\n{after}"
        await context.bot.send_message(chat_id, text)
        return
    when = await upcoming_reminder(svc, user)
    if reason == PAIN_STOP:
        text = f"{texts.PAIN_TOO_HIGH_SESSION}\n\n" + "\n".join([texts.SAVED_TITLE, *lines])
        if when is not None:
            text += "\n\n" + texts.NEXT_REMINDER.format(when=when)
        await context.bot.send_message(chat_id, text)
        return
    streak = await stats.streak_of(svc, user.id, today)
    footer = texts.streak(streak.current, streak.best, streak.rested)
    if when is not None:
        footer += "\n" + texts.NEXT_REMINDER.format(when=when)
    title = texts.SESSION_FINISHED_TITLE if status == FINISHED else texts.SESSION_STOPPED_TITLE
    await context.bot.send_message(
        chat_id, texts.SESSION_SUMMARY.format(title=title, lines="\n".join(lines), streak=footer)
    )
    if status == FINISHED:
        progress = await svc.repository.load_progress(user.id)
        if level_up_ready(svc.catalog, user.level, progress):
            nxt = user.level + 1
            keyboard = inline_keyboard(
                [
                    [(texts.LEVEL_UP.format(level=nxt), _data(LEVEL_UP, state, nxt))],
                    [(texts.STAY.format(level=user.level), _data(STAY, state, user.level))],
                ]
            )
            await context.bot.send_message(
                chat_id,
                texts.LEVEL_UP_OFFER.format(level=user.level, next=nxt),
                reply_markup=keyboard,
            )


async def _skip_early(
    chat_id: int,
    state: SessionState,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery | None = None,
) -> bool:
    """Skip the exercise from its card or mid-hold; False when it was already answered."""
    if state.phase == HOLDING:
        _cancel_holds(context, state.id)
    return await _answer(chat_id, state, Answer.skipped(), state.phase, context, query)


def _domain_answer(kind: str, pain: int | None) -> Answer:
    if kind == "done":
        return Answer.done()
    if kind == "hurts" and pain is not None:
        return Answer.hurts(pain)
    return Answer.skipped()


# Routing ----------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a session button; one from an ended session or an answered step is stale."""
    svc = services(context)
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    _, action, value = cd.unpack(query.data)
    if action == START:
        await query.answer()
        await _begin(chat_id, user_id, context, fresh=False)
        return
    if action in (CLEARED, GENTLE, REST):
        await _hold_answer(query, chat_id, user_id, action, value, context)
        return
    parts = _parse(value) or []
    # An id no row can have (forged data) is a stale button, never a query.
    known = len(parts) >= 3 and is_row_id(parts[0])
    state = await svc.repository.get_session(parts[0]) if known else None
    if state is None or state.user_id != user_id:
        await query.answer(texts.STALE_SESSION_BUTTON)
        return
    if action in (LEVEL_UP, STAY) and len(parts) == 4:
        await query.answer()
        await _level_choice(query.message, user_id, action, parts[3], context)
        return
    if state.status != "active":
        await query.answer(texts.STALE_SESSION_BUTTON)
        return
    at = (parts[1], parts[2])
    if action == RESTART:
        await query.answer()
        _cancel_holds(context, state.id)
        await _begin(chat_id, user_id, context, fresh=True)
        return
    if action == CONTINUE:
        await query.answer()
        await _continue(chat_id, state, context)
        return
    if action == UNDO:
        await _undo(query, chat_id, state, parts[1], context)
        return
    if at != (state.position, state.side) and action != PAIN:
        await query.answer(texts.ALREADY_ANSWERED)
        return
    if action == NOT_FOR_ME:
        await _not_for_me(query, chat_id, state, parts[3:], context)
        return
    if action == READY:
        moved = await svc.repository.move(
            state.id, (state.position, state.side, CARD), (state.position, state.side, HOLDING)
        )
        if moved is None:
            await query.answer(texts.ALREADY_ANSWERED)
            return
        await query.answer()
        await _start_hold(chat_id, moved, context)
    elif action == SKIP and state.phase in (CARD, HOLDING):
        # Skipped from its card, or during its hold: no hold to sit through first.
        await _skip_early(chat_id, state, context, query)
    elif action in (DONE, SKIP):
        answer = Answer.done() if action == DONE else Answer.skipped()
        await _answer(chat_id, state, answer, ANSWER, context, query)
    elif action == HURTS:
        moved = await svc.repository.move(
            state.id, (state.position, state.side, ANSWER), (state.position, state.side, PAIN_PHASE)
        )
        await query.answer(None if moved else texts.ALREADY_ANSWERED)
        if moved:
            await _ask_pain(chat_id, moved, context)
    elif action == PAIN and len(parts) == 4 and 0 <= parts[3] <= 10:
        if parts[1] == state.position and state.phase == PAIN_PHASE:
            pain = Answer.hurts(parts[3])
            await _answer(chat_id, state, pain, PAIN_PHASE, context, query)
        else:
            await query.answer(texts.ALREADY_ANSWERED)
    else:
        await query.answer(texts.STALE_SESSION_BUTTON)


async def _undo(
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
    await _send_card(chat_id, undone, context)


async def _not_for_me(
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
            [(label, _data(NOT_FOR_ME, state, n))] for n, label in enumerate(texts.REASON_LABELS)
        ]
        rows.append([(texts.KEEP_IT, _data(NOT_FOR_ME, state, KEEP))])
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
        await _close(chat_id, moved, FINISHED, context)
    else:
        await _send_card(chat_id, moved, context)


async def _hold_answer(
    query: CallbackQuery,
    chat_id: int,
    user_id: int,
    action: str,
    value: str,
    context: ContextTypes.DEFAULT_TYPE,
) -> None:
    """A doctor has checked them, or a gentle day, or rest: the answers to a hold."""
    svc = services(context)
    user = await svc.repository.get_user(user_id)
    if user is None or user.onboarding_step != onboarding.DONE:
        await query.answer(texts.STALE_BUTTON)
        return
    gate = session_gate(user.red_flag_hold)
    if action == CLEARED:
        expected = Gate.BLOCKED if value == URGENT_CLEARED else Gate.ASK
        if gate is not expected:
            await query.answer(texts.ALREADY_ANSWERED)
            return
        await query.answer()
        if not await show_choice(query):
            return  # a second tap of the same button
        await svc.repository.update_user(user_id, red_flag_hold=None, now=svc.clock.now())
        if value == URGENT_CLEARED:
            # Every day of the hold, to today, neither counts nor breaks the streak.
            day = today(svc, user)
            await svc.repository.end_streak_freeze(user_id, Frozen.RED_FLAG, day, svc.clock.now())
            await context.bot.send_message(chat_id, texts.HOLD_CLEARED)
        else:
            await _begin(chat_id, user_id, context, fresh=False)
        return
    if gate is Gate.BLOCKED:
        await query.answer(texts.ALREADY_ANSWERED)
        await _begin(chat_id, user_id, context, fresh=False)
        return
    await query.answer()
    if not await show_choice(query):
        return
    if action == GENTLE:
        await _begin(chat_id, user_id, context, fresh=False, gentle=True)
    else:
        await context.bot.send_message(chat_id, texts.RESTING_TODAY)


async def _continue(chat_id: int, state: SessionState, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Pick up a session where it stood: at its card, question or pain score."""
    svc = services(context)
    if state.phase == END:
        await _close(chat_id, state, FINISHED, context)
    elif state.phase == ANSWER:
        await _ask_answer(chat_id, state, context)
    elif state.phase == PAIN_PHASE:
        await _ask_pain(chat_id, state, context)
    elif state.phase == HOLDING and _hold_running(context, state.id):
        return
    else:
        # A hold lost to a restart starts again from its card, first side.
        moved = await svc.repository.move(
            state.id, (state.position, state.side, state.phase), (state.position, 0, CARD)
        )
        if moved is not None:
            await _send_card(chat_id, moved, context)


async def _level_choice(
    message: object, user_id: int, action: str, level: int, context: ContextTypes.DEFAULT_TYPE
) -> None:
    svc = services(context)
    user = await svc.repository.get_user(user_id)
    if user is None:
        return
    if action == LEVEL_UP and level == user.level + 1 and level <= max(Level):
        await svc.repository.update_user(user_id, level=level)
        text = texts.LEVEL_UP_DONE.format(level=level)
    elif action == LEVEL_UP:
        text = texts.ALREADY_ANSWERED
    else:
        text = texts.LEVEL_STAY.format(level=user.level)
    if isinstance(message, Message):
        await message.reply_text(text)


async def stop_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stop: end the session in progress, keeping what was done."""
    assert update.effective_user and update.effective_chat and update.effective_message
    state = await services(context).repository.active_session(update.effective_user.id)
    if state is None:
        await update.effective_message.reply_text(texts.NO_SESSION)
        return
    await _close(update.effective_chat.id, state, STOPPED, context)


async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed replies: answers within a session; otherwise the onboarding flow's turn."""
    svc = services(context)
    assert update.effective_user and update.effective_chat and update.effective_message
    message = update.effective_message
    user, state = await svc.repository.chat_state(update.effective_user.id)
    if state is None:
        await reports.text_outside_session(update, context, user)
        return
    chat_id = update.effective_chat.id
    typed = message.text or ""
    typed_answer = parse_answer(typed)
    reply = typed_answer.reply if typed_answer else None
    if reply is Reply.STOP:
        await _close(chat_id, state, STOPPED, context)
    elif state.phase == PAIN_PHASE and (pain := parse_pain(typed)) is not None:
        await _answer(chat_id, state, Answer.hurts(pain), PAIN_PHASE, context)
    elif state.phase == PAIN_PHASE:
        await message.reply_text(texts.SESSION_HINT_PAIN)
    elif state.phase == ANSWER and reply in (Reply.DONE, Reply.SKIP):
        answer = Answer.done() if reply is Reply.DONE else Answer.skipped()
        await _answer(chat_id, state, answer, ANSWER, context)
    elif state.phase == ANSWER and typed_answer and typed_answer.pain is not None:
        # "ouch 6", "hurts 7/10", or a bare "6": it hurt, with that score.
        await _answer(chat_id, state, Answer.hurts(typed_answer.pain), ANSWER, context)
    elif state.phase == ANSWER and reply is Reply.HURTS:
        moved = await svc.repository.move(
            state.id, (state.position, state.side, ANSWER), (state.position, state.side, PAIN_PHASE)
        )
        if moved:
            await _ask_pain(chat_id, moved, context)
    elif state.phase == ANSWER:
        await message.reply_text(texts.SESSION_HINT_ANSWER)
    elif state.phase in (CARD, HOLDING) and reply is Reply.SKIP:
        await _skip_early(chat_id, state, context)
    elif state.phase == HOLDING and _hold_running(context, state.id):
        await message.reply_text(texts.SESSION_HINT_HOLDING)
    elif state.phase in (HOLDING, END):
        # The hold's timer was lost (the bot restarted): offer to pick up again.
        await _offer_continue(chat_id, state, context)
    else:
        await message.reply_text(texts.SESSION_HINT_CARD)


async def stop_active(
    chat_id: int,
    user_id: int,
    context: ContextTypes.DEFAULT_TYPE,
    *,
    quiet: bool = False,
    reason: str | None = None,
) -> bool:
    """End any session in progress (a red flag was reported), keeping what was done.

    `quiet` only stops its timers, without a summary (the person is erasing their data).
    True when there was a session to end.
    """
    state = await services(context).repository.active_session(user_id)
    if state is not None and quiet:
        _cancel_holds(context, state.id)
    elif state is not None:
        await _close(chat_id, state, STOPPED, context, reason=reason)
    return state is not None


def handlers() -> list:
    """This flow's handlers; `text` must come before any other plain-text handler."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("session", session_command, filters=private),
        CommandHandler("stop", stop_command, filters=private),
        CallbackQueryHandler(button, pattern=cd.pattern(PREFIX)),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, text),
    ]
