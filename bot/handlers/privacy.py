"""Privacy: /privacy says what is kept and why, /export sends it all, /delete erases it all."""

from __future__ import annotations

import json

from telegram import InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import texts
from bot.handlers import callback_data as cd
from bot.handlers import language, session
from bot.handlers.common import inline_keyboard, services, show_choice
from bot.intake import INBOX_KEY

PREFIX = cd.PRIVACY
DELETE = "del"


async def privacy_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/privacy: what is kept, why, and how to take it or erase it."""
    if update.effective_message:
        await update.effective_message.reply_text(texts.PRIVACY)


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export: every row kept about the person, as one JSON document."""
    assert update.effective_user and update.effective_message
    await update.effective_message.reply_chat_action(ChatAction.UPLOAD_DOCUMENT)
    data = await services(context).repository.export_user(update.effective_user.id)
    if data is None:
        await update.effective_message.reply_text(texts.NOTHING_KEPT)
        return
    body = json.dumps(data, indent=2, ensure_ascii=False).encode()
    await update.effective_message.reply_document(
        InputFile(body, filename=texts.EXPORT_FILENAME), caption=texts.EXPORT_CAPTION
    )


async def delete_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/delete: ask once, plainly, before erasing everything."""
    assert update.effective_user and update.effective_message
    if await services(context).repository.get_user(update.effective_user.id) is None:
        await update.effective_message.reply_text(texts.NOTHING_KEPT)
        return
    keyboard = inline_keyboard(
        [
            [(texts.DELETE_YES, cd.pack(PREFIX, DELETE, "yes"))],
            [(texts.DELETE_NO, cd.pack(PREFIX, DELETE, "no"))],
        ]
    )
    await update.effective_message.reply_text(texts.DELETE_QUESTION, reply_markup=keyboard)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The answer to "Delete it all?"."""
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    _, action, value = cd.unpack(query.data)
    await query.answer()
    # The question shows the answer and loses its buttons, so it cannot be pressed twice.
    if not await show_choice(query):
        return  # a second tap of the same button
    if action != DELETE or value != "yes":
        await context.bot.send_message(update.effective_chat.id, texts.DELETE_CANCELLED)
        return
    user_id = update.effective_user.id
    # A hold being counted belongs to a session about to vanish: stop it first.
    await session.stop_active(update.effective_chat.id, user_id, context, quiet=True)
    await services(context).repository.delete_user(user_id)
    language.cache(context).forget(user_id)
    # The updates kept in the inbox (bot/intake.py) are their own words too.
    inbox = context.bot_data.get(INBOX_KEY)
    if inbox is not None:
        await inbox.forget(user_id)
    await context.bot.send_message(update.effective_chat.id, texts.DELETED)


def handlers() -> list:
    """This flow's handlers."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler("privacy", privacy_command, filters=private),
        CommandHandler("export", export_command, filters=private),
        CommandHandler("delete", delete_command, filters=private),
        CallbackQueryHandler(button, pattern=cd.pattern(PREFIX)),
    ]
