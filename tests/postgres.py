"""A PostgreSQL server for the tests, and a fresh database on it for each test.

The server comes from `BACKCOACH_TEST_POSTGRES_URL` (what `.ci/run` exports), or else is a
throwaway cluster started here with the local `initdb`/`pg_ctl` and removed at the end.
When neither works, `PostgresUnavailable` says why; the fixtures turn that into a skip.

Everything here is synchronous: the admin statements (CREATE/DROP DATABASE) run through
asyncpg on a private event loop in a helper thread, so they never touch the event loop a
test or pytest-asyncio is using.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import URL, make_url

ENV_VAR = "BACKCOACH_TEST_POSTGRES_URL"
# Where Debian's postgresql packages put the server binaries (they are not on PATH there).
DEBIAN_PREFIX = Path("/usr/lib/postgresql")  # .../<major>/bin
# Settings for a throwaway cluster: loopback only, and durability traded for speed.
SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
)
START_TIMEOUT_SECONDS = 60
# A cluster in memory copies a database in ~30 ms instead of ~200 ms on disk (fsync or not).
MEMORY_DIR = Path("/dev/shm")
MEMORY_NEEDED_BYTES = 512 * 1024 * 1024

T = TypeVar("T")


class PostgresUnavailable(Exception):
    """No PostgreSQL server could be had; the message says why, in one line."""


def run_isolated(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to completion on a fresh event loop in a helper thread."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-admin") as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _quote(name: str) -> str:
    """A database name as a quoted identifier (ours are generated, but be exact anyway)."""
    return '"' + name.replace('"', '""') + '"'


def _safe(url: URL | str) -> str:
    """A URL fit for a message: the password, if any, masked."""
    return make_url(url).render_as_string(hide_password=True)


class PostgresServer:
    """A reachable server, addressed by a superuser URL (`postgresql://user@host:port/db`)."""

    def __init__(self, url: str) -> None:
        # Accept postgres://, postgresql:// and postgresql+asyncpg://; asyncpg wants the plain one.
        base = make_url(url.replace("postgres://", "postgresql://", 1))
        self._admin_url = base.set(drivername="postgresql")
        self.version = 0  # server_version_num, known after check()

    def __repr__(self) -> str:
        return f"PostgresServer({_safe(self._admin_url)!r})"

    def url(self, database: str) -> str:
        """The bot's URL (asyncpg driver) for `database` on this server."""
        return self._admin_url.set(
            drivername="postgresql+asyncpg", database=database
        ).render_as_string(hide_password=False)

    async def _admin(self, *statements: str) -> None:
        import asyncpg  # only needed when PostgreSQL is in play

        dsn = self._admin_url.render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn, timeout=10)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    def check(self) -> str:
        """The server's version; raises PostgresUnavailable when it cannot be reached."""

        async def version() -> tuple[int, str]:
            import asyncpg

            dsn = self._admin_url.render_as_string(hide_password=False)
            connection = await asyncpg.connect(dsn, timeout=10)
            try:
                number = await connection.fetchval("SHOW server_version_num")
                return int(number), await connection.fetchval("SHOW server_version")
            finally:
                await connection.close()

        try:
            self.version, text = run_isolated(version())
            return text
        except ImportError as error:
            raise PostgresUnavailable(f"asyncpg is not installed ({error})") from error
        except Exception as error:
            raise PostgresUnavailable(
                f"cannot connect to {_safe(self._admin_url)}: {type(error).__name__}: {error}"
            ) from error

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE `name` (a copy of `template` if given); returns its bot URL."""
        statement = f"CREATE DATABASE {_quote(name)}"
        if template is not None:
            statement += f" TEMPLATE {_quote(template)}"
            if self.version >= 150000:
                # Copying the files beats WAL-logging every block for a small database.
                statement += " STRATEGY FILE_COPY"
        run_isolated(self._admin(statement))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """DROP DATABASE `name`, cutting off any connection a test left open."""
        statement = f"DROP DATABASE IF EXISTS {_quote(name)}"
        if self.version >= 130000:
            statement += " WITH (FORCE)"
        run_isolated(self._admin(statement))

    @contextmanager
    def database(self, template: str | None = None) -> Iterator[str]:
        """A new database with a unique name, dropped afterwards; yields its bot URL."""
        name = f"t_{uuid.uuid4().hex}"
        url = self.create_database(name, template)
        try:
            yield url
        finally:
            self.drop_database(name)


@contextmanager
def migrated_template(server: PostgresServer) -> Iterator[str]:
    """A database migrated to head, to copy per test (CREATE DATABASE ... TEMPLATE)."""
    from bot.storage.database import upgrade_sync

    name = f"t_template_{uuid.uuid4().hex}"
    url = server.create_database(name)
    try:
        # Alembic's env.py runs its own event loop; keep it off the caller's thread.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-migrate") as pool:
            pool.submit(upgrade_sync, url).result()
        yield name
    finally:
        server.drop_database(name)


# --- A throwaway local cluster -------------------------------------------------------------


def _version_key(bindir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bindir.parent.name)) or (0,)


def find_bindir() -> Path:
    """The directory holding initdb and pg_ctl: on PATH first, then Debian's layout."""
    initdb = shutil.which("initdb")
    if initdb and (Path(initdb).resolve().parent / "pg_ctl").exists():
        return Path(initdb).resolve().parent
    for bindir in sorted(DEBIAN_PREFIX.glob("*/bin"), key=_version_key, reverse=True):
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    raise PostgresUnavailable(
        f"{ENV_VAR} is unset and no initdb/pg_ctl were found on PATH or in {DEBIAN_PREFIX}/*/bin"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cluster_parent() -> str | None:
    """/dev/shm when it is there with room to spare, else the usual temporary directory."""
    try:
        if (
            os.access(MEMORY_DIR, os.W_OK)
            and shutil.disk_usage(MEMORY_DIR).free > MEMORY_NEEDED_BYTES
        ):
            return str(MEMORY_DIR)
    except OSError:
        pass
    return None


def _service_user() -> str | None:
    """PostgreSQL refuses to run as root: as root, run it as `postgres` (or `nobody`)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PostgresUnavailable("running as root and neither a postgres nor a nobody user exists")


class LocalCluster:
    """initdb + pg_ctl start in a temporary directory; `stop()` removes every trace."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.user = _service_user()
        self.root = Path(tempfile.mkdtemp(prefix="backcoach-pg-", dir=_cluster_parent()))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self._running = False
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        atexit.register(self.stop)  # in case the session ends without its teardown

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=START_TIMEOUT_SECONDS, check=False
        )
        if result.returncode != 0:
            output = (result.stderr or result.stdout).strip().splitlines()
            if self.log.exists():
                output += self.log.read_text(errors="replace").strip().splitlines()[-3:]
            detail = " | ".join(line.strip() for line in output[-4:] if line.strip())
            raise PostgresUnavailable(f"{args[0]} failed ({result.returncode}): {detail}")

    def start(self) -> str:
        """initdb, then start on a free loopback port; returns the superuser URL."""
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync")  # fmt: skip
        self.port = _free_port()
        options = f"{SERVER_OPTIONS} -p {self.port} -k {shlex.quote(str(self.root))}"
        self._running = True
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", str(START_TIMEOUT_SECONDS), "start")  # fmt: skip
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if self._running:
            self._running = False
            # Best effort: the directory goes regardless.
            with suppress(PostgresUnavailable, OSError, subprocess.SubprocessError):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """The server from BACKCOACH_TEST_POSTGRES_URL, or a throwaway local one.

    Raises PostgresUnavailable (before yielding) when there is none.
    """
    url = os.environ.get(ENV_VAR, "").strip()
    if url:
        server = PostgresServer(url)
        try:
            server.check()
        except PostgresUnavailable as error:
            raise PostgresUnavailable(f"{ENV_VAR} is set but {error}") from error
        yield server
        return

    try:
        cluster = LocalCluster()
    except OSError as error:
        raise PostgresUnavailable(f"cannot prepare a local cluster: {error}") from error
    try:
        try:
            server = PostgresServer(cluster.start())
            server.check()
        except (OSError, subprocess.SubprocessError) as error:
            raise PostgresUnavailable(f"cannot start a local cluster: {error}") from error
        yield server
    finally:
        cluster.stop()
