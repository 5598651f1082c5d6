"""Streak days: the local days frozen by a pause or an urgent hold, and the days that count."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.gates import RedFlagHold
from bot.domain.streaks import Frozen, days_through
from bot.storage._base import FINISHED, REPORTED, STOPPED, RepositoryBase
from bot.storage.models import ExerciseResult, StreakDay, TrainingSession, User


class StreaksMixin(RepositoryBase):
    """Counted and frozen days of the person's streak."""

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
