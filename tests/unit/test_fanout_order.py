"""The fan-out's order of people due at the same instant changes every day.

Thousands pick the same minute, and at Telegram's 30 messages/s their reminders take minutes
to go out. Ties were broken by row (the user id), so the same people came last every day.
Each claim now stores a hash of (person, local day) for the next reminder, and the claim
reads the index (next_reminder_at, reminder_order): rotated, and with no sort of everyone due.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, insert, text

from bot.domain.reminders import fanout_order
from bot.storage.models import User
from bot.storage.repository import DueReminder, Repository

GRACE = timedelta(hours=2)
# START (conftest) is Fri 27 Nov 2026 08:00 UTC; everyone's reminder is at 09:00 UTC.
FIRST_DUE = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
PEOPLE = range(5_000, 5_060)
CLAIM = 7  # claims of a few at a time, as at 30/s


@given(st.integers(min_value=1, max_value=2**62), st.dates())
def test_the_order_is_a_stable_31_bit_number(user_id: int, day: date) -> None:
    order = fanout_order(user_id, day)
    assert 0 <= order < 2**31
    assert fanout_order(user_id, day) == order


def test_over_a_week_nobody_is_always_last() -> None:
    people = range(1, 20_001)
    last_tenths = []
    for offset in range(7):
        day = date(2026, 11, 27) + timedelta(days=offset)
        ordered = sorted(people, key=lambda person: fanout_order(person, day))
        last_tenths.append(set(ordered[-2_000:]))
    always_late = set.intersection(*last_tenths)
    # By chance alone a tenth of people each day: 20,000 x 0.1^7 = 0.002 people expected.
    assert always_late == set()
    assert len({max(people, key=lambda p, d=d: fanout_order(p, d)) for d in _week()}) == 7


def _week() -> list[date]:
    return [date(2026, 11, 27) + timedelta(days=offset) for offset in range(7)]


async def _everyone_due(repository: Repository, now: datetime) -> None:
    for person in PEOPLE:
        await repository.ensure_user(person, person, now)
        await repository.update_user(
            person, onboarding_step="done", timezone="UTC", reminder_time=time(9), now=now
        )


async def _one_day(repository: Repository, now: datetime) -> list[int]:
    """Claim everyone due at `now`, a few at a time, and settle them sent; who, in order."""
    order: list[int] = []
    while claimed := await repository.claim_due(now, grace=GRACE, limit=CLAIM):
        order += [due.user_id for due in claimed]
        await _settle(repository, claimed, now)
    return order


async def _settle(repository: Repository, claimed: list[DueReminder], now: datetime) -> None:
    keys = [(due.user_id, due.local_date) for due in claimed]
    await repository.settle_reminders(sent=keys, failed=[], asked=[], now=now)


async def test_each_day_everyone_once_in_that_days_own_order(repository: Repository) -> None:
    await _everyone_due(repository, FIRST_DUE - timedelta(hours=1))
    days = [await _one_day(repository, FIRST_DUE + timedelta(days=n)) for n in range(4)]
    for order in days:
        assert sorted(order) == list(PEOPLE)  # everyone, each once
    # The first day keeps the order people came in (nothing stored for it yet); each claim
    # stores the next day's place, and from then on every day has its own order.
    assert days[0] == list(PEOPLE)
    for n, order in enumerate(days[1:], start=1):
        day = (FIRST_DUE + timedelta(days=n)).date()
        assert order == sorted(PEOPLE, key=lambda person, day=day: fanout_order(person, day))
    lasts = [tuple(order[-CLAIM:]) for order in days]
    assert len(set(lasts)) == len(lasts), lasts
    # What the database holds: one sent reminder per person per day.
    for person in (PEOPLE[0], PEOPLE[-1]):
        log = await repository.reminder_log(person)
        assert [(row.local_date, row.status) for row in log] == [
            ((FIRST_DUE + timedelta(days=n)).date(), "sent") for n in range(4)
        ]


async def test_the_claim_reads_its_order_off_the_index(repository: Repository) -> None:
    """After ANALYZE, with 20,000 due at one instant: no sort of everyone due, no table scan."""
    now = FIRST_DUE
    async with repository.engine.begin() as connection:
        await connection.execute(
            insert(User),
            [
                {
                    "id": person,
                    "chat_id": person,
                    "created_at": now - timedelta(days=30),
                    "onboarding_step": "done",
                    "timezone": "UTC",
                    "reminder_time": time(9),
                    "next_reminder_at": now if person % 2 else now + timedelta(days=1),
                    "reminder_order": fanout_order(person, now.date()),
                }
                for person in range(1, 40_001)
            ],
        )
        await connection.execute(text("ANALYZE"))
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if "FROM users" in statement and "next_reminder_at <=" in statement:
            captured.append((statement, parameters))

    sync_engine = repository.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", capture)
    try:
        claimed = await repository.claim_due(now, grace=GRACE, limit=30)
    finally:
        event.remove(sync_engine, "before_cursor_execute", capture)
    # The claim took the first 30 of the day's order among the 20,000 due.
    due_people = range(1, 40_001, 2)
    first = sorted(due_people, key=lambda person: fanout_order(person, now.date()))[:30]
    assert [due.user_id for due in claimed] == first
    assert len(captured) == 1, captured
    plan = await _plan(repository, *captured[0])
    if repository.engine.dialect.name == "sqlite":
        assert "USING INDEX ix_users_reminder_queue" in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # no sort
    else:
        assert "ix_users_reminder_queue" in plan, plan
        assert "Sort" not in plan and "Seq Scan" not in plan, plan


async def _plan(repository: Repository, statement: str, parameters: Any) -> str:
    """The database's plan for `statement` as the bot sent it (PostgreSQL: the generic one)."""
    async with repository.engine.connect() as connection:
        if repository.engine.dialect.name == "sqlite":
            result = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(str(row[-1]) for row in result.all())
        transaction = await connection.begin()
        try:
            await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
            result = await connection.exec_driver_sql("EXPLAIN " + statement, parameters)
            return "\n".join(str(row[0]) for row in result.all())
        finally:
            await transaction.rollback()
