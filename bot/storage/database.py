"""Engine and session factory: SQLite in WAL mode by default, PostgreSQL via asyncpg."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import traceback
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from alembic import command

# alembic.ini and alembic/ live at the top of the checkout, next to the package.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"

# How long SQLite waits for another writer before giving up, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 5000
# PostgreSQL: connections each process keeps at most (DATABASE_POOL_SIZE), and how long a
# query waits for a free one before giving up (DATABASE_POOL_TIMEOUT, seconds).
DEFAULT_POOL_SIZE = 10
DEFAULT_POOL_TIMEOUT = 10.0
# Modules whose OSError means the database could not be reached (asyncpg raises a refused
# connection as the plain OSError, not wrapped by SQLAlchemy).
DRIVER_MODULES = ("sqlalchemy", "asyncpg", "aiosqlite")
# Wrapped driver errors that are our own doing (a constraint, bad SQL), not the database
# being unavailable.
NOT_STORAGE_FAULTS = (sa_exc.IntegrityError, sa_exc.ProgrammingError, sa_exc.DataError)


class StorageFault(enum.Enum):
    """Why a database call failed, when it was the database's doing."""

    # Every pooled connection was in use for DATABASE_POOL_TIMEOUT: nothing was tried.
    BUSY = "busy"
    # The database refused, dropped the connection, or could not write (disk full, locked).
    UNAVAILABLE = "unavailable"


def storage_fault(error: BaseException | None) -> StorageFault | None:
    """The StorageFault behind `error`, or None when it is not the database's.

    Callers tell the person the truth with it (nothing was saved; busy, try again) and may
    keep the work to retry (a hold's end, an update) instead of dropping it.
    """
    if error is None:
        return None
    if isinstance(error, sa_exc.TimeoutError):  # the pool's: no connection was free
        return StorageFault.BUSY
    if isinstance(error, NOT_STORAGE_FAULTS):
        return None
    if isinstance(error, sa_exc.DBAPIError):
        return StorageFault.UNAVAILABLE
    if isinstance(error, OSError) and _raised_by_driver(error):
        return StorageFault.UNAVAILABLE
    return None


def _raised_by_driver(error: BaseException) -> bool:
    """True when `error` was raised inside SQLAlchemy or a database driver."""
    for frame, _ in traceback.walk_tb(error.__traceback__):
        module = frame.f_globals.get("__name__", "")
        if module.split(".", 1)[0] in DRIVER_MODULES:
            return True
    return False


# Every SQLite connection's settings: WAL lets readers run beside the writer; foreign keys
# are off in SQLite by default.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLITE_PRAGMAS on each connection the engine opens."""
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def is_sqlite_file(url: str) -> bool:
    """True for a SQLite database in a plain file (not in memory, not a URI filename)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return False
    return not (database.startswith("file:") or parsed.query.get("uri"))


def create_private_sqlite_file(url: str) -> None:
    """Create a SQLite database file that does not exist yet as 0600: it holds health data.

    SQLite would create it 0644 (less the umask), and its -wal and -shm files take the main
    file's permissions, so creating the (empty, valid) file ourselves first makes all three
    private. An existing file is left as it is; other backends, in-memory databases and URI
    filenames are not ours to create.
    """
    if not is_sqlite_file(url):
        return
    database = make_url(url).database
    assert database is not None
    # FileExistsError: nothing to do; FileNotFoundError (no such directory): SQLite says so.
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def create_engine(
    url: str,
    *,
    pool_size: int | None = None,
    pool_timeout: float | None = None,
    **kwargs: Any,
) -> AsyncEngine:
    """An async engine with the per-backend settings this bot relies on.

    On PostgreSQL the pool holds at most `pool_size` connections (no overflow beyond it), and
    a query waits `pool_timeout` s for a free one before SQLAlchemy's TimeoutError (the person
    is told the bot is busy). SQLite ignores both: its writers queue in the repository.
    """
    # SQL parameters (pain scores, settings) are kept out of exception messages, which the
    # error handler logs.
    kwargs = {**kwargs, "hide_parameters": True}
    if url.startswith("sqlite"):
        create_private_sqlite_file(url)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    if "poolclass" not in kwargs:
        kwargs.update(
            pool_size=DEFAULT_POOL_SIZE if pool_size is None else pool_size,
            max_overflow=0,
            pool_timeout=DEFAULT_POOL_TIMEOUT if pool_timeout is None else pool_timeout,
        )
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker:
    """Sessions whose objects stay readable after commit (we never lazy-load)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """Alembic's config for this checkout, aimed at `url`."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    # ConfigParser treats % as interpolation; URLs may contain it (escaped passwords).
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_sync(url: str) -> None:
    """Bring the schema to the newest revision (blocking; runs its own event loop)."""
    create_private_sqlite_file(url)  # migrations are usually what opens a new database
    command.upgrade(alembic_config(url), "head")


async def migrate(url: str) -> None:
    """Upgrade to head from inside a running loop (Alembic's env runs its own loop)."""
    await asyncio.to_thread(upgrade_sync, url)


async def pending_migrations(engine: AsyncEngine) -> bool:
    """True when the database is not at the newest revision."""
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    async with engine.connect() as connection:
        current = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
    return current != head
