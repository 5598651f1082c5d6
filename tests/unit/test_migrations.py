"""Alembic builds the whole schema from nothing, matches the models, and tears it down.

Each check runs on SQLite and on PostgreSQL (the `postgresql` tests skip, loudly, without a
server; see tests/postgres.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text

from alembic import command
from bot.storage.database import alembic_config
from bot.storage.database import create_engine as create_async_engine
from bot.storage.models import Base
from tests.postgres import PostgresServer

TABLES = {
    "users",
    "training_sessions",
    "exercise_results",
    "exercise_progress",
    "pain_reports",
    "reminder_log",
}


def _sync_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.mark.sqlite
def test_upgrade_then_downgrade_on_empty_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    config = alembic_config(f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, "head")
    engine = create_engine(_sync_url(path))
    assert set(inspect(engine).get_table_names()) >= TABLES

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == [], "models and migrations disagree; write a migration"

    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()


@pytest.mark.sqlite
def test_bot_database_runs_in_wal_mode(tmp_path: Path) -> None:
    from bot.storage.database import migrate

    url = f"sqlite+aiosqlite:///{tmp_path / 'wal.sqlite3'}"

    async def pragmas() -> tuple[str, int, int]:
        await migrate(url)
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
            busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
            fks = (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
        await engine.dispose()
        return mode, busy, fks

    assert asyncio.run(pragmas()) == ("wal", 5000, 1)


@pytest.mark.sqlite
def test_0002_schedules_reminders_set_before_it(tmp_path: Path) -> None:
    """People who finished onboarding under 0001 get a next reminder when 0002 runs."""
    path = tmp_path / "old.sqlite3"
    config = alembic_config(f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, "0001")
    engine = create_engine(_sync_url(path))
    insert = text(
        "INSERT INTO users (id, chat_id, created_at, onboarding_step, disclaimer_shown, "
        "timezone, reminder_time, level, active) VALUES "
        "(:id, :id, '2026-11-01 08:00:00', :step, 1, 'Asia/Tokyo', '07:30:00', 1, :active)"
    )
    with engine.begin() as connection:
        connection.execute(insert, {"id": 1, "step": "done", "active": True})
        connection.execute(insert, {"id": 2, "step": "done", "active": False})
        connection.execute(insert, {"id": 3, "step": "pain", "active": True})
    command.upgrade(config, "0004")
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT id, next_reminder_at FROM users")).all())
    engine.dispose()
    # 07:30 in Tokyo is 22:30 UTC the day before.
    assert rows[1] is not None and str(rows[1]).endswith("22:30:00.000000")
    assert rows[2] is None and rows[3] is None


def test_0005_asks_people_set_up_without_consent_again(tmp_path: Path) -> None:
    """Set up with no consent on record: back at the consent step, no reminder, no session."""
    path = tmp_path / "old.sqlite3"
    config = alembic_config(f"sqlite+aiosqlite:///{path}")
    command.upgrade(config, "0004")
    engine = create_engine(_sync_url(path))
    insert = text(
        "INSERT INTO users (id, chat_id, created_at, onboarding_step, disclaimer_shown, "
        "timezone, reminder_time, level, active, next_reminder_at, consented_at, blocked, "
        "worse_mornings, check_due) VALUES (:id, :id, '2026-11-01 08:00:00', :step, 1, "
        "'Asia/Tokyo', '07:30:00', 1, 1, '2026-11-02 22:30:00', :consented, 0, 0, 0)"
    )
    session = text(
        "INSERT INTO training_sessions (id, user_id, started_at, status, routine, position, "
        "side, phase) VALUES (:id, :id, '2026-11-01 09:00:00', 'active', 'cat:15', 0, 0, 'card')"
    )
    with engine.begin() as connection:
        connection.execute(insert, {"id": 1, "step": "done", "consented": None})
        connection.execute(insert, {"id": 2, "step": "done", "consented": "2026-11-01 08:05:00"})
        connection.execute(insert, {"id": 3, "step": "red_flags", "consented": None})
        connection.execute(session, {"id": 1})
        connection.execute(session, {"id": 2})
    command.upgrade(config, "head")
    with engine.connect() as connection:
        users = {
            row[0]: tuple(row[1:])
            for row in connection.execute(
                text("SELECT id, onboarding_step, next_reminder_at FROM users")
            ).all()
        }
        sessions = dict(connection.execute(text("SELECT id, status FROM training_sessions")).all())
    engine.dispose()
    assert users[1] == ("consent", None)
    assert users[2][0] == "done" and users[2][1] is not None
    assert users[3] == ("red_flags", "2026-11-02 22:30:00")
    assert sessions == {1: "stopped", 2: "active"}


# --- PostgreSQL: the same checks on a fresh, empty database (asyncpg; env.py is async) ---


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A brand-new database with nothing in it, dropped afterwards."""
    with postgres_server.database() as url:
        yield url


def _on_postgres(url: str, work: Any) -> Any:
    """Run `work(sync_connection)` in a transaction through the bot's async engine."""

    async def run() -> Any:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


@pytest.mark.postgresql
def test_upgrade_then_downgrade_on_empty_postgresql(postgres_url: str) -> None:
    config = alembic_config(postgres_url)
    command.upgrade(config, "head")
    assert _on_postgres(postgres_url, _tables) >= TABLES

    differences = _on_postgres(
        postgres_url,
        lambda connection: compare_metadata(MigrationContext.configure(connection), Base.metadata),
    )
    assert differences == [], "models and migrations disagree; write a migration"

    command.downgrade(config, "base")
    assert _on_postgres(postgres_url, _tables) == {"alembic_version"}


@pytest.mark.postgresql
def test_0002_schedules_reminders_set_before_it_on_postgresql(postgres_url: str) -> None:
    """As on SQLite: the 0002 backfill gives people who finished onboarding a next reminder."""
    config = alembic_config(postgres_url)
    command.upgrade(config, "0001")
    insert = text(
        "INSERT INTO users (id, chat_id, created_at, onboarding_step, disclaimer_shown, "
        "timezone, reminder_time, level, active) VALUES "
        "(:id, :id, :created, :step, true, 'Asia/Tokyo', :at, 1, :active)"
    )
    created = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    people = [(1, "done", True), (2, "done", False), (3, "pain", True)]

    def seed(connection: Connection) -> None:
        for user_id, step, active in people:
            values = {"created": created, "at": time(7, 30), "step": step, "active": active}
            connection.execute(insert, {"id": user_id, **values})

    _on_postgres(postgres_url, seed)
    command.upgrade(config, "0004")
    rows = _on_postgres(
        postgres_url,
        lambda connection: dict(
            connection.execute(text("SELECT id, next_reminder_at FROM users")).all()
        ),
    )
    # 07:30 in Tokyo is 22:30 UTC the day before.
    assert rows[1] is not None and rows[1].astimezone(UTC).time() == time(22, 30)
    assert rows[2] is None and rows[3] is None
