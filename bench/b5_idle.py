"""B5: the idle tick at 1k, 10k, 100k and 1M people, after ANALYZE; memory per 100k people.

The idle tick is what the bot runs periodically when nothing is due: the reminder job's claim
(`Repository.claim_due`: due people, snoozes whose half hour is up, lost claims to reclaim;
every REMINDER_TICK_SECONDS) and the update inbox's tick (`InboxRepository.renew`, `claim` of
stale rows, `prune`; every 5 s). These are the only repeating jobs bot/app.py registers (hold
countdowns run only while someone holds). Their cost must not grow with the history the
database keeps.

One database grows in steps to each size (bench/history.py: a month of reminder log and
sessions per person, a day of inbox), then gets `ANALYZE`, as production has statistics after
SQLite's `PRAGMA optimize` or PostgreSQL's autovacuum. The repository's own calls run here,
in this process, with the bot's settings, on a clock that moves 5 s per tick from the instant
the history was written for (so each prune finds the few rows that just turned a day old):
ROUNDS rounds a few seconds apart, each one tick to warm up and TICKS measured; the round with
the lowest median is reported (the machine is shared: other work inflates a round's wall times
several-fold; the fastest tick of all rounds, the flatness check, and each tick's CPU time in
this process are shown beside them). Each call's wall time, each SQL statement's (in the best
round), and the database's plan for each statement (SQLite: EXPLAIN QUERY PLAN; PostgreSQL:
EXPLAIN with the parameters, and the generic plan a prepared statement may switch to) are
reported; a plan that scans a table is named.

Memory: at 1k, 100k and 1M people the bot itself starts in its own process on the same
database (production settings, REMINDER_TICK_SECONDS 2), and its VmRSS and VmHWM are read
after its reminder ticks have run over the table (as B3 does).

For the README's sizing advice, at the first size: what a whole level-1 guided session costs
the bot, in CPU and in Bot API calls (Telegram's ~30 messages/s is the budget they share).
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from bench import history
from bench.database import fresh_database, minute_floor
from bench.options import Options, say
from bench.report import Figure, check, percentile
from bench.world import BotProcess, World, cpu_seconds, memory_kb
from bot.config import load_settings
from bot.intake import INBOX_LEASE, INBOX_RETENTION, INBOX_TICK_SECONDS
from bot.storage.database import create_engine
from bot.storage.inbox import InboxRepository
from bot.storage.repository import Repository

NAME = "B5"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_LARGEST = 100_000
MEMORY_AT = (1_000, 100_000, 1_000_000)
TICKS = 20
ROUNDS = 3
ROUND_PAUSE_SECONDS = 5.0
# Flat: the largest size's fastest tick within this factor of the smallest's (plus a
# millisecond of noise). A query that scans grows with the rows: 1,000x from 1k to 1M.
FLAT_FACTOR = 2.0
FLAT_SLACK_MS = 1.0
# The bot process's reminder tick while its memory is measured, and how long it runs first.
BOT_TICK_SECONDS = 2.0
BOT_SETTLE_SECONDS = 5.0
# A whole guided session at level 1, by this many people at once, holds 20 times faster.
SESSION_PEOPLE = 11  # one to warm up, ten measured
SESSION_EXERCISES = 4
SESSION_UPDATES = 1 + 2 * SESSION_EXERCISES  # /session, then Ready and Done on each card
SESSION_HOLD_SCALE = 0.05
# The repository calls of one reminder tick and of one inbox tick.
REMINDER_CALLS = ("claim_due",)
INBOX_CALLS = ("inbox renew", "inbox stale", "inbox prune")
ALL_CALLS = REMINDER_CALLS + INBOX_CALLS


def _ms(recorder: Recorder, calls: Sequence[str], p: float, *, cpu: bool = False) -> float:
    times = recorder.cpu if cpu else recorder.calls
    ticks = zip(*(times[name] for name in calls), strict=True)
    return percentile([sum(tick) for tick in ticks], p) * 1000


def label(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


@dataclass
class Recorder:
    """Wall time of each repository call and of each SQL statement it sent."""

    calls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # CPU time of this process (all its threads: aiosqlite runs SQLite in one) per call.
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statements: dict[tuple[str, str], list[float]] = field(
        default_factory=lambda: defaultdict(list)
    )
    parameters: dict[tuple[str, str], Any] = field(default_factory=dict)
    current: str = ""
    recording: bool = False

    def attach(self, engine: Any) -> None:
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._before)
        event.listen(sync, "after_cursor_execute", self._after)

    def detach(self, engine: Any) -> None:
        sync = engine.sync_engine
        event.remove(sync, "before_cursor_execute", self._before)
        event.remove(sync, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["b5_started"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        elapsed = time.perf_counter() - conn.info.pop("b5_started", time.perf_counter())
        key = (self.current, statement)
        self.parameters[key] = parameters
        if self.recording:
            self.statements[key].append(elapsed)

    @contextmanager
    def call(self, name: str) -> Iterator[None]:
        self.current = name
        started, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            if self.recording:
                self.calls[name].append(time.perf_counter() - started)
                self.cpu[name].append(time.process_time() - cpu)
            self.current = ""


Plans = dict[tuple[str, str], str]


@dataclass
class Step:
    """One size's figures."""

    size: int
    seed_seconds: float
    analyze_seconds: float
    rows: dict[str, int]
    database_bytes: int
    load: float
    rounds: list[Recorder]
    plans: Plans
    memory_kb: dict[str, int] | None = None

    @property
    def recorder(self) -> Recorder:
        """The round least disturbed by other work: the lowest median of whole ticks."""
        return min(self.rounds, key=lambda recorder: _ms(recorder, ALL_CALLS, 50))

    def ms(self, calls: Sequence[str], p: float, *, cpu: bool = False) -> float:
        """Percentile p of the summed calls of one tick in the best round, in ms (wall, or
        this process's CPU)."""
        return _ms(self.recorder, calls, p, cpu=cpu)

    def fastest(self, calls: Sequence[str]) -> float:
        """The fastest tick of all rounds, in ms: the least disturbed by other work, so the
        steadiest measure of what a tick costs (a scan would show in it as much as anywhere).
        """
        return min(_ms(recorder, calls, 0) for recorder in self.rounds)

    def medians(self) -> str:
        """Each round's median whole tick."""
        return " / ".join(f"{_ms(recorder, ALL_CALLS, 50):.1f}" for recorder in self.rounds)

    def tick(self, calls: Sequence[str]) -> str:
        return (
            f"p50 {self.ms(calls, 50):.1f} ms, p95 {self.ms(calls, 95):.1f} ms, fastest"
            f" {self.fastest(calls):.1f} ms (CPU {self.ms(calls, 50, cpu=True):.1f} ms)"
        )

    def scans(self) -> list[str]:
        """Plan lines that read a whole table (a generic plan PostgreSQL would not take aside)."""
        found = []
        for (call, statement), plan in self.plans.items():
            for line in plan.split(GENERIC_NOT_CHOSEN, 1)[0].splitlines():
                if _scans(line):
                    found.append(f"{call} [{_describe(statement)}]: {line.strip()}")
        return found


