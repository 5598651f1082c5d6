"""B2c: 20,000 reminders due in one minute at Telegram's 30/s, while 50 people chat and 50 hold.

The bot runs as in production (its rate limiter, REMINDERS_PER_SECOND at its default, holds
at their real length), against an emulator as strict as Telegram: its flood limit answers
429 past ~30 messages/s or ~1/s in a chat (`FloodLimit`), so the figures also show that the
bot stays under it. Everyone is due at the same whole minute. From that minute on:

- 50 people chat: each sends /help, waits for the answer, thinks 5-15 s, and again;
- 50 people hold: each presses Ready on a glute bridge card (a 30 s hold), sits through the
  get-ready count, the countdown and the Release until the question comes, and after 2-5 s
  presses Ready again (bench puts the session back at its card; nothing else is answered).

Figures, from the emulator's request log: how late each reminder came after its due instant
(p50, p95, max), how long each /help waited for its answer, how late each Release came after
the hold's 30 s, how many countdown edits were shown and how many the rate limiter dropped,
429s, and with `--paid-after N` (PAID_BROADCAST_AFTER_MINUTES) how many reminders went as
paid broadcasts and what they cost. It runs in real time: about as long as the broadcast.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.b2_fanout import label
from bench.database import fresh_database, minute_floor, seed_sessions, seed_users
from bench.options import Options, say
from bench.report import Figure, busiest_window, check, logged, percentile
from bench.world import BotProcess, BotRun, CpuMeter, CpuUse, World
from bot import texts
from bot.emulator.flood import FloodLimit, counted
from bot.emulator.state import StoredMessage
from bot.emulator.users import ScriptedUser
from bot.handlers import callback_data as cd
from bot.handlers import session
from bot.storage.database import create_engine
from bot.storage.models import TrainingSession

NAME = "B2c"
FIRST_ID = 2_500_000
CHATTY_FIRST = 2_400_000
HOLDER_FIRST = 2_450_000
EXERCISE, HOLD = "glute_bridge", 30
HELP = texts.HELP[:25]
QUESTION = "How did"
HOLD_START = texts.HOLD_COUNTDOWN.format(side="", seconds=HOLD)
RELEASE = texts.HOLD_RELEASE.format(side="")
CHAT_THINK = (5.0, 15.0)
HOLD_THINK = (2.0, 5.0)
# Everyone is due at a whole minute at least this far ahead of the bot's start-up.
LEAD_SECONDS = 25
TARGET_REPLY_P95 = 2.0
# The emulator's process moves what it keeps out of the garbage collector's way this often.
FREEZE_EVERY = 5.0
TARGET_DRIFT = 1.0


@dataclass
class Chatter:
    person: ScriptedUser
    replies: asyncio.Queue[StoredMessage]
    delays: list[float] = field(default_factory=list)
    unanswered: int = 0


@dataclass
class Holder:
    person: ScriptedUser
    replies: asyncio.Queue[StoredMessage]
    session_id: int
    card_id: int
    holds: int = 0


async def run(options: Options) -> list[Figure]:
    size, people = (2_000, 10) if options.quick else (20_000, 50)
    ids = range(FIRST_ID, FIRST_ID + size)
    chatty = range(CHATTY_FIRST, CHATTY_FIRST + people)
    holding = range(HOLDER_FIRST, HOLDER_FIRST + people)
    tag = NAME if options.paid_after is None else f"{NAME} paid>{options.paid_after:g}m"
    async with fresh_database(options.database_url) as url:
        now = datetime.now(UTC)
        due = minute_floor(now + timedelta(seconds=LEAD_SECONDS + 60))
        await seed_users(url, ids, due=due)
        await seed_users(url, [*chatty, *holding])
        sessions = await seed_sessions(url, holding, f"{EXERCISE}:{HOLD}")
        async with World(flood_limit=FloodLimit()) as world:
            world.register(ids)
            chatters = [Chatter(world.emulator.user(i), world.listen(i)) for i in chatty]
            holders = [_holder(world, i, sessions[i]) for i in holding]
            bot = BotProcess(
                world,
                database_url=url,
                connection_pool_size=options.http_pool,
                paid_broadcast_after_minutes=options.paid_after,
                profile_path=options.profile_path(NAME),
            )
            async with bot:
                # The due instant on the emulator's clock (time.monotonic in this process).
                due_at = time.monotonic() + (due - datetime.now(UTC)).total_seconds()
                say(f"{tag}: {label(size)} due at {due:%H:%M} UTC, {people} chatting and holding")
                await asyncio.sleep(max(0.0, due_at - time.monotonic()))
                meter = CpuMeter(bot.pid)
                stop = asyncio.Event()
                # The emulator's clock is this process's: when it stalls, requests that came
                # meanwhile are timed (and counted against the flood limit) together.
                stalls = Stalls()
                gc.callbacks.append(stalls.collected)
                watch = asyncio.create_task(stalls.watch(stop))
                engine = create_engine(url)
                loops = [asyncio.create_task(_chat(c, stop)) for c in chatters]
                loops += [asyncio.create_task(_hold(h, stop, engine)) for h in holders]
                timeout = size / 10 + 180
                done = await _all_reminded(world, ids, timeout, tag)
                ended = time.monotonic()
                stop.set()
                # Holds under way finish (a hold is 30 s); a chat waits for its answer.
                _, pending = await asyncio.wait(loops, timeout=HOLD + 30)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                await engine.dispose()
                await watch
                gc.callbacks.remove(stalls.collected)
                cpu = meter.read()
                finished = await bot.stop()
    return _figures(
        tag,
        world,
        ids,
        due_at,
        ended,
        done,
        size,
        chatters,
        holders,
        stalls,
        cpu,
        finished,
        options,
    )


@dataclass
class Stalls:
    """When this process (the emulator's) stopped for 100 ms or more, and its garbage
    collector's full passes."""

    stalls: list[tuple[float, float]] = field(default_factory=list)
    full_collections: list[float] = field(default_factory=list)
    _collecting: float = 0.0

    async def watch(self, stop: asyncio.Event) -> None:
        frozen = time.monotonic()
        while not stop.is_set():
            before = time.monotonic()
            await asyncio.sleep(0.01)
            lag = time.monotonic() - before - 0.01
            if lag >= 0.1:
                self.stalls.append((before, lag))
            if before - frozen >= FREEZE_EVERY:
                # What this process keeps (the request log, every chat's messages) grows by
                # tens of thousands of objects; a full collection over all of them stalled it
                # up to 0.7 s, and every 429 of a run came right after one. Frozen, each
                # full pass looks only at what came since (a few ms).
                gc.freeze()
                frozen = before

    def collected(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._collecting = time.monotonic()
        else:
            self.full_collections.append(time.monotonic() - self._collecting)

    def longest(self) -> float:
        return max((lag for _, lag in self.stalls), default=0.0)

    def before(self, instant: float, within: float = 0.5) -> bool:
        """Whether a stall ended within `within` s before `instant`."""
        return any(start <= instant <= start + lag + within for start, lag in self.stalls)


def _holder(world: World, user_id: int, session_id: int) -> Holder:
    """A person at the card of a session, with its Ready button (as B4 sets them up)."""
    person = world.emulator.user(user_id)
    data = cd.pack(session.PREFIX, session.READY, f"{session_id}.0.0")
    markup = {"inline_keyboard": [[{"text": texts.READY, "callback_data": data}]]}
    card = world.emulator.state.add_message(
        user_id, {"text": "card", "reply_markup": markup}, from_bot=True, kind="text", text="card"
    )
    return Holder(person, world.listen(user_id), session_id, card.message_id)


async def _next(
    queue: asyncio.Queue[StoredMessage], wanted: Callable[[StoredMessage], bool], within: float
) -> StoredMessage | None:
    """The next bot message in the chat that is `wanted` (others are skipped), or None."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        try:
            message = await asyncio.wait_for(queue.get(), left)
        except TimeoutError:
            return None
        if wanted(message):
            return message
    return None


async def _chat(chatter: Chatter, stop: asyncio.Event) -> None:
    rng = random.Random(chatter.person.user_id)
    # Not all at once: each starts somewhere in its first think.
    await _pause(stop, rng.uniform(0, CHAT_THINK[1]))
    while not stop.is_set():
        asked = time.monotonic()
        await chatter.person.send_text("/help")
        reply = await _next(chatter.replies, lambda m: m.text.startswith(HELP), 60)
        if reply is None:
            chatter.unanswered += 1
        else:
            chatter.delays.append(time.monotonic() - asked)
        await _pause(stop, rng.uniform(*CHAT_THINK))


async def _hold(holder: Holder, stop: asyncio.Event, engine: AsyncEngine) -> None:
    rng = random.Random(holder.person.user_id)
    await _pause(stop, rng.uniform(0, HOLD))
    data = cd.pack(session.PREFIX, session.READY, f"{holder.session_id}.0.0")
    while not stop.is_set():
        await holder.person.press_data(holder.card_id, data)
        question = await _next(holder.replies, lambda m: QUESTION in m.text, HOLD + 90)
        holder.holds += 1
        # Back at the card, as if the next exercise's card had come: Ready again.
        async with engine.begin() as connection:
            await connection.execute(
                update(TrainingSession)
                .where(TrainingSession.id == holder.session_id)
                .values(phase="card", position=0, side=0)
            )
        if question is None:
            return
        await _pause(stop, rng.uniform(*HOLD_THINK))


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def _all_reminded(world: World, ids: range, within: float, tag: str) -> bool:
    """Wait until every due person has their reminder (or `within` s); progress each minute."""
    started = time.monotonic()
    said = started
    while time.monotonic() - started < within:
        sent = _reminders(world, ids)
        if len(sent) >= len(ids):
            return True
        if time.monotonic() - said >= 60:
            said = time.monotonic()
            say(f"{tag}: {len(sent):,} of {len(ids):,} reminders after {said - started:.0f} s")
        await asyncio.sleep(0.5)
    return False


def _reminders(world: World, ids: range) -> list[float]:
    first, end = ids.start, ids.stop
    return [
        r.timestamp
        for r in world.emulator.requests
        if r.status == 200
        and r.method == "sendMessage"
        and r.chat_id is not None
        and first <= r.chat_id < end
    ]


def _holds(world: World, holding: set[int]) -> tuple[list[float], int]:
    """Each Release's lateness against its hold's 30 s; countdown edits shown."""
    started: dict[tuple[int, int], float] = {}
    drifts: list[float] = []
    shown = 0
    for r in world.requests("editMessageText"):
        if r.chat_id not in holding:
            continue
        key = (r.chat_id, int(r.params.get("message_id", 0)))
        text = str(r.params.get("text", ""))
        if text == HOLD_START:
            started[key] = r.timestamp
        elif text == RELEASE and key in started:
            drifts.append(r.timestamp - started[key] - HOLD)
        elif text.startswith(HOLD_START.split(str(HOLD))[0]):
            shown += 1
    return drifts, shown


def _minutes(seconds: float) -> str:
    if math.isnan(seconds):
        return "–"
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


def _figures(
    tag: str,
    world: World,
    ids: range,
    due_at: float,
    ended: float,
    done: bool,
    size: int,
    chatters: list[Chatter],
    holders: list[Holder],
    stalls: Stalls,
    cpu: CpuUse,
    finished: BotRun,
    options: Options,
) -> list[Figure]:
    sent = sorted(_reminders(world, ids))
    late = [at - due_at for at in sent]
    span = (sent[-1] - due_at) if sent else 0.0
    delays = [d for c in chatters for d in c.delays]
    unanswered = sum(c.unanswered for c in chatters)
    p95 = percentile(delays, 95)
    drifts, shown = _holds(world, {h.person.user_id for h in holders})
    dropped = finished.stats.get("limiter_dropped", 0)
    lanes = finished.stats.get("limiter_sent", {})
    refused: dict[str, int] = defaultdict(int)
    holding = {h.person.user_id for h in holders}
    after_stall = 0
    for r in world.emulator.requests:
        if r.status == 429:
            who = "reminder" if r.chat_id in ids else "holder" if r.chat_id in holding else "chat"
            refused[f"{r.method} to a {who}"] += 1
            after_stall += stalls.before(r.timestamp)
    messages = [
        r.timestamp
        for r in world.emulator.requests
        if r.status == 200 and counted(r.method) and due_at <= r.timestamp <= ended
    ]
    emulator = world.emulator
    figures = [
        Figure(
            tag,
            "reminders sent",
            f"{len(sent):,} of {size:,}, the last {_minutes(span)} after the due minute"
            f" ({len(sent) / max(span, 1e-9):.1f}/s)",
            f"{size:,}",
            check(done and len(sent) == size),
        ),
        Figure(
            tag,
            "reminder lateness after the due instant",
            f"p50 {_minutes(percentile(late, 50))}, p95 {_minutes(percentile(late, 95))},"
            f" max {_minutes(max(late, default=math.nan))}",
        ),
        Figure(
            tag,
            f"/help reply delay ({len(chatters)} chatting)",
            f"p50 {percentile(delays, 50) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms,"
            f" max {max(delays, default=0) * 1000:.0f} ms ({len(delays)} answered,"
            f" {unanswered} not within 60 s)",
            f"p95 < {TARGET_REPLY_P95:.0f} s",
            check(p95 < TARGET_REPLY_P95 and not unanswered),
        ),
        Figure(
            tag,
            f"Release drift ({len(holders)} holding, 30 s holds)",
            f"p50 {percentile(drifts, 50) * 1000:.0f} ms, p95 {percentile(drifts, 95) * 1000:.0f}"
            f" ms, max {max(drifts, default=0) * 1000:.0f} ms ({len(drifts)} holds)",
            f"< {TARGET_DRIFT:.0f} s",
            check(bool(drifts) and max(drifts) < TARGET_DRIFT),
        ),
        Figure(
            tag,
            "countdown edits",
            f"{shown:,} shown, {dropped:,} dropped by the rate limiter"
            f" ({dropped / max(shown + dropped, 1):.0%} of those tried)",
        ),
        Figure(
            tag,
            "messages/s during the broadcast",
            f"{len(messages) / max(ended - due_at, 1e-9):.1f}/s (busiest 1 s: "
            f"{busiest_window(messages)}); by lane: "
            + ", ".join(f"{lane} {count:,}" for lane, count in sorted(lanes.items())),
        ),
        Figure(
            tag,
            "429s from the flood limit (30/s, 1/s per chat)",
            (", ".join(f"{count} {method}" for method, count in refused.items()) or "none")
            + f"; {after_stall} within 0.5 s after the emulator's process stalled",
            "none",
            check(not refused),
        ),
        Figure(
            tag,
            "the emulator's process stalled (100 ms or more)",
            f"{len(stalls.stalls)} times, longest {stalls.longest() * 1000:.0f} ms;"
            f" {len(stalls.full_collections)} full garbage collections, longest"
            f" {max(stalls.full_collections, default=0) * 1000:.0f} ms",
        ),
    ]
    if options.paid_after is not None:
        figures.append(
            Figure(
                tag,
                f"paid broadcasts (after {options.paid_after:g} min late)",
                f"{emulator.paid_messages:,} reminders, {emulator.stars_charged} Stars",
            )
        )
    figures.append(Figure(tag, "CPU", str(cpu)))
    return figures + logged(tag, finished)
