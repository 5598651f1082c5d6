"""Alembic builds the whole schema from nothing, matches the models, and tears it down."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from alembic import command
from bot.storage.database import alembic_config
from bot.storage.models import Base

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


def test_bot_database_runs_in_wal_mode(tmp_path: Path) -> None:
    from bot.storage.database import create_engine as create_async_engine
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
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = dict(connection.execute(text("SELECT id, next_reminder_at FROM users")).all())
    engine.dispose()
    # 07:30 in Tokyo is 22:30 UTC the day before.
    assert rows[1] is not None and str(rows[1]).endswith("22:30:00.000000")
    assert rows[2] is None and rows[3] is None
