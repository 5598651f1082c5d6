"""A fresh database per benchmark, migrated by the bot's own Alembic, seeded in bulk.

SQLite (the default) is a file in a temporary directory. With `--database-url` pointing at a
PostgreSQL server, each benchmark creates its own database there and drops it afterwards.
Seeding goes straight into the models' tables with SQLAlchemy core `insert` in large batches:
a hundred thousand users take seconds, not the minutes one `update_user` each would.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import make_url

from bot.config import load_settings
from bot.domain.reminders import fanout_order
from bot.domain.schedule import reminder_day
from bot.storage.database import create_engine, migrate
from bot.storage.models import ReminderLog, TrainingSession, User

# People are spread over zones with whole-hour and half-hour offsets; each one's local
# reminder time is chosen so that everyone is due at the same UTC instant.
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC", "Australia/Sydney")
BATCH = 5_000


def async_url(url: str) -> str:
    """The URL as the bot would use it (postgresql:// -> postgresql+asyncpg://, ...)."""
    return load_settings(env_file=None, database_url=url).database_url


def backend_name(url: str | None) -> str:
    return "SQLite" if url is None or url.startswith("sqlite") else "PostgreSQL"


@asynccontextmanager
async def fresh_database(server_url: str | None) -> AsyncIterator[str]:
    """A new, migrated, empty database; yields its URL (async driver form)."""
    if server_url is None or server_url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="backcoach-bench-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
            await migrate(url)
            yield url
        return
    async with _postgres_database(server_url) as url:
        await migrate(url)
        yield url


@asynccontextmanager
async def _postgres_database(server_url: str) -> AsyncIterator[str]:
    import asyncpg

    admin = make_url(async_url(server_url)).set(drivername="postgresql")
    name = f"backcoach_bench_{uuid.uuid4().hex[:10]}"
    dsn = admin.render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield (
            make_url(async_url(server_url)).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        connection = await asyncpg.connect(dsn)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


def minute_floor(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def user_rows(ids: Iterable[int], *, due: datetime, now: datetime) -> Iterator[dict[str, Any]]:
    """Onboarded people, all due at `due` (a whole minute), spread over ZONES.

    Each row is what the bot itself would have stored after onboarding: local reminder time
    and zone set, and `next_reminder_at` the instant those give.
    """
    for index, user_id in enumerate(ids):
        zone = ZONES[index % len(ZONES)]
        yield {
            "id": user_id,
            "chat_id": user_id,
            "created_at": now - timedelta(days=30),
            "onboarding_step": "done",
            "disclaimer_shown": True,
            "red_flag_hold": None,
            "starting_pain": 2,
            "timezone": zone,
            "reminder_time": due.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None),
            "level": 1,
            "active": True,
            "blocked": False,
            "next_reminder_at": due,
            # Its place in that day's fan-out, as the claim before it would have stored.
            "reminder_order": fanout_order(user_id, reminder_day(due, zone)),
            "snooze_until": None,
            "check_due": False,
            "worse_mornings": 0,
            "steady_on": None,
            "report_step": None,
            "report_pain": None,
        }


def reminder_rows(ids: Iterable[int], *, day: date, sent_at: datetime) -> Iterator[dict[str, Any]]:
    """One sent reminder per person for `day` (history, as a running bot leaves it)."""
    for user_id in ids:
        yield {
            "user_id": user_id,
            "local_date": day,
            "due_at": sent_at,
            "status": "sent",
            "claimed_at": sent_at,
            "sent_at": sent_at,
            "snoozes": 0,
        }


async def insert_rows(url: str, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Bulk insert in batches of BATCH rows; returns how many."""
    engine = create_engine(url)
    count = 0
    try:
        iterator = iter(rows)
        async with engine.begin() as connection:
            while batch := list(islice(iterator, BATCH)):
                await connection.execute(insert(table), batch)
                count += len(batch)
    finally:
        await engine.dispose()
    return count


async def seed_users(url: str, ids: Sequence[int], *, due: datetime | None = None) -> None:
    """Onboarded people; due at `due`, or (None) tomorrow at this minute, so not due now."""
    now = datetime.now(UTC)
    when = due if due is not None else minute_floor(now) + timedelta(days=1)
    await insert_rows(url, User.__table__, user_rows(ids, due=when, now=now))


async def seed_reminder_history(url: str, ids: Sequence[int]) -> None:
    yesterday = datetime.now(UTC) - timedelta(days=1)
    rows = reminder_rows(ids, day=yesterday.date(), sent_at=yesterday)
    await insert_rows(url, ReminderLog.__table__, rows)


async def seed_sessions(url: str, ids: Sequence[int], routine: str) -> dict[int, int]:
    """An active guided session at its first card for each person; user id -> session id."""
    now = datetime.now(UTC)
    rows = (
        {
            "user_id": user_id,
            "started_at": now,
            "finished_at": None,
            "local_date": None,
            "status": "active",
            "routine": routine,
            "position": 0,
            "side": 0,
            "phase": "card",
            "kind": "guided",
        }
        for user_id in ids
    )
    await insert_rows(url, TrainingSession.__table__, rows)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                select(TrainingSession.user_id, TrainingSession.id).where(
                    TrainingSession.status == "active"
                )
            )
            return {user_id: session_id for user_id, session_id in result}
    finally:
        await engine.dispose()
