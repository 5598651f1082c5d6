"""Reminders: claiming the due ones, composing inputs, and settling how each day's one ended."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, literal_column, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.progression import ExerciseProgress
from bot.domain.reminders import Outcome, fanout_order, outcome, snooze_same_day
from bot.domain.schedule import reminder_day
from bot.storage._base import (
    BLOCKED,
    CLAIM_LEASE,
    CLAIMED,
    DAILY,
    FAILED,
    FINISHED,
    RETRY,
    SENT,
    SKIPPED,
    SNOOZED,
    DueReminder,
    ReminderInputs,
    RepositoryBase,
    _next_due,
    _to_domain,
)
from bot.storage.models import ExerciseProgress as ProgressRow
from bot.storage.models import PainReport, ReminderLog, TrainingSession, User

# The partial index ix_reminder_log_claimed covers only rows WHERE status = 'claimed'. A
# planner uses it only when the query's WHERE implies that predicate as written: a literal,
# not a bound parameter (SQLite never matches `status = ?`, nor PostgreSQL's generic plan).
# Without it, once statistics exist (ANALYZE), reclaiming scans the whole log.
LIVE_CLAIM = ReminderLog.status == literal_column(f"'{CLAIMED}'")

# What claiming a person's daily reminder reads: enough for `_next_due` and `_due`.
CLAIM_COLUMNS = (
    User.id,
    User.chat_id,
    User.timezone,
    User.level,
    User.check_due,
    User.language,
    User.next_reminder_at,
    User.onboarding_step,
    User.active,
    User.blocked,
    User.reminder_time,
    User.red_flag_hold,
)
_users = User.__table__
# Each claimed person's next reminder, moved on with its place in that day's fan-out: one
# statement for the whole batch.
_MOVE_NEXT_REMINDER = (
    update(_users)
    .where(_users.c.id == bindparam("b_id"))
    .values(next_reminder_at=bindparam("b_next"), reminder_order=bindparam("b_order"))
)

# Keys per `IN (...)` list: PostgreSQL 15 fails near 8,000 (user, day) pairs ("stack depth").
CHUNK = 500


class RemindersMixin(RepositoryBase):
    """Claims of due reminders and the reminder log."""

    async def claim_due(
        self,
        now: datetime,
        *,
        grace: timedelta,
        limit: int,
        lease: timedelta = CLAIM_LEASE,
        reclaim: bool = True,
    ) -> list[DueReminder]:
        """Claim up to `limit` reminders that are due, in one short transaction.

        Each claimed person's next reminder moves to its next day and the day's log row is
        written in the same transaction; a day that already has a row is never sent again.
        Reminders older than `grace` are logged as missed, and days with a finished session
        as done; neither is returned. On PostgreSQL, rows another process is claiming are
        skipped rather than waited for. Claims older than `lease` are taken as lost and sent
        again, unless `reclaim` is false (the caller has claims of its own still in flight).
        """
        claimed: list[DueReminder] = []
        async with self._writing() as session:
            if self.engine.dialect.name == "sqlite":
                # SQLite's driver starts a transaction only at the first write, so two
                # claimers could read the same due rows; take the write lock first instead.
                await session.execute(text("BEGIN IMMEDIATE"))
            # Columns, not ORM objects, and the writes below as two bulk statements: no unit
            # of work for hundreds of rows inside the write lock.
            users = (
                await session.execute(
                    select(*CLAIM_COLUMNS)
                    .where(User.next_reminder_at <= now)
                    # People due at the same instant in the day's own order (the index's).
                    .order_by(User.next_reminder_at, User.reminder_order, User.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            due = {user.id: _daily_due(user) for user in users}
            keys = [(user_id, day) for user_id, (_, day) in due.items()]
            logged = await _existing_logs(session, keys)
            done = await _finished_days(session, keys)
            moves: list[dict[str, Any]] = []
            logs: list[dict[str, Any]] = []
            for user in users:
                due_at, day = due[user.id]
                # Days older than the grace period are passed over; one still within it
                # comes up next and is sent late.
                following = _next_due(user, max(due_at, now - grace))
                moves.append(
                    {"b_id": user.id, "b_next": following, "b_order": _order(user, following)}
                )
                if (user.id, day) in logged:
                    continue  # today's reminder went out already (the time was changed)
                result = outcome(due_at, now, grace, done_today=(user.id, day) in done)
                logs.append(
                    {
                        "user_id": user.id,
                        "local_date": day,
                        "due_at": due_at,
                        "status": result.value,
                        "claimed_at": now,
                        "snoozes": 0,
                    }
                )
                if result is Outcome.SEND:
                    claimed.append(_due(user, day, DAILY, due_at))
            if moves:
                await session.execute(_MOVE_NEXT_REMINDER, moves)
            if logs:
                await session.execute(insert(ReminderLog.__table__), logs)
            claimed += await _claim_snoozes(session, now, grace, limit - len(users))
            if reclaim:
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


def _order(user: User, due: datetime | None) -> int:
    """The person's place among those due at the same instant as `due`, that local day."""
    if due is None:
        return 0
    return fanout_order(user.id, reminder_day(due, user.timezone or "UTC"))


def _daily_due(user: User) -> tuple[datetime, date]:
    assert user.next_reminder_at is not None
    return user.next_reminder_at, reminder_day(user.next_reminder_at, user.timezone or "UTC")


def _due(user: User, day: date, kind: str, due_at: datetime) -> DueReminder:
    return DueReminder(
        user_id=user.id,
        chat_id=user.chat_id,
        timezone=user.timezone or "UTC",
        local_date=day,
        level=user.level,
        check_due=user.check_due,
        kind=kind,
        language=user.language,
        due_at=due_at,
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
        claimed.append(_due(user, row.local_date, SNOOZED, until))
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
            .where(LIVE_CLAIM, ReminderLog.claimed_at <= now - lease)
            .order_by(ReminderLog.claimed_at)
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
        claimed.append(_due(user, row.local_date, RETRY, row.due_at))
    return claimed


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
