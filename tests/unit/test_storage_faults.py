"""Storage faults told truthfully (issue 13, point 8): which errors are the database's, what the
person is told for each, the pool settings, and the write-health the health check reports."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import exc as sa_exc
from telegram import Chat, Message, Update

from bot import texts
from bot.config import SettingsError, load_settings
from bot.handlers.general import on_error
from bot.storage.database import StorageFault, create_engine, storage_fault
from bot.storage.repository import Repository

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def _operational() -> sa_exc.OperationalError:
    return sa_exc.OperationalError("COMMIT", None, sqlite3.OperationalError("disk is full"))


def test_database_errors_are_told_apart_from_other_errors() -> None:
    assert storage_fault(_operational()) is StorageFault.UNAVAILABLE
    assert storage_fault(sa_exc.TimeoutError("QueuePool limit reached")) is StorageFault.BUSY
    assert storage_fault(sa_exc.InterfaceError("x", None, Exception())) is StorageFault.UNAVAILABLE
    # A constraint or a bug in our SQL is ours, not the database's being unavailable.
    assert storage_fault(sa_exc.IntegrityError("x", None, Exception())) is None
    assert storage_fault(sa_exc.ProgrammingError("x", None, Exception())) is None
    assert storage_fault(ValueError("no")) is None
    assert storage_fault(None) is None
    # A refused connection comes out of asyncpg unwrapped; only the driver's counts.
    assert storage_fault(ConnectionRefusedError()) is None


async def test_a_refused_connection_from_the_driver_is_a_storage_fault() -> None:
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(OSError) as raised:
            async with engine.connect():
                pass
        assert storage_fault(raised.value) is StorageFault.UNAVAILABLE
    finally:
        await engine.dispose()


class _Bot:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, **_: Any) -> None:
        self.sent.append((chat_id, text))


def _private_update() -> Update:
    chat = Chat(id=42, type="private")
    return Update(update_id=1, message=Message(message_id=1, date=NOW, chat=chat, text="done"))


async def _told(error: Exception) -> str:
    bot = _Bot()
    await on_error(_private_update(), SimpleNamespace(error=error, bot=bot))  # type: ignore[arg-type]
    assert [chat for chat, _ in bot.sent] == [42]
    return bot.sent[0][1]


async def test_a_failed_write_is_told_it_was_not_saved() -> None:
    told = await _told(_operational())
    assert told == texts.NOT_SAVED_TRY_LATER
    assert "isn't recorded" in told and "try again in a few minutes" in told
    assert "saved." not in told


async def test_an_exhausted_pool_is_told_busy() -> None:
    told = await _told(sa_exc.TimeoutError("QueuePool limit of size 1 reached"))
    assert told == texts.BUSY_TRY_AGAIN
    assert "busy" in told and "in a minute" in told


async def test_any_other_error_claims_nothing_was_saved() -> None:
    told = await _told(RuntimeError("bug"))
    assert told == texts.SOMETHING_WENT_WRONG
    assert "saved" not in told
    assert told.startswith("Sorry, something went wrong on my side.")


async def test_the_log_names_the_kind_of_failure_and_never_the_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("ERROR"):
        await _told(_operational())
    assert "database" in caplog.text
    assert "done" not in caplog.messages[0]


def test_pool_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = load_settings(env_file=None)
    assert defaults.database_pool_size == 10
    assert defaults.database_pool_timeout == 10
    monkeypatch.setenv("DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("DATABASE_POOL_TIMEOUT", "2.5")
    settings = load_settings(env_file=None)
    assert (settings.database_pool_size, settings.database_pool_timeout) == (3, 2.5)
    monkeypatch.setenv("DATABASE_POOL_SIZE", "0")
    with pytest.raises(SettingsError, match="DATABASE_POOL_SIZE"):
        load_settings(env_file=None)


async def test_the_pool_size_is_the_most_connections_at_once() -> None:
    engine = create_engine(
        "postgresql+asyncpg://nobody@127.0.0.1:1/none", pool_size=3, pool_timeout=1.5
    )
    try:
        pool: Any = engine.pool
        assert pool.size() == 3
        assert pool._max_overflow == 0
        assert pool._timeout == 1.5
    finally:
        await engine.dispose()


# Write health, on both backends ----------------------------------------------------------


async def test_write_health_follows_the_last_write(repository: Repository) -> None:
    assert not repository.writes_failing
    await repository.check_health()

    async def broken_writing(session: Any) -> None:
        raise _operational()

    with pytest.raises(sa_exc.OperationalError):
        async with repository._writing() as session:
            await broken_writing(session)
    assert repository.writes_failing
    # A constraint error is not the database failing.
    with pytest.raises(sa_exc.IntegrityError):
        async with repository._writing():
            raise sa_exc.IntegrityError("x", None, Exception())
    assert repository.writes_failing
    # While writes fail, the health check writes for real; that working clears it.
    await repository.check_health()
    assert not repository.writes_failing
    with pytest.raises(sa_exc.OperationalError):
        async with repository._writing():
            raise _operational()
    # A write that went through may have needed no new space: only the probe clears it.
    await repository.remember_file_id("figure:test", "file-1", NOW)
    assert repository.writes_failing
    await repository.check_health()
    assert not repository.writes_failing


async def test_the_health_check_has_its_own_connection_and_a_short_timeout(
    database_url: str,
) -> None:
    repository = Repository(create_engine(database_url, pool_size=1, pool_timeout=0.5))
    try:
        await repository.ping()
        # Every pooled connection busy (on SQLite, too: the pool is its own for the check).
        async with repository.engine.connect() as held:
            await held.exec_driver_sql("SELECT 1")
            if repository.engine.dialect.name == "postgresql":
                with pytest.raises(sa_exc.TimeoutError):
                    await repository.ping()
            started = asyncio.get_running_loop().time()
            await repository.check_health(timeout=2.0)
            assert asyncio.get_running_loop().time() - started < 2.0
    finally:
        await repository.close()


async def test_a_write_failing_anywhere_on_the_engine_marks_writes_failing(
    repository: Repository,
) -> None:
    """Writes that bypass the repository (the update inbox's) count too."""
    read_only = (
        "PRAGMA query_only = 1"
        if repository.engine.dialect.name == "sqlite"
        else "SET TRANSACTION READ ONLY"
    )
    with pytest.raises(sa_exc.DBAPIError):
        async with repository.engine.begin() as connection:
            await connection.exec_driver_sql(read_only)
            await connection.exec_driver_sql(
                "INSERT INTO media_cache (key, file_id, created_at) "
                "VALUES ('k', 'f', '2026-01-01 00:00:00+00:00')"
            )
    assert repository.writes_failing
    if repository.engine.dialect.name == "sqlite":
        async with repository.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA query_only = 0")
    await repository.check_health()
    assert not repository.writes_failing
