"""The only module that reads and writes the database; each call is one short transaction."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Collection, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool

from bot.domain.gates import RedFlagHold, reminders_allowed
from bot.domain.progression import Answer, ExerciseProgress
from bot.domain.reminders import Outcome, outcome, snooze_same_day
from bot.domain.schedule import first_open_reminder, next_reminder_at, reminder_day
from bot.domain.streaks import Frozen, days_through
from bot.storage.database import StorageFault, create_engine, session_factory, storage_fault
from bot.storage.models import ExerciseProgress as ProgressRow
from bot.storage.models import (
    ExerciseResult,
    MediaCache,
    PainReport,
    ReminderLog,
    StreakDay,
    TrainingSession,
    User,
)

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
# Keys per `IN (...)` list: PostgreSQL 15 fails near 8,000 (user, day) pairs ("stack depth").
CHUNK = 500


class Repository:
    """Typed reads and writes over the models; no SQL anywhere else."""

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

    async def close(self) -> None:
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

    async def get_user(self, user_id: int) -> User | None:
        async with self._sessions() as session:
            return await session.get(User, user_id)

    async def ensure_user(self, user_id: int, chat_id: int, now: datetime) -> tuple[User, bool]:
        """The user, created on first contact; True when they are new."""
        async with self._writing() as session:
            user = await session.get(User, user_id)
            if user is not None:
                if user.chat_id != chat_id:
                    user.chat_id = chat_id
                return user, False
            user = User(
                id=user_id,
                chat_id=chat_id,
                created_at=now,
                onboarding_step="red_flags",
                disclaimer_shown=False,
                level=1,
                active=True,
            )
            session.add(user)
            return user, True

    async def update_user(
        self, user_id: int, *, now: datetime | None = None, **fields: Any
    ) -> User:
        """Set some of the user's fields and return the saved user.

        A change to a reminder setting reschedules the next reminder in the same
        transaction, so it needs `now`.
        """
        unknown = set(fields) - USER_FIELDS
        if unknown:
            raise ValueError(f"not user fields: {sorted(unknown)}")
        reschedule = bool(SCHEDULE_FIELDS & set(fields))
        if reschedule and now is None:
            raise ValueError("changing a reminder setting needs `now`")
        async with self._writing() as session:
            user = await session.get(User, user_id, with_for_update=True)
            if user is None:
                raise LookupError(f"no user {user_id}")
            changed = {name for name, value in fields.items() if getattr(user, name) != value}
            for name, value in fields.items():
                setattr(user, name, value)
            # Only a real change moves the schedule: a no-op /resume must not pass over a
            # reminder that is due but not yet claimed.
            if reschedule and SCHEDULE_FIELDS & changed:
                assert now is not None
                user.next_reminder_at = await _next_open_due(session, user, now)
                if user.next_reminder_at is None:
                    user.snooze_until = None
            return user

    async def add_pain_report(
        self,
        user_id: int,
        pain: int,
        now: datetime,
        source: str,
        *,
        exercise_id: str | None = None,
        session_id: int | None = None,
    ) -> PainReport:
        """Record one pain score."""
        if not 0 <= pain <= 10:
            raise ValueError("pain must be 0-10")
        async with self._writing() as session:
            report = PainReport(
                user_id=user_id,
                pain=pain,
                reported_at=now,
                source=source,
                exercise_id=exercise_id,
                session_id=session_id,
            )
            session.add(report)
            return report

    async def pain_reports(self, user_id: int) -> list[PainReport]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(PainReport).where(PainReport.user_id == user_id).order_by(PainReport.id)
            )
            return list(rows)

    # Guided sessions ----------------------------------------------------------

    async def load_progress(self, user_id: int) -> dict[str, ExerciseProgress]:
        async with self._sessions() as session:
            rows = await session.scalars(select(ProgressRow).where(ProgressRow.user_id == user_id))
            return {row.exercise_id: _to_domain(row) for row in rows}

    async def progress_with_start(self, user_id: int) -> dict[str, tuple[int, int]]:
        """Each exercise's (start hold, current target), for /stats."""
        async with self._sessions() as session:
            rows = await session.scalars(select(ProgressRow).where(ProgressRow.user_id == user_id))
            return {row.exercise_id: (row.start_hold, row.target_hold) for row in rows}

    async def save_progress(
        self,
        user_id: int,
        progress: Mapping[str, ExerciseProgress],
        start_holds: Mapping[str, int],
        now: datetime,
    ) -> None:
        async with self._writing() as session:
            for item in progress.values():
                await _save_progress(session, user_id, item, start_holds[item.exercise_id], now)

    async def active_session(self, user_id: int) -> SessionState | None:
        async with self._sessions() as session:
            row = await session.scalar(
                select(TrainingSession)
                .where(TrainingSession.user_id == user_id, TrainingSession.status == ACTIVE)
                .order_by(TrainingSession.id.desc())
                .limit(1)
            )
            return _state(row) if row else None

    async def chat_state(self, user_id: int) -> tuple[User | None, SessionState | None]:
        """The person and their active session, in one query (each typed message needs both)."""
        async with self._sessions() as session:
            row = (await session.execute(_CHAT_STATE, {"user_id": user_id})).first()
            if row is None:
                return None, None
            user, active = row
            return user, _state(active) if active is not None else None

    async def set_report_step(
        self, user_id: int, step: str | None, pain: int | None = None
    ) -> None:
        """Where a report outside a session stands: one plain UPDATE."""
        async with self._writing() as session:
            await session.execute(
                _SET_REPORT_STEP, {"user_id": user_id, "step": step, "pain": pain}
            )

    async def get_session(self, session_id: int) -> SessionState | None:
        async with self._sessions() as session:
            row = await session.get(TrainingSession, session_id)
            return _state(row) if row else None

    async def start_session(
        self, user_id: int, routine: Sequence[tuple[str, int]], now: datetime
    ) -> SessionState:
        """A new active session; any older active one is closed as stopped."""
        async with self._writing() as session:
            await session.execute(
                update(TrainingSession)
                .where(TrainingSession.user_id == user_id, TrainingSession.status == ACTIVE)
                .values(status=STOPPED, finished_at=now)
            )
            row = TrainingSession(
                user_id=user_id,
                started_at=now,
                status=ACTIVE,
                routine=_routine_text(routine),
                position=0,
                side=0,
                phase="card",
            )
            session.add(row)
            await session.flush()
            return _state(row)

    async def move(
        self,
        session_id: int,
        expect: tuple[int, int, str],
        to: tuple[int, int, str],
    ) -> SessionState | None:
        """Compare-and-set the (position, side, phase); None when the session moved on."""
        async with self._writing() as session:
            result = await session.execute(
                update(TrainingSession)
                .where(
                    TrainingSession.id == session_id,
                    TrainingSession.status == ACTIVE,
                    TrainingSession.position == expect[0],
                    TrainingSession.side == expect[1],
                    TrainingSession.phase == expect[2],
                )
                .values(position=to[0], side=to[1], phase=to[2])
            )
            if result.rowcount != 1:
                return None
            row = await session.get(TrainingSession, session_id)
            assert row is not None
            return _state(row)

    async def record_answer(
        self,
        state: SessionState,
        expect_phase: str,
        *,
        answer: str,
        pain: int | None,
        progress: ExerciseProgress,
        start_hold: int,
        now: datetime,
        drop: Collection[str] = (),
    ) -> SessionState | None:
        """Store one answer, its progress and pain, and move to the next exercise, at once.

        `drop`: exercises that leave the rest of this session (harder variants of one that
        hurt). None when this answer was already given (a double tap, or an old button).
        """
        done, rest = state.routine[: state.position + 1], state.routine[state.position + 1 :]
        kept = done + tuple(item for item in rest if item[0] not in drop)
        is_last = len(kept) == state.position + 1
        next_phase = "end" if is_last else "card"
        values: dict[str, Any] = {
            "position": state.position + (0 if is_last else 1),
            "side": 0,
            "phase": next_phase,
        }
        if len(kept) != len(state.routine):
            values["routine"] = _routine_text(kept)
        async with self._writing() as session:
            result = await session.execute(
                update(TrainingSession)
                .where(
                    TrainingSession.id == state.id,
                    TrainingSession.status == ACTIVE,
                    TrainingSession.position == state.position,
                    TrainingSession.phase == expect_phase,
                )
                .values(**values)
            )
            if result.rowcount != 1:
                return None
            before = await session.get(ProgressRow, (state.user_id, state.exercise_id))
            session.add(
                ExerciseResult(
                    session_id=state.id,
                    exercise_id=state.exercise_id,
                    answer=answer,
                    pain=pain,
                    hold_seconds=state.target_hold,
                    answered_at=now,
                    undo=_undo_text(before, state.routine),
                )
            )
            if pain is not None and answer == "hurts":
                session.add(
                    PainReport(
                        user_id=state.user_id,
                        pain=pain,
                        reported_at=now,
                        source="session",
                        exercise_id=state.exercise_id,
                        session_id=state.id,
                    )
                )
            await _save_progress(session, state.user_id, progress, start_hold, now)
            row = await session.get(TrainingSession, state.id)
            assert row is not None
            return _state(row)

    async def close_session(
        self, session_id: int, status: str, now: datetime, local_date: date | None
    ) -> bool:
        """Finish or stop an active session; False when it was already closed."""
        async with self._writing() as session:
            result = await session.execute(
                update(TrainingSession)
                .where(TrainingSession.id == session_id, TrainingSession.status == ACTIVE)
                .values(status=status, finished_at=now, local_date=local_date, phase="closed")
            )
            return result.rowcount == 1

    async def answers(self, session_id: int) -> list[AnswerRecord]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ExerciseResult)
                .where(ExerciseResult.session_id == session_id)
                .order_by(ExerciseResult.id)
            )
            return [AnswerRecord(r.exercise_id, r.answer, r.pain, r.hold_seconds) for r in rows]

    async def session_days(self, user_id: int) -> list[date]:
        """The local days on which the person finished a session."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(TrainingSession.local_date).where(
                    TrainingSession.user_id == user_id,
                    TrainingSession.status == FINISHED,
                    TrainingSession.local_date.is_not(None),
                )
            )
            return [day for day in rows if day is not None]

    async def finished_count(self, user_id: int) -> int:
        async with self._sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(TrainingSession)
                .where(TrainingSession.user_id == user_id, TrainingSession.status == FINISHED)
            )
            return int(count or 0)

    async def painful_since(
        self, user_id: int, since: datetime
    ) -> list[tuple[str | None, datetime]]:
        """Exercises reported with pain above 5 since an instant (to rest them today).

        Pain in a session and pain reported outside one both count; None is pain the person
        could not pin on one exercise.
        """
        async with self._sessions() as session:
            rows = await session.execute(
                select(PainReport.exercise_id, PainReport.reported_at).where(
                    PainReport.user_id == user_id,
                    PainReport.reported_at >= since,
                    PainReport.pain > 5,
                    PainReport.source != "onboarding",
                )
            )
            return [(exercise_id, at) for exercise_id, at in rows]

    async def pain_since(self, user_id: int, since: datetime) -> list[tuple[str | None, int]]:
        """Pain reported while exercising since an instant: (exercise or None, score)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(PainReport.exercise_id, PainReport.pain).where(
                    PainReport.user_id == user_id,
                    PainReport.reported_at >= since,
                    PainReport.source != "onboarding",
                )
            )
            return [(exercise_id, pain) for exercise_id, pain in rows]

    async def finished_on(self, user_id: int, day: date) -> bool:
        """Whether a session (guided or reported) counts for this local day."""
        async with self._sessions() as session:
            found = await session.scalar(
                select(TrainingSession.id)
                .where(
                    TrainingSession.user_id == user_id,
                    TrainingSession.status == FINISHED,
                    TrainingSession.local_date == day,
                )
                .limit(1)
            )
            return found is not None

    async def record_reported_session(
        self,
        user_id: int,
        day: date,
        routine: Sequence[tuple[str, int]],
        answers: Mapping[str, Answer],
        progress: Mapping[str, ExerciseProgress],
        start_holds: Mapping[str, int],
        now: datetime,
    ) -> bool:
        """A routine done without the bot, counted for `day` with its answers and progress.

        False (and nothing stored) when a session already counts for that day.
        """
        async with self._writing() as session:
            user = await session.get(User, user_id, with_for_update=True)
            if user is None:
                return False
            already = await session.scalar(
                select(TrainingSession.id).where(
                    TrainingSession.user_id == user_id,
                    TrainingSession.status == FINISHED,
                    TrainingSession.local_date == day,
                )
            )
            if already is not None:
                return False
            row = TrainingSession(
                user_id=user_id,
                started_at=now,
                finished_at=now,
                local_date=day,
                status=FINISHED,
                kind=REPORTED,
                routine=",".join(f"{exercise_id}:{hold}" for exercise_id, hold in routine),
                position=max(0, len(routine) - 1),
                side=0,
                phase="closed",
            )
            session.add(row)
            await session.flush()
            holds = dict(routine)
            for exercise_id, answer in answers.items():
                session.add(
                    ExerciseResult(
                        session_id=row.id,
                        exercise_id=exercise_id,
                        answer=answer.kind.value,
                        pain=answer.pain if answer.kind.value == "hurts" else None,
                        hold_seconds=holds.get(exercise_id, 0),
                        answered_at=now,
                    )
                )
            for item in progress.values():
                await _save_progress(session, user_id, item, start_holds[item.exercise_id], now)
            return True

    # Privacy ----------------------------------------------------------------------

    async def export_user(self, user_id: int) -> dict[str, Any] | None:
        """Every row kept about one person, as plain JSON-ready data; None if unknown."""
        async with self._sessions() as session:
            user = await session.get(User, user_id)
            if user is None:
                return None
            sessions = list(
                await session.scalars(
                    select(TrainingSession)
                    .where(TrainingSession.user_id == user_id)
                    .order_by(TrainingSession.id)
                )
            )
            session_ids = [row.id for row in sessions]
            results = list(
                await session.scalars(
                    select(ExerciseResult)
                    .where(ExerciseResult.session_id.in_(session_ids))
                    .order_by(ExerciseResult.id)
                )
            )
            tables: dict[str, list[Any]] = {
                "user": [user],
                "training_sessions": sessions,
                "exercise_results": results,
            }
            for name, model in (
                ("exercise_progress", ProgressRow),
                ("pain_reports", PainReport),
                ("reminder_log", ReminderLog),
                ("streak_days", StreakDay),
            ):
                tables[name] = list(
                    await session.scalars(select(model).where(model.user_id == user_id))
                )
            return {name: [_as_dict(row) for row in rows] for name, rows in tables.items()}

    async def delete_user(self, user_id: int) -> bool:
        """Erase the person and, by cascade, every row about them; False if unknown."""
        async with self._writing() as session:
            user = await session.get(User, user_id)
            if user is None:
                return False
            # Foreign keys cascade on both backends; the explicit deletes also cover a database
            # whose SQLite connection was opened without foreign keys.
            ids = select(TrainingSession.id).where(TrainingSession.user_id == user_id)
            await session.execute(delete(ExerciseResult).where(ExerciseResult.session_id.in_(ids)))
            for model in (PainReport, ReminderLog, StreakDay, ProgressRow, TrainingSession):
                await session.execute(delete(model).where(model.user_id == user_id))
            await session.delete(user)
            return True

    # History and media -------------------------------------------------------------

    async def hold_history(self, user_id: int) -> list[tuple[str, datetime, int]]:
        """Each answered exercise's target hold at the time, oldest first, for charts."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(
                    ExerciseResult.exercise_id,
                    ExerciseResult.answered_at,
                    ExerciseResult.hold_seconds,
                )
                .join(TrainingSession, TrainingSession.id == ExerciseResult.session_id)
                .where(TrainingSession.user_id == user_id, ExerciseResult.hold_seconds > 0)
                .order_by(ExerciseResult.answered_at, ExerciseResult.id)
            )
            return [(exercise_id, at, hold) for exercise_id, at, hold in rows]

    async def cached_file_id(self, key: str) -> str | None:
        async with self._sessions() as session:
            row = await session.get(MediaCache, key)
            return row.file_id if row else None

    async def remember_file_id(self, key: str, file_id: str, now: datetime) -> None:
        """Keep Telegram's file_id for a rendered file; the first one stored wins."""
        try:
            async with self._writing() as session:
                if await session.get(MediaCache, key) is None:
                    session.add(MediaCache(key=key, file_id=file_id, created_at=now))
        except IntegrityError:
            pass  # another upload of the same file was stored first; either id works

    async def forget_file_id(self, key: str) -> None:
        """Telegram no longer knows this file_id: the next send uploads again."""
        async with self._writing() as session:
            row = await session.get(MediaCache, key)
            if row is not None:
                await session.delete(row)

    # Reminders ----------------------------------------------------------------------

    async def claim_due(
        self, now: datetime, *, grace: timedelta, limit: int, lease: timedelta = CLAIM_LEASE
    ) -> list[DueReminder]:
        """Claim up to `limit` reminders that are due, in one short transaction.

        Each claimed person's next reminder moves to its next day and the day's log row is
        written in the same transaction; a day that already has a row is never sent again.
        Reminders older than `grace` are logged as missed, and days with a finished session
        as done; neither is returned. On PostgreSQL, rows another process is claiming are
        skipped rather than waited for.
        """
        claimed: list[DueReminder] = []
        async with self._writing() as session:
            if self.engine.dialect.name == "sqlite":
                # SQLite's driver starts a transaction only at the first write, so two
                # claimers could read the same due rows; take the write lock first instead.
                await session.execute(text("BEGIN IMMEDIATE"))
            users = list(
                await session.scalars(
                    select(User)
                    .where(User.next_reminder_at <= now)
                    .order_by(User.next_reminder_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            due = {user.id: _daily_due(user) for user in users}
            keys = [(user_id, day) for user_id, (_, day) in due.items()]
            logged = await _existing_logs(session, keys)
            done = await _finished_days(session, keys)
            for user in users:
                due_at, day = due[user.id]
                # Days older than the grace period are passed over; one still within it
                # comes up next and is sent late.
                user.next_reminder_at = _next_due(user, max(due_at, now - grace))
                if (user.id, day) in logged:
                    continue  # today's reminder went out already (the time was changed)
                result = outcome(due_at, now, grace, done_today=(user.id, day) in done)
                session.add(
                    ReminderLog(
                        user_id=user.id,
                        local_date=day,
                        due_at=due_at,
                        status=result.value,
                        claimed_at=now,
                        snoozes=0,
                    )
                )
                if result is Outcome.SEND:
                    claimed.append(_due(user, day, DAILY))
            claimed += await _claim_snoozes(session, now, grace, limit - len(users))
            claimed += await _reclaim_lost(session, now, grace, limit - len(claimed), lease)
        return claimed

    async def mark_reminder(self, user_id: int, day: date, status: str, now: datetime) -> None:
        """Record how sending one claimed reminder ended (sent or failed)."""
        if status not in (SENT, FAILED):
            raise ValueError(f"a reminder is marked sent or failed, not {status!r}")
        key = [(user_id, day)]
        await self.settle_reminders(
            sent=key if status == SENT else [],
            failed=key if status == FAILED else [],
            asked=[],
            now=now,
        )

    async def reminder_inputs(
        self, due: Sequence[DueReminder], since: Mapping[int, datetime]
    ) -> dict[int, ReminderInputs]:
        """What composing each claimed reminder needs, for a whole batch in a few queries.

        `since` is each person's local midnight: pain above 5 reported after it rests that
        exercise today.
        """
        ids = sorted({item.user_id for item in due})
        if not ids:
            return {}
        recent_from = min(item.local_date for item in due) - timedelta(days=2)
        progress: dict[int, dict[str, ExerciseProgress]] = defaultdict(dict)
        painful: dict[int, set[str | None]] = defaultdict(set)
        hurt: dict[int, set[str]] = defaultdict(set)
        days: dict[int, set[date]] = defaultdict(set)
        async with self._sessions() as session:
            for chunk in _chunks(ids):
                for row in await session.scalars(
                    select(ProgressRow).where(ProgressRow.user_id.in_(chunk))
                ):
                    progress[row.user_id][row.exercise_id] = _to_domain(row)
                reports = await session.execute(
                    select(
                        PainReport.user_id,
                        PainReport.exercise_id,
                        PainReport.reported_at,
                        PainReport.pain,
                    ).where(
                        PainReport.user_id.in_(chunk),
                        PainReport.reported_at >= min(since[user_id] for user_id in chunk),
                        PainReport.source != "onboarding",
                    )
                )
                for user_id, exercise_id, at, pain in reports:
                    if at < since[user_id]:
                        continue
                    if pain > 5:
                        painful[user_id].add(exercise_id)
                    if exercise_id is not None:
                        hurt[user_id].add(exercise_id)
                # Recent finished days, and each person's latest one before them: enough to
                # tell whether yesterday was missed by someone who had been training.
                finished = (
                    TrainingSession.user_id.in_(chunk),
                    TrainingSession.status == FINISHED,
                    TrainingSession.local_date.is_not(None),
                )
                recent = await session.execute(
                    select(TrainingSession.user_id, TrainingSession.local_date)
                    .where(*finished, TrainingSession.local_date >= recent_from)
                    .distinct()
                )
                earlier = await session.execute(
                    select(TrainingSession.user_id, func.max(TrainingSession.local_date))
                    .where(*finished, TrainingSession.local_date < recent_from)
                    .group_by(TrainingSession.user_id)
                )
                for user_id, day in [*recent, *earlier]:
                    if day is not None:
                        days[user_id].add(day)
        return {
            user_id: ReminderInputs(
                progress=progress[user_id],
                painful=frozenset(painful[user_id]),
                hurt=frozenset(hurt[user_id]),
                session_days=tuple(sorted(days[user_id])),
            )
            for user_id in ids
        }

    async def settle_reminders(
        self,
        *,
        sent: Sequence[tuple[int, date]],
        failed: Sequence[tuple[int, date]],
        asked: Sequence[int],
        now: datetime,
    ) -> None:
        """Record how a batch of claimed reminders ended, in one transaction.

        Only claimed rows change (a skip or snooze pressed meanwhile is kept); `asked` are the
        people whose morning check went out, so their next reminder is a plain one.
        """
        async with self._writing() as session:
            for status, keys in ((SENT, sent), (FAILED, failed)):
                for chunk in _chunks(list(keys)):
                    await session.execute(
                        update(ReminderLog)
                        .where(
                            tuple_(ReminderLog.user_id, ReminderLog.local_date).in_(chunk),
                            ReminderLog.status == CLAIMED,
                        )
                        .values(status=status, sent_at=now if status == SENT else None)
                    )
            for chunk in _chunks(sorted(set(asked))):
                await session.execute(
                    update(User).where(User.id.in_(chunk)).values(check_due=False)
                )

    async def block(self, user_id: int, day: date | None) -> None:
        """The person blocked the bot: no more reminders until their next /start."""
        async with self._writing() as session:
            user = await session.get(User, user_id, with_for_update=True)
            if user is None:
                return
            user.blocked = True
            user.next_reminder_at = None
            user.snooze_until = None
            if day is not None:
                row = await session.get(ReminderLog, (user_id, day))
                if row is not None:
                    row.status = BLOCKED

    async def reminder_of(self, user_id: int, day: date) -> ReminderLog | None:
        async with self._sessions() as session:
            return await session.get(ReminderLog, (user_id, day))

    async def reminder_log(self, user_id: int) -> list[ReminderLog]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(ReminderLog)
                .where(ReminderLog.user_id == user_id)
                .order_by(ReminderLog.local_date)
            )
            return list(rows)

    async def snooze(self, user_id: int, day: date, until: datetime) -> bool:
        """Bring the day's reminder back at `until`; False when that day is over or settled."""
        # A button on it was pressed, so it arrived: it must not be sent again.
        return await self._settle_day(user_id, day, status=SENT, snooze_until=until)

    async def skip_day(self, user_id: int, day: date) -> bool:
        """The person rests today: no snooze comes back; False when the day is settled."""
        return await self._settle_day(user_id, day, status=SKIPPED, snooze_until=None)

    async def _settle_day(
        self, user_id: int, day: date, *, status: str, snooze_until: datetime | None
    ) -> bool:
        async with self._writing() as session:
            row = await session.get(ReminderLog, (user_id, day), with_for_update=True)
            user = await session.get(User, user_id, with_for_update=True)
            if row is None or user is None or row.status not in (SENT, CLAIMED):
                return False
            row.status = status
            user.snooze_until = snooze_until
            return True

    # Streak days --------------------------------------------------------------------

    async def mark_streak_day(self, user_id: int, day: date, kind: Frozen, now: datetime) -> None:
        """Freeze one local day of the person's streak: it neither counts nor breaks it."""
        async with self._writing() as session:
            await _mark_days(session, user_id, [day], kind, now)

    async def end_streak_freeze(
        self, user_id: int, kind: Frozen, today: date, now: datetime
    ) -> None:
        """A pause or urgent hold ended today: freeze every day from its first one to today."""
        async with self._writing() as session:
            since = await session.scalar(
                select(func.max(StreakDay.local_date)).where(
                    StreakDay.user_id == user_id,
                    StreakDay.kind == kind.value,
                    StreakDay.local_date <= today,
                )
            )
            # One that began before streak days were kept freezes its last day at least.
            await _mark_days(session, user_id, days_through(since or today, today), kind, now)

    async def streak_days(self, user_id: int, today: date) -> tuple[list[date], list[date]]:
        """The person's (counted, frozen) local days, for the streak rule.

        Counted: a guided session, finished or stopped, with an exercise done (done, or hurts
        at 0-5), or a reported one, unless all it reported was pain above 5. Frozen: the marked
        days, and every day of a pause or urgent hold still going on, to `today`.
        """
        async with self._sessions() as session:
            user = await session.get(User, user_id)
            if user is None:
                return [], []
            mine = ExerciseResult.session_id == TrainingSession.id
            hurts = ExerciseResult.answer == "hurts"
            done = (ExerciseResult.answer == "done") | (hurts & (ExerciseResult.pain <= 5))
            any_done = select(ExerciseResult.id).where(mine, done).exists()
            too_much = select(ExerciseResult.id).where(mine, hurts, ExerciseResult.pain > 5)
            reported = (TrainingSession.kind == REPORTED) & ~too_much.exists()
            counted = await session.scalars(
                select(TrainingSession.local_date)
                .distinct()
                .where(
                    TrainingSession.user_id == user_id,
                    TrainingSession.status.in_((FINISHED, STOPPED)),
                    TrainingSession.local_date.is_not(None),
                    any_done | reported,
                )
            )
            marks = list(
                await session.execute(
                    select(StreakDay.local_date, StreakDay.kind).where(StreakDay.user_id == user_id)
                )
            )
            frozen = {day for day, _ in marks}
            going_on = {
                Frozen.PAUSED: not user.active,
                Frozen.RED_FLAG: user.red_flag_hold == RedFlagHold.URGENT,
            }
            for kind, on in going_on.items():
                began = [day for day, k in marks if k == kind.value and day <= today]
                if on and began:
                    frozen.update(days_through(max(began), today))
            return sorted(day for day in counted if day is not None), sorted(frozen)

    # Undo and "not for me" -------------------------------------------------------------

    async def undo_answer(self, session_id: int, position: int) -> SessionState | None:
        """Take back the answer at `position` while the session waits at the next card.

        Its result and pain report go, the exercise's progress row is what it was before the
        answer, the harder variants it dropped are back in the session, and the session is at
        that exercise's card again. None when the session moved on (or this was undone).
        """
        async with self._writing() as session:
            row = await session.get(TrainingSession, session_id)
            if row is None or (row.status, row.position, row.side, row.phase) != (
                ACTIVE,
                position + 1,
                0,
                "card",
            ):
                return None
            exercise_id = _state(row).routine[position][0]
            answer = await session.scalar(
                select(ExerciseResult).where(
                    ExerciseResult.session_id == session_id,
                    ExerciseResult.exercise_id == exercise_id,
                )
            )
            if answer is None or answer.undo is None:
                return None
            undo = json.loads(answer.undo)
            result = await session.execute(
                update(TrainingSession)
                .where(
                    TrainingSession.id == session_id,
                    TrainingSession.status == ACTIVE,
                    TrainingSession.position == position + 1,
                    TrainingSession.side == 0,
                    TrainingSession.phase == "card",
                )
                .values(position=position, side=0, phase="card", routine=undo["routine"])
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                return None
            await session.delete(answer)
            await session.execute(
                delete(PainReport).where(
                    PainReport.session_id == session_id,
                    PainReport.exercise_id == exercise_id,
                    PainReport.source == "session",
                )
            )
            progress = await session.get(ProgressRow, (row.user_id, exercise_id))
            before = undo["progress"]
            if before is None:
                if progress is not None:
                    await session.delete(progress)
            else:
                if progress is None:
                    progress = ProgressRow(user_id=row.user_id, exercise_id=exercise_id)
                    session.add(progress)
                for name, value in before.items():
                    if name == "updated_at":
                        value = datetime.fromisoformat(value)
                    setattr(progress, name, value)
            await session.flush()
            await session.refresh(row)
            return _state(row)

    async def set_aside_in_session(
        self,
        state: SessionState,
        reason: str,
        progress: ExerciseProgress,
        start_hold: int,
        now: datetime,
        drop: Collection[str] = (),
    ) -> SessionState | None:
        """Not for me, pressed on the exercise's card: set it aside and go on without it, at once.

        The exercise (and `drop`, its harder variants) leaves the rest of this session; the
        next card takes its position. With nothing left, the session ends: its phase is
        "end", or it is stopped when nothing at all was in it. None when the session moved on.
        """
        done, rest = state.routine[: state.position], state.routine[state.position + 1 :]
        kept = done + tuple(item for item in rest if item[0] not in drop)
        values: dict[str, Any] = {"routine": _routine_text(kept), "side": 0}
        if len(kept) > state.position:
            values["phase"] = "card"
        elif kept:
            values.update(position=state.position - 1, phase="end")
        else:
            values.update(
                routine=_routine_text(state.routine),
                status=STOPPED,
                finished_at=now,
                phase="closed",
            )
        async with self._writing() as session:
            result = await session.execute(
                update(TrainingSession)
                .where(
                    TrainingSession.id == state.id,
                    TrainingSession.status == ACTIVE,
                    TrainingSession.position == state.position,
                    TrainingSession.side == 0,
                    TrainingSession.phase == "card",
                )
                .values(**values)
            )
            if result.rowcount != 1:
                return None
            await _save_progress(session, state.user_id, progress, start_hold, now)
            row = await session.get(ProgressRow, (state.user_id, progress.exercise_id))
            assert row is not None
            row.set_aside = reason
            moved = await session.get(TrainingSession, state.id)
            assert moved is not None
            await session.refresh(moved)
            return _state(moved)

    async def set_aside_reasons(self, user_id: int) -> dict[str, str]:
        """The exercises the person set aside, with why."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(ProgressRow.exercise_id, ProgressRow.set_aside).where(
                    ProgressRow.user_id == user_id, ProgressRow.set_aside.is_not(None)
                )
            )
            return {exercise_id: reason for exercise_id, reason in rows}

    async def bring_back(self, user_id: int, exercise_id: str, now: datetime) -> bool:
        """An exercise set aside is back in the person's next routine; False if it was not out."""
        async with self._writing() as session:
            result = await session.execute(
                update(ProgressRow)
                .where(
                    ProgressRow.user_id == user_id,
                    ProgressRow.exercise_id == exercise_id,
                    ProgressRow.set_aside.is_not(None),
                )
                .values(set_aside=None, updated_at=now)
            )
            return result.rowcount == 1


# Guided sessions ------------------------------------------------------------------

ACTIVE = "active"
FINISHED = "finished"
STOPPED = "stopped"
# A session's kind: led by the bot, or done alone and reported.
GUIDED = "guided"
REPORTED = "reported"

# The two statements behind every typed message, built once: building a statement and its
# cache key costs more CPU than SQLite takes to run it.
_CHAT_STATE = (
    select(User, TrainingSession)
    .outerjoin(
        TrainingSession,
        and_(TrainingSession.user_id == User.id, TrainingSession.status == ACTIVE),
    )
    .where(User.id == bindparam("user_id"))
    .order_by(TrainingSession.id.desc())
    .limit(1)
)
_SET_REPORT_STEP = (
    update(User.__table__)
    .where(User.__table__.c.id == bindparam("user_id"))
    .values(report_step=bindparam("step"), report_pain=bindparam("pain"))
)


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


def _undo_text(before: ProgressRow | None, routine: Sequence[tuple[str, int]]) -> str:
    """What an Undo of an answer restores: the progress row before it, and the routine."""
    progress = None
    if before is not None:
        progress = {
            name: getattr(before, name)
            for name in (
                "target_hold",
                "start_hold",
                "pain_free_streak",
                "high_pain_streak",
                "ceiling_pain_free_streak",
                "removed",
                "sessions_until_return",
                "set_aside",
            )
        }
        progress["updated_at"] = before.updated_at.isoformat()
    return json.dumps({"progress": progress, "routine": _routine_text(routine)})


def _routine_text(routine: Sequence[tuple[str, int]]) -> str:
    return ",".join(f"{exercise_id}:{hold}" for exercise_id, hold in routine)


def _state(row: TrainingSession) -> SessionState:
    routine = tuple(
        (exercise_id, int(hold))
        for exercise_id, _, hold in (part.partition(":") for part in row.routine.split(",") if part)
    )
    return SessionState(row.id, row.user_id, routine, row.position, row.side, row.phase, row.status)


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


async def _next_open_due(session: AsyncSession, user: User, now: datetime) -> datetime | None:
    """The next reminder after `now` on a day that has not had its reminder yet.

    A claim never sends twice on one local day, so a time moved later on a day whose
    reminder went out already next comes tomorrow, and that is what the person is told.
    """
    due = _next_due(user, now)
    if due is None or user.reminder_time is None:
        return due
    zone_name = user.timezone or "UTC"
    logged = await session.scalars(
        select(ReminderLog.local_date).where(
            ReminderLog.user_id == user.id,
            ReminderLog.local_date >= reminder_day(due, zone_name),
        )
    )
    return first_open_reminder(user.reminder_time, zone_name, due, set(logged))


def _daily_due(user: User) -> tuple[datetime, date]:
    assert user.next_reminder_at is not None
    return user.next_reminder_at, reminder_day(user.next_reminder_at, user.timezone or "UTC")


def _due(user: User, day: date, kind: str) -> DueReminder:
    return DueReminder(
        user_id=user.id,
        chat_id=user.chat_id,
        timezone=user.timezone or "UTC",
        local_date=day,
        level=user.level,
        check_due=user.check_due,
        kind=kind,
    )


async def _existing_logs(
    session: AsyncSession, keys: Sequence[tuple[int, date]]
) -> set[tuple[int, date]]:
    found: set[tuple[int, date]] = set()
    for chunk in _chunks(list(keys)):
        rows = await session.execute(
            select(ReminderLog.user_id, ReminderLog.local_date).where(
                tuple_(ReminderLog.user_id, ReminderLog.local_date).in_(chunk)
            )
        )
        found.update((user_id, day) for user_id, day in rows)
    return found


async def _finished_days(
    session: AsyncSession, keys: Sequence[tuple[int, date]]
) -> set[tuple[int, date]]:
    found: set[tuple[int, date]] = set()
    for chunk in _chunks(list(keys)):
        rows = await session.execute(
            select(TrainingSession.user_id, TrainingSession.local_date).where(
                TrainingSession.status == FINISHED,
                tuple_(TrainingSession.user_id, TrainingSession.local_date).in_(chunk),
            )
        )
        found.update((user_id, day) for user_id, day in rows if day is not None)
    return found


async def _claim_snoozes(
    session: AsyncSession, now: datetime, grace: timedelta, limit: int
) -> list[DueReminder]:
    """Snoozed reminders whose half hour is up, for the day they were first sent."""
    if limit <= 0:
        return []
    users = list(
        await session.scalars(
            select(User)
            .where(User.snooze_until <= now)
            .order_by(User.snooze_until)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    claimed: list[DueReminder] = []
    for user in users:
        until = user.snooze_until
        assert until is not None
        user.snooze_until = None
        row = await session.scalar(
            select(ReminderLog)
            .where(ReminderLog.user_id == user.id)
            .order_by(ReminderLog.local_date.desc())
            .limit(1)
        )
        if row is None or row.status not in (SENT, CLAIMED) or now - until > grace:
            continue
        if not snooze_same_day(until, user.timezone or "UTC", row.local_date):
            continue  # it would come back on the next local day, when that day is over
        if await _finished_days(session, [(user.id, row.local_date)]):
            continue
        row.snoozes += 1
        claimed.append(_due(user, row.local_date, SNOOZED))
    return claimed


async def _reclaim_lost(
    session: AsyncSession, now: datetime, grace: timedelta, limit: int, lease: timedelta
) -> list[DueReminder]:
    """Reminders claimed by a process that died before sending them: send them now."""
    if limit <= 0:
        return []
    rows = list(
        await session.scalars(
            select(ReminderLog)
            .where(ReminderLog.status == CLAIMED, ReminderLog.claimed_at <= now - lease)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    claimed: list[DueReminder] = []
    for row in rows:
        user = await session.get(User, row.user_id)
        if user is None or user.blocked or not user.active or now - row.due_at > grace:
            row.status = Outcome.MISSED.value
            continue
        if await _finished_days(session, [(row.user_id, row.local_date)]):
            row.status = Outcome.ALREADY_DONE.value
            continue
        row.claimed_at = now
        # A retry is the day's first reminder: it asks the morning check if one is due.
        claimed.append(_due(user, row.local_date, RETRY))
    return claimed


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _mark_days(
    session: AsyncSession, user_id: int, days: Sequence[date], kind: Frozen, now: datetime
) -> None:
    """Add the streak-day marks not there yet (a day marked twice stays one row)."""
    if not days:
        return
    there = set(
        await session.scalars(
            select(StreakDay.local_date).where(
                StreakDay.user_id == user_id,
                StreakDay.kind == kind.value,
                StreakDay.local_date.in_(days),
            )
        )
    )
    for day in sorted(set(days) - there):
        session.add(StreakDay(user_id=user_id, local_date=day, kind=kind.value, marked_at=now))


def _as_dict(row: Any) -> dict[str, Any]:
    """A model row as JSON-ready values (dates and times as ISO text)."""
    out: dict[str, Any] = {}
    for column in inspect(row).mapper.column_attrs:
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out
