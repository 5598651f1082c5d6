"""Figures, the machine they were measured on, and the table they are printed in."""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

PASS, FAIL, INFO, DESIGN = "PASS", "FAIL", "info", "by design"


@dataclass(frozen=True)
class Figure:
    """One measured figure; `status` is PASS/FAIL against `target`, or info."""

    benchmark: str
    name: str
    value: str
    target: str = ""
    status: str = INFO


def check(ok: bool) -> str:
    return PASS if ok else FAIL


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0-100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def busiest_window(instants: Sequence[float], width: float = 1.0) -> int:
    """The most instants that fall in any half-open window [t, t + width)."""
    ordered = sorted(instants)
    best, start = 0, 0
    for end, instant in enumerate(ordered):
        while ordered[start] <= instant - width:
            start += 1
        best = max(best, end - start + 1)
    return best


def logged(benchmark: str, finished: Any, prefix: str = "") -> list[Figure]:
    """What the bot process logged at WARNING or above, one row per distinct line."""
    counts: dict[str, int] = {}
    for line, count in finished.stats["warnings"].items():
        key = " ".join(line.split())
        counts[key] = counts.get(key, 0) + count
    return [
        Figure(benchmark, f"{prefix}bot logged", f"{count} x {line}")
        for line, count in sorted(counts.items(), key=lambda kv: -kv[1])
    ]


def machine() -> dict[str, str]:
    """Date, CPU model, cores, RAM and Python version."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:", 1)[1].split()[0])
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    return {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": ram,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": f"{platform.system()} {platform.release()}",
    }


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """A plain-text table with aligned columns (also valid Markdown)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def figures_table(figures: Sequence[Figure]) -> str:
    return table(
        [(f.benchmark, f.name, " ".join(f.value.split()), f.target, f.status) for f in figures],
        ("benchmark", "figure", "value", "target", "result"),
    )
