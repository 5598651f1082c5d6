"""The only module that reads and writes the database; each call is one short transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage.database import session_factory
from bot.storage.models import PainReport, User

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
