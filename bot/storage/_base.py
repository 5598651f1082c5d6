"""What the repository's aggregates share: its vocabulary (statuses, dataclasses), the base
with the engine and transactions, and the helpers more than one aggregate uses."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, event, insert, select
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

from bot.domain.gates import reminders_allowed
from bot.domain.progression import ExerciseProgress
from bot.domain.reminders import Outcome
from bot.domain.schedule import next_reminder_at
from bot.storage.database import (
    DEFAULT_POOL_SIZE,
    DEFAULT_POOL_TIMEOUT,
    StorageFault,
    create_engine,
    session_factory,
    storage_fault,
)
from bot.storage.direct import Statements
from bot.storage.inbox import InboxRepository
from bot.storage.models import ExerciseProgress as ProgressRow
from bot.storage.models import MediaCache, User

# Fields of a user that handlers may change through `update_user`.
USER_FIELDS = frozenset(
    {
        "chat_id",
        "onboarding_step",
        "disclaimer_shown",
        "red_flag_hold",
        "starting_pain",
        "timezone",
        "reminder_time",
        "level",
        "active",
        "blocked",
        "check_due",
        "worse_mornings",
        "steady_on",
        "report_step",
        "report_pain",
        "consented_at",
        "start_code",
        "language",
    }
)
# Changing any of these moves the person's next reminder.
SCHEDULE_FIELDS = frozenset(
    {"onboarding_step", "timezone", "reminder_time", "active", "blocked", "red_flag_hold"}
)
# By default, a claimed reminder not marked sent after this long was lost (a crash): send it
# again. Long enough for a 429 storm's retries; short enough to be well within the grace period.
CLAIM_LEASE = timedelta(minutes=5)
# The health check's whole budget: well inside a platform's probe timeout.
HEALTH_CHECK_SECONDS = 2.0
# The health check's probe write on SQLite, while writes have been failing: 16 pages.
PROBE_BYTES_SQLITE = 64 * 1024

# A session's status.
ACTIVE = "active"
FINISHED = "finished"
STOPPED = "stopped"
# A session's kind: led by the bot, or done alone and reported.
GUIDED = "guided"
REPORTED = "reported"
# Reminder log statuses beyond the claim outcomes.
CLAIMED = Outcome.SEND.value
SENT = "sent"
SKIPPED = "skipped"
BLOCKED = "blocked"
FAILED = "failed"
# Why a reminder goes out.
DAILY = "daily"
SNOOZED = "snoozed"
RETRY = "retry"


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A reminder claimed for sending, with what composing it needs."""

    user_id: int
    chat_id: int
    timezone: str
    local_date: date
    level: int
    check_due: bool
    kind: str
    # users.language: what the reminder is written in (None: English, see bot.i18n).
    language: str | None = None
    # The instant it was due (a snoozed one: when the snooze ended); how late it goes.
    due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReminderInputs:
    """What composing one person's reminder needs, read for a whole batch at once."""

    progress: Mapping[str, ExerciseProgress]
    # Exercises that hurt (above 5) since local midnight; None: pain not pinned on one.
    painful: frozenset[str | None]
    # Finished days: the last few, and the latest one before them.
    session_days: tuple[date, ...]
    # Exercises that hurt at any score since local midnight: their harder variants rest.
    hurt: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SessionState:
    """A snapshot of one session: its routine and where the person stands in it."""

    id: int
    user_id: int
    routine: tuple[tuple[str, int], ...]
    position: int
    side: int
    phase: str
    status: str

    @property
    def exercise_id(self) -> str:
        return self.routine[self.position][0]

    @property
    def target_hold(self) -> int:
        return self.routine[self.position][1]

    @property
    def is_last(self) -> bool:
        return self.position >= len(self.routine) - 1


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One stored answer of a session."""

    exercise_id: str
    answer: str
    pain: int | None
    hold_seconds: int


class RepositoryBase:
    """The engine, its sessions and write lock, and the health check: what every aggregate's
    reads and writes share.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions: async_sessionmaker[AsyncSession] = session_factory(engine)
        # SQLite has one writer. Writers that find it busy wait in SQLite's busy handler,
        # sleeping up to 100 ms a try while holding a pooled connection, and give up after
        # the busy timeout ("database is locked"); queue them here, in asyncio, instead.
        self._write_lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None
        # True from a failure the database caused (disk full, down) until the health check's
        # own probe write succeeds (a transaction that happens to need no new space proves
        # nothing). A busy pool or a constraint error does not count. Any failure on this
        # engine counts, so the update inbox's writes are covered too.
        self.writes_failing = False
        self._health_engine: AsyncEngine | None = None
        event.listen(engine.sync_engine, "handle_error", self._database_failed)
        # The few statements every typed message runs, straight on the driver.
        pool = engine.pool
        self.direct = Statements(
            engine,
            pool_size=pool.size() if isinstance(pool, QueuePool) else DEFAULT_POOL_SIZE,
            pool_timeout=pool.timeout() if isinstance(pool, QueuePool) else DEFAULT_POOL_TIMEOUT,
        )

    def _database_failed(self, context: ExceptionContext) -> None:
        """SQLAlchemy's handle_error hook: a failure the database caused marks writes failing."""
        if storage_fault(context.sqlalchemy_exception) is StorageFault.UNAVAILABLE:
            self.writes_failing = True

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        """One transaction that may write: committed on success, rolled back on error."""
        try:
            if self._write_lock is None:
                async with self._sessions.begin() as session:
                    yield session
            else:
                async with self._write_lock, self._sessions.begin() as session:
                    yield session
        except Exception as error:
            if storage_fault(error) is StorageFault.UNAVAILABLE:
                self.writes_failing = True
            raise

    @asynccontextmanager
    async def _writing_direct(self) -> AsyncIterator[None]:
        """A turn to write through `direct` (after SQLite's queue); failures marked as above."""
        try:
            if self._write_lock is None:
                yield
            else:
                async with self._write_lock:
                    yield
        except Exception as error:
            if storage_fault(error) is StorageFault.UNAVAILABLE:
                self.writes_failing = True
            raise

    def inbox(self) -> InboxRepository:
        """The update inbox on this repository's engine, write queue and statement runner."""
        return InboxRepository(
            self.engine, self._write_lock, direct=self.direct, guard=self._writing_direct
        )

    async def close(self) -> None:
        await self.direct.close()
        await self.engine.dispose()
        if self._health_engine is not None:
            await self._health_engine.dispose()

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query on a pooled connection."""
        async with self.engine.connect() as connection:
            await connection.execute(select(1))

    async def check_health(self, timeout: float = HEALTH_CHECK_SECONDS) -> None:  # noqa: ASYNC109
        """Raise unless the database answers, and takes a write while writes have been failing.

        On a connection of its own, opened for the check and closed after it, within
        `timeout` s: a pool busy with slow queries does not make the bot look dead, and a
        database that hangs does not hang the check. The probe writes a row and deletes it
        again in one committed transaction, so it needs the space a real write needs.
        """
        if self._health_engine is None:
            url = self.engine.url.render_as_string(hide_password=False)
            self._health_engine = create_engine(url, poolclass=NullPool)
        probe = self.writes_failing
        async with asyncio.timeout(timeout):
            if probe and self._write_lock is not None:
                await self._write_lock.acquire()
            try:
                async with self._health_engine.begin() as connection:
                    await connection.execute(select(1))
                    if probe:
                        key = f"healthz:{uuid.uuid4().hex}"
                        # SQLite keeps any length: a write of many pages, so that space a
                        # failed write left behind does not pass for room to write.
                        size = PROBE_BYTES_SQLITE if self._write_lock is not None else 256
                        await connection.execute(
                            insert(MediaCache).values(
                                key=key, file_id="-" * size, created_at=datetime.now(UTC)
                            )
                        )
                        await connection.execute(delete(MediaCache).where(MediaCache.key == key))
            finally:
                if probe and self._write_lock is not None:
                    self._write_lock.release()
        if probe:
            self.writes_failing = False


def _to_domain(row: ProgressRow) -> ExerciseProgress:
    return ExerciseProgress(
        exercise_id=row.exercise_id,
        target_hold=row.target_hold,
        pain_free_streak=row.pain_free_streak,
        high_pain_streak=row.high_pain_streak,
        ceiling_pain_free_streak=row.ceiling_pain_free_streak,
        removed=row.removed,
        sessions_until_return=row.sessions_until_return,
        set_aside=row.set_aside is not None,
    )


async def _save_progress(
    session: AsyncSession,
    user_id: int,
    progress: ExerciseProgress,
    start_hold: int,
    now: datetime,
) -> None:
    row = await session.get(ProgressRow, (user_id, progress.exercise_id))
    if row is None:
        row = ProgressRow(user_id=user_id, exercise_id=progress.exercise_id, start_hold=start_hold)
        session.add(row)
    row.target_hold = progress.target_hold
    row.pain_free_streak = progress.pain_free_streak
    row.high_pain_streak = progress.high_pain_streak
    row.ceiling_pain_free_streak = progress.ceiling_pain_free_streak
    row.removed = progress.removed
    row.sessions_until_return = progress.sessions_until_return
    if not progress.set_aside:
        row.set_aside = None
    elif row.set_aside is None:
        row.set_aside = "other"
    row.updated_at = now


def _next_due(user: User, now: datetime) -> datetime | None:
    """The person's next reminder after `now`, or None when they should get none."""
    if (
        user.onboarding_step != "done"
        or not user.active
        or user.blocked
        or user.reminder_time is None
        or not reminders_allowed(user.red_flag_hold)
    ):
        return None
    return next_reminder_at(user.reminder_time, user.timezone or "UTC", now)
