"""Red-flag words, wherever they are typed, get safety advice at once, and a hold."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes, MessageHandler, filters

from bot import texts
from bot.domain.gates import RedFlagHold, hold_after
from bot.domain.safety import Urgency, detect_red_flags
from bot.domain.streaks import Frozen
from bot.handlers import session
from bot.handlers.common import services, today
from bot.handlers.onboarding import DONE


async def screen_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer red-flag words before any other handler sees the message.

    The advice comes first. Then the hold is stored (urgent: no exercise and no reminder
    until a doctor has checked them; see-a-doctor: ask before the next session), a report
    in progress is dropped, and a session in progress ends with what was saved.
    """
    message = update.effective_message
    if message is None or not message.text:
        return
    finding = detect_red_flags(message.text)
    if finding is None:
        return
    urgent = finding.urgency is Urgency.URGENT
    await message.reply_text(texts.SAFETY_URGENT if urgent else texts.SAFETY_SEE_DOCTOR)
    if update.effective_user and update.effective_chat:
        svc = services(context)
        user_id = update.effective_user.id
        user = await svc.repository.get_user(user_id)
        if user is not None:
            if urgent and user.red_flag_hold != RedFlagHold.URGENT:
                # Held days, from today until a doctor has checked them, neither count nor
                # break the streak.
                day = today(svc, user)
                await svc.repository.mark_streak_day(user_id, day, Frozen.RED_FLAG, svc.clock.now())
            await svc.repository.update_user(
                user_id,
                red_flag_hold=hold_after(user.red_flag_hold, finding.urgency),
                report_step=None,
                report_pain=None,
                now=svc.clock.now(),
            )
            reason = session.RED_FLAG_URGENT if urgent else session.RED_FLAG_SEE_DOCTOR
            stopped = await session.stop_active(
                update.effective_chat.id, user_id, context, reason=reason
            )
            if urgent and not stopped and user.onboarding_step == DONE:
                await message.reply_text(texts.SAFETY_REMINDERS_PAUSED)
    # Nothing else should answer this message as if it were a normal reply.
    raise ApplicationHandlerStop


def handlers() -> list:
    """The screen; it runs in its own group ahead of every flow."""
    # A forwarded message is someone else's words: it must not hold this person's programme.
    screened = filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & ~filters.FORWARDED
    return [MessageHandler(screened, screen_text)]
