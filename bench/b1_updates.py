"""B1: updates per second through the full bot against a bare python-telegram-bot echo bot.

Many scripted users talk at once, each waiting for the bot's answer before typing again. Each
round is a typed exchange outside any session that goes through the real handlers and the
database: "hurts" (safety screen, active-session lookup, user lookup, report step saved, "How
much?" asked) then "stop" (the same lookups, the report step cleared, "OK, never mind").
The echo bot gets the same users and texts on the same emulator, in the same run, and answers
each with the same text. Both run without a rate limiter (at Telegram's 30 messages/s both
would measure the limiter, not themselves) and handle different people's updates concurrently.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.database import fresh_database, seed_users
from bench.options import Options, say
from bench.report import Figure, check, percentile
from bench.world import BotProcess, CpuMeter, CpuUse, World
from bot import texts
from bot.emulator.users import ScriptedUser

NAME = "B1"
FIRST_ID = 100_000
EXCHANGE = (("hurts", texts.REPORT_PAIN), ("stop", texts.REPORT_CANCELLED))
TARGET_RATIO = 0.6
REPLY_TIMEOUT = 60.0


@dataclass
class Measured:
    updates: int
    seconds: float
    latencies: list[float]
    wrong: int
    cpu: CpuUse
    # Repository calls per update and their mean wall time (backcoach only).
    db: str = ""

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_per_update(self) -> float:
        """Bot CPU seconds per update: steadier than the rate when other work shares the CPU."""
        return self.cpu.bot * self.seconds / self.updates


async def run(options: Options) -> list[Figure]:
    users, rounds, repeats = (20, 3, 2) if options.quick else (100, 5, 3)
    ids = range(FIRST_ID, FIRST_ID + users)
    echo: list[Measured] = []
    full: list[Measured] = []
    async with fresh_database(options.database_url) as url:
        await seed_users(url, ids)
        async with World() as world:
            people = [world.emulator.user(user_id) for user_id in ids]
            # Interleaved rounds, each compared with its own echo run: other load on the
            # machine comes and goes, and the CPU's speed with it.
            for repeat in range(repeats):
                say(f"{NAME}: echo bot, {users} users x {rounds} rounds x {len(EXCHANGE)} texts")
                echo.append(
                    await _measure(
                        world,
                        people,
                        rounds,
                        expect=False,
                        variant="echo",
                        connection_pool_size=options.http_pool,
                        profile_path=options.profile_path(f"{NAME}-echo-{repeat}"),
                    )
                )
                say(f"{NAME}: backcoach, same users and texts")
                full.append(
                    await _measure(
                        world,
                        people,
                        rounds,
                        expect=True,
                        variant="backcoach",
                        database_url=url,
                        connection_pool_size=options.http_pool,
                        rate_limit=False,
                        profile_path=options.profile_path(f"{NAME}-{repeat}"),
                    )
                )
    ratios = [f.rate / e.rate for e, f in zip(echo, full, strict=True)]
    cpu_ratios = [e.cpu_per_update / f.cpu_per_update for e, f in zip(echo, full, strict=True)]
    rounds_told = "; ".join(
        f"{e.rate:,.0f} vs {f.rate:,.0f}" for e, f in zip(echo, full, strict=True)
    )
    best_echo = max(echo, key=lambda m: m.rate)
    best_full = max(full, key=lambda m: m.rate)
    figures = [
        Figure(NAME, "echo bot (bare PTB)", _describe(best_echo) + " (best round)"),
        Figure(NAME, "backcoach (handlers + DB)", _describe(best_full) + " (best round)"),
        Figure(NAME, "backcoach DB calls per update", best_full.db),
        Figure(
            NAME,
            "backcoach / echo updates/s, each round",
            ", ".join(f"{r:.2f}x" for r in ratios) + f" (echo vs backcoach: {rounds_told})",
            f">= {TARGET_RATIO}x every round",
            check(min(ratios) >= TARGET_RATIO),
        ),
        Figure(
            NAME,
            "echo / backcoach bot CPU per update, each round",
            ", ".join(f"{r:.2f}x" for r in cpu_ratios)
            + " (the ratio a CPU-bound bot would reach on an idle machine; "
            + ", ".join(
                f"{e.cpu_per_update * 1000:.2f}/{f.cpu_per_update * 1000:.2f} ms"
                for e, f in zip(echo, full, strict=True)
            )
            + ")",
            f">= {TARGET_RATIO}x every round",
            check(min(cpu_ratios) >= TARGET_RATIO),
        ),
    ]
    wrong = sum(m.wrong for m in full)
    if wrong:
        figures.append(Figure(NAME, "unexpected replies", str(wrong), "0", check(False)))
    return figures


def _describe(measured: Measured) -> str:
    return (
        f"{measured.rate:,.0f} updates/s, p50 {percentile(measured.latencies, 50) * 1000:.0f} ms,"
        f" p95 {percentile(measured.latencies, 95) * 1000:.0f} ms,"
        f" {measured.cpu_per_update * 1000:.1f} ms bot CPU/update ({measured.cpu})"
    )


async def _measure(
    world: World, people: Sequence[ScriptedUser], rounds: int, *, expect: bool, **config: object
) -> Measured:
    async with BotProcess(world, **config) as bot:  # type: ignore[arg-type]
        for person in people:
            world.replies[person.chat_id] = asyncio.Queue()
        # One round untimed: connections, caches and compiled statements warm up; and the
        # bot's start-up work in the background (the city gazetteer) is let finish.
        await asyncio.gather(*(_converse(world, p, 1, expect) for p in people))
        await _settled(bot.pid)
        meter = CpuMeter(bot.pid)
        started = time.monotonic()
        results = await asyncio.gather(*(_converse(world, p, rounds, expect) for p in people))
        seconds = time.monotonic() - started
        cpu = meter.read()
        finished = await bot.stop()
    for problem, count in finished.stats["warnings"].items():
        say(f"bot logged {count} x {problem}")
    if expect and finished.stats["warnings"]:
        say(f"the bot's log ends:\n{finished.log}")
    latencies = [latency for person, _ in results for latency in person]
    # Includes the warm-up round: the bot counts from its start.
    handled = len(latencies) * (rounds + 1) / rounds
    repository = finished.stats["repository"]
    calls = sum(c for c, _ in repository.values())
    db_seconds = sum(s for _, s in repository.values())
    busiest = sorted(repository.items(), key=lambda kv: -kv[1][0])[:4]
    db = (
        f"{calls / handled:.1f} calls/update ("
        + ", ".join(f"{k} {v[0] / handled:.1f}" for k, v in busiest if v[0])
        + f"), mean {db_seconds / max(calls, 1) * 1000:.1f} ms wall each"
    )
    return Measured(
        db=db if calls else "",
        updates=len(latencies),
        seconds=seconds,
        latencies=latencies,
        wrong=sum(wrong for _, wrong in results),
        cpu=cpu,
    )


async def _settled(pid: int, *, idle: float = 0.1, longest: float = 10.0) -> None:
    """Wait until the process uses under `idle` of a core (measured over 0.2 s), at most
    `longest` seconds."""
    deadline = time.monotonic() + longest
    while time.monotonic() < deadline:
        meter = CpuMeter(pid)
        await asyncio.sleep(0.2)
        if meter.read().bot < idle:
            return


async def _converse(
    world: World, person: ScriptedUser, rounds: int, expect: bool
) -> tuple[list[float], int]:
    """Type each message of the exchange and wait for the answer; (latencies, wrong answers)."""
    queue = world.replies[person.chat_id]
    latencies: list[float] = []
    wrong = 0
    for _ in range(rounds):
        for typed, answer in EXCHANGE:
            sent = time.monotonic()
            await person.send_text(typed)
            reply = await asyncio.wait_for(queue.get(), REPLY_TIMEOUT)
            latencies.append(time.monotonic() - sent)
            wrong += reply.text != (answer if expect else typed)
    return latencies, wrong
