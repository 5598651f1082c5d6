"""Exercise figures in chat: drawn once off the loop, then sent again by Telegram's file_id."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers.common import Services, services
from bot.media.figures import figure_key, is_animated, render_gif, render_png

logger = logging.getLogger(__name__)

# Telegram's limit for a media caption, in characters after entities are parsed.
CAPTION_LIMIT = 1024
# Rendered figures kept in memory: twelve exercises, two kinds, a few hundred kB in all.
_bytes: dict[str, bytes] = {}


def _caption(svc: Services, exercise_id: str) -> str:
    return texts.FIGURE_CAPTION.format(name=svc.catalog.get(exercise_id).name)


async def figure_png(svc: Services, exercise_id: str) -> bytes | None:
    """The exercise's still figure as PNG bytes (for documents), or None when it has none."""
    pose = svc.poses.get(exercise_id)
    if pose is None:
        return None
    caption = _caption(svc, exercise_id)
    key = figure_key(exercise_id, pose, "png", caption=caption)
    if key not in _bytes:
        _bytes[key] = await svc.renderer.run(render_png, pose, caption)
    return _bytes[key]


async def send_card(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    exercise_id: str,
    card_html: str,
    plain_length: int,
    keyboard: InlineKeyboardMarkup,
) -> Message:
    """The exercise card with its figure: an animation where it moves, else a photo.

    The card rides as the caption when it fits; otherwise the figure comes first and the card
    follows as text. Any trouble with the picture falls back to the plain card: the session
    never stalls on a drawing.
    """
    svc = services(context)
    pose = svc.poses.get(exercise_id)
    fits = plain_length <= CAPTION_LIMIT
    if pose is not None:
        try:
            message = await _send_figure(
                context,
                chat_id,
                exercise_id,
                caption=card_html if fits else None,
                keyboard=keyboard if fits else None,
            )
            if fits:
                return message
        except BadRequest as exc:
            logger.warning("figure not sent: %s", type(exc).__name__)
    return await context.bot.send_message(
        chat_id, card_html, parse_mode=ParseMode.HTML, reply_markup=keyboard
    )


async def _send_figure(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    exercise_id: str,
    *,
    caption: str | None,
    keyboard: InlineKeyboardMarkup | None,
) -> Message:
    svc = services(context)
    pose = svc.poses[exercise_id]
    animated = is_animated(pose)
    name = _caption(svc, exercise_id)
    key = figure_key(exercise_id, pose, "gif" if animated else "png", caption=name)
    send = context.bot.send_animation if animated else context.bot.send_photo
    extra = {"caption": caption, "parse_mode": ParseMode.HTML, "reply_markup": keyboard}
    file_id = await svc.repository.cached_file_id(key)
    if file_id is not None:
        try:
            return await send(chat_id, file_id, **extra)
        except BadRequest:
            # Telegram forgot the file (or it came from another bot): upload it again.
            await svc.repository.forget_file_id(key)
    # A first upload (and maybe a drawing) takes a moment: say so in the chat.
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
    if key not in _bytes:
        render = render_gif if animated else render_png
        _bytes[key] = await svc.renderer.run(render, pose, name)
    filename = f"{exercise_id}.{'gif' if animated else 'png'}"
    message = await send(chat_id, _bytes[key], filename=filename, **extra)
    sent = message.animation if animated else (message.photo[-1] if message.photo else None)
    if sent is not None:
        await svc.repository.remember_file_id(key, sent.file_id, svc.clock.now())
    return message
