"""What every handler shares: the services it reaches, keyboard builders, pressed answers."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
)
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot import texts
from bot.clock import Clock
from bot.config import Settings
from bot.domain.gates import plan_today
from bot.domain.progression import Change, ExerciseProgress
from bot.domain.routine import RoutineItem
from bot.domain.streaks import local_day
from bot.domain.timezones import zone
from bot.handlers import callback_data as cd
from bot.media.renderer import Renderer
from bot.storage.models import User
from bot.storage.repository import Repository
from bot.transport import inline_keyboard_json, post_prebuilt, prebuilt_message
from catalog.model import Catalog
from catalog.poses import Pose

logger = logging.getLogger(__name__)

SERVICES_KEY = "services"

# The largest row id the database holds (PostgreSQL's INTEGER); an id from callback data
# beyond 1..ROW_ID_MAX names no row and must not reach a query, which would raise.
ROW_ID_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Services:
    """The composition root's objects, reachable from any handler."""

    settings: Settings
    repository: Repository
    clock: Clock
    catalog: Catalog
    renderer: Renderer
    # Each exercise's drawn pose, by exercise id.
    poses: Mapping[str, Pose]


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services the composition root put in bot_data."""
    return context.bot_data[SERVICES_KEY]


Rows = Sequence[Sequence[tuple[str, str]]]


async def say(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str, rows: Rows | None = None
) -> None:
    """Send `text`, with an inline keyboard of `rows`, where nothing reads Telegram's answer.

    Built as JSON and posted as it is (bot.transport.post_prebuilt, through the same request
    object, rate limiter and send journal as `bot.send_message`, raising what it raises):
    no keyboard objects built and serialised, and the answer not parsed back into a
    Message, which was a third of a typed message's CPU (bench B1). A handler that needs
    the sent message (its id, to edit it later) uses `bot.send_message`.
    """
    markup = inline_keyboard_json(rows) if rows else None
    await post_prebuilt(
        context.bot, "sendMessage", prebuilt_message(chat_id, text, markup), chat_id
    )


def inline_keyboard(rows: Rows) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def held_keyboard() -> InlineKeyboardMarkup:
    """The one way out of an urgent hold: the person says a doctor has checked them."""
    data = cd.pack(cd.SESSION, cd.CLEARED, cd.URGENT_CLEARED)
    return inline_keyboard([[(texts.CHECKED_BY_DOCTOR, data)]])


def lighter_day_keyboard(*, doctor_ok: bool) -> InlineKeyboardMarkup:
    """Gentle stretches or rest; after a see-a-doctor sign, first "a doctor says I can"."""
    rows = [
        [(texts.GENTLE_DAY, cd.pack(cd.SESSION, cd.GENTLE))],
        [(texts.REST_TODAY, cd.pack(cd.SESSION, cd.REST))],
    ]
    if doctor_ok:
        rows.insert(0, [(texts.DOCTOR_SAYS_OK, cd.pack(cd.SESSION, cd.CLEARED, cd.DOCTOR_OK))])
    return inline_keyboard(rows)


def is_row_id(value: int) -> bool:
    """Whether an id from callback data can name a row at all."""
    return 0 < value <= ROW_ID_MAX


def pressed_label(message: MaybeInaccessibleMessage | None, data: str | None) -> str:
    """The label of the inline button with this callback data, to echo the answer."""
    markup = message.reply_markup if isinstance(message, Message) else None
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return ""


async def show_choice(query: CallbackQuery) -> bool:
    """Edit the pressed question to show the answer given, dropping its buttons.

    Left alone when there is nothing to edit: a photo or animation card, a message too old
    for Telegram to include (no text), or data no button of it carries (no label). Returns
    False only when Telegram says the question already shows this very answer: a second
    tap of the same button, which the handler should then ignore.
    """
    message = query.message
    if not isinstance(message, Message) or not message.is_accessible or not message.text:
        return True
    label = pressed_label(message, query.data)
    if not label:
        return True
    try:
        await message.edit_text(texts.chose(message.text, label), reply_markup=None)
    except BadRequest as error:
        reason = str(error).lower()
        if "not modified" in reason:
            logger.debug("answer already shown: a second tap")
            return False
        if "no text" in reason:
            logger.debug("answer not shown: the message has no text")
            return True
        raise
    return True


def today(svc: Services, user: User) -> date:
    """The person's local day now."""
    return local_day(svc.clock.now(), user.timezone or "UTC")


def local_midnight(svc: Services, zone_name: str | None) -> datetime:
    """The start of the person's local day now: pain reported after it counts as today's."""
    tz = zone(zone_name or "UTC")
    return datetime.combine(svc.clock.now().astimezone(tz).date(), time(), tzinfo=tz)


def routine_for(
    svc: Services,
    level: int,
    progress: Mapping[str, ExerciseProgress],
    painful: Collection[str | None],
    hurt: Collection[str] = (),
    *,
    gentle: bool = False,
) -> tuple[RoutineItem, ...]:
    """Today's routine under today's safety rules (see `plan_today`)."""
    return plan_today(svc.catalog, level, progress, too_painful=painful, hurt=hurt, gentle=gentle)


async def todays_routine(
    svc: Services, user: User, *, gentle: bool = False
) -> tuple[RoutineItem, ...]:
    """Today's routine for one person, read from the database.

    A day the back felt worse than the day before (`steady_on`) is always a gentle day.
    """
    since = local_midnight(svc, user.timezone)
    pain = await svc.repository.pain_since(user.id, since)
    painful = {e for e, score in pain if score > 5}
    hurt = {e for e, _ in pain if e is not None}
    progress = await svc.repository.load_progress(user.id)
    gentle = gentle or user.steady_on == today(svc, user)
    return routine_for(svc, user.level, progress, painful, hurt, gentle=gentle)


def change_line(svc: Services, change: Change) -> str:
    """One line on what an answer did to an exercise's hold."""
    exercise = svc.catalog.get(change.exercise_id)
    easier = change.offer_instead
    return texts.change_line(
        change,
        exercise.name,
        easier=svc.catalog.get(easier).name if easier and easier in svc.catalog else None,
    )


async def upcoming_reminder(svc: Services, user: User) -> str | None:
    """When the next reminder will really come, in the person's words; None when none will.

    A reminder due later today is not sent once today's session is done, so the one after
    it is the next the person will see.
    """
    due = await svc.repository.next_reminder(user)
    if due is None:
        return None
    zone_name = user.timezone or "UTC"
    return texts.local_when(due, zone(zone_name), svc.clock.now())
