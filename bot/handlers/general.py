"""/help and the error handler that keeps tracebacks away from people."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import texts
from bot.domain.replies import is_question
from bot.handlers import callback_data as cd
from bot.handlers.common import inline_keyboard
from bot.journal import JOURNAL
from bot.storage.database import StorageFault, storage_fault

logger = logging.getLogger(__name__)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands."""
    if update.effective_message:
        await update.effective_message.reply_text(texts.HELP)


# What the person is told, by what failed: never that something was saved when it may not be.
# Names of bot.texts, read when said, so in the person's language.
FAULT_TEXTS = {
    StorageFault.BUSY: "BUSY_TRY_AGAIN",
    StorageFault.UNAVAILABLE: "NOT_SAVED_TRY_LATER",
}
FAULT_LOG_NAMES = {
    StorageFault.BUSY: "database busy (no free connection)",
    StorageFault.UNAVAILABLE: "database error (nothing of it was saved)",
}


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure without any message content, and tell the person the truth kindly.

    A database that could not take a write (down, disk full) is told as "not saved, try
    again in a few minutes"; an exhausted pool as "busy, try again in a minute"; anything
    else as our own failure, with no claim about what was saved. `storage_fault` tells
    them apart for any other caller too.
    """
    error = context.error
    fault = storage_fault(error)
    # Only the exception, never the update: it may hold health data.
    kind = FAULT_LOG_NAMES[fault] if fault else "handler failed"
    logger.error("%s: %s", kind, type(error).__name__, exc_info=error)
    chat = update.effective_chat if isinstance(update, Update) else None
    text = getattr(texts, FAULT_TEXTS[fault]) if fault else texts.SOMETHING_WENT_WRONG
    journal = JOURNAL.get()
    if journal is not None:
        # What is said from here is not the update's reply: never skipped on a second run.
        if fault is StorageFault.BUSY and journal.tries_left > 0:
            # Put off, not dropped: it stays in the inbox and is handled again shortly. Said
            # once, at the first try; the last one that fails says to send it again.
            journal.close(retry=True)
            text = None if journal.put_off_before else texts.BUSY_WILL_ANSWER
        else:
            journal.close()
    if text is not None and chat is not None and chat.type == "private":
        try:
            await context.bot.send_message(chat.id, text)
        except Exception:  # they may have blocked us; nothing more to do
            logger.warning("could not tell the user about an error")


async def in_a_group(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group: point to the private chat, and store nothing about the group."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    member = update.my_chat_member
    if member is not None and member.new_chat_member.status not in (
        ChatMemberStatus.MEMBER,
        ChatMemberStatus.ADMINISTRATOR,
    ):
        return  # removed from the group: nothing to say
    link = f"https://t.me/{context.bot.username}"
    await context.bot.send_message(chat.id, texts.GROUP_PRIVATE_ONLY.format(link=link))


async def not_an_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edit or a forward is not something the person just said: no flow may take it.

    An edited old "done" would answer whatever question is open now, and a forwarded one
    is someone else's words. Edits pass silently (people fix typos); a forward gets a line.
    """
    message = update.message
    if message is not None and message.forward_origin is not None:
        await message.reply_text(texts.FORWARDED_NOT_AN_ANSWER)
    raise ApplicationHandlerStop


def not_answers() -> list:
    """The gate for edited and forwarded messages; it runs after the safety screen."""
    return [MessageHandler(filters.UpdateType.EDITED | filters.FORWARDED, not_an_answer)]


def what_i_can_do(*, held: bool = False) -> InlineKeyboardMarkup:
    """Buttons for what the bot can do, for text it cannot place.

    `held`: urgent signs wait for a doctor's check, so no session is offered, only the way
    out of the hold (a Start button there would only be refused).
    """
    first = (
        (texts.CHECKED_BY_DOCTOR, cd.pack(cd.SESSION, cd.CLEARED, cd.URGENT_CLEARED))
        if held
        else (texts.START_SESSION, cd.pack(cd.SESSION, cd.START_SESSION))
    )
    return inline_keyboard(
        [
            [first],
            [
                (texts.MY_PROGRESS, cd.pack(cd.GENERAL, cd.STATS)),
                (texts.HELP_BUTTON, cd.pack(cd.GENERAL, cd.HELP)),
            ],
        ]
    )


async def unplaced(message: Message, typed: str, *, held: bool = False) -> None:
    """Text outside any flow: a question gets who can answer it; anything else, the choices."""
    text = texts.MEDICAL_QUESTION if is_question(typed) else texts.NOT_PLACED
    await message.reply_text(text, reply_markup=what_i_can_do(held=held))


async def help_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The Help button under a reply the bot could not place."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.reply_text(texts.HELP)


def handlers() -> list:
    """This module's handlers."""
    groups = filters.ChatType.GROUPS
    return [
        CommandHandler("help", help_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(help_button, pattern=f"^{cd.GENERAL}:{cd.HELP}$"),
        # Any command in a group, and being added to one, get the pointer to a private chat.
        MessageHandler(groups & filters.COMMAND, in_a_group),
        ChatMemberHandler(in_a_group, ChatMemberHandler.MY_CHAT_MEMBER),
    ]
