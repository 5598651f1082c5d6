"""Training sessions: guided ones step by step (answers, undo, not for me) and reported ones."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, select, update

from bot.domain.progression import Answer, ExerciseProgress
from bot.domain.schedule import first_open_reminder, reminder_day
from bot.storage._base import (
    ACTIVE,
    FINISHED,
    REPORTED,
    STOPPED,
    AnswerRecord,
    RepositoryBase,
    SessionState,
    _save_progress,
)
from bot.storage.models import ExerciseProgress as ProgressRow
from bot.storage.models import ExerciseResult, PainReport, TrainingSession, User

# The two statements behind every typed message, built once and run on the driver
# (bot/storage/direct.py): building a statement and running it through the ORM costs more
# CPU than SQLite takes to run it.
_USERS = User.__table__
_SESSIONS = TrainingSession.__table__
_SESSION_COLUMNS = (
    _SESSIONS.c.id,
    _SESSIONS.c.user_id,
    _SESSIONS.c.routine,
    _SESSIONS.c.position,
    _SESSIONS.c.side,
    _SESSIONS.c.phase,
    _SESSIONS.c.status,
)
_USER_NAMES = tuple(column.key for column in _USERS.c)
_CHAT_STATE = (
    select(*_USERS.c, *_SESSION_COLUMNS)
    .select_from(
        _USERS.outerjoin(
            _SESSIONS, and_(_SESSIONS.c.user_id == _USERS.c.id, _SESSIONS.c.status == ACTIVE)
        )
    )
    .where(_USERS.c.id == bindparam("user_id"))
    .order_by(_SESSIONS.c.id.desc())
    .limit(1)
)
_SET_REPORT_STEP = (
    update(_USERS)
    .where(_USERS.c.id == bindparam("user_id"))
    .values(report_step=bindparam("step"), report_pain=bindparam("pain"))
)


class SessionsMixin(RepositoryBase):
    """Guided and reported sessions, their answers and history."""

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
        rows = await self.direct.fetch(_CHAT_STATE, {"user_id": user_id})
        if not rows:
            return None, None
        row = rows[0]
        count = len(_USER_NAMES)
        # A detached User, as the ORM would have handed back after its session closed.
        user = User(**dict(zip(_USER_NAMES, row[:count], strict=True)))
        session_id, owner, routine, position, side, phase, status = row[count:]
        if session_id is None:
            return user, None
        return user, SessionState(
            session_id, owner, _routine(routine), position, side, phase, status
        )

    async def set_report_step(
        self, user_id: int, step: str | None, pain: int | None = None
    ) -> None:
        """Where a report outside a session stands: one plain UPDATE."""
        async with self._writing_direct():
            await self.direct.execute(
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

    async def next_reminder(self, user: User) -> datetime | None:
        """The instant the person's next reminder will really be sent; None when none will.

        A day whose routine is done gets no reminder, so the next one is on the first day
        from the stored instant that is not done: what the bot states is what the job does.
        """
        due = user.next_reminder_at
        if due is None or user.reminder_time is None:
            return None
        zone_name = user.timezone or "UTC"
        async with self._sessions() as session:
            days = await session.scalars(
                select(TrainingSession.local_date).where(
                    TrainingSession.user_id == user.id,
                    TrainingSession.status == FINISHED,
                    TrainingSession.local_date >= reminder_day(due, zone_name),
                )
            )
            finished = {day for day in days if day is not None}
        return first_open_reminder(user.reminder_time, zone_name, due, finished)

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


def _routine(text: str) -> tuple[tuple[str, int], ...]:
    return tuple(
        (exercise_id, int(hold))
        for exercise_id, _, hold in (part.partition(":") for part in text.split(",") if part)
    )


def _state(row: TrainingSession) -> SessionState:
    return SessionState(
        row.id, row.user_id, _routine(row.routine), row.position, row.side, row.phase, row.status
    )
