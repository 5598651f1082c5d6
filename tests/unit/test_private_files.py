"""The SQLite database holds health data: its file, -wal and -shm are the owner's alone (0600).

The process umask is set to the common 022 for these tests, so they show what the bot does
on a typical server rather than what the test runner's umask happens to be.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from alembic import command
from bot.storage.database import alembic_config, create_engine, migrate
from bot.storage.repository import Repository


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(database: Path) -> dict[str, int]:
    files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
    return {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}


async def test_a_fresh_database_and_its_wal_and_shm_are_private(tmp_path: Path) -> None:
    database = tmp_path / "fresh" / "backcoach.sqlite3"
    database.parent.mkdir()
    url = f"sqlite+aiosqlite:///{database}"
    await migrate(url)  # the bot's first touch: migrations create the file
    repository = Repository(create_engine(url))
    try:
        await repository.ensure_user(42, 42, datetime(2026, 11, 27, 8, tzinfo=UTC))
        # While a connection is open, WAL mode keeps the -wal and -shm files beside the database.
        async with repository.engine.connect() as connection:
            await connection.execute(text("SELECT count(*) FROM users"))
            assert _modes(database) == {
                "backcoach.sqlite3": 0o600,
                "backcoach.sqlite3-wal": 0o600,
                "backcoach.sqlite3-shm": 0o600,
            }
    finally:
        await repository.close()


async def test_an_engine_that_opens_a_new_file_first_makes_it_private(tmp_path: Path) -> None:
    database = tmp_path / "engine-first.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE notes (body TEXT)"))
            await connection.execute(text("INSERT INTO notes VALUES ('pain 7')"))
        async with engine.connect() as connection:
            await connection.execute(text("SELECT body FROM notes"))
            assert set(_modes(database).values()) == {0o600}
    finally:
        await engine.dispose()


def test_alembic_on_the_command_line_creates_a_private_file(tmp_path: Path) -> None:
    """`alembic upgrade head` (the Procfile's release line) goes through alembic/env.py."""
    database = tmp_path / "release.sqlite3"
    command.upgrade(alembic_config(f"sqlite+aiosqlite:///{database}"), "head")
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
