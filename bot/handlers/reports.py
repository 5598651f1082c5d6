"""Answers outside a session: "done" and "hurts" replies, and the next-morning check."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from bot import texts
from bot.domain.gates import Gate, session_gate
from bot.domain.reminders import HowItWent, Morning, morning_check, report_done, report_pain
from bot.domain.replies import Amount, Reply, parse_amount, parse_answer, parse_pain
from bot.domain.safety import Urgency, pain_urgency
from bot.domain.streaks import Frozen, told_to_rest
from bot.handlers import callback_data as cd
from bot.handlers import general, onboarding, stats
from bot.handlers.common import (
    Services,
    change_line,
    held_keyboard,
    inline_keyboard,
    lighter_day_keyboard,
    local_midnight,
    say,
    services,
    show_choice,
    today,
    todays_routine,
)
from bot.storage.models import User

PREFIX = cd.REPORT
HOW, PAIN, WHICH = "how", "pain", "which"
NOT_SURE = "-"

# Where a report stands (users.report_step). The done_* steps count the day as done.
CHECK = "check"
HURTS_PAIN = "pain"
HURTS_WHICH = "which"
DONE_PAIN = "done_pain"
DONE_WHICH = "done_which"


async def text_outside_session(
    update: Update, context: ContextTypes.DEFAULT_TYPE, user: User | None
) -> None:
    """Typed text with no session running: a report, "done" / "hurts", or onboarding's turn."""
    svc = services(context)
    assert update.effective_user and update.effective_chat and update.effective_message
    message = update.effective_message
    if user is None or user.onboarding_step != onboarding.DONE:
        await onboarding.text_during_onboarding(update, context)
        return
    typed = message.text or ""
    typed_answer = parse_answer(typed)
    reply = typed_answer.reply if typed_answer else None
    chat_id = update.effective_chat.id
    if user.report_step is not None and reply in (Reply.STOP, Reply.SKIP):
        await svc.repository.set_report_step(user.id, None)
        await say(context, chat_id, texts.REPORT_CANCELLED)
    elif user.report_step == CHECK:
        how = _typed_how(typed, reply)
        if how is None:
            await say(context, chat_id, texts.REPORT_HINT_CHECK)
        else:
            await _how(chat_id, user, how, context)
    elif user.report_step in (HURTS_PAIN, DONE_PAIN):
        pain = parse_pain(typed)
        if pain is None:
            await say(context, chat_id, texts.REPORT_HINT_PAIN)
        else:
            await _pain(chat_id, user, pain, context)
    elif user.report_step in (HURTS_WHICH, DONE_WHICH):
        await say(context, chat_id, texts.REPORT_HINT_WHICH)
    elif reply is Reply.DONE:
        await start_done(chat_id, user, context)
    elif reply is Reply.HURTS and typed_answer and typed_answer.pain is not None:
        # "hurts 6": the score is given already.
        await svc.repository.set_report_step(user.id, HURTS_PAIN)
        await _pain(chat_id, user, typed_answer.pain, context)
    elif reply is Reply.HURTS:
        await start_hurts(chat_id, user, context)
    else:
        await general.unplaced(message, typed, held=user.red_flag_hold == "urgent")


def _typed_how(typed: str, reply: Reply | None) -> HowItWent | None:
    amount = parse_amount(typed)  # "some of it", "часть", "todo"...
    if amount is Amount.SOME:
        return HowItWent.SOME
    if amount is Amount.ALL or reply is Reply.DONE:
        return HowItWent.ALL
    if reply is Reply.HURTS:
        return HowItWent.HURT
    return None


