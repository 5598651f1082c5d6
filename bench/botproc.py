"""The bot under test, in a process of its own: `python -m bench.botproc '<json config>'`.

It runs either the real backcoach Application (`build_application` from bot/app.py, run with
`bot.app.running`, exactly as the demo and the tests run it) or a bare python-telegram-bot echo
bot, against the emulator URL it is given, until its standard input closes. Then it stops
cleanly and writes what it knows about itself to `stats_path` as JSON: when each start-up phase
ended, how often and how long each Repository method ran, warnings logged, CPU time and memory.

Everything bench changes in the bot happens here, at run time, in this process only:
- with `rate_limit` false, `bot.app.PatientRateLimiter` is replaced by a function that
  returns None, so the bot is built without a rate limiter (all else as in production);
- only with `connection_pool_size` set (the `--http-pool` experiment), `bot.app.make_request`
  builds the bot's requests (not getUpdates') with that HTTP connection pool size;
- the event loop is uvloop's where installed, as `python -m bot` runs it; the HTTP client is
  the bot's `HTTP_CLIENT` (from the environment, as the bot reads it), for the echo bot too;
- `bot.app._post_init` is wrapped to time it;
- each public async method of `Repository` is wrapped to time it.
"""

from __future__ import annotations

import time

# Before the heavy imports, so the report can tell interpreter and import time apart.
PROCESS_STARTED = time.monotonic()

import asyncio  # noqa: E402
import cProfile  # noqa: E402
import functools  # noqa: E402
import inspect  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import pstats  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


@dataclass
class BotConfig:
    """What the benchmark asks of the bot process."""

    api_base_url: str
    token: str
    stats_path: str
    variant: str = "backcoach"  # or "echo"
    database_url: str = ""
    rate_limit: bool = True
    # Settings overrides (None: the bot's default).
    reminders_per_second: float | None = None
    reminder_tick_seconds: float | None = None
    hold_time_scale: float | None = None
    paid_broadcast_after_minutes: float | None = None
    profile_path: str | None = None
    # An experiment, not the bot's configuration: PTB's HTTP connection pool size (default 256).
    connection_pool_size: int | None = None


@dataclass
class BotStats:
    """What the bot process reports when it stops."""

    # Monotonic instants (comparable with the emulator's timestamps on Linux).
    timings: dict[str, float] = field(default_factory=dict)
    # Repository method -> [calls, total seconds of wall time].
    repository: dict[str, list[float]] = field(default_factory=dict)
    # "logger: message template" -> count, for WARNING and above.
    warnings: dict[str, int] = field(default_factory=dict)
    cpu_seconds: float = 0.0
    rate_limiter: str | None = None
    # What the rate limiter let through in each lane, and countdown edits it dropped.
    limiter_sent: dict[str, int] = field(default_factory=dict)
    limiter_dropped: int = 0
    # What the bot ran on: the HTTP client under PTB and the event loop.
    http_client: str = ""
    event_loop: str = ""
    rss_kb: int = 0
    peak_rss_kb: int = 0


class _CountWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        # The bot never logs message content, only what went wrong (exception names).
        # Numbers (job names, times) are blanked so that alike lines are counted together.
        line = re.sub(r" \(trigger:[^)]*\)", "", re.sub(r"\d+", "#", record.getMessage()))
        if record.exc_info and record.exc_info[0] is not None:
            detail = " ".join(str(record.exc_info[1]).split())[:70]
            line += f" [{record.exc_info[0].__name__}: {detail}]"
        self.counts[f"{record.name}: {line}"[:200]] += 1


def _instrument_repository(stats: BotStats) -> None:
    """Time every public async Repository method (wall time, as the caller waits for it)."""
    from bot.storage.repository import Repository

    # Its methods live on the aggregates' mixins: take them all, through the class's MRO.
    methods: dict[str, Any] = {}
    for klass in reversed(Repository.__mro__):
        methods.update(vars(klass))
    for name, method in methods.items():
        if name.startswith("_") or not inspect.iscoroutinefunction(method):
            continue
        entry = stats.repository.setdefault(name, [0, 0.0])

        def timed(method: Any = method, entry: list[float] = entry) -> Any:
            @functools.wraps(method)
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await method(*args, **kwargs)
                finally:
                    entry[0] += 1
                    entry[1] += time.perf_counter() - started

            return wrapper

        setattr(Repository, name, timed())


def _without_rate_limiter() -> None:
    """What bot/app.py builds in place of its rate limiter: none."""
    return None


def _request_maker(pool_size: int) -> Any:
    """bot.transport.make_request, with another HTTP pool for all but getUpdates."""
    from bot.transport import make_request

    def make(client: Any, **kwargs: Any) -> Any:
        if "connection_pool_size" in kwargs:  # getUpdates' own one connection
            return make_request(client, **kwargs)
        # Requests wait for a free connection instead of failing after PTB's 1 s.
        return make_request(client, connection_pool_size=pool_size, pool_timeout=30)

    return make


