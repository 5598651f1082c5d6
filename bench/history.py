"""A month of history for N people, written by the database itself (B5, the idle tick).

People are numbered 1..N and added in steps (1k, then 9k more, ...). Each step is a few dozen
INSERT ... SELECT statements over a series of numbers (SQLite: a recursive CTE; PostgreSQL:
`generate_series`) or over the new people's rows, with every timestamp either a bound
parameter (stored by the models' own types) or computed in SQL in the same stored form: a
million people with their month of history take minutes, not the hours a row at a time would.

What each person has, as a bot that has run for a month leaves it:

- onboarded, reminders on, spread over five zones; next reminder 3-27 h after `base`, one a
  minute of the day, so nobody comes due while the idle tick is measured (nor in the bot
  process B5 starts for its memory, within three hours); one in a thousand snoozed (also
  until 3 h after `base`);
- `DAYS` days of reminder log (one row a day: sent, or missed, skipped or done), a finished
  session on every third of those days, and one in a thousand a live claim made a minute
  before `base` (a reminder being sent: within the lease, so not lost);
- `INBOX_PER_PERSON` updates handled in the 24 hours before `base`, at times spread evenly
  over them (so each inbox tick prunes the few that just turned a day old), kept by an
  earlier process.

Person n's local reminder times are not recomputed from their next reminder (it is spread
instead), which only matters once a reminder is claimed: B5 measures the tick with none due.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    String,
    case,
    cast,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bench.database import ZONES
from bot.storage.database import create_engine
from bot.storage.models import (
    InboxUpdate,
    ReminderLog,
    TrainingSession,
    User,
    UTCDateTime,
)

DAYS = 30
INBOX_PER_PERSON = 2
# The process that handled the inbox's rows (long gone).
EARLIER_PROCESS = "bench-earlier-process"
# A finished session's routine as the bot stores it (level 1).
ROUTINE = "cat:15,cow:15,knees_to_chest:30,pelvic_tilt:10,glute_bridge:30,dead_bug:10"
# One update as Telegram sends it: a person typing a short answer.
PAYLOAD = json.dumps(
    {
        "update_id": 0,
        "message": {
            "message_id": 4711,
            "from": {"id": 0, "is_bot": False, "first_name": "Bench", "language_code": "en"},
            "chat": {"id": 0, "first_name": "Bench", "type": "private"},
            "date": 1_764_000_000,
            "text": "it hurts a bit in the lower back, maybe a 4",
        },
    }
)
DAY_SECONDS = 86_400
# Update ids: the second of the day first, then person and copy (room for 50M people).
UPDATE_IDS_PER_SECOND = 10**8
# A live claim, written as a literal so SQLite reads the partial index of live claims (a
# bound 'claimed' never matches its predicate), not the whole log.
LIVE = literal_column("'claimed'")
# SQLite's page cache while seeding (kB): the bot's own connections keep SQLite's default.
SEED_CACHE_KB = 256 * 1024

_users = User.__table__
_log = ReminderLog.__table__
_sessions = TrainingSession.__table__
_inbox = InboxUpdate.__table__


def _numbers(dialect: str, first: int, last: int, name: str = "numbers") -> Any:
    """A selectable with one column `n`: first..last."""
    if dialect == "postgresql":
        return (
            func.generate_series(cast(literal(first), BigInteger), last)
            .table_valued("n")
            .render_derived(name=name)
        )
    numbers = select(cast(literal(first), BigInteger).label("n")).cte(name, recursive=True)
    return numbers.union_all(select(numbers.c.n + 1).where(numbers.c.n < last))


def _seconds_after(dialect: str, base: datetime, seconds: Any) -> Any:
    """`base` + `seconds` (an SQL integer expression), as the column type stores it."""
    if dialect == "postgresql":
        return literal(base, UTCDateTime()) + seconds * literal_column("interval '1 second'")
    # SQLite keeps an aware datetime as UTC text with six decimals (UTCDateTime's impl).
    stored = base.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    shift = cast(seconds, String).concat(" seconds")
    return func.strftime("%Y-%m-%d %H:%M:%f", literal(stored), shift).concat("000")


def _utc(value: datetime) -> Any:
    return literal(value, UTCDateTime())


async def grow(url: str, first: int, last: int, base: datetime) -> None:
    """Add people `first`..`last` and their history.

    Rows go in in each table's key order (a person's days together), so every index is
    appended to rather than written all over: SQLite's small page cache would otherwise make
    a month's log for a million people take an hour.
    """
    async with _engine(url) as engine, engine.begin() as connection:
        dialect = engine.dialect.name
        if dialect == "sqlite":
            # Before the first write starts the transaction (pragmas are no-ops inside one):
            # a bigger page cache, and no foreign key lookup per row (every row here refers
            # to a person written first).
            await connection.execute(text(f"PRAGMA cache_size = -{SEED_CACHE_KB}"))
            await connection.execute(text("PRAGMA foreign_keys = OFF"))
        elif await connection.scalar(text("SELECT current_setting('is_superuser')")) == "on":
            # PostgreSQL checks a foreign key by a trigger per row; a superuser may skip them.
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
        await _people(connection, dialect, first, last, base)
        await _reminder_log(connection, first, last, base)
        await _finished_sessions(connection, first, last, base)
        await _live_claims(connection, first, last, base)
        await _inbox_day(connection, dialect, first, last, base)


async def _people(
    connection: AsyncConnection, dialect: str, first: int, last: int, base: datetime
) -> None:
    numbers = _numbers(dialect, first, last)
    n = numbers.c.n
    zone = case({index: name for index, name in enumerate(ZONES)}, value=n % len(ZONES))
    columns = {
        "id": n,
        "chat_id": n,
        "created_at": _utc(base - timedelta(days=DAYS + 5)),
        "onboarding_step": literal("done"),
        "disclaimer_shown": literal(True),
        "starting_pain": literal(3),
        "timezone": zone,
        "reminder_time": literal(time(7, 30)),
        "level": literal(1),
        "consented_at": _utc(base - timedelta(days=DAYS + 5)),
        "active": literal(True),
        "blocked": literal(False),
        # One a minute over a whole day, from three hours ahead.
        "next_reminder_at": _seconds_after(dialect, base + timedelta(hours=3), (n % 1440) * 60),
        "snooze_until": case((n % 1000 == 7, _utc(base + timedelta(hours=3))), else_=null()),
        "check_due": literal(False),
        "worse_mornings": literal(0),
    }
    await _insert(connection, _users, columns, select_from=numbers, order_by=[n])


def _days(base: datetime, at: time) -> Any:
    """The DAYS local days before `base`'s (`back` 1..DAYS), with `at` UTC on each, as
    bound values: the models' types store them, no date arithmetic in SQL.
    """
    rows = []
    for back in range(1, DAYS + 1):
        day = base.date() - timedelta(days=back)
        rows.append(
            select(
                literal(back).label("back"),
                literal(day, Date()).label("day"),
                _utc(datetime.combine(day, at, tzinfo=UTC)).label("at"),
            )
        )
    return union_all(*rows).subquery("days")


async def _reminder_log(connection: AsyncConnection, first: int, last: int, base: datetime) -> None:
    """One row a day for the last DAYS days: mostly sent, some missed, skipped or done."""
    days = _days(base, time(7, 30))
    person = _users.c.id
    spin = (person + days.c.back) % 10
    status = case((spin == 0, "missed"), (spin == 1, "skipped"), (spin == 2, "done"), else_="sent")
    columns = {
        "user_id": person,
        "local_date": days.c.day,
        "due_at": days.c.at,
        "status": status,
        "claimed_at": days.c.at,
        "sent_at": case((spin > 2, days.c.at), else_=null()),
        "snoozes": literal(0),
    }
    await _insert(
        connection,
        _log,
        columns,
        select_from=_users.join(days, literal(True)),
        where=person.between(first, last),
        order_by=[person, days.c.back.desc()],
    )


async def _finished_sessions(
    connection: AsyncConnection, first: int, last: int, base: datetime
) -> None:
    """A finished session on every third of those days."""
    days = _days(base, time(7, 40))
    person = _users.c.id
    columns = {
        "user_id": person,
        "started_at": days.c.at,
        "finished_at": days.c.at,
        "local_date": days.c.day,
        "status": literal("finished"),
        "routine": literal(ROUTINE),
        "position": literal(6),
        "side": literal(0),
        "phase": literal("card"),
        "kind": literal("guided"),
    }
    await _insert(
        connection,
        _sessions,
        columns,
        select_from=_users.join(days, literal(True)),
        where=person.between(first, last) & ((person + days.c.back) % 3 == 0),
        order_by=[person, days.c.back.desc()],
    )


async def _live_claims(connection: AsyncConnection, first: int, last: int, base: datetime) -> None:
    """Today's reminder of one person in a thousand, claimed a minute ago: being sent."""
    person = _users.c.id
    claimed = base - timedelta(minutes=1)
    columns = {
        "user_id": person,
        "local_date": literal(base.date()),
        "due_at": _utc(claimed),
        "status": literal("claimed"),
        "claimed_at": _utc(claimed),
        "snoozes": literal(0),
    }
    where = person.between(first, last) & (person % 1000 == 3)
    await _insert(connection, _log, columns, where=where)


