"""The bot as a real process: start `python -m bot`, wait until it is ready, kill it, stop it.

Everything the process tests need besides the process itself lives here too: seeding people
whose reminder is due straight into the database, reading the reminder log back, and counting
what the Bot API emulator received.

The bot runs with the real clock, so "due" means `next_reminder_at` a minute in the past
(well inside the grace period). Its stdout and stderr go to one log file per process; the
`bots` fixture prints the tail of every log at teardown, so a failing test shows what the
bot said.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.emulator.server import BotApiEmulator
from bot.storage.database import create_engine
from bot.storage.models import ReminderLog, User
from bot.storage.repository import CLAIM_LEASE, CLAIMED, SENT

REPO_ROOT = Path(__file__).resolve().parents[2]
# The part of a daily reminder's text that no other message has.
REMINDER_TEXT = "Time for your back routine"
# Every setting the bot reads (PORT, WEBHOOK_URL, ... included): none is inherited from the
# developer's shell or the CI environment.
SETTINGS = frozenset(name.upper() for name in Settings.model_fields)
# What the process tests run with unless a test says otherwise.
DEFAULTS = {
    "HOLD_TIME_SCALE": "0.02",
    "LOG_LEVEL": "INFO",
    "REMINDER_TICK_SECONDS": "0.2",
    "REMINDERS_PER_SECOND": "50",
    "RENDER_WORKERS": "1",
}
# Logged by bot.app once the database is migrated and the commands are set, then by PTB once
# polling and the job queue (the reminder tick) run.
READY_LINES = ("bot.app: ready", "Application started")
READY_TIMEOUT = 30.0
POLL = 0.02


@dataclass(frozen=True)
class Exit:
    """How a signalled process ended: its return code (-9 for SIGKILL; None: still running),
    seconds from the signal to the exit, and the wall-clock instant of the signal."""

    code: int | None
    seconds: float
    signalled_at: datetime

    @property
    def exited(self) -> bool:
        return self.code is not None


class BotProcess:
    """One `python -m bot`, long-polling `emulator` with its settings from the environment."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        database_url: str,
        workdir: Path,
        name: str,
        *,
        args: Sequence[str] = (),
        **settings: object,
    ) -> None:
        self.emulator = emulator
        self.name = name
        self.args = tuple(args)  # e.g. ("--webhook",)
        self.workdir = workdir
        self.log_path = workdir / f"{name}.log"
        env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS}
        env.update(DEFAULTS)
        env.update({key.upper(): str(value) for key, value in settings.items()})
        env.update(
            TELEGRAM_BOT_TOKEN=emulator.token,
            TELEGRAM_API_BASE_URL=emulator.base_url,
            DATABASE_URL=database_url,
            PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
            PYTHONUNBUFFERED="1",
        )
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.ready_after = 0.0  # seconds from start to ready

    def __repr__(self) -> str:
        return f"BotProcess({self.name!r}, pid={self.pid})"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self, lines: int = 60) -> str:
        text = "\n".join(self.log().splitlines()[-lines:])
        return f"--- {self.name} (pid {self.pid}), {self.log_path} ---\n{text or '(empty)'}"

    def launch(self) -> BotProcess:
        """Start the process (in a session of its own, so its render workers can be found)."""
        assert self.process is None, "a BotProcess is started once; make a new one to restart"
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            # The working directory is the test's own: a developer's .env is never read.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", *self.args],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started_at = time.monotonic()
        return self

    async def start(self) -> BotProcess:
        """Launch, and wait until the bot is ready."""
        self.launch()
        await self.wait_ready()
        return self

    async def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:  # noqa: ASYNC109
        """Until the bot has migrated, set its commands, and polls with its tick running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running:
                raise AssertionError(f"{self.name} exited during start-up\n{self.tail()}")
            log = self.log()
            if all(line in log for line in READY_LINES):
                assert self.emulator.requests_for("setMyCommands"), "ready without setMyCommands"
                self.ready_after = time.monotonic() - self.started_at
                return
            await asyncio.sleep(POLL)
        raise AssertionError(f"{self.name} not ready after {timeout}s\n{self.tail()}")

    async def wait_exit(self, timeout: float) -> int | None:  # noqa: ASYNC109
        """The return code once the process has ended, or None if it is still running."""
        process = self.process
        assert process is not None

        def wait() -> int | None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                return process.wait(timeout=timeout)
            return None

        # In a thread: the emulator, on this loop, must keep answering the bot meanwhile.
        return await asyncio.to_thread(wait)

    async def kill(self) -> Exit:
        """kill -9 the bot's main process, as a crash or an OOM kill would."""
        return await self._signal(signal.SIGKILL, timeout=10)

    async def terminate(self, timeout: float = 10) -> Exit:  # noqa: ASYNC109
        """SIGTERM, as a platform does on a deploy; waits up to `timeout` s for the exit."""
        return await self._signal(signal.SIGTERM, timeout=timeout)

    async def _signal(self, signum: int, timeout: float) -> Exit:  # noqa: ASYNC109
        assert self.process is not None and self.running, f"{self.name} is not running"
        sent, at = time.monotonic(), now()
        self.process.send_signal(signum)
        code = await self.wait_exit(timeout)
        return Exit(code, time.monotonic() - sent, at)

    def cleanup(self) -> None:
        """Kill whatever is left of this process and its workers (its own session only)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        # Render workers are in the bot's session; a kill -9 leaves them orphaned.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)


class Bots:
    """Makes bot processes for one test and cleans every one of them up afterwards."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.made: list[BotProcess] = []

    def make(
        self,
        emulator: BotApiEmulator,
        database_url: str,
        *,
        args: Sequence[str] = (),
        **settings: object,
    ) -> BotProcess:
        name = f"bot{len(self.made) + 1}"
        process = BotProcess(emulator, database_url, self.workdir, name, args=args, **settings)
        self.made.append(process)
        return process

    async def start(
        self,
        emulator: BotApiEmulator,
        database_url: str,
        *,
        args: Sequence[str] = (),
        **settings: object,
    ) -> BotProcess:
        return await self.make(emulator, database_url, args=args, **settings).start()

    def tails(self) -> str:
        return "\n".join(process.tail() for process in self.made)

    def cleanup(self) -> None:
        for process in self.made:
            process.cleanup()


