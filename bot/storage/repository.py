"""The only module that reads and writes the database; each call is one short transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.domain.progression import ExerciseProgress
from bot.storage.database import session_factory
from bot.storage.models import ExerciseProgress as ProgressRow
from bot.storage.models import ExerciseResult, PainReport, TrainingSession, User

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
    }
)


class Repository:
    """Typed reads and writes over the models; no SQL anywhere else."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions: async_sessionmaker[AsyncSession] = session_factory(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def get_user(self, user_id: int) -> User | None:
        async with self._sessions() as session:
            return await session.get(User, user_id)

    async def ensure_user(self, user_id: int, chat_id: int, now: datetime) -> tuple[User, bool]:
        """The user, created on first contact; True when they are new."""
        async with self._sessions.begin() as session:
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

    async def update_user(self, user_id: int, **fields: Any) -> User:
        """Set some of the user's fields and return the saved user."""
        unknown = set(fields) - USER_FIELDS
        if unknown:
            raise ValueError(f"not user fields: {sorted(unknown)}")
        async with self._sessions.begin() as session:
            user = await session.get(User, user_id, with_for_update=True)
            if user is None:
                raise LookupError(f"no user {user_id}")
            for name, value in fields.items():
                setattr(user, name, value)
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
        async with self._sessions.begin() as session:
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
        async with self._sessions.begin() as session:
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

    async def get_session(self, session_id: int) -> SessionState | None:
        async with self._sessions() as session:
            row = await session.get(TrainingSession, session_id)
            return _state(row) if row else None

    async def start_session(
        self, user_id: int, routine: Sequence[tuple[str, int]], now: datetime
    ) -> SessionState:
        """A new active session; any older active one is closed as stopped."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(TrainingSession)
                .where(TrainingSession.user_id == user_id, TrainingSession.status == ACTIVE)
                .values(status=STOPPED, finished_at=now)
            )
            row = TrainingSession(
                user_id=user_id,
                started_at=now,
                status=ACTIVE,
                routine=",".join(f"{exercise_id}:{hold}" for exercise_id, hold in routine),
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
        async with self._sessions.begin() as session:
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
    ) -> SessionState | None:
        """Store one answer, its progress and pain, and move to the next exercise, at once.

        None when this answer was already given (a double tap, or an old button).
        """
        next_phase = "end" if state.is_last else "card"
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(TrainingSession)
                .where(
                    TrainingSession.id == state.id,
                    TrainingSession.status == ACTIVE,
                    TrainingSession.position == state.position,
                    TrainingSession.phase == expect_phase,
                )
                .values(
                    position=state.position + (0 if state.is_last else 1), side=0, phase=next_phase
                )
            )
            if result.rowcount != 1:
                return None
            session.add(
                ExerciseResult(
                    session_id=state.id,
                    exercise_id=state.exercise_id,
                    answer=answer,
                    pain=pain,
                    hold_seconds=state.target_hold,
                    answered_at=now,
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
        async with self._sessions.begin() as session:
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

    async def painful_since(self, user_id: int, since: datetime) -> list[tuple[str, datetime]]:
        """Exercises answered with pain above 5 since an instant (to rest them today)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(ExerciseResult.exercise_id, ExerciseResult.answered_at)
                .join(TrainingSession, TrainingSession.id == ExerciseResult.session_id)
                .where(
                    TrainingSession.user_id == user_id,
                    ExerciseResult.answered_at >= since,
                    ExerciseResult.pain > 5,
                )
            )
            return [(exercise_id, at) for exercise_id, at in rows]


# Guided sessions ------------------------------------------------------------------

ACTIVE = "active"
FINISHED = "finished"
STOPPED = "stopped"


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
    row.updated_at = now