async def run(options: Options) -> list[Figure]:
    sizes = [size for size in SIZES if not options.quick or size <= QUICK_LARGEST]
    # The instant the history is written for; every measured tick is a few seconds after it.
    base = minute_floor(datetime.now(UTC))
    # This process's inbox claims, as one bot process's over all sizes.
    owner = uuid.uuid4().hex
    steps: list[Step] = []
    cost: SessionCost | None = None
    async with fresh_database(options.database_url) as url:
        seeded = 0
        for size in sizes:
            started = time.monotonic()
            await history.grow(url, seeded + 1, size, base)
            seed_seconds = time.monotonic() - started
            seeded = size
            started = time.monotonic()
            await history.analyze(url)
            analyze_seconds = time.monotonic() - started
            rows, database_bytes = await history.size(url)
            say(
                f"{NAME}: {size:,} people: seeded in {seed_seconds:.0f} s, ANALYZE"
                f" {analyze_seconds:.1f} s; {_rows(rows)}; {database_bytes / 2**30:.2f} GiB"
            )
            load = os.getloadavg()[0]
            rounds, plans = await idle_ticks(url, base, owner)
            step = Step(
                size, seed_seconds, analyze_seconds, rows, database_bytes, load, rounds, plans
            )
            _say_step(step)
            if size in MEMORY_AT:
                step.memory_kb = await bot_memory(url)
                say(
                    f"{NAME}: {size:,} people: bot VmRSS {step.memory_kb['VmRSS'] / 1024:.0f} MB"
                    f" (peak {step.memory_kb['VmHWM'] / 1024:.0f} MB)"
                )
            if size == sizes[0]:
                cost = await session_cost(url, range(1, SESSION_PEOPLE + 1))
                say(f"{NAME}: a level-1 guided session: {cost.per_session()}")
            steps.append(step)
    return [*_figures(steps), *(_session_figures(cost) if cost else [])]