# Waiting ------------------------------------------------------------------------------------


async def eventually(
    check: Callable[[], object],
    timeout: float,  # noqa: ASYNC109
    what: str,
    *,
    bots: Bots | None = None,
    required: bool = True,
) -> bool:
    """Poll `check` (sync or async) until it is truthy.

    After `timeout` s: fail naming `what` (with the bots' log tails), or return False when
    not `required`.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return True
        if time.monotonic() >= deadline:
            if not required:
                return False
            detail = f"\n{bots.tails()}" if bots else ""
            raise AssertionError(f"not within {timeout}s: {what}{detail}")
        await asyncio.sleep(0.05)


# What the emulator received -----------------------------------------------------------------


def reminder_sends(emulator: BotApiEmulator, *, status: int | None = 200) -> list:
    """sendMessage requests carrying a daily reminder (answered with `status`; None: any)."""
    return [
        request
        for request in emulator.requests_for("sendMessage")
        if REMINDER_TEXT in str(request.params.get("text", ""))
        and (status is None or request.status == status)
    ]


def reminders_per_chat(*emulators: BotApiEmulator) -> Counter[int]:
    """How many reminders each chat received, over one or more emulators."""
    counts: Counter[int] = Counter()
    for emulator in emulators:
        counts.update(request.chat_id for request in reminder_sends(emulator))
    return counts


def stored_reminders(emulator: BotApiEmulator) -> Counter[int]:
    """How many reminders each chat holds in the emulator's stored messages.

    Unlike `reminders_per_chat` this counts what Telegram kept, also when the bot gave up
    waiting for the answer (a timeout) and so never learnt it was delivered.
    """
    return Counter(
        {
            chat_id: n
            for chat_id, messages in emulator.state.messages.items()
            if (n := sum(m.from_bot and REMINDER_TEXT in m.text for m in messages))
        }
    )


def add_chats(emulator: BotApiEmulator, user_ids: Iterable[int]) -> None:
    """Make the emulator know these private chats, so sends to them succeed."""
    for user_id in user_ids:
        emulator.user(user_id)


# The database ---------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


class Db:
    """Short SQLAlchemy Core reads and writes beside the running bot (the test's own engine)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    async def close(self) -> None:
        await self.engine.dispose()

    async def seed_due(
        self, user_ids: Iterable[int], *, late: timedelta = timedelta(minutes=1)
    ) -> datetime:
        """Onboarded people in UTC whose reminder was due `late` ago; returns that instant."""
        due = (now() - late).replace(second=0, microsecond=0)
        columns = User.__table__.c
        rows = [
            {
                "id": user_id,
                "chat_id": user_id,
                "created_at": due - timedelta(days=3),
                "onboarding_step": "done",
                "disclaimer_shown": True,
                "starting_pain": 2,
                "timezone": "UTC",
                "reminder_time": due.time(),
                "level": 1,
                "active": True,
                "blocked": False,
                "next_reminder_at": due,
                # Newer schemas ask for consent during onboarding; these people gave it.
                **({"consented_at": due - timedelta(days=3)} if "consented_at" in columns else {}),
            }
            for user_id in user_ids
        ]
        async with self.engine.begin() as connection:
            await connection.execute(insert(User.__table__), rows)
        return due

    async def seed_onboarded(self, user_id: int) -> None:
        """One onboarded person whose reminder is far away (tomorrow), for a session."""
        await self.seed_due([user_id], late=timedelta(hours=-20))

    async def reminder_statuses(self) -> dict[int, str]:
        """Each person's reminder status for their (only) reminder day."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(select(ReminderLog.user_id, ReminderLog.status))
            statuses: dict[int, str] = {}
            for user_id, status in rows:
                assert user_id not in statuses, f"two reminder days for {user_id}"
                statuses[user_id] = status
            return statuses

    async def claim_times(self) -> dict[int, datetime]:
        """When each person's reminder was last claimed (the bot's clock)."""
        async with self.engine.connect() as connection:
            rows = await connection.execute(select(ReminderLog.user_id, ReminderLog.claimed_at))
            return {user_id: at for user_id, at in rows}

    async def claimed(self) -> set[int]:
        return {u for u, s in (await self.reminder_statuses()).items() if s == CLAIMED}

    async def sent(self) -> set[int]:
        return {u for u, s in (await self.reminder_statuses()).items() if s == SENT}

    async def expire_claims(self, user_ids: Iterable[int]) -> int:
        """Age these claims past the 5-minute lease, as if their process died 5 minutes ago.

        Only claims still unsent change; returns how many did.
        """
        ids = list(user_ids)
        if not ids:
            return 0
        async with self.engine.begin() as connection:
            result = await connection.execute(
                update(ReminderLog)
                .where(ReminderLog.user_id.in_(ids), ReminderLog.status == CLAIMED)
                .values(claimed_at=now() - CLAIM_LEASE - timedelta(seconds=1))
            )
            return result.rowcount


# The database going away under the running bot --------------------------------------------


def database_down(database_url: str) -> contextlib.AbstractAsyncContextManager[None]:
    """While inside: PostgreSQL refuses the bot's connections; SQLite's write lock is held."""
    if make_url(database_url).get_backend_name() == "sqlite":
        return _sqlite_locked(database_url)
    return _postgres_refusing(database_url)


@contextlib.asynccontextmanager
async def _sqlite_locked(database_url: str) -> AsyncIterator[None]:
    """Hold SQLite's write lock from outside the bot: every write of the bot's fails."""
    path = make_url(database_url).database
    assert path
    # In a thread: taking the lock may wait for a write of the bot's to end.
    connection = await asyncio.to_thread(
        sqlite3.connect, path, isolation_level=None, check_same_thread=False, timeout=10
    )
    try:
        await asyncio.to_thread(connection.execute, "BEGIN EXCLUSIVE")
        yield
        await asyncio.to_thread(connection.execute, "ROLLBACK")
    finally:
        connection.close()


async def _postgres_admin(database_url: str, *statements: str) -> None:
    """Run statements as the test server's superuser, from its `postgres` database."""
    import asyncpg  # only needed when PostgreSQL is in play

    url = make_url(database_url).set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False), timeout=10)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def _postgres_refusing(database_url: str) -> AsyncIterator[None]:
    """The server refuses new connections to the bot's database and drops the open ones."""
    name = make_url(database_url).database
    assert name and name.isidentifier()
    await _postgres_admin(
        database_url,
        f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        f" WHERE datname = '{name}' AND pid <> pg_backend_pid()",
    )
    try:
        yield
    finally:
        await _postgres_admin(database_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
