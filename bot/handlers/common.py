"""What every handler shares: the services it reaches, and keyboard builders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ContextTypes

from bot import texts
from bot.clock import Clock
from bot.config import Settings
from bot.domain.progression import Change
from bot.domain.routine import RoutineItem, build_routine
from bot.domain.schedule import next_reminder_at, reminder_day
from bot.domain.streaks import local_day
from bot.domain.timezones import zone
from bot.media.renderer import Renderer
from bot.storage.models import User
from bot.storage.repository import Repository
from catalog.model import Catalog
from catalog.poses import Pose

SERVICES_KEY = "services"


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


def inline_keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def today(svc: Services, user: User) -> date:
    """The person's local day now."""
    return local_day(svc.clock.now(), user.timezone or "UTC")


async def todays_routine(svc: Services, user: User) -> tuple[RoutineItem, ...]:
    """Today's routine: unlocked exercises, minus those that hurt (above 5) earlier today."""
    tz = zone(user.timezone or "UTC")
    now = svc.clock.now()
    midnight = datetime.combine(now.astimezone(tz).date(), time(), tzinfo=tz)
    painful = {e for e, _ in await svc.repository.painful_since(user.id, midnight)}
    if None in painful:
        # Pain above 5 that could not be pinned on one exercise rests the whole routine.
        painful = {exercise.id for exercise in svc.catalog.exercises}
    resting = frozenset(e for e in painful if e is not None)
    progress = await svc.repository.load_progress(user.id)
    return build_routine(svc.catalog, user.level, progress, resting_today=resting)


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
    due = user.next_reminder_at
    if due is None or user.reminder_time is None:
        return None
    zone_name = user.timezone or "UTC"
    if await svc.repository.finished_on(user.id, reminder_day(due, zone_name)):
        due = next_reminder_at(user.reminder_time, zone_name, due)
    return texts.local_when(due, zone(zone_name), svc.clock.now())
