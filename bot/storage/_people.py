"""People: the user row and its settings, pain reports, exercise progress, export and erasure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.progression import ExerciseProgress
from bot.domain.schedule import first_open_reminder, reminder_day
from bot.storage._base import (
    SCHEDULE_FIELDS,
    USER_FIELDS,
    RepositoryBase,
    _next_due,
    _save_progress,
    _to_domain,
)
from bot.storage.models import ExerciseProgress as ProgressRow
from bot.storage.models import (
    ExerciseResult,
    PainReport,
    ReminderLog,
    StreakDay,
    TrainingSession,
    User,
)

# Read for each person's first update in a while (bot/handlers/language.py): on the driver.
_LANGUAGE_OF = select(User.__table__.c.language).where(User.__table__.c.id == bindparam("user_id"))


class PeopleMixin(RepositoryBase):
    """The person, their pain scores and progress, and their data as a whole."""

    async def get_user(self, user_id: int) -> User | None:
        async with self._sessions() as session:
            return await session.get(User, user_id)

    async def ensure_user(
        self, user_id: int, chat_id: int, now: datetime, *, language: str | None = None
    ) -> tuple[User, bool]:
        """The user, created on first contact (reading `language`); True when they are new."""
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
                language=language,
            )
            session.add(user)
            return user, True

    async def language_of(self, user_id: int) -> tuple[bool, str | None]:
        """Whether the person is known, and the language stored for them (None: none yet)."""
        rows = await self.direct.fetch(_LANGUAGE_OF, {"user_id": user_id})
        return (False, None) if not rows else (True, rows[0][0])

    async def adopt_language(self, user_id: int, language: str) -> None:
        """Store `language` for a person who has none stored (nothing for anyone else)."""
        async with self._writing() as session:
            await session.execute(
                update(User)
                .where(User.id == user_id, User.language.is_(None))
                .values(language=language)
            )

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


def _as_dict(row: Any) -> dict[str, Any]:
    """A model row as JSON-ready values (dates and times as ISO text)."""
    out: dict[str, Any] = {}
    for column in inspect(row).mapper.column_attrs:
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out
