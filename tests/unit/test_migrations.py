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

TABLES = {"users", "training_sessions", "exercise_results", "exercise_progress", "pain_reports"}


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