async def idle_ticks(url: str, base: datetime, owner: str) -> tuple[list[Recorder], Plans]:
    """ROUNDS of TICKS idle ticks (after one to warm up), each call and statement timed.

    The clock moves on INBOX_TICK_SECONDS a tick through all rounds; before each round the
    live claims are made a minute old again (within the lease: they are being sent). Rounds
    are a few seconds apart, so a burst of other work on the machine spoils one, not all.
    Returns the rounds and the plans of the statements sent.
    """
    from bot.handlers.reminder_fanout import CLAIM_SIZE

    settings = load_settings(env_file=None, database_url=url)
    grace = timedelta(minutes=settings.reminder_grace_minutes)
    lease = timedelta(seconds=settings.reminder_claim_lease_seconds)
    # As the reminder tick claims: about a second's worth at the configured rate.
    limit = min(CLAIM_SIZE, max(1, int(settings.reminders_per_second)))
    await history.in_flight(url, owner, base)
    engine = create_engine(url)
    repository = Repository(engine)
    inbox = InboxRepository(engine, getattr(repository, "_write_lock", None))
    rounds: list[Recorder] = []
    tick = 0
    try:
        for number in range(ROUNDS):
            if number:
                await asyncio.sleep(ROUND_PAUSE_SECONDS)
            start = base + timedelta(seconds=INBOX_TICK_SECONDS * tick)
            await history.fresh_claims(url, start - timedelta(minutes=1))
            recorder = Recorder()
            recorder.attach(engine)
            for index in range(TICKS + 1):
                tick += 1
                recorder.recording = index > 0
                now = base + timedelta(seconds=INBOX_TICK_SECONDS * tick)
                with recorder.call("claim_due"):
                    due = await repository.claim_due(now, grace=grace, limit=limit, lease=lease)
                with recorder.call("inbox renew"):
                    await inbox.renew(owner, now)
                with recorder.call("inbox stale"):
                    taken = await inbox.claim(owner, now, stale_before=now - INBOX_LEASE)
                with recorder.call("inbox prune"):
                    await inbox.prune(now - INBOX_RETENTION)
                if due or taken:
                    raise RuntimeError(f"not idle: {len(due)} reminders, {len(taken)} updates")
            recorder.detach(engine)
            rounds.append(recorder)
        sent = {key: recorder.parameters[key] for recorder in rounds for key in recorder.statements}
        plans = {key: await _plan(engine, key[1], parameters) for key, parameters in sent.items()}
    finally:
        await repository.close()
    return rounds, plans


async def _plan(engine: Any, statement: str, parameters: Any) -> str:
    """The database's plan for a statement as the repository sent it.

    PostgreSQL: the plan for these parameters, and (when it differs) the generic plan a
    prepared statement may switch to after five runs (asyncpg prepares every statement),
    which must not depend on the values: EXPLAIN with parameters always plans for the values,
    whatever plan_cache_mode says, so the generic one is the statement PREPAREd and EXPLAINed
    by EXECUTE under force_generic_plan (with NULLs: a generic plan ignores them).
    """
    if not _explainable(statement):
        return ""
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            result = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return "\n".join(str(row[-1]) for row in result.all())
        plan = await _lines(connection, "EXPLAIN " + statement, parameters)
        await connection.rollback()
        generic = await generic_plan(connection, statement, len(parameters))
    if generic != plan:
        chosen = _cost(generic) < _cost(plan) + PLANNING_COST
        plan += "\n" + (GENERIC if chosen else GENERIC_NOT_CHOSEN) + "\n" + generic
    return plan


# PostgreSQL's plan cache takes a prepared statement's generic plan once it is estimated
# cheaper than the custom plans have been, their planning included (plancache.c:
# 1000 * cpu_operator_cost per relation and one more; one relation here).
PLANNING_COST = 1000 * 0.0025 * 2
GENERIC = "(generic plan, which PostgreSQL would switch to after five runs)"
GENERIC_NOT_CHOSEN = "(generic plan, not taken: estimated costlier than the plan above)"


def _cost(plan: str) -> float:
    """The estimated total cost on a PostgreSQL plan's first line."""
    found = re.search(r"cost=[\d.]+\.\.([\d.]+)", plan)
    return float(found.group(1)) if found else math.inf


