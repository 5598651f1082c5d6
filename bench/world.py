"""The benchmark's side of the wire: the emulator, its chats, and the bot process it talks to."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from bench.botproc import BotConfig
from bot.emulator.flood import FloodLimit
from bot.emulator.server import BotApiEmulator
from bot.emulator.state import ApiRequest, StoredMessage

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class World:
    """A Bot API emulator on loopback, with fast ways to add chats and to hear replies.

    Scripted users normally wait with `wait_for_message`, which wakes every waiting user on
    every change: fine for a test with three users, quadratic with hundreds. Here each bot
    message is pushed to a per-chat queue instead, so the emulator stays cheap per request.
    """

    def __init__(self, *, flood_limit: FloodLimit | None = None) -> None:
        # `flood_limit`: answer 429 past Telegram's limits, as Telegram does (off: none).
        self.emulator = BotApiEmulator(flood_limit=flood_limit)
        self.replies: dict[int, asyncio.Queue[StoredMessage]] = {}
        self._cursor = 0
        original = self.emulator.state.add_message

        def add_message(
            chat_id: int, body: dict[str, Any], *, from_bot: bool, kind: str, text: str
        ) -> StoredMessage:
            stored = original(chat_id, body, from_bot=from_bot, kind=kind, text=text)
            queue = self.replies.get(chat_id)
            if from_bot and queue is not None:
                queue.put_nowait(stored)
            return stored

        self.emulator.state.add_message = add_message  # type: ignore[method-assign]
        # When each getUpdates arrived (the request log has it only once it is answered).
        self.polls: list[float] = []
        handle = self.emulator.handle

        async def timed_handle(token: str, method: str, request: Any) -> Any:
            if method == "getUpdates":
                self.polls.append(time.monotonic())
            return await handle(token, method, request)

        self.emulator.handle = timed_handle  # type: ignore[method-assign]

    async def __aenter__(self) -> Self:
        await self.emulator.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.emulator.stop()

    def register(self, ids: Iterable[int]) -> None:
        """Private chats the bot may write to (cheaper than a ScriptedUser each)."""
        state = self.emulator.state
        for user_id in ids:
            state.users[user_id] = {"id": user_id, "is_bot": False, "first_name": "Bench"}
            state.chats[user_id] = {"id": user_id, "type": "private", "first_name": "Bench"}

    def listen(self, chat_id: int) -> asyncio.Queue[StoredMessage]:
        """Every bot message to this chat from now on, in order."""
        return self.replies.setdefault(chat_id, asyncio.Queue())

    def requests(self, method: str | None = None, *, since: int = 0) -> list[ApiRequest]:
        """Answered requests (status 200) from index `since`, optionally of one method."""
        return [
            r
            for r in self.emulator.requests[since:]
            if r.status == 200 and (method is None or r.method == method)
        ]

    def mark(self) -> int:
        """An index into the request log: pass it as `since` to see only later requests."""
        return len(self.emulator.requests)


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of a process (this one when None)."""
    if pid is None:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


@dataclass
class BotRun:
    """A finished bot process: what it reported, and when it answered its first poll."""

    stats: dict[str, Any]
    spawned: float
    first_poll: float
    cpu_seconds: float
    log: str = field(repr=False, default="")


class BotProcess:
    """Start the bot under test in its own process; stop it by closing its standard input."""

    def __init__(self, world: World, *, profile_path: Path | None = None, **config: Any) -> None:
        self.world = world
        self._folder = tempfile.TemporaryDirectory(prefix="backcoach-bench-bot-")
        folder = Path(self._folder.name)
        self.log_path = folder / "bot.log"
        self.config = BotConfig(
            api_base_url=world.emulator.base_url,
            token=world.emulator.token,
            stats_path=str(folder / "stats.json"),
            profile_path=str(profile_path) if profile_path else None,
            **config,
        )
        self.process: asyncio.subprocess.Process | None = None
        self.spawned = 0.0
        self.first_poll = 0.0

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None and self.process.returncode is None:
            await self.stop()
        self._folder.cleanup()

    async def start(self, timeout: float = 60) -> None:  # noqa: ASYNC109
        """Spawn the bot and wait until it asks the emulator for updates for the first time."""
        since = len(self.world.polls)
        self.spawned = time.monotonic()
        with self.log_path.open("wb") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.botproc",
                json.dumps(asdict(self.config)),
                stdin=asyncio.subprocess.PIPE,
                stdout=log,
                stderr=log,
                cwd=PROJECT_ROOT,
            )
        deadline = self.spawned + timeout
        while time.monotonic() < deadline:
            if len(self.world.polls) > since:
                self.first_poll = self.world.polls[since]
                return
            if self.process.returncode is not None:
                break
            await asyncio.sleep(0.005)
        await self.stop()
        raise RuntimeError(f"the bot did not start:\n{self.log_tail()}")

    async def stop(self, timeout: float = 60) -> BotRun:  # noqa: ASYNC109
        """Close stdin, wait for a clean exit, and read the bot's report."""
        assert self.process is not None and self.process.stdin is not None
        cpu = cpu_seconds(self.process.pid) if self.process.returncode is None else 0.0
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        stats = _read_report(Path(self.config.stats_path))
        if stats is None:
            raise RuntimeError(f"the bot left no report:\n{self.log_tail()}")
        if self.config.variant != "echo" and not self.config.rate_limit and stats["rate_limiter"]:
            raise RuntimeError(f"asked for no rate limiter, but {stats['rate_limiter']} ran")
        return BotRun(
            stats=stats,
            spawned=self.spawned,
            first_poll=self.first_poll,
            cpu_seconds=max(cpu, stats.get("cpu_seconds", 0.0)),
            log=self.log_tail(),
        )

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used since boot (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


@dataclass(frozen=True)
class CpuUse:
    """CPU used over a span, in cores (1.0 = one core busy all the time)."""

    bot: float
    emulator: float
    others: float

    def __str__(self) -> str:
        return (
            f"CPU: bot {self.bot:.0%}, emulator {self.emulator:.0%},"
            f" other processes {self.others:.0%} of a core"
        )


def _read_report(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


class CpuMeter:
    """CPU use of the bot, of this process (emulator, scripted users) and of everything else.

    Other work on the machine (another test suite, say) competes for the same cores, so it
    is measured too and shown beside the figures it may have lowered.
    """

    def __init__(self, bot_pid: int) -> None:
        self.bot_pid = bot_pid
        self.started = time.monotonic()
        self.world0 = cpu_seconds()
        self.bot0 = cpu_seconds(bot_pid)
        self.machine0 = machine_busy_seconds()

    def read(self) -> CpuUse:
        span = max(time.monotonic() - self.started, 1e-9)
        bot = cpu_seconds(self.bot_pid) - self.bot0
        world = cpu_seconds() - self.world0
        machine = machine_busy_seconds() - self.machine0
        return CpuUse(bot / span, world / span, max(0.0, machine - bot - world) / span)
