"""Reclaiming lost reminders reads the partial index, not the whole reminder log.

The log grows by people x days; only a handful of its rows are ever 'claimed'. Once the
database has statistics (ANALYZE, or SQLite's PRAGMA optimize), a query whose WHERE does not
imply the index's predicate (`status = 'claimed'`) is planned as a scan of the whole log, inside
the claim's write transaction. The query the bot really runs is captured and explained.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, insert, text

from bot.storage.models import ReminderLog, User
from bot.storage.repository import RETRY, Repository

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
PEOPLE = 400
DAYS = 50  # 20,000 settled rows


async def _seed(repository: Repository) -> None:
    """Many people with many settled days, and three claims a dead process left behind."""
    first_day = date(2026, 10, 1)
    async with repository.engine.begin() as connection:
        await connection.execute(
            insert(User),
            [
                {
                    "id": person,
                    "chat_id": person,
                    "created_at": NOW - timedelta(days=90),
                    "onboarding_step": "done",
                    "timezone": "UTC",
                    "reminder_time": time(7, 30),
                    "next_reminder_at": NOW + timedelta(days=1),
                }
                for person in range(1, PEOPLE + 1)
            ],
        )
        rows = []
        for person in range(1, PEOPLE + 1):
            for offset in range(DAYS):
                day = first_day + timedelta(days=offset)
                due = datetime.combine(day, time(7, 30), tzinfo=UTC)
                rows.append(
                    {
                        "user_id": person,
                        "local_date": day,
                        "due_at": due,
                        "status": "sent" if offset % 7 else "missed",
                        "claimed_at": due,
                        "snoozes": 0,
                    }
                )
        # Today's: three claimed ten minutes ago by a process that died before sending.
        today = NOW.date()
        for person in (1, 2, 3):
            rows.append(
                {
                    "user_id": person,
                    "local_date": today,
                    "due_at": NOW - timedelta(minutes=10),
                    "status": "claimed",
                    "claimed_at": NOW - timedelta(minutes=10),
                    "snoozes": 0,
                }
            )
        await connection.execute(insert(ReminderLog), rows)
        await connection.execute(text("ANALYZE"))


async def test_reclaiming_uses_the_partial_index_after_analyze(repository: Repository) -> None:
    await _seed(repository)
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if "FROM reminder_log" in statement and "claimed_at <=" in statement:
            captured.append((statement, parameters))

    sync_engine = repository.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", capture)
    try:
        due = await repository.claim_due(NOW, grace=timedelta(hours=2), limit=50, lease=LEASE)
    finally:
        event.remove(sync_engine, "before_cursor_execute", capture)

    # What the database holds: the three lost ones are claimed again, now, as retries.
    assert sorted((item.user_id, item.kind) for item in due) == [(p, RETRY) for p in (1, 2, 3)]
    for person in (1, 2, 3):
        row = await repository.reminder_of(person, NOW.date())
        assert row is not None and row.status == "claimed" and row.claimed_at == NOW

    assert len(captured) == 1, captured
    statement, parameters = captured[0]
    # The predicate as written, so that SQLite and PostgreSQL's generic plans can match it.
    assert "status = 'claimed'" in statement
    plan = await _plan(repository, statement, parameters)
    assert "SCAN reminder_log" not in plan and "Seq Scan" not in plan, plan
    if repository.engine.dialect.name == "sqlite":
        assert "USING INDEX ix_reminder_log_claimed" in plan, plan
    else:
        # PostgreSQL may as well read the index on status ('claimed' is rare in its
        # statistics); without that index, its plan for this query must be the partial one.
        assert "ix_reminder_log_claimed" in plan or "ix_reminder_log_status" in plan, plan
        plan = await _plan(repository, statement, parameters, drop="ix_reminder_log_status")
        assert "ix_reminder_log_claimed" in plan and "Seq Scan" not in plan, plan


async def _plan(
    repository: Repository, statement: str, parameters: Any, *, drop: str | None = None
) -> str:
    """The database's plan for `statement` as the bot sent it, with the same parameters.

    PostgreSQL: the generic plan, the one a prepared statement (asyncpg prepares every one)
    may switch to after five runs, which must not depend on the values; optionally without
    index `drop` (dropped in a transaction rolled back). `EXPLAIN` with parameters plans for
    their values whatever `plan_cache_mode` says, so the statement is PREPAREd and explained
    by `EXECUTE` under `force_generic_plan`, with NULLs (a generic plan ignores the values).
    """
    sqlite = repository.engine.dialect.name == "sqlite"
    async with repository.engine.connect() as connection:
        if sqlite:
            result = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(str(row[-1]) for row in result.all())
        transaction = await connection.begin()
        try:
            await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
            if drop is not None:
                await connection.exec_driver_sql(f"DROP INDEX {drop}")
            await connection.exec_driver_sql("PREPARE reclaim_plan AS " + statement)
            nulls = ", ".join(["NULL"] * len(parameters))
            result = await connection.exec_driver_sql(f"EXPLAIN EXECUTE reclaim_plan({nulls})")
            plan = "\n".join(str(row[0]) for row in result.all())
        finally:
            await transaction.rollback()
            # A prepared statement outlives the transaction it was made in.
            await connection.exec_driver_sql("DEALLOCATE reclaim_plan")
        # The plan for no particular values: a parameter, never the value sent.
        assert "$" in plan, plan
        return plan