async def generic_plan(connection: Any, statement: str, parameter_count: int) -> str:
    """PostgreSQL's generic plan for `statement` ($1, $2, ... placeholders)."""
    transaction = await connection.begin()
    try:
        await connection.exec_driver_sql("PREPARE b5_plan AS " + statement)
        await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        nulls = ", ".join(["NULL"] * parameter_count)
        execute = (
            f"EXPLAIN EXECUTE b5_plan({nulls})" if parameter_count else "EXPLAIN EXECUTE b5_plan"
        )
        return await _lines(connection, execute, ())
    finally:
        await transaction.rollback()
        await connection.exec_driver_sql("DEALLOCATE b5_plan")


async def _lines(connection: Any, statement: str, parameters: Any) -> str:
    result = await connection.exec_driver_sql(statement, parameters)
    return "\n".join(str(row[0]) for row in result.all())


def _explainable(statement: str) -> bool:
    return statement.lstrip().split(None, 1)[0].upper() in ("SELECT", "UPDATE", "DELETE", "INSERT")


def _scans(line: str) -> bool:
    """A plan line that reads a whole table (SQLite's SCAN, PostgreSQL's Seq Scan)."""
    text = line.strip().lstrip("->").strip()
    return (text.startswith("SCAN ") and "CONSTANT ROW" not in text) or "Seq Scan" in text


def _describe(statement: str) -> str:
    """A statement in a few words: its verb and table."""
    words = " ".join(statement.split())
    verb = words.split(None, 1)[0].upper()
    table = re.search(r"\b(?:FROM|UPDATE|INTO)\s+(\w+)", words, re.IGNORECASE)
    return f"{verb} {table.group(1)}" if table else verb


@dataclass(frozen=True)
class SessionCost:
    """What one guided session costs the bot: CPU, and the Bot API calls it makes."""

    sessions: int
    cpu_seconds: float
    calls: dict[str, int]

    def per_session(self) -> str:
        calls = sum(self.calls.values())
        methods = ", ".join(
            f"{method} {count / self.sessions:.1f}"
            for method, count in sorted(self.calls.items(), key=lambda item: -item[1])
        )
        return (
            f"{self.cpu_seconds / self.sessions * 1000:.0f} ms bot CPU, {calls / self.sessions:.1f}"
            f" Bot API calls ({methods}), {SESSION_UPDATES} updates"
        )


async def session_cost(url: str, people: Sequence[int]) -> SessionCost:
    """These seeded people (level 1: four exercises) each do a whole guided session, all but the
    first (a warm-up) at once.

    /session, then Ready and Done on each card, to the summary: the bot process's CPU from
    the first /session to the last summary, less what it spends idle over as long, and the
    calls it made meanwhile. Holds run at HOLD_TIME_SCALE 0.05 (the same countdown steps,
    20 times faster).
    """
    from bot import texts

    await history.settle_for_a_bot(url, datetime.now(UTC))
    async with World() as world:
        bot = BotProcess(world, database_url=url, hold_time_scale=SESSION_HOLD_SCALE)
        async with bot:
            users = [world.emulator.user(user_id=person) for person in people]
            # One first, unmeasured: it draws and uploads each card's figure, which Telegram
            # then keeps (the bot sends its file id from then on).
            await _session(users.pop(), texts)
            since = world.mark()
            cpu, started = cpu_seconds(bot.pid), time.monotonic()
            await asyncio.gather(*(_session(user, texts) for user in users))
            busy = cpu_seconds(bot.pid) - cpu
            span = time.monotonic() - started
            calls = Counter(
                request.method
                for request in world.requests(since=since)
                if request.method != "getUpdates"
            )
            cpu = cpu_seconds(bot.pid)
            await asyncio.sleep(min(span, 10.0))
            idle = (cpu_seconds(bot.pid) - cpu) * span / min(span, 10.0)
            await bot.stop()
    return SessionCost(len(users), max(0.0, busy - idle), dict(calls))


async def _session(user: Any, texts: Any) -> None:
    await user.send_text("/session")
    for position in range(1, SESSION_EXERCISES + 1):
        await user.wait_for_message(f"{position} of {SESSION_EXERCISES}", timeout=120)
        await user.press(texts.READY)
        await user.wait_for_message("How did", timeout=120)
        await user.press(texts.DONE)
    await user.wait_for_message("Session complete", timeout=120)


