"""The statements behind every typed message, run straight on the database driver.

SQLAlchemy's async engine costs 1-1.5 ms of CPU per statement on top of the database's own
work (greenlet switches, a pool checkout and its reset, and with aiosqlite a thread hop for
each cursor call: open, execute, fetch, close, rollback); SQLite runs a typed message's two
statements in 0.07 ms. Here a statement built once with Core is compiled once per dialect and
run in one driver call: on SQLite one `execute_fetchall` on a connection of its own, in
autocommit (writers still queue on the repository's write lock first); on PostgreSQL a query
on an asyncpg pool of its own. Values pass through the columns' own SQLAlchemy types both ways
(`UTCDateTime` included), and driver errors are raised as SQLAlchemy's, so `storage_fault` and
everything above read them as they read the engine's. Only short idempotent statements belong
here: one that lost its connection is tried once more on a fresh one.

Anything else (an in-memory or URI SQLite database, another driver) runs through the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aiosqlite
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable

from bot.storage.database import SQLITE_PRAGMAS, is_sqlite_file

Row = tuple[Any, ...]
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class Compiled:
    """One statement as its driver takes it: SQL, parameter order and value conversions."""

    statement: Executable
    sql: str
    names: tuple[str, ...]
    # Values fixed when the statement was built (a status literal, a LIMIT).
    fixed: Mapping[str, Any]
    binds: Mapping[str, Callable[[Any], Any]]
    results: tuple[Processor, ...]

    def arguments(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        values = []
        for name in self.names:
            value = params[name] if name in params else self.fixed[name]
            convert = self.binds.get(name)
            values.append(convert(value) if convert is not None and value is not None else value)
        return tuple(values)

    def row(self, raw: Sequence[Any]) -> Row:
        return tuple(
            convert(value) if convert is not None else value
            for convert, value in zip(self.results, raw, strict=True)
        )


def compile_for(statement: Executable, dialect: Dialect) -> Compiled:
    """`statement` compiled for `dialect`, with the processors its column types define."""
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    binds = {}
    for name in names:
        bind = compiled.binds[name]
        convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if convert is not None:
            binds[name] = convert
    results: tuple[Processor, ...] = ()
    # A SELECT's columns, or what an INSERT/UPDATE ... RETURNING returns.
    selected = getattr(statement, "selected_columns", None)
    if selected is None:
        selected = getattr(statement, "exported_columns", None)
    if selected is not None:
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in selected
        )
    fixed = {name: compiled.binds[name].value for name in names}
    return Compiled(statement, str(compiled), names, fixed, binds, results)


class Runner(Protocol):
    """Runs compiled statements; rows come back converted by the columns' types."""

    dialect: Dialect

    async def fetch(self, compiled: Compiled, params: Mapping[str, Any]) -> list[Row]: ...

    async def execute(self, compiled: Compiled, params: Mapping[str, Any]) -> None: ...

    async def close(self) -> None: ...


class Statements:
    """Core statements compiled once for this engine's dialect, run by the fastest runner."""

    def __init__(self, engine: AsyncEngine, *, pool_size: int, pool_timeout: float) -> None:
        self.runner: Runner = runner_for(engine, pool_size=pool_size, pool_timeout=pool_timeout)
        self._compiled: dict[int, Compiled] = {}

    @classmethod
    def through_engine(cls, engine: AsyncEngine) -> Statements:
        """The same statements on the engine's own connections (no connection of their own)."""
        statements = cls.__new__(cls)
        statements.runner = EngineRunner(engine)
        statements._compiled = {}
        return statements

    def _compile(self, statement: Executable) -> Compiled:
        compiled = self._compiled.get(id(statement))
        if compiled is None or compiled.statement is not statement:
            compiled = compile_for(statement, self.runner.dialect)
            self._compiled[id(statement)] = compiled
        return compiled

    async def fetch(self, statement: Executable, params: Mapping[str, Any]) -> list[Row]:
        return await self.runner.fetch(self._compile(statement), params)

    async def execute(self, statement: Executable, params: Mapping[str, Any]) -> None:
        await self.runner.execute(self._compile(statement), params)

    async def close(self) -> None:
        await self.runner.close()


