"""/help and the error handler that keeps tracebacks away from people."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, filters

from bot import texts

logger = logging.getLogger(__name__)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    if update.effective_message:
        await update.effective_message.reply_text(texts.HELP)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without any message content, and tell the person kindly."""
    error = context.error
    # Only the exception, never the update: it may hold health data.
    logger.error("handler failed: %s", type(error).__name__, exc_info=error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None and chat.type == "private":
        try:
            await context.bot.send_message(chat.id, texts.SOMETHING_WENT_WRONG)
        except Exception:  # they may have blocked us; nothing more to do
            logger.warning("could not tell the user about an error")


def handlers() -> list:
    """This module's handlers."""
    return [CommandHandler("help", help_command, filters=filters.ChatType.PRIVATE)]
