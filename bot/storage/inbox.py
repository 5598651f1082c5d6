"""The update inbox's SQL: store, claim, finish, release, prune, forget. One short transaction each.

Rows are keyed by Telegram's `update_id`, so storing the same update twice keeps one row (and
says it was not new). A row belongs to the process that stored or claimed it (`claimed_by`),
which renews `claimed_at` while it lives; a row not done whose claim is older than a lease was
left by a process that died, and any process may claim it.

The three writes every update makes (stored, its sends counted, done) run as statements built
and compiled once (bot/storage/direct.py); the ORM's unit of work and a compile per batch size
cost more than the rest of an update's handling. The rarer ones (claim, renew, release, prune,
forget) go through the engine.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, delete, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.sql import Executable

from bot.storage.database import session_factory
from bot.storage.direct import Statements
from bot.storage.models import InboxUpdate

# Rows per claim: far under both backends' parameter limits.
CHUNK = 500
# Rows per prebuilt INSERT or finishing UPDATE: one statement per size up to this is compiled
# (once each); a bigger batch goes in several.
BATCH = 32

_INBOX = InboxUpdate.__table__
_NEW_ROW = ("update_id", "person_id", "payload", "received_at", "claimed_by", "claimed_at")


@functools.cache
def _add_statement(dialect: str, rows: int) -> Executable:
    """INSERT of `rows` new rows, each value a parameter named `<column>_<row>`."""
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    values = [
        {name: bindparam(f"{name}_{row}", type_=_INBOX.c[name].type) for name in _NEW_ROW}
        # Spelled out, so no column default needs running on the way.
        | {"done_at": None, "sends": 0, "sent_messages": None}
        for row in range(rows)
    ]
    return (
        insert(_INBOX)
        .values(values)
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(_INBOX.c.update_id)
    )


@functools.cache
def _finish_statement(rows: int) -> Executable:
    """Mark `rows` updates (`id_<n>`) done at `now`, unless done before."""
    ids = [bindparam(f"id_{row}", type_=_INBOX.c.update_id.type) for row in range(rows)]
    return (
        update(_INBOX)
        .where(_INBOX.c.update_id.in_(ids), _INBOX.c.done_at.is_(None))
        .values(done_at=bindparam("now", type_=_INBOX.c.done_at.type))
    )


def _sends_statement(*, with_answers: bool) -> Executable:
    values = {"sends": bindparam("count", type_=_INBOX.c.sends.type)}
    if with_answers:
        values["sent_messages"] = bindparam("answers", type_=_INBOX.c.sent_messages.type)
    return (
        update(_INBOX)
        .where(
            _INBOX.c.update_id == bindparam("uid", type_=_INBOX.c.update_id.type),
            _INBOX.c.sends < bindparam("count", type_=_INBOX.c.sends.type),
        )
        .values(values)
    )


_RECORD_SENDS = _sends_statement(with_answers=False)
_RECORD_SENDS_AND_ANSWERS = _sends_statement(with_answers=True)


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

    def __init__(
        self,
        engine: AsyncEngine,
        write_lock: asyncio.Lock | None = None,
        *,
        direct: Statements | None = None,
        guard: Callable[[], AbstractAsyncContextManager[None]] | None = None,
    ) -> None:
        """`direct`, `guard`: the repository's statement runner and its turn to write on it
        (which also marks the database failing); without them, the engine's connections."""
        self.engine = engine
        self._sessions = session_factory(engine)
        # SQLite has one writer: share the main repository's queue for it (see Repository).
        self._write_lock = write_lock
        self._direct = direct if direct is not None else Statements.through_engine(engine)
        self._guard = guard

    @asynccontextmanager
    async def _writing_direct(self) -> AsyncIterator[None]:
        if self._guard is not None:
            async with self._guard():
                yield
            return
        async with self._write_lock if self._write_lock is not None else nullcontext():
            yield

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncSession]:
        if self._write_lock is None:
            async with self._sessions.begin() as session:
                yield session
            return
        async with self._write_lock, self._sessions.begin() as session:
            yield session

    async def add(self, updates: Sequence[StoredUpdate], owner: str, now: datetime) -> set[int]:
        """Store these updates as `owner`'s; the ids that were new (the others were kept)."""
        unique = list({stored.update_id: stored for stored in updates}.values())
        dialect = self.engine.dialect.name
        new: set[int] = set()
        async with self._writing_direct():
            for start in range(0, len(unique), BATCH):
                chunk = unique[start : start + BATCH]
                params: dict[str, object] = {}
                for row, stored in enumerate(chunk):
                    params |= {
                        f"update_id_{row}": stored.update_id,
                        f"person_id_{row}": stored.person_id,
                        f"payload_{row}": stored.payload,
                        f"received_at_{row}": now,
                        f"claimed_by_{row}": owner,
                        f"claimed_at_{row}": now,
                    }
                rows = await self._direct.fetch(_add_statement(dialect, len(chunk)), params)
                new.update(update_id for (update_id,) in rows)
        return new

    async def finish(self, update_ids: Sequence[int], now: datetime) -> None:
        """Mark these updates handled (one handled before keeps its first time)."""
        ids = sorted(set(update_ids))
        async with self._writing_direct():
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                params: dict[str, object] = {f"id_{row}": uid for row, uid in enumerate(chunk)}
                params["now"] = now
                await self._direct.execute(_finish_statement(len(chunk)), params)

    async def record_sends(self, counts: Sequence[tuple[int, int, str | None]]) -> None:
        """Store (update_id, messages sent so far, their answers as JSON or None to keep the
        stored ones) triples; a count never goes down, and answers ride with a higher count."""
        latest: dict[int, tuple[int, str | None]] = {}
        for update_id, sends, answers in counts:
            before, kept = latest.get(update_id, (0, None))
            # One run's answers only grow: the last ones submitted hold all the earlier.
            latest[update_id] = (max(sends, before), answers if answers is not None else kept)
        async with self._writing_direct():
            for update_id, (sends, answers) in sorted(latest.items()):
                if answers is None:
                    await self._direct.execute(_RECORD_SENDS, {"uid": update_id, "count": sends})
                else:
                    await self._direct.execute(
                        _RECORD_SENDS_AND_ANSWERS,
                        {"uid": update_id, "count": sends, "answers": answers},
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
