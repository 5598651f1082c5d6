"""What every handler shares: the services it reaches, and keyboard builders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ContextTypes

from bot.clock import Clock
from bot.config import Settings
from bot.storage.repository import Repository
from catalog.model import Catalog

SERVICES_KEY = "services"


@dataclass(frozen=True, slots=True)
class Services:
    """The composition root's objects, reachable from any handler."""

    settings: Settings
    repository: Repository
    clock: Clock
    catalog: Catalog


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The services the composition root put in bot_data."""
    return context.bot_data[SERVICES_KEY]


def inline_keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )
