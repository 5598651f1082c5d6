"""The update inbox's SQL: store, claim, finish, release, prune, forget. One short transaction each.

Rows are keyed by Telegram's `update_id`, so storing the same update twice keeps one row (and
says it was not new). A row belongs to the process that stored or claimed it (`claimed_by`),
which renews `claimed_at` while it lives; a row not done whose claim is older than a lease was
left by a process that died, and any process may claim it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.storage.database import session_factory
from bot.storage.models import InboxUpdate

# Rows per INSERT or claim: far under both backends' parameter limits.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class StoredUpdate:
    """One update as kept: its id, whose it is, and its JSON as Telegram sent it."""

    update_id: int
    person_id: int | None
    payload: str
    # Messages an earlier run of its handlers had sent (see bot/journal.py).
    sends: int = 0
    # What Telegram answered those sends, as JSON by send number (None: none stored yet).
    sent_messages: str | None = None


class InboxRepository:
    """The only code that reads and writes `update_inbox`."""

    def __init__(self, engine: AsyncEngine, write_lock: asyncio.Lock | None = None) -> None:
        self.engine = engine
        self._sessions = session_factory(engine)
        # SQLite has one writer: share the main repository's queue for it (see Repository).
        self._write_lock = write_lock

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        if self._write_lock is None:
            async with self._sessions.begin() as session:
                yield session
            return
        async with self._write_lock, self._sessions.begin() as session:
            yield session

    def _insert(self):  # type: ignore[no-untyped-def]
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(InboxUpdate)

    async def add(self, updates: Sequence[StoredUpdate], owner: str, now: datetime) -> set[int]:
        """Store these updates as `owner`'s; the ids that were new (the others were kept)."""
        unique = list({stored.update_id: stored for stored in updates}.values())
        new: set[int] = set()
        async with self._writing() as session:
            for start in range(0, len(unique), CHUNK):
                rows = [
                    {
                        "update_id": stored.update_id,
                        "person_id": stored.person_id,
                        "payload": stored.payload,
                        "received_at": now,
                        "claimed_by": owner,
                        "claimed_at": now,
                    }
                    for stored in unique[start : start + CHUNK]
                ]
                statement = (
                    self._insert()
                    .values(rows)
                    .on_conflict_do_nothing(index_elements=["update_id"])
                    .returning(InboxUpdate.update_id)
                )
                new.update(await session.scalars(statement))
        return new

    async def finish(self, update_ids: Sequence[int], now: datetime) -> None:
        """Mark these updates handled (one handled before keeps its first time)."""
        ids = sorted(set(update_ids))
        async with self._writing() as session:
            for start in range(0, len(ids), CHUNK):
                await session.execute(
                    update(InboxUpdate)
                    .where(
                        InboxUpdate.update_id.in_(ids[start : start + CHUNK]),
                        InboxUpdate.done_at.is_(None),
                    )
                    .values(done_at=now)
                )

    async def record_sends(self, counts: Sequence[tuple[int, int, str | None]]) -> None:
        """Store (update_id, messages sent so far, their answers as JSON or None to keep the
        stored ones) triples; a count never goes down, and answers ride with a higher count."""
        latest: dict[int, tuple[int, str | None]] = {}
        for update_id, sends, answers in counts:
            before, kept = latest.get(update_id, (0, None))
            # One run's answers only grow: the last ones submitted hold all the earlier.
            latest[update_id] = (max(sends, before), answers if answers is not None else kept)
        async with self._writing() as session:
            for update_id, (sends, answers) in sorted(latest.items()):
                values: dict[str, object] = {"sends": sends}
                if answers is not None:
                    values["sent_messages"] = answers
                await session.execute(
                    update(InboxUpdate)
                    .where(InboxUpdate.update_id == update_id, InboxUpdate.sends < sends)
                    .values(**values)
                )

    async def claim(
        self, owner: str, now: datetime, *, stale_before: datetime | None, limit: int = CHUNK
    ) -> list[StoredUpdate]:
        """Take up to `limit` rows not done and not `owner`'s, oldest first.

        Only rows released, or claimed before `stale_before` (their process died); with
        `stale_before=None`, every other process's rows too (a sole consumer taking over). On
        PostgreSQL rows another process is claiming are skipped rather than waited for.
        """
        others = InboxUpdate.claimed_by != owner
        if stale_before is not None:
            others = and_(others, InboxUpdate.claimed_at < stale_before)
        condition = [InboxUpdate.done_at.is_(None), or_(InboxUpdate.claimed_by.is_(None), others)]
        async with self._writing() as session:
            if self.engine.dialect.name == "sqlite":
                # Take the write lock before reading, so two claimers cannot read the same rows.
                await session.execute(text("BEGIN IMMEDIATE"))
            rows = (
                await session.execute(
                    select(
                        InboxUpdate.update_id,
                        InboxUpdate.person_id,
                        InboxUpdate.payload,
                        InboxUpdate.sends,
                        InboxUpdate.sent_messages,
                    )
                    .where(*condition)
                    .order_by(InboxUpdate.update_id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if rows:
                await session.execute(
                    update(InboxUpdate)
                    .where(InboxUpdate.update_id.in_([row.update_id for row in rows]))
                    .values(claimed_by=owner, claimed_at=now)
                )
        return [
            StoredUpdate(row.update_id, row.person_id, row.payload, row.sends, row.sent_messages)
            for row in rows
        ]

    async def renew(self, owner: str, now: datetime) -> None:
        """`owner` is alive: its rows not done are claimed afresh."""
        async with self._writing() as session:
            await session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.claimed_by == owner, InboxUpdate.done_at.is_(None))
                .values(claimed_at=now)
            )

    async def release(self, owner: str) -> int:
        """`owner` stops: its rows not done are free for the next process at once."""
        async with self._writing() as session:
            result = await session.execute(
                update(InboxUpdate)
                .where(InboxUpdate.claimed_by == owner, InboxUpdate.done_at.is_(None))
                .values(claimed_by=None)
            )
            return result.rowcount

    async def prune(self, done_before: datetime) -> int:
        """Delete rows handled before `done_before`; how many."""
        async with self._writing() as session:
            result = await session.execute(
                delete(InboxUpdate).where(InboxUpdate.done_at < done_before)
            )
            return result.rowcount

    async def forget(self, person_id: int) -> None:
        """Delete every row of this person's (/delete)."""
        async with self._writing() as session:
            await session.execute(delete(InboxUpdate).where(InboxUpdate.person_id == person_id))

    async def undone(self) -> list[int]:
        """Ids of the rows not handled yet, oldest first (tests, diagnostics)."""
        async with self._sessions() as session:
            return list(
                await session.scalars(
                    select(InboxUpdate.update_id)
                    .where(InboxUpdate.done_at.is_(None))
                    .order_by(InboxUpdate.update_id)
                )
            )
