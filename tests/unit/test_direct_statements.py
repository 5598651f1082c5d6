"""The per-message statements run straight on the driver read and write what the ORM would."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import text

from bot.storage.database import StorageFault, create_engine, migrate, storage_fault
from bot.storage.direct import EngineRunner, PostgresRunner, SqliteRunner
from bot.storage.models import User
from bot.storage.repository import Repository

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


async def _orm_user(repository: Repository, user_id: int) -> User:
    async with repository._sessions() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


def _columns(user: User) -> dict[str, object]:
    return {column.key: getattr(user, column.key) for column in User.__table__.c}


async def test_the_driver_runs_the_hot_path_on_both_backends(repository: Repository) -> None:
    runner = repository.direct.runner
    expected = SqliteRunner if repository.engine.dialect.name == "sqlite" else PostgresRunner
    assert isinstance(runner, expected)


async def test_chat_state_reads_every_column_as_the_orm_does(repository: Repository) -> None:
    await repository.ensure_user(41, 4100, NOW, language="de")
    await repository.update_user(
        41,
        now=NOW,
        onboarding_step="done",
        timezone="Europe/Berlin",
        reminder_time=time(7, 30),
        consented_at=NOW - timedelta(days=2),
        starting_pain=6,
    )
    user, state = await repository.chat_state(41)
    assert user is not None and state is None
    assert _columns(user) == _columns(await _orm_user(repository, 41))
    # Instants come back aware, in UTC, through the column's own type.
    assert user.consented_at == NOW - timedelta(days=2)
    assert user.consented_at.tzinfo is not None

    started = await repository.start_session(41, [("cat", 0), ("glute_bridge", 30)], NOW)
    _, state = await repository.chat_state(41)
    assert state == started
    assert state is not None and state.routine == (("cat", 0), ("glute_bridge", 30))


async def test_an_unknown_person_has_no_state(repository: Repository) -> None:
    assert await repository.chat_state(404) == (None, None)
    assert await repository.language_of(404) == (False, None)


async def test_report_step_is_written_and_read_back(repository: Repository) -> None:
    await repository.ensure_user(42, 4200, NOW)
    await repository.set_report_step(42, "pain", 7)
    user, _ = await repository.chat_state(42)
    assert user is not None and (user.report_step, user.report_pain) == ("pain", 7)
    orm = await _orm_user(repository, 42)
    assert (orm.report_step, orm.report_pain) == ("pain", 7)
    await repository.set_report_step(42, None)
    assert (await _orm_user(repository, 42)).report_step is None
    assert await repository.language_of(42) == (True, None)


async def test_the_driver_sees_the_engines_committed_writes_at_once(
    repository: Repository,
) -> None:
    """Two connections, one database: nothing is cached on the direct side."""
    await repository.ensure_user(43, 4300, NOW)
    for step in ("a", "b", "c"):
        await repository.update_user(43, report_step=step)
        user, _ = await repository.chat_state(43)
        assert user is not None and user.report_step == step


async def test_a_failing_database_is_a_storage_fault(repository: Repository, tmp_path) -> None:
    """What the engine's errors say (unavailable), the driver's say too; writes marked failing."""
    await repository.ensure_user(44, 4400, NOW)
    await repository.chat_state(44)  # the direct connection is open
    runner = repository.direct.runner
    if isinstance(runner, SqliteRunner):
        # The database's directory is gone (a lost mount): the next connection cannot open.
        await runner.close()
        runner._path = str(tmp_path / "gone" / "test.sqlite3")
    else:
        assert isinstance(runner, PostgresRunner)
        runner._dsn = runner._dsn.rsplit("/", 1)[0] + "/no_such_database_here"
        await runner.close()
    with pytest.raises(Exception) as raised:
        await repository.set_report_step(44, "pain", 5)
    assert storage_fault(raised.value) is StorageFault.UNAVAILABLE
    assert repository.writes_failing


@pytest.mark.postgresql
async def test_a_busy_pool_is_busy_not_down(postgres_server, postgres_template) -> None:
    with postgres_server.database(template=postgres_template) as url:
        repository = Repository(create_engine(url, pool_size=2, pool_timeout=0.2))
        try:
            await repository.ensure_user(45, 4500, NOW)
            runner = repository.direct.runner
            assert isinstance(runner, PostgresRunner)
            pool = await runner._get_pool()
            held = [await pool.acquire() for _ in range(runner._max_size)]
            try:
                with pytest.raises(Exception) as raised:
                    await repository.chat_state(45)
                assert storage_fault(raised.value) is StorageFault.BUSY
            finally:
                for connection in held:
                    await pool.release(connection)
            user, _ = await repository.chat_state(45)
            assert user is not None and user.id == 45
        finally:
            await repository.close()


@pytest.mark.postgresql
async def test_a_dropped_connection_is_replaced_without_a_failure(
    postgres_server, postgres_template
) -> None:
    """A server restart drops pooled connections; the next statement runs on a new one."""
    with postgres_server.database(template=postgres_template) as url:
        repository = Repository(create_engine(url))
        try:
            await repository.ensure_user(46, 4600, NOW)
            await repository.chat_state(46)
            async with repository.engine.connect() as connection:
                await connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            await asyncio.sleep(0.1)
            await repository.set_report_step(46, "pain", 3)
            user, _ = await repository.chat_state(46)
            assert user is not None and user.report_pain == 3
        finally:
            await repository.close()


async def test_an_in_memory_database_runs_through_the_engine() -> None:
    engine = create_engine("sqlite+aiosqlite:///:memory:")
    repository = Repository(engine)
    try:
        assert isinstance(repository.direct.runner, EngineRunner)
    finally:
        await repository.close()


async def test_a_closed_sqlite_connection_is_opened_again(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
    await migrate(url)
    repository = Repository(create_engine(url))
    try:
        runner = repository.direct.runner
        assert isinstance(runner, SqliteRunner)
        await repository.ensure_user(47, 4700, NOW)
        await (await runner._connect()).close()
        user, _ = await repository.chat_state(47)
        assert user is not None and user.id == 47
    finally:
        await repository.close()
