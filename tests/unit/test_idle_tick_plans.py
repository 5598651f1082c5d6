"""The idle tick reads indexes, never a whole table, once the database has statistics.

What the bot runs every few seconds when nothing is due (the reminder job's claim, the update
inbox's renew, stale claim and prune) must cost the same with a thousand people or a million
(bench B5 measures it to 1M). A query whose WHERE no index serves is planned as a scan once
ANALYZE (SQLite's PRAGMA optimize, PostgreSQL's autovacuum) has told the planner how big the
tables are. The statements the bot really sends are captured and explained. On PostgreSQL the
generic plan a prepared statement may switch to after five runs is checked too, unless the
plan cache would never take it (estimated costlier than the plan for the values).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, insert, text

from bot.intake import INBOX_LEASE, INBOX_RETENTION
from bot.storage.models import InboxUpdate, ReminderLog, User
from bot.storage.repository import Repository

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
PEOPLE = 500
DAYS = 20  # 10,000 settled reminders
UPDATES = 20_000  # handled over the last day
ME = "this-process"
# PostgreSQL's plan cache: a generic plan is taken once it is estimated cheaper than the
# custom plans were, with their planning (1000 * cpu_operator_cost per relation, and one).
PLANNING_COST = 1000 * 0.0025 * 2


async def _seed(repository: Repository) -> None:
    """People not due for hours (a few snoozed), a history of reminders, a day of updates."""
    async with repository.engine.begin() as connection:
        await connection.execute(
            insert(User),
            [
                {
                    "id": person,
                    "chat_id": person,
                    "created_at": NOW - timedelta(days=60),
                    "onboarding_step": "done",
                    "timezone": "UTC",
                    "reminder_time": time(7, 30),
                    "next_reminder_at": NOW + timedelta(minutes=person % 1440 + 60),
                    "snooze_until": NOW + timedelta(minutes=20) if person % 100 == 7 else None,
                }
                for person in range(1, PEOPLE + 1)
            ],
        )
        await connection.execute(
            insert(ReminderLog),
            [
                {
                    "user_id": person,
                    "local_date": (NOW - timedelta(days=back)).date(),
                    "due_at": NOW - timedelta(days=back),
                    "status": "sent",
                    "claimed_at": NOW - timedelta(days=back),
                    "snoozes": 0,
                }
                for person in range(1, PEOPLE + 1)
                for back in range(1, DAYS + 1)
            ],
        )
        day = timedelta(days=1) / UPDATES
        await connection.execute(
            insert(InboxUpdate),
            [
                {
                    "update_id": update_id,
                    "person_id": update_id % PEOPLE + 1,
                    "payload": "{}",
                    "received_at": NOW - INBOX_RETENTION + day * update_id,
                    "claimed_by": ME if update_id > UPDATES - 3 else "an-earlier-process",
                    "claimed_at": NOW - INBOX_RETENTION + day * update_id,
                    # The last three are under way here.
                    "done_at": None
                    if update_id > UPDATES - 3
                    else NOW - INBOX_RETENTION + day * update_id,
                }
                for update_id in range(1, UPDATES + 1)
            ],
        )
        await connection.execute(text("ANALYZE"))


async def test_the_idle_tick_reads_no_whole_table_after_analyze(repository: Repository) -> None:
    await _seed(repository)
    inbox = repository.inbox()
    sent: dict[str, Any] = {}

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().split(None, 1)[0].upper() in ("SELECT", "UPDATE", "DELETE"):
            sent[statement] = parameters

    sync_engine = repository.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", capture)
    try:
        now = NOW + timedelta(seconds=5)
        due = await repository.claim_due(now, grace=timedelta(hours=2), limit=28)
        await inbox.renew(ME, now)
        taken = await inbox.claim(ME, now, stale_before=now - INBOX_LEASE)
        pruned = await inbox.prune(now - INBOX_RETENTION)
    finally:
        event.remove(sync_engine, "before_cursor_execute", capture)

    # Idle, as meant: nothing due, nothing left by another process; the updates that turned
    # a day old in the last 5 s are deleted, and ours are renewed.
    assert due == [] and taken == []
    assert 0 < pruned < 10
    assert await inbox.undone() == [UPDATES - 2, UPDATES - 1, UPDATES]
    # Every query of the tick: due people, snoozes, lost claims; renew, stale, prune.
    tables = sorted(_table(statement) for statement in sent)
    assert tables == ["reminder_log", *["update_inbox"] * 3, *["users"] * 2], tables

    for statement, parameters in sent.items():
        plan = await _plan(repository, statement, parameters)
        assert not _scans(plan), f"{statement}\n{plan}"


def _table(statement: str) -> str:
    found = re.search(r"\b(?:FROM|UPDATE)\s+(\w+)", statement, re.IGNORECASE)
    assert found, statement
    return found.group(1)


def _scans(plan: str) -> list[str]:
    """Lines of a plan that read a whole table."""
    return [
        line
        for line in plan.splitlines()
        if re.match(r"\s*SCAN (?!CONSTANT ROW)", line) or "Seq Scan" in line
    ]


async def _plan(repository: Repository, statement: str, parameters: Any) -> str:
    """The plan the database would use for `statement` as the bot sent it.

    PostgreSQL: the plan for these values, and the generic plan when the plan cache would take
    it. `EXPLAIN` with parameters always plans for their values, so the generic one is the
    statement PREPAREd and explained by `EXECUTE` under `force_generic_plan`.
    """
    async with repository.engine.connect() as connection:
        if repository.engine.dialect.name == "sqlite":
            result = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(str(row[-1]) for row in result.all())
        result = await connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        custom = "\n".join(str(row[0]) for row in result.all())
        await connection.rollback()
        transaction = await connection.begin()
        try:
            await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
            await connection.exec_driver_sql("PREPARE idle_plan AS " + statement)
            nulls = ", ".join(["NULL"] * len(parameters))
            result = await connection.exec_driver_sql(f"EXPLAIN EXECUTE idle_plan({nulls})")
            generic = "\n".join(str(row[0]) for row in result.all())
        finally:
            await transaction.rollback()
            # A prepared statement outlives the transaction it was made in.
            await connection.exec_driver_sql("DEALLOCATE idle_plan")
    assert "$" in generic, generic
    if _cost(generic) < _cost(custom) + PLANNING_COST:
        return custom + "\n" + generic
    return custom


def _cost(plan: str) -> float:
    """The estimated total cost on a PostgreSQL plan's first line."""
    found = re.search(r"cost=[\d.]+\.\.([\d.]+)", plan)
    assert found, plan
    return float(found.group(1))
