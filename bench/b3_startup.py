"""B3: start-up time and memory with 100k people and their reminders in the database.

The database holds 100k onboarded people (next reminders tomorrow) and yesterday's sent
reminder for each. The bot starts in a fresh process with production settings. Start-up is
timed from the call to `build_application` to the first getUpdates reaching the emulator
(build, initialize, post_init with its migration check and setMyCommands, start, polling); the
time from spawning the process is shown beside it (interpreter and imports included). Memory
is the bot process's own resident set (VmRSS, and the peak VmHWM) from /proc, read after the
first reminder tick has run over the full table.
"""

from __future__ import annotations

import asyncio
import time

from bench.database import fresh_database, seed_reminder_history, seed_users
from bench.options import Options, say
from bench.report import Figure, check
from bench.world import BotProcess, World, memory_kb

NAME = "B3"
FIRST_ID = 3_000_000
TARGET_SECONDS = 3.0
TARGET_MB = 300
# The first reminder tick runs one REMINDER_TICK_SECONDS after start-up; memory is read then.
TICK_SECONDS = 2.0


async def run(options: Options) -> list[Figure]:
    size = 5_000 if options.quick else 100_000
    ids = range(FIRST_ID, FIRST_ID + size)
    async with fresh_database(options.database_url) as url:
        started = time.monotonic()
        await seed_users(url, ids)
        await seed_reminder_history(url, ids)
        say(f"{NAME}: seeded {size:,} people and reminders in {time.monotonic() - started:.1f} s")
        async with World() as world:
            bot = BotProcess(
                world,
                database_url=url,
                connection_pool_size=options.http_pool,
                reminder_tick_seconds=TICK_SECONDS,
            )
            async with bot:
                at_start = memory_kb(bot.pid)
                await asyncio.sleep(TICK_SECONDS * 2.5)
                settled = memory_kb(bot.pid)
                finished = await bot.stop()
    timings = finished.stats["timings"]
    startup = bot.first_poll - timings["build_started"]
    phases = _phases(timings, bot.first_poll)
    rss_mb = max(at_start["VmRSS"], settled["VmRSS"]) / 1024
    peak_mb = settled["VmHWM"] / 1024
    label = f"{size // 1000}k users"
    return [
        Figure(
            NAME,
            f"start-up, {label}",
            f"{startup:.2f} s ({phases})",
            f"< {TARGET_SECONDS:.0f} s",
            check(startup < TARGET_SECONDS),
        ),
        Figure(
            NAME,
            "process spawn to first getUpdates",
            f"{bot.first_poll - bot.spawned:.2f} s (imports"
            f" {timings['imports_done'] - timings['process_started']:.2f} s)",
        ),
        Figure(
            NAME,
            f"resident memory, {label}",
            f"{rss_mb:.0f} MB (peak {peak_mb:.0f} MB)",
            f"< {TARGET_MB} MB",
            check(max(rss_mb, peak_mb) < TARGET_MB),
        ),
    ]


def _phases(timings: dict[str, float], first_poll: float) -> str:
    build = timings["build_done"] - timings["build_started"]
    initialize = timings["post_init_started"] - timings["build_done"]
    post_init = timings["post_init_done"] - timings["post_init_started"]
    start = first_poll - timings["post_init_done"]
    return (
        f"build {build:.2f}, initialize {initialize:.2f}, post_init {post_init:.2f},"
        f" start to first poll {start:.2f}"
    )
