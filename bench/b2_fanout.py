"""B2: reminder fan-out with rate limits off: 10k and 100k people due in the same minute.

Everyone is seeded onboarded, spread over five time zones, with a local reminder time that
falls on the current UTC minute, so the first reminder tick finds them all due. The bot runs
without a rate limiter and with REMINDERS_PER_SECOND at 4,000, so only its own work paces the
broadcast. REMINDER_TICK_SECONDS stays at its default (20 s): the first
tick comes one interval after start-up (see README), and each tick stops claiming after 90% of
it, so long broadcasts pause briefly at every tick boundary; the rate includes those pauses.
Figures: reminders per second from the first send to the last, and database time per
reminder, with `Repository.claim_due` (run serially by the tick) timed apart from the calls
each send makes (run concurrently, so their wall time includes waiting for a connection).
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from bench.database import fresh_database, minute_floor, seed_users
from bench.options import Options, say
from bench.report import Figure, check, logged
from bench.world import BotProcess, BotRun, CpuMeter, CpuUse, World

NAME = "B2"
FIRST_ID = 1_000_000
TARGET_RATE = 1_000
# Far above what is reached, so pacing never binds. Not the settings' maximum of 10,000: on
# PostgreSQL 15 a claim of 8,000 fails ("stack depth limit exceeded", README finding 3).
RATE = 4_000
# Give up when no reminder has arrived for this long (the first may take a tick and a claim).
STALL_SECONDS = 30
FIRST_SEND_SECONDS = 180
# Measure for at most this long after the first reminder (the rate is known well before).
MAX_SECONDS = {True: 60.0, False: 150.0}


async def run(options: Options) -> list[Figure]:
    sizes = (2_000,) if options.quick else (10_000, 100_000)
    figures: list[Figure] = []
    for size in sizes:
        figures += await fan_out(options, size)
    return figures


def label(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 else str(size)


async def fan_out(options: Options, size: int) -> list[Figure]:
    ids = range(FIRST_ID, FIRST_ID + size)
    async with fresh_database(options.database_url) as url:
        started = time.monotonic()
        await seed_users(url, ids, due=minute_floor(datetime.now(UTC)))
        say(f"{NAME}: seeded {size:,} people due now in {time.monotonic() - started:.1f} s")
        async with World() as world:
            world.register(ids)
            bot = BotProcess(
                world,
                database_url=url,
                connection_pool_size=options.http_pool,
                rate_limit=False,
                reminders_per_second=RATE,
                profile_path=options.profile_path(f"{NAME}-{label(size)}"),
            )
            async with bot:
                meter = CpuMeter(bot.pid)
                sends = await wait_for_sends(world, size, since=0, limit=MAX_SECONDS[options.quick])
                cpu = meter.read()
                finished = await bot.stop()
    if len(sends) < size:
        say(f"{NAME}: the bot's log ends:\n{finished.log}")
    return describe(size, sends, finished, cpu)


async def wait_for_sends(
    world: World, expected: int, *, since: int, limit: float = float("inf")
) -> list[float]:
    """Arrival times of sendMessage requests until `expected` came, they stalled, or `limit`
    seconds passed since the first."""
    sends: list[float] = []
    cursor = since
    last_change = time.monotonic()
    while (
        len(sends) < expected
        and time.monotonic() - last_change < (STALL_SECONDS if sends else FIRST_SEND_SECONDS)
        and not (sends and time.monotonic() - sends[0] > limit)
    ):
        await asyncio.sleep(0.2)
        new = world.requests("sendMessage", since=cursor)
        cursor = world.mark()
        if new:
            sends += [r.timestamp for r in new]
            last_change = time.monotonic()
    return sorted(sends)


def stack(finished: BotRun) -> str:
    """What the bot ran on: its HTTP client and event loop."""
    stats = finished.stats
    return f"{stats.get('http_client') or '?'} on {stats.get('event_loop') or '?'}"


def describe(size: int, sends: list[float], finished: BotRun, cpu: CpuUse) -> list[Figure]:
    name = f"{label(size)} due"
    if len(sends) < 2:
        return [Figure(NAME, f"{name}: reminders sent", str(len(sends)), str(size), check(False))]
    span = sends[-1] - sends[0]
    rate = (len(sends) - 1) / span if span > 0 else float("inf")
    repository = finished.stats["repository"]
    claims, claim_seconds = repository.get("claim_due", [0, 0.0])
    others = {k: v for k, v in repository.items() if k != "claim_due" and v[0]}
    other_calls = sum(calls for calls, _ in others.values())
    other_seconds = sum(seconds for _, seconds in others.values())
    per_send = ", ".join(f"{k} {v[0] / len(sends):.3g}" for k, v in sorted(others.items()))
    figures = [
        Figure(
            NAME,
            f"{name}: reminders/s",
            f"{rate:,.0f}/s ({len(sends):,} in {span:.1f} s, first"
            f" {sends[0] - finished.first_poll:.1f} s after start)",
            f">= {TARGET_RATE:,}/s",
            check(rate >= TARGET_RATE),
        ),
        Figure(
            NAME,
            f"{name}: claim_due time",
            f"{claim_seconds / len(sends) * 1000:.2f} ms/reminder"
            f" ({claims} claims, {claim_seconds / max(claims, 1) * 1000:.0f} ms each)",
        ),
        Figure(
            NAME,
            f"{name}: other DB calls",
            f"{other_calls / len(sends):.3g}/reminder ({per_send}),"
            f" {other_seconds / len(sends) * 1000:.2f} ms/reminder,"
            f" mean {other_seconds / max(other_calls, 1) * 1000:.1f} ms wall each",
        ),
        Figure(
            NAME,
            f"{name}: bot CPU per reminder",
            f"{cpu.bot * span / len(sends) * 1000:.2f} ms ({cpu}; {stack(finished)})",
        ),
    ]
    if len(sends) < size:
        figures.append(
            Figure(
                NAME,
                f"{name}: reminders sent",
                f"{len(sends):,} (measuring stopped after {span:.0f} s or a stall)",
                f"{size:,}",
                check(False),
            )
        )
    return figures + logged(NAME, finished, prefix=f"{name}: ")
