"""Red-flag words, wherever they are typed, get safety advice at once."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes, MessageHandler, filters

from bot import texts
from bot.domain.safety import Urgency, detect_red_flags
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
    else:
        await message.reply_text(texts.SAFETY_SEE_DOCTOR)
    # Nothing else should answer this message as if it were a normal reply.
    raise ApplicationHandlerStop


def handlers() -> list:
    """The screen; it runs in its own group ahead of every flow."""
    return [MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, screen_text)]