def _build_backcoach(config: BotConfig, stats: BotStats) -> Any:
    from bot import app as app_module
    from bot.config import load_settings

    overrides = {
        key: value
        for key in (
            "reminders_per_second",
            "reminder_tick_seconds",
            "hold_time_scale",
            "paid_broadcast_after_minutes",
        )
        if (value := getattr(config, key)) is not None
    }
    settings = load_settings(
        env_file=None,
        telegram_bot_token=config.token,
        telegram_api_base_url=config.api_base_url,
        database_url=config.database_url,
        **overrides,
    )
    if not config.rate_limit:
        app_module.PatientRateLimiter = _without_rate_limiter  # type: ignore[assignment,misc]
    if config.connection_pool_size is not None:
        app_module.make_request = _request_maker(config.connection_pool_size)
    post_init = app_module._post_init

    async def timed_post_init(application: Any) -> None:
        stats.timings["post_init_started"] = time.monotonic()
        await post_init(application)
        stats.timings["post_init_done"] = time.monotonic()

    app_module._post_init = timed_post_init  # type: ignore[assignment]
    _instrument_repository(stats)
    stats.timings["build_started"] = time.monotonic()
    application = app_module.build_application(settings)
    stats.timings["build_done"] = time.monotonic()
    # Say in the report which limiter really ran, so a figure never claims the wrong one.
    limiter = application.bot.rate_limiter
    stats.rate_limiter = type(limiter).__name__ if limiter is not None else None
    stats.http_client = settings.http_client
    return application


def _build_echo(config: BotConfig, stats: BotStats) -> Any:
    """The bare python-telegram-bot baseline: reply to each text with the same text."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message
        await update.effective_message.reply_text(update.effective_message.text or "?")

    from bot.transport import make_request

    stats.timings["build_started"] = time.monotonic()
    # On the same HTTP client as the bot, so the two compare the bot's own work.
    stats.http_client = http_client()
    pool = {"connection_pool_size": config.connection_pool_size, "pool_timeout": 30}
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.api_base_url)
        .request(make_request(http_client(), **(pool if config.connection_pool_size else {})))
        .get_updates_request(make_request(http_client(), connection_pool_size=1))
    )
    application = builder.concurrent_updates(256).build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    stats.timings["build_done"] = time.monotonic()
    return application


def http_client() -> str:
    """The HTTP client the bot runs on: HTTP_CLIENT from the environment, as the bot reads it."""
    from bot.config import load_settings

    return load_settings(env_file=None).http_client


def _memory_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in kB, from /proc."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


async def _serve(config: BotConfig, stats: BotStats) -> None:
    from bot.app import running

    build = _build_echo if config.variant == "echo" else _build_backcoach
    application = build(config, stats)
    async with running(application, poll_timeout=2):
        stats.timings["running"] = time.monotonic()
        # Run until the benchmark closes our standard input (or dies).
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read)
        stats.timings["stop_requested"] = time.monotonic()
        stats.rss_kb, stats.peak_rss_kb = _memory_kb()
        limiter = application.bot.rate_limiter
        stats.limiter_sent = dict(getattr(limiter, "sent", {}))
        stats.limiter_dropped = getattr(limiter, "dropped", 0)


def main(argv: list[str]) -> int:
    config = BotConfig(**json.loads(argv[0]))
    stats = BotStats(timings={"process_started": PROCESS_STARTED})
    import bot.app  # noqa: F401 - the bot's own imports, timed apart from its start-up

    counter = _CountWarnings()
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger().addHandler(counter)
    profiler = cProfile.Profile() if config.profile_path else None
    stats.timings["imports_done"] = time.monotonic()
    if profiler:
        profiler.enable()
    from bot.transport import use_uvloop

    stats.event_loop = "uvloop" if use_uvloop() else "asyncio"
    try:
        asyncio.run(_serve(config, stats))
    finally:
        if profiler:
            profiler.disable()
            _write_profile(profiler, Path(config.profile_path or "profile.txt"))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        stats.cpu_seconds = usage.ru_utime + usage.ru_stime
        stats.warnings = dict(counter.counts)
        Path(config.stats_path).write_text(json.dumps(asdict(stats)))
    return 0


def _write_profile(profiler: cProfile.Profile, path: Path) -> None:
    """The hottest functions by own time and by cumulative time, as text."""
    profiler.dump_stats(path.with_suffix(".prof"))  # for pstats / snakeviz
    out = io.StringIO()
    for order, count in (("tottime", 35), ("cumulative", 45)):
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(count)
    path.write_text(out.getvalue())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