async def bot_memory(url: str) -> dict[str, int]:
    """The bot's resident memory after its reminder ticks ran over the table."""
    await history.settle_for_a_bot(url, datetime.now(UTC))
    async with World() as world:
        bot = BotProcess(world, database_url=url, reminder_tick_seconds=BOT_TICK_SECONDS)
        async with bot:
            await asyncio.sleep(BOT_SETTLE_SECONDS)
            memory = memory_kb(bot.pid)
            await bot.stop()
    return memory


def _rows(rows: dict[str, int]) -> str:
    return ", ".join(f"{table} {count:,}" for table, count in rows.items())


def _say_step(step: Step) -> None:
    recorder = step.recorder
    say(
        f"{NAME}: {step.size:,} people (load {step.load:.1f}): reminder tick"
        f" {step.tick(REMINDER_CALLS)}; inbox tick {step.tick(INBOX_CALLS)}; each round's"
        f" whole tick p50 {step.medians()} ms"
    )
    for (call, statement), times in recorder.statements.items():
        say(
            f"  {call}: {_describe(statement)}: p50 {percentile(times, 50) * 1000:.2f} ms,"
            f" p95 {percentile(times, 95) * 1000:.2f} ms"
        )
        plan = step.plans.get((call, statement), "")
        for line in plan.splitlines():
            say(f"      {line}")


def _per_call(step: Step) -> str:
    return ", ".join(
        f"{name} {percentile(step.recorder.calls[name], 50) * 1000:.2f}"
        for name in (*REMINDER_CALLS, *INBOX_CALLS)
    )


def _session_figures(cost: SessionCost) -> list[Figure]:
    """For sizing: what a session costs beside the tick (see the README's sizing advice)."""
    return [
        Figure(
            NAME,
            f"a guided session (level 1, {cost.sessions} at once)",
            cost.per_session(),
        )
    ]


def _figures(steps: list[Step]) -> list[Figure]:
    figures: list[Figure] = []
    for step in steps:
        size = label(step.size)
        figures.append(
            Figure(
                NAME,
                f"idle tick, {size} people",
                f"reminder tick {step.tick(REMINDER_CALLS)}; inbox tick"
                f" {step.tick(INBOX_CALLS)} (best of {ROUNDS} rounds of {TICKS} ticks, whole"
                f" tick p50 {step.medians()} ms; load {step.load:.1f})",
            )
        )
        figures.append(Figure(NAME, f"per call p50 (ms), {size}", _per_call(step)))
        scans = step.scans()
        figures.append(
            Figure(
                NAME,
                f"plans that scan a table, {size}",
                "; ".join(scans) if scans else "none",
                "none",
                check(not scans),
            )
        )
        if step.memory_kb is not None:
            figures.append(
                Figure(
                    NAME,
                    f"bot resident memory, {size} people",
                    f"{step.memory_kb['VmRSS'] / 1024:.0f} MB (peak"
                    f" {step.memory_kb['VmHWM'] / 1024:.0f} MB)",
                )
            )
    first, last = steps[0], steps[-1]
    if len(steps) > 1:
        for name, calls in (("reminder", REMINDER_CALLS), ("inbox", INBOX_CALLS)):
            small, large = first.fastest(calls), last.fastest(calls)
            figures.append(
                Figure(
                    NAME,
                    f"{name} tick, {label(last.size)} vs {label(first.size)} people",
                    f"fastest {large:.2f} vs {small:.2f} ms ({large / small:.1f}x); p50"
                    f" {last.ms(calls, 50):.1f} vs {first.ms(calls, 50):.1f} ms",
                    f"flat (< {FLAT_FACTOR:.0f}x + {FLAT_SLACK_MS:.0f} ms)",
                    check(large <= small * FLAT_FACTOR + FLAT_SLACK_MS),
                )
            )
    measured = [step for step in steps if step.memory_kb is not None]
    if len(measured) > 1:
        low, high = measured[0], measured[-1]
        grown = (high.memory_kb["VmRSS"] - low.memory_kb["VmRSS"]) / 1024  # type: ignore[index]
        per = grown / ((high.size - low.size) / 100_000)
        figures.append(
            Figure(
                NAME,
                "bot memory per 100k people",
                f"{per:+.1f} MB ({label(low.size)} -> {label(high.size)}: {grown:+.0f} MB)",
            )
        )
    figures.append(
        Figure(
            NAME,
            f"database at {label(last.size)} people",
            f"{_rows(last.rows)}; {last.database_bytes / 2**30:.2f} GiB; seeded in"
            f" {sum(step.seed_seconds for step in steps):.0f} s, last ANALYZE"
            f" {last.analyze_seconds:.0f} s",
        )
    )
    return figures
