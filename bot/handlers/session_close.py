"""Closing a session: its summary, and the level-up offer after it."""

from __future__ import annotations

from telegram import Message
from telegram.ext import ContextTypes

from bot import texts
from bot.domain.progression import Answer, end_session, level_up_ready
from bot.domain.streaks import local_day
from bot.handlers import stats
from bot.handlers.common import inline_keyboard, services, upcoming_reminder
from bot.handlers.holds import cancel_holds
from bot.handlers.session_buttons import LEVEL_UP, STAY, button_data
from bot.storage.repository import FINISHED, SessionState
from catalog.model import Level

# Why a session stopped for safety.
PAIN_STOP, RED_FLAG_URGENT, RED_FLAG_SEE_DOCTOR = "pain", "urgent", "see_doctor"


async def close(
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
    cancel_holds(context, state.id)
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
                    [(texts.LEVEL_UP.format(level=nxt), button_data(LEVEL_UP, state, nxt))],
                    [(texts.STAY.format(level=user.level), button_data(STAY, state, user.level))],
                ]
            )
            await context.bot.send_message(
                chat_id,
                texts.LEVEL_UP_OFFER.format(level=user.level, next=nxt),
                reply_markup=keyboard,
            )


def _domain_answer(kind: str, pain: int | None) -> Answer:
    if kind == "done":
        return Answer.done()
    if kind == "hurts" and pain is not None:
        return Answer.hurts(pain)
    return Answer.skipped()


async def level_choice(
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
