"""Run the benchmarks and print one table: `python -m bench [--quick] [--only B2] ...`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import b1_updates, b2_fanout, b2b_paced, b2c_priority, b3_startup, b4_holds, b5_idle
from bench.database import backend_name
from bench.options import Options
from bench.report import FAIL, Figure, figures_table, machine

Benchmark = Callable[[Options], Awaitable[list[Figure]]]

BENCHMARKS: dict[str, tuple[str, Benchmark]] = {
    "B1": ("updates/s: backcoach vs a bare PTB echo bot", b1_updates.run),
    "B2": ("reminder fan-out, rate limits off", b2_fanout.run),
    "B2b": ("reminder fan-out at 30 msg/s, with a chatting user", b2b_paced.run),
    "B2c": ("20k due in a minute at 30 msg/s, 50 chatting and 50 holding", b2c_priority.run),
    "B3": ("start-up time and memory with 100k users", b3_startup.run),
    "B4": ("500 holds at once: edit rate and drift", b4_holds.run),
    "B5": ("the idle tick at 1k to 1M people, and memory per 100k", b5_idle.run),
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        type=lambda name: name.upper().replace("B2B", "B2b").replace("B2C", "B2c"),
        choices=list(BENCHMARKS),
        help="run only this benchmark (repeatable): " + ", ".join(BENCHMARKS),
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="a PostgreSQL server, e.g. postgresql://postgres@127.0.0.1:55432/postgres; "
        "each benchmark creates and drops its own database there (default: SQLite files)",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        type=Path,
        help="run the bot process under cProfile and write profile-<benchmark>.txt to DIR",
    )
    parser.add_argument(
        "--paid-after",
        metavar="MINUTES",
        type=float,
        help="B2c: run the bot with PAID_BROADCAST_AFTER_MINUTES (default: never paid)",
    )
    parser.add_argument(
        "--http-pool",
        metavar="N",
        type=int,
        help="experiment: build the bot with an HTTP connection pool of N instead of PTB's 256",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    options = Options(
        quick=args.quick,
        database_url=args.database_url,
        profile_dir=args.profile,
        http_pool=args.http_pool,
        paid_after=args.paid_after,
    )
    # The emulator logs a traceback for any request it fails on; nothing else is wanted here.
    logging.basicConfig(level=logging.WARNING)
    info = machine()
    header = [
        "backcoach benchmarks" + (" (--quick)" if args.quick else ""),
        f"date:    {info['date']}",
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}",
        f"python:  {info['python']}",
        f"db:      {backend_name(args.database_url)}",
        *([f"experiment: HTTP connection pool of {args.http_pool}"] if args.http_pool else []),
        *([f"B2c: PAID_BROADCAST_AFTER_MINUTES={args.paid_after:g}"] if args.paid_after else []),
        f"load:    {_load()} at the start (other work on the machine lowers the figures)",
    ]
    print("\n".join(header), flush=True)
    figures: list[Figure] = []
    for name in args.only or list(BENCHMARKS):
        title, benchmark = BENCHMARKS[name]
        print(f"\n{name}: {title}", flush=True)
        started = time.monotonic()
        try:
            found = asyncio.run(benchmark(options))
        except Exception as exc:
            traceback.print_exc()
            found = [Figure(name, "error", f"{type(exc).__name__}: {exc}"[:120], "", FAIL)]
        print(f"  ({time.monotonic() - started:.0f} s)", flush=True)
        for figure in found:
            print(f"  {figure.name}: {figure.value}  [{figure.status}]", flush=True)
        figures += found
    print()
    print("\n".join(header))
    print(f"load:    {_load()} at the end")
    print(figures_table(figures))
    return 1 if any(f.status == FAIL and f.name == "error" for f in figures) else 0


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"
