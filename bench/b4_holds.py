"""B4: many people holding at once: countdown edits per chat and drift of each hold's end.

Each person has a guided session at its first card (glute bridge, 30 s, one side) and presses
Ready on it at the same moment. The bot answers the button, sends the countdown message and
lets a JobQueue job edit it every 5 s x HOLD_TIME_SCALE until the "Release" edit. Figures, from
the emulator's request log: the most edits any one chat got within one second (Telegram allows
about one a second per chat), and how late each "Release" came against the hold's target (the
countdown message's arrival + 30 s x HOLD_TIME_SCALE). Runs without a rate limiter, so the
figures are the bot's own timing; README explains what Telegram's 30 messages/s does to it.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass

from bench.database import fresh_database, seed_sessions, seed_users
from bench.options import Options, say
from bench.report import Figure, busiest_window, check, logged, percentile
from bench.world import BotProcess, BotRun, CpuMeter, CpuUse, World
from bot import texts
from bot.emulator.state import ApiRequest
from bot.handlers import callback_data as cd
from bot.handlers import session

NAME = "B4"
FIRST_ID = 4_000_000
EXERCISE, HOLD = "glute_bridge", 30
TARGET_EDITS_PER_SECOND = 1
TARGET_DRIFT = 1.0
COUNTDOWN = texts.HOLD_COUNTDOWN.format(side="", seconds=HOLD)
RELEASE = texts.HOLD_RELEASE.format(side="")


@dataclass
class Holds:
    scale: float
    pressed: float
    requests: list[ApiRequest]
    cpu: CpuUse
    finished: BotRun


async def run(options: Options) -> list[Figure]:
    people = 50 if options.quick else 500
    scales = (0.25,) if options.quick else (0.25, 1.0)
    figures: list[Figure] = []
    for scale in scales:
        holds = await hold_at_once(options, people, scale)
        figures += describe(holds, people)
    return figures


async def hold_at_once(options: Options, people: int, scale: float) -> Holds:
    ids = range(FIRST_ID, FIRST_ID + people)
    async with fresh_database(options.database_url) as url:
        await seed_users(url, ids)
        sessions = await seed_sessions(url, ids, f"{EXERCISE}:{HOLD}")
        async with World() as world:
            cards = {}
            for user_id in ids:
                person = world.emulator.user(user_id)
                data = cd.pack(session.PREFIX, session.READY, f"{sessions[user_id]}.0.0")
                markup = {"inline_keyboard": [[{"text": texts.READY, "callback_data": data}]]}
                card = world.emulator.state.add_message(
                    user_id,
                    {"text": "card", "reply_markup": markup},
                    from_bot=True,
                    kind="text",
                    text="card",
                )
                cards[user_id] = (person, card.message_id, data)
            bot = BotProcess(
                world,
                database_url=url,
                connection_pool_size=options.http_pool,
                rate_limit=False,
                hold_time_scale=scale,
                profile_path=options.profile_path(f"{NAME}-{scale:g}"),
            )
            async with bot:
                say(f"{NAME}: {people} people press Ready at once (HOLD_TIME_SCALE={scale:g})")
                meter = CpuMeter(bot.pid)
                since = world.mark()
                pressed = time.monotonic()
                await asyncio.gather(
                    *(person.press_data(mid, data) for person, mid, data in cards.values())
                )
                await _wait_for_releases(world, since, people, HOLD * scale + 60)
                cpu = meter.read()
                finished = await bot.stop()
            return Holds(scale, pressed, world.requests(since=since), cpu, finished)


async def _wait_for_releases(world: World, since: int, people: int, timeout: float) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        released = sum(
            1
            for r in world.requests("editMessageText", since=since)
            if r.params.get("text") == RELEASE
        )
        if released >= people:
            return
        await asyncio.sleep(0.25)


def describe(holds: Holds, people: int) -> list[Figure]:
    started: dict[int, float] = {}
    edits: dict[int, list[float]] = defaultdict(list)
    released: dict[int, float] = {}
    for r in holds.requests:
        if r.chat_id is None:
            continue
        if r.method == "sendMessage" and r.params.get("text") == COUNTDOWN:
            started.setdefault(r.chat_id, r.timestamp)
        elif r.method == "editMessageText":
            edits[r.chat_id].append(r.timestamp)
            if r.params.get("text") == RELEASE:
                released[r.chat_id] = r.timestamp
    target = HOLD * holds.scale
    drifts = [released[c] - (started[c] + target) for c in released if c in started]
    to_start = [t - holds.pressed for t in started.values()]
    busiest = max((busiest_window(times) for times in edits.values()), default=0)
    step = session.COUNTDOWN_STEP * holds.scale
    tag = f"scale {holds.scale:g}"
    worst = max(drifts, default=float("inf"))
    figures = [
        Figure(
            NAME,
            f"edits per chat per second ({tag})",
            f"max {busiest} in any 1 s (one every {step:g} s by design)",
            f"<= {TARGET_EDITS_PER_SECOND}",
            check(busiest <= TARGET_EDITS_PER_SECOND),
        ),
        Figure(
            NAME,
            f"Release drift ({tag}, {HOLD * holds.scale:g} s holds)",
            f"p50 {percentile(drifts, 50) * 1000:.0f} ms, p95 {percentile(drifts, 95) * 1000:.0f}"
            f" ms, max {worst * 1000:.0f} ms ({len(drifts)}/{people} released)",
            f"< {TARGET_DRIFT:.0f} s",
            check(worst < TARGET_DRIFT and len(drifts) == people),
        ),
        Figure(
            NAME,
            f"Ready pressed to countdown shown ({tag})",
            f"p50 {percentile(to_start, 50) * 1000:.0f} ms, max {max(to_start, default=0):.1f} s"
            f" ({len(started)}/{people} started); {holds.cpu}",
        ),
    ]
    return figures + logged(NAME, holds.finished)
