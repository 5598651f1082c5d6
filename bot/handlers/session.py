"""The guided session: starting it, its answers, button routing, typed replies, /stop."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot import texts
from bot.domain.gates import Gate, session_gate
from bot.domain.progression import Answer
from bot.domain.replies import Reply, parse_answer, parse_pain
from bot.domain.routine import estimated_minutes
from bot.domain.streaks import Frozen
from bot.handlers import callback_data as cd
from bot.handlers import common, onboarding, reports
from bot.handlers.common import (
    change_line,
    inline_keyboard,
    is_row_id,
    say,
    services,
    show_choice,
    today,
    todays_routine,
)

# COUNTDOWN_STEP and RED_FLAG_* are imported "as" themselves: safety and the hold
# benchmark still read them from this module.
from bot.handlers.holds import COUNTDOWN_STEP as COUNTDOWN_STEP
from bot.handlers.holds import cancel_holds, hold_running, start_hold
from bot.handlers.session_answers import record_answer
from bot.handlers.session_buttons import (
    ANSWER,
    CARD,
    CLEARED,
    CONTINUE,
    DONE,
    END,
    GENTLE,
    HOLDING,
    HURTS,
    LEVEL_UP,
    NOT_FOR_ME,
    PAIN,
    PAIN_PHASE,
    PREFIX,
    READY,
    REST,
    RESTART,
    SKIP,
    START,
    STAY,
    UNDO,
    URGENT_CLEARED,
    button_data,
    parse_data,
)
from bot.handlers.session_changes import not_for_me, undo
from bot.handlers.session_close import PAIN_STOP, close, level_choice
from bot.handlers.session_close import RED_FLAG_SEE_DOCTOR as RED_FLAG_SEE_DOCTOR
from bot.handlers.session_close import RED_FLAG_URGENT as RED_FLAG_URGENT
from bot.handlers.session_prompts import ask_answer, ask_pain, send_card
from bot.journal import handled_again
from bot.storage.repository import FINISHED, STOPPED, SessionState

# Starting -------------------------------------------------------------------------


async def session_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/session: start today's routine, or offer to continue one in progress."""
    assert update.effective_user and update.effective_chat
    await _begin(update.effective_chat.id, update.effective_user.id, context, fresh=False)


async def session_start(chat_id: int, user_id: int, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/session's work (the Mini App's Start too): begin today's routine, or offer to go on."""
    await _begin(chat_id, user_id, context, fresh=False)


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
    await send_card(chat_id, state, context)


async def _offer_continue(
    chat_id: int, state: SessionState, context: ContextTypes.DEFAULT_TYPE
) -> None:
    keyboard = inline_keyboard(
        [
            [(texts.CONTINUE, button_data(CONTINUE, state))],
            [(texts.START_OVER, button_data(RESTART, state))],
        ]
    )
    await context.bot.send_message(
        chat_id,
        texts.CONTINUE_OFFER.format(done=state.position, total=len(state.routine)),
        reply_markup=keyboard,
    )


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
    recorded = await record_answer(svc, state, answer, expect_phase)
    if query is not None:
        await query.answer(None if recorded else texts.ALREADY_ANSWERED)
    if recorded is None:
        return False
    moved, dropped = recorded.moved, recorded.dropped
    exercise = svc.catalog.get(state.exercise_id)
    if recorded.stop:
        # One clear message: stop, why, and what was saved.
        await close(chat_id, moved, STOPPED, context, reason=PAIN_STOP)
        return True
    line = change_line(svc, recorded.change)
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
        await close(chat_id, moved, FINISHED, context)
    else:
        await send_card(chat_id, moved, context)
    return True


async def _skip_early(
    chat_id: int,
    state: SessionState,
    context: ContextTypes.DEFAULT_TYPE,
    query: CallbackQuery | None = None,
) -> bool:
    """Skip the exercise from its card or mid-hold; False when it was already answered."""
    if state.phase == HOLDING:
        cancel_holds(context, state.id)
    return await _answer(chat_id, state, Answer.skipped(), state.phase, context, query)


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
    parts = parse_data(value) or []
    # An id no row can have (forged data) is a stale button, never a query.
    known = len(parts) >= 3 and is_row_id(parts[0])
    state = await svc.repository.get_session(parts[0]) if known else None
    if state is None or state.user_id != user_id:
        await query.answer(texts.STALE_SESSION_BUTTON)
        return
    if action in (LEVEL_UP, STAY) and len(parts) == 4:
        await query.answer()
        await level_choice(query.message, user_id, action, parts[3], context)
        return
    if state.status != "active":
        await query.answer(texts.STALE_SESSION_BUTTON)
        return
    at = (parts[1], parts[2])
    if action == RESTART:
        await query.answer()
        cancel_holds(context, state.id)
        await _begin(chat_id, user_id, context, fresh=True)
        return
    if action == CONTINUE:
        await query.answer()
        await _continue(chat_id, state, context)
        return
    if action == UNDO:
        await undo(query, chat_id, state, parts[1], context)
        return
    if at != (state.position, state.side) and action != PAIN:
        await query.answer(texts.ALREADY_ANSWERED)
        return
    if action == NOT_FOR_ME:
        await not_for_me(query, chat_id, state, parts[3:], context)
        return
    if action == READY:
        moved = await svc.repository.move(
            state.id, (state.position, state.side, CARD), (state.position, state.side, HOLDING)
        )
        if moved is None and _hold_lost(context, state):
            # This Ready's first run began the hold, and a crash took its countdown: again.
            moved = state
        if moved is None:
            await query.answer(texts.ALREADY_ANSWERED)
            return
        await query.answer()
        await start_hold(chat_id, moved, context)
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
            await ask_pain(chat_id, moved, context)
    elif action == PAIN and len(parts) == 4 and 0 <= parts[3] <= 10:
        if parts[1] == state.position and state.phase == PAIN_PHASE:
            pain = Answer.hurts(parts[3])
            await _answer(chat_id, state, pain, PAIN_PHASE, context, query)
        else:
            await query.answer(texts.ALREADY_ANSWERED)
    else:
        await query.answer(texts.STALE_SESSION_BUTTON)


def _hold_lost(context: ContextTypes.DEFAULT_TYPE, state: SessionState) -> bool:
    """A Ready handled again (after a crash) found its hold begun and counting nowhere."""
    return state.phase == HOLDING and handled_again() and not hold_running(context, state.id)


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
        await close(chat_id, state, FINISHED, context)
    elif state.phase == ANSWER:
        await ask_answer(chat_id, state, context)
    elif state.phase == PAIN_PHASE:
        await ask_pain(chat_id, state, context)
    elif state.phase == HOLDING and hold_running(context, state.id):
        return
    else:
        # A hold lost to a restart starts again from its card, first side.
        moved = await svc.repository.move(
            state.id, (state.position, state.side, state.phase), (state.position, 0, CARD)
        )
        if moved is not None:
            await send_card(chat_id, moved, context)


async def stop_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stop: end the session in progress, keeping what was done."""
    assert update.effective_user and update.effective_chat and update.effective_message
    state = await services(context).repository.active_session(update.effective_user.id)
    if state is None:
        await update.effective_message.reply_text(texts.NO_SESSION)
        return
    await close(update.effective_chat.id, state, STOPPED, context)


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
        await close(chat_id, state, STOPPED, context)
    elif state.phase == PAIN_PHASE and (pain := parse_pain(typed)) is not None:
        await _answer(chat_id, state, Answer.hurts(pain), PAIN_PHASE, context)
    elif state.phase == PAIN_PHASE:
        await say(context, chat_id, texts.SESSION_HINT_PAIN)
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
            await ask_pain(chat_id, moved, context)
    elif state.phase == ANSWER:
        await say(context, chat_id, texts.SESSION_HINT_ANSWER)
    elif state.phase in (CARD, HOLDING) and reply is Reply.SKIP:
        await _skip_early(chat_id, state, context)
    elif state.phase == HOLDING and hold_running(context, state.id):
        await say(context, chat_id, texts.SESSION_HINT_HOLDING)
    elif state.phase in (HOLDING, END):
        # The hold's timer was lost (the bot restarted): offer to pick up again.
        await _offer_continue(chat_id, state, context)
    else:
        await say(context, chat_id, texts.SESSION_HINT_CARD)


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
        cancel_holds(context, state.id)
    elif state is not None:
        await close(chat_id, state, STOPPED, context, reason=reason)
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