async def start_done(chat_id: int, user: User, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The person did today's routine on their own: one check, then it counts."""
    svc = services(context)
    if session_gate(user.red_flag_hold) is Gate.BLOCKED:
        # No exercise counts, or moves a hold on, while urgent signs wait for a doctor.
        await context.bot.send_message(
            chat_id, texts.SESSION_HELD_URGENT, reply_markup=held_keyboard()
        )
        return
    since = local_midnight(svc, user.timezone)
    if any(pain_urgency(score) for _, score in await svc.repository.pain_since(user.id, since)):
        # Pain of 8 or more today: the coach said rest, so "done" is not cheered or counted.
        await context.bot.send_message(chat_id, texts.REST_AFTER_HIGH_PAIN)
        return
    if await svc.repository.finished_on(user.id, today(svc, user)):
        await context.bot.send_message(chat_id, texts.ALREADY_COUNTED)
        return
    await svc.repository.update_user(user.id, report_step=CHECK, report_pain=None)
    keyboard = inline_keyboard(
        [
            [(texts.YES_ALL, cd.pack(PREFIX, HOW, HowItWent.ALL))],
            [(texts.SOME_OF_IT, cd.pack(PREFIX, HOW, HowItWent.SOME))],
            [(texts.IT_HURT, cd.pack(PREFIX, HOW, HowItWent.HURT))],
        ]
    )
    await context.bot.send_message(chat_id, texts.ALL_WITHOUT_PAIN, reply_markup=keyboard)


async def start_hurts(chat_id: int, user: User, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Something hurts: ask how much, then which exercise."""
    await services(context).repository.set_report_step(user.id, HURTS_PAIN)
    await _ask_pain(chat_id, context)


async def _ask_pain(chat_id: int, context: ContextTypes.DEFAULT_TYPE) -> None:
    await say(context, chat_id, texts.REPORT_PAIN, onboarding.pain_rows(PREFIX, PAIN))


async def _how(
    chat_id: int, user: User, how: HowItWent, context: ContextTypes.DEFAULT_TYPE
) -> None:
    if how is HowItWent.HURT:
        await services(context).repository.update_user(user.id, report_step=DONE_PAIN)
        await _ask_pain(chat_id, context)
    else:
        await _count_done(chat_id, user, how, context)


async def _pain(chat_id: int, user: User, pain: int, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    done = user.report_step == DONE_PAIN
    if pain_urgency(pain) is Urgency.STOP_TODAY:
        # Too much to ask more: ease every exercise and give the safety answer now.
        await _finish_pain(chat_id, user, pain, None, done, context)
        return
    if not done and pain <= 3:
        await _finish_pain(chat_id, user, pain, None, done, context)
        return
    routine = await todays_routine(svc, user)
    step = DONE_WHICH if done else HURTS_WHICH
    await svc.repository.update_user(user.id, report_step=step, report_pain=pain)
    rows = [[(item.exercise.name, cd.pack(PREFIX, WHICH, item.exercise.id))] for item in routine]
    rows.append([(texts.NOT_SURE, cd.pack(PREFIX, WHICH, NOT_SURE))])
    await context.bot.send_message(chat_id, texts.REPORT_WHICH, reply_markup=inline_keyboard(rows))


async def _finish_pain(
    chat_id: int,
    user: User,
    pain: int,
    exercise_id: str | None,
    done: bool,
    context: ContextTypes.DEFAULT_TYPE,
) -> None:
    if told_to_rest(pain):
        # Pain above 5: the coach says rest, so the day neither counts nor breaks the streak.
        svc = services(context)
        day = today(svc, user)
        await svc.repository.mark_streak_day(user.id, day, Frozen.PAIN, svc.clock.now())
    if done:
        await _count_done(
            chat_id, user, HowItWent.HURT, context, pain=pain, exercise_id=exercise_id
        )
    else:
        await _ease(chat_id, user, pain, exercise_id, context)
    if pain_urgency(pain) is Urgency.STOP_TODAY:
        await context.bot.send_message(chat_id, texts.PAIN_TOO_HIGH_REPORT)


async def _ease(
    chat_id: int,
    user: User,
    pain: int,
    exercise_id: str | None,
    context: ContextTypes.DEFAULT_TYPE,
) -> None:
    """Record the pain and ease tomorrow's holds by the session's rules."""
    svc = services(context)
    now = svc.clock.now()
    # Today's routine as it was before this report rests the exercise that hurt.
    routine = [item.exercise.id for item in await todays_routine(svc, user)]
    await svc.repository.add_pain_report(user.id, pain, now, "reminder", exercise_id=exercise_id)
    lines = await _apply(svc, user, routine, pain, exercise_id)
    await svc.repository.update_user(user.id, report_step=None, report_pain=None, check_due=True)
    body = "\n".join(lines) if lines else texts.PAIN_NO_CHANGE
    await context.bot.send_message(chat_id, texts.PAIN_REPORTED.format(pain=pain) + "\n" + body)


async def _apply(
    svc: Services, user: User, routine: list[str], pain: int, exercise_id: str | None
) -> list[str]:
    """Ease saved progress after pain; the change lines worth telling."""
    progress = await svc.repository.load_progress(user.id)
    steady = user.steady_on == today(svc, user)
    result = report_pain(svc.catalog, routine, progress, pain, exercise_id, grow=not steady)
    await svc.repository.save_progress(user.id, result.changed, result.start_holds, svc.clock.now())
    return [change_line(svc, change) for change in result.changes]


async def _count_done(
    chat_id: int,
    user: User,
    how: HowItWent,
    context: ContextTypes.DEFAULT_TYPE,
    *,
    pain: int | None = None,
    exercise_id: str | None = None,
) -> None:
    """Count today's routine as done, moving progression as a finished session would."""
    svc = services(context)
    now = svc.clock.now()
    day = today(svc, user)
    routine = await todays_routine(svc, user)
    progress = await svc.repository.load_progress(user.id)
    result = report_done(
        svc.catalog,
        [item.exercise.id for item in routine],
        progress,
        how,
        pain=pain,
        exercise_id=exercise_id,
        grow=user.steady_on != day,
    )
    counted = await svc.repository.record_reported_session(
        user.id,
        day,
        [(item.exercise.id, item.target_hold) for item in routine],
        result.answers,
        result.changed,
        result.start_holds,
        now,
    )
    hurt = how is HowItWent.HURT
    await svc.repository.update_user(
        user.id, report_step=None, report_pain=None, **({"check_due": True} if hurt else {})
    )
    if pain is not None:
        await svc.repository.add_pain_report(
            user.id, pain, now, "reminder", exercise_id=exercise_id
        )
    if not counted:
        await context.bot.send_message(chat_id, texts.ALREADY_COUNTED)
        return
    lines = [change_line(svc, change) for change in result.changes]
    lines += [texts.RETURNED.format(name=svc.catalog.get(k).name) for k in result.returned]
    streak = await stats.streak_of(svc, user.id, day)
    if pain is not None and told_to_rest(pain):
        # Pain above 5 is never "done": a rest day, kept for the streak but not counted.
        template = texts.REPORT_REST_DAY
    elif how is HowItWent.SOME:
        template = texts.REPORT_COUNTED_SOME
    else:
        template = texts.REPORT_COUNTED
    text = template.format(streak=texts.streak(streak.current, streak.best, streak.rested))
    if lines:
        text += "\n\n" + "\n".join(lines)
    await context.bot.send_message(chat_id, text)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a report button; one whose question was answered is stale."""
    svc = services(context)
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    _, action, value = cd.unpack(query.data)
    user = await svc.repository.get_user(update.effective_user.id)
    step = user.report_step if user else None
    chat_id = update.effective_chat.id
    if user is None or (action, step) not in _EXPECTED:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    if not await show_choice(query):
        return  # a second tap of the same button
    if action == HOW and value in HowItWent.__members__.values():
        await _how(chat_id, user, HowItWent(value), context)
    elif action == PAIN and (pain := onboarding.button_pain(value)) is not None:
        await _pain(chat_id, user, pain, context)
    elif action == WHICH and user.report_pain is not None:
        exercise_id = value if value in svc.catalog else None
        done = step == DONE_WHICH
        await _finish_pain(chat_id, user, user.report_pain, exercise_id, done, context)


_EXPECTED = {
    (HOW, CHECK),
    (PAIN, HURTS_PAIN),
    (PAIN, DONE_PAIN),
    (WHICH, HURTS_WHICH),
    (WHICH, DONE_WHICH),
}


async def morning_answer(
    chat_id: int, user: User, answer: Morning, context: ContextTypes.DEFAULT_TYPE
) -> None:
    """Better / Same / Worse: worse keeps today's holds; worse twice suggests a physio."""
    svc = services(context)
    result = morning_check(answer, user.worse_mornings)
    fields: dict[str, object] = {"worse_mornings": result.worse_mornings}
    if result.keep_holds_today:
        fields["steady_on"] = today(svc, user)
    await svc.repository.update_user(user.id, **fields)
    if answer is Morning.WORSE:
        # A gentle day or rest: the day neither counts nor breaks the streak.
        day = today(svc, user)
        await svc.repository.mark_streak_day(user.id, day, Frozen.WORSE, svc.clock.now())
        # A lighter day: the gentle stretches at today's holds, or rest.
        names = ", ".join(e.name for e in svc.catalog.exercises if e.gentle)
        await context.bot.send_message(
            chat_id,
            texts.WORSE_DAY_OFFER.format(names=names),
            reply_markup=lighter_day_keyboard(doctor_ok=False),
        )
    else:
        reply = texts.MORNING_BETTER if answer is Morning.BETTER else texts.MORNING_SAME
        await context.bot.send_message(chat_id, reply)
    if result.suggest_physio:
        await context.bot.send_message(chat_id, texts.MORNING_PHYSIO)


def handlers() -> list:
    """This flow's handlers (typed text reaches it through the session flow)."""
    return [CallbackQueryHandler(button, pattern=cd.pattern(PREFIX))]