async def _inbox_day(
    connection: AsyncConnection, dialect: str, first: int, last: int, base: datetime
) -> None:
    """INBOX_PER_PERSON updates each, handled at times spread over the day before `base`.

    Telegram numbers updates in the order they come, so ids go up with time here too (the
    second first, then the person): each prune deletes a run of neighbouring rows, as in
    production, while people added in a later step still fit in between.
    """
    numbers = _numbers(dialect, first, last)
    copies = _numbers(dialect, 0, INBOX_PER_PERSON - 1, "copies")
    n, k = numbers.c.n, copies.c.n
    # 7919 is prime to 86,400, so n -> second is one to one over each 86,400 people; a
    # person's next update comes a share of the day later.
    second = ((n % DAY_SECONDS) * 7919 + k * (DAY_SECONDS // INBOX_PER_PERSON)) % DAY_SECONDS + 1
    at = _seconds_after(dialect, base - timedelta(days=1), second)
    update_id = second * UPDATE_IDS_PER_SECOND + n * INBOX_PER_PERSON + k
    columns = {
        "update_id": update_id,
        "person_id": n,
        "payload": literal(PAYLOAD),
        "received_at": at,
        "claimed_by": literal(EARLIER_PROCESS),
        "claimed_at": at,
        "done_at": at,
        "sends": literal(1),
    }
    await _insert(
        connection,
        _inbox,
        columns,
        select_from=numbers.join(copies, literal(True)),
        order_by=[update_id],
    )


async def _insert(
    connection: AsyncConnection,
    table: Any,
    columns: dict[str, Any],
    *,
    select_from: Any = None,
    where: Any = None,
    order_by: Any = (),
) -> None:
    query = select(*(value.label(name) for name, value in columns.items()))
    if select_from is not None:
        query = query.select_from(select_from)
    if where is not None:
        query = query.where(where)
    await connection.execute(insert(table).from_select(list(columns), query.order_by(*order_by)))


async def in_flight(url: str, owner: str, now: datetime, count: int = 5) -> None:
    """The newest `count` inbox rows become `owner`'s, not yet handled (updates under way)."""
    async with _engine(url) as engine, engine.begin() as connection:
        newest = select(_inbox.c.update_id).order_by(_inbox.c.update_id.desc()).limit(count)
        ids = list(await connection.scalars(newest))
        await connection.execute(
            update(_inbox)
            .where(_inbox.c.update_id.in_(ids))
            .values(done_at=None, claimed_by=owner, claimed_at=now)
        )


async def fresh_claims(url: str, at: datetime) -> None:
    """The live claims were made at `at` (kept within the lease while the clock moves on)."""
    async with _engine(url) as engine, engine.begin() as connection:
        await connection.execute(update(_log).where(_log.c.status == LIVE).values(claimed_at=at))


async def settle_for_a_bot(url: str, now: datetime) -> None:
    """Leave nothing for a real bot process to do: updates under way done, live claims fresh.

    A bot started on the database (memory, B5) would otherwise handle the stand-in updates
    and resend claims that look lost to its real clock.
    """
    async with _engine(url) as engine, engine.begin() as connection:
        await connection.execute(
            update(_inbox).where(_inbox.c.done_at.is_(None)).values(done_at=now)
        )
        await connection.execute(
            # The literal lets SQLite read the partial index of live claims, not the log.
            update(_log).where(_log.c.status == literal_column("'claimed'")).values(claimed_at=now)
        )


async def analyze(url: str) -> None:
    """Statistics, as a production database has them (SQLite's PRAGMA optimize, autovacuum)."""
    async with _engine(url) as engine, engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


async def size(url: str) -> tuple[dict[str, int], int]:
    """Rows per table, and the database's size in bytes."""
    async with _engine(url) as engine, engine.connect() as connection:
        rows = {
            table.name: int(await connection.scalar(select(func.count()).select_from(table)))
            for table in (_users, _log, _sessions, _inbox)
        }
        if engine.dialect.name == "postgresql":
            total = await connection.scalar(text("SELECT pg_database_size(current_database())"))
        else:
            pages = await connection.scalar(text("PRAGMA page_count"))
            total = pages * await connection.scalar(text("PRAGMA page_size"))
        return rows, int(total)


@asynccontextmanager
async def _engine(url: str) -> AsyncIterator[AsyncEngine]:
    """An engine of its own (its connections' pragmas are not the bot's), disposed after."""
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()
