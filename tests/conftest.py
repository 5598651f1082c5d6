"""Shared fixtures: a fresh database, an injected clock, the emulator, and the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.emulator.server import BotApiEmulator
from bot.storage.database import create_engine, migrate
from bot.storage.repository import Repository

# A Friday morning in late November 2026, far from any DST change.
START = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
# How often the bot looks for due reminders in tests, in real seconds.
TICK_SECONDS = 0.05


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def repository(database_url: str) -> AsyncIterator[Repository]:
    await migrate(database_url)
    repo = Repository(create_engine(database_url))
    yield repo
    await repo.close()


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emu:
        yield emu


@pytest.fixture
def settings(emulator: BotApiEmulator, database_url: str) -> Settings:
    return load_settings(
        env_file=None,
        telegram_bot_token=emulator.token,
        telegram_api_base_url=emulator.base_url,
        database_url=database_url,
        hold_time_scale=0.02,
        # Reminders are checked every 50 ms of real time; the clock says what is due.
        reminder_tick_seconds=TICK_SECONDS,
    )


@pytest.fixture
async def bot(settings: Settings, clock: FakeClock) -> AsyncIterator[object]:
    """The real Application, long-polling the emulator over loopback HTTP."""
    application = build_application(settings, clock=clock)
    async with running(application, poll_timeout=1):
        yield application