def runner_for(engine: AsyncEngine, *, pool_size: int, pool_timeout: float) -> Runner:
    url = engine.url
    if url.get_backend_name() == "sqlite" and is_sqlite_file(str(url)):
        assert url.database is not None
        return SqliteRunner(url.database, engine.dialect)
    if url.get_backend_name() == "postgresql" and url.get_driver_name() == "asyncpg":
        return PostgresRunner(engine, max_size=max(2, pool_size // 2), acquire_timeout=pool_timeout)
    return EngineRunner(engine)


def _wrapped(error: Exception, compiled: Compiled) -> sa_exc.DBAPIError:
    """A driver's error as SQLAlchemy would have raised it (parameters kept out: health data)."""
    cls: type[sa_exc.DBAPIError]
    if isinstance(error, sqlite3.IntegrityError) or _is_asyncpg(
        error, "IntegrityConstraintViolationError"
    ):
        cls = sa_exc.IntegrityError
    elif isinstance(error, sqlite3.ProgrammingError) or _is_asyncpg(error, "PostgresSyntaxError"):
        cls = sa_exc.ProgrammingError
    elif isinstance(error, sqlite3.DataError) or _is_asyncpg(error, "DataError"):
        cls = sa_exc.DataError
    else:
        cls = sa_exc.OperationalError
    return cls(compiled.sql, None, error, hide_parameters=True)


def _is_asyncpg(error: Exception, name: str) -> bool:
    return any(
        kind.__name__ == name and kind.__module__.startswith("asyncpg")
        for kind in type(error).__mro__
    )


class SqliteRunner:
    """One aiosqlite connection in autocommit: a statement is one hop to its thread."""

    def __init__(self, path: str, dialect: Dialect) -> None:
        self.dialect = dialect
        self._path = path
        self._connection: aiosqlite.Connection | None = None
        self._opening = asyncio.Lock()

    async def _connect(self) -> aiosqlite.Connection:
        if self._connection is not None:
            return self._connection
        async with self._opening:
            if self._connection is None:
                connection = await aiosqlite.connect(self._path, isolation_level=None)
                try:
                    for pragma in SQLITE_PRAGMAS:
                        await connection.execute(pragma)
                except BaseException:
                    await connection.close()
                    raise
                self._connection = connection
        return self._connection

    async def fetch(self, compiled: Compiled, params: Mapping[str, Any]) -> list[Row]:
        arguments = compiled.arguments(params)
        for attempt in (1, 2):
            try:
                connection = await self._connect()
                rows = await connection.execute_fetchall(compiled.sql, arguments)
            except ValueError:
                # aiosqlite's "Connection closed": its thread ended; a new one is opened.
                await self._drop()
                if attempt == 1:
                    continue
                raise
            except sqlite3.Error as error:
                if isinstance(error, sqlite3.OperationalError | sqlite3.DatabaseError):
                    await self._drop()  # a disk or file fault: open afresh next time
                raise _wrapped(error, compiled) from error
            return [compiled.row(row) for row in rows]
        raise AssertionError("unreachable")

    async def execute(self, compiled: Compiled, params: Mapping[str, Any]) -> None:
        await self.fetch(compiled, params)

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to keep
                await connection.close()

    async def close(self) -> None:
        await self._drop()


class PostgresRunner:
    """An asyncpg pool of its own; a statement lands on a connection with its plan cached."""

    def __init__(self, engine: AsyncEngine, *, max_size: int, acquire_timeout: float) -> None:
        self.dialect = engine.dialect
        url = make_url(engine.url.render_as_string(hide_password=False)).set(
            drivername="postgresql"
        )
        self._dsn = url.render_as_string(hide_password=False)
        self._max_size = max_size
        self._acquire_timeout = acquire_timeout
        self._pool: Any = None
        self._opening = asyncio.Lock()

    async def _get_pool(self) -> Any:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    import asyncpg  # only deployments on PostgreSQL have it

                    self._pool = await asyncpg.create_pool(
                        self._dsn, min_size=0, max_size=self._max_size
                    )
        return self._pool

    async def _run(self, compiled: Compiled, params: Mapping[str, Any]) -> list[Row]:
        arguments = compiled.arguments(params)
        for attempt in (1, 2):
            try:
                pool = await self._get_pool()
                try:
                    async with pool.acquire(timeout=self._acquire_timeout) as connection:
                        rows = await connection.fetch(compiled.sql, *arguments)
                except TimeoutError:
                    # Every connection busy for the whole wait: what the engine's pool says.
                    raise sa_exc.TimeoutError("no database connection free in time") from None
            except sa_exc.TimeoutError:
                raise
            except Exception as error:
                # A connection the server dropped (a restart) is replaced by the pool: these
                # statements are safe to run again, once.
                if attempt == 1 and _lost_connection(error):
                    continue
                raise _wrapped(error, compiled) from error
            return [compiled.row(row) for row in rows]
        raise AssertionError("unreachable")

    async def fetch(self, compiled: Compiled, params: Mapping[str, Any]) -> list[Row]:
        return await self._run(compiled, params)

    async def execute(self, compiled: Compiled, params: Mapping[str, Any]) -> None:
        await self._run(compiled, params)

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()


def _lost_connection(error: Exception) -> bool:
    return isinstance(error, OSError | ConnectionError) or any(
        _is_asyncpg(error, name)
        for name in (
            "ConnectionDoesNotExistError",
            "PostgresConnectionError",
            "InterfaceError",
            "CannotConnectNowError",
            "AdminShutdownError",
        )
    )


class EngineRunner:
    """The engine's own connections (in-memory SQLite, other drivers): Core, no ORM."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.dialect = engine.dialect
        self._engine = engine

    async def fetch(self, compiled: Compiled, params: Mapping[str, Any]) -> list[Row]:
        # Committed: an INSERT ... RETURNING is fetched too.
        async with self._engine.begin() as connection:
            result = await connection.execute(compiled.statement, dict(params))
            return [tuple(row) for row in result.all()]

    async def execute(self, compiled: Compiled, params: Mapping[str, Any]) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(compiled.statement, dict(params))

    async def close(self) -> None:
        """The engine is the repository's to dispose of."""
