"""B2b: reminder fan-out with Telegram's limits on, while someone is chatting.

The bot runs as in production: its rate limiter (PTB's AIORateLimiter, 30 requests/s with a
chat id, underneath) and REMINDERS_PER_SECOND at its default (28), just under 30 so that
replies to people who are chatting still get through. More people are due than
can be reminded in the window. Once the first reminder arrives, a scripted user sends /help
every 0.5 s; each reply's delay is measured from the moment the user sent the command.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from bench.b2_fanout import label
from bench.database import fresh_database, minute_floor, seed_users
from bench.options import Options, say
from bench.report import Figure, busiest_window, check, logged, percentile
from bench.world import BotProcess, CpuMeter, World
from bot import texts
from bot.config import Settings

NAME = "B2b"
FIRST_ID = 2_000_000
CHATTY_ID = 1_999_999
TARGET_RATE = 28
DESIGN_RATE = Settings.model_fields["reminders_per_second"].default
TARGET_REPLY_P95 = 2.0
HELP_EVERY = 0.5
# The first tick runs one REMINDER_TICK_SECONDS (20 s) after start-up.
FIRST_REMINDER_TIMEOUT = 60


async def run(options: Options) -> list[Figure]:
    size, window = (300, 8.0) if options.quick else (2_000, 20.0)
    ids = range(FIRST_ID, FIRST_ID + size)
    async with fresh_database(options.database_url) as url:
        await seed_users(url, ids, due=minute_floor(datetime.now(UTC)))
        await seed_users(url, [CHATTY_ID])
        async with World() as world:
            world.register(ids)
            chatty = world.emulator.user(CHATTY_ID)
            async with BotProcess(
                world, database_url=url, connection_pool_size=options.http_pool
            ) as bot:
                say(f"{NAME}: {label(size)} due; waiting for the first reminder tick")
                first = await _first_reminder(world)
                since_start = first - bot.first_poll
                say(f"{NAME}: first reminder {since_start:.1f} s after start; /help every 0.5 s")
                meter = CpuMeter(bot.pid)
                asked = await _chat(chatty, window)
                await asyncio.sleep(3)  # the last replies
                cpu = meter.read()
                finished = await bot.stop()
    reminders = [
        r.timestamp
        for r in world.requests("sendMessage")
        if r.chat_id != CHATTY_ID and first <= r.timestamp < first + window
    ]
    replies = [
        r.timestamp
        for r in world.requests("sendMessage")
        if r.chat_id == CHATTY_ID and r.params.get("text") == texts.HELP
    ]
    delays = [reply - sent for sent, reply in zip(asked, replies, strict=False)]
    rate = len(reminders) / window
    p95 = percentile(delays, 95)
    figures = [
        Figure(
            NAME,
            f"reminders/s over {window:.0f} s",
            f"{rate:.1f}/s (busiest 1 s: {busiest_window(reminders)})",
            f">= {TARGET_RATE}/s",
            check(rate >= TARGET_RATE),
        ),
        Figure(NAME, "the bot's own pacing (REMINDERS_PER_SECOND)", f"{DESIGN_RATE:g}/s"),
        Figure(
            NAME,
            "/help reply delay during the broadcast",
            f"p50 {percentile(delays, 50) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms,"
            f" max {max(delays, default=0) * 1000:.0f} ms ({len(delays)}/{len(asked)} answered)",
            f"p95 < {TARGET_REPLY_P95:.0f} s",
            check(p95 < TARGET_REPLY_P95 and len(delays) == len(asked)),
        ),
        Figure(NAME, "first reminder after start-up", f"{since_start:.1f} s"),
        Figure(NAME, "CPU", str(cpu)),
    ]
    return figures + logged(NAME, finished)


async def _first_reminder(world: World) -> float:
    deadline = time.monotonic() + FIRST_REMINDER_TIMEOUT
    while time.monotonic() < deadline:
        sends = world.requests("sendMessage")
        if sends:
            return sends[0].timestamp
        await asyncio.sleep(0.05)
    raise RuntimeError(f"no reminder within {FIRST_REMINDER_TIMEOUT} s")


async def _chat(chatty, window: float) -> list[float]:
    """Send /help every HELP_EVERY seconds for `window` seconds; when each was sent."""
    asked: list[float] = []
    started = time.monotonic()
    while time.monotonic() - started < window:
        asked.append(time.monotonic())
        await chatty.send_text("/help")
        await asyncio.sleep(max(0.0, started + len(asked) * HELP_EVERY - time.monotonic()))
    return asked
