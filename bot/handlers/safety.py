"""Red-flag words, wherever they are typed, get safety advice at once."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes, MessageHandler, filters

from bot import texts
from bot.domain.safety import Urgency, detect_red_flags
from bot.handlers.common import services
from bot.handlers.onboarding import DONE
from bot.handlers.session import stop_active


async def screen_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer red-flag words before any other handler sees the message."""
    message = update.effective_message
    if message is None or not message.text:
        return
    finding = detect_red_flags(message.text)
    if finding is None:
        return
    if update.effective_user and update.effective_chat:
        await stop_active(update.effective_chat.id, update.effective_user.id, context)
    if finding.urgency is Urgency.URGENT:
        await message.reply_text(texts.SAFETY_URGENT)
        if update.effective_user and await _pause_reminders(update.effective_user.id, context):
            await message.reply_text(texts.SAFETY_REMINDERS_PAUSED)
    else:
        await message.reply_text(texts.SAFETY_SEE_DOCTOR)
    # Nothing else should answer this message as if it were a normal reply.
    raise ApplicationHandlerStop


async def _pause_reminders(user_id: int, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """No daily nudges to exercise while the person should be seeing a doctor."""
    svc = services(context)
    user = await svc.repository.get_user(user_id)
    if user is None or not user.active or user.onboarding_step != DONE:
        return False
    await svc.repository.update_user(user_id, active=False, now=svc.clock.now())
    return True


def handlers() -> list:
    """The screen; it runs in its own group ahead of every flow."""
    return [MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, screen_text)]
