"""Render the README's pictures into docs/: one figure, one chart, one PDF page.

Run from the checkout: `python scripts/render_docs.py` (the PDF page needs `pdftoppm`, from
Debian's poppler-utils). The chart shows six invented weeks from a fixed seed.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot import texts
from bot.domain.progression import HOLD_STEP_SECONDS
from bot.handlers.stats import chart_labels, pdf_labels
from bot.media.charts import ChartLabels, ProgressHistory, progress_chart
from bot.media.figures import render_gif, render_png
from bot.media.pdf import PdfLabels, RoutineSheet, SheetItem, routine_pdf
from catalog.loader import load_catalog
from catalog.poses import load_poses

DOCS = Path(__file__).resolve().parents[1] / "docs"
TODAY = date(2026, 11, 27)


def _history() -> ProgressHistory:
    rng = random.Random(7)
    start = TODAY - timedelta(weeks=6)
    days = [start + timedelta(days=n) for n in range(43) if rng.random() < 0.8 or n > 38]
    holds: dict[str, list[tuple[date, int]]] = {}
    for name in ("Partial cobra", "Bird dog (arm lift)", "Hip flexor stretch"):
        hold = 10
        for day in days[14:]:
            hold = min(30, hold + HOLD_STEP_SECONDS) if rng.random() < 0.4 else hold
            holds.setdefault(name, []).append((day, hold))
    pains = [
        (datetime.combine(day, time(8)), max(0, round(5 - i / 8 + rng.uniform(-1, 1))))
        for i, day in enumerate(days)
        if rng.random() < 0.5
    ]
    return ProgressHistory(holds, pains, days, TODAY, streak=4)


def main() -> None:
    catalog, poses = load_catalog(), load_poses()
    DOCS.mkdir(exist_ok=True)
    bird_dog = catalog.get("bird_dog_opposite")
    (DOCS / "figure-bird-dog.png").write_bytes(render_png(poses[bird_dog.id], bird_dog.name))
    cat = catalog.get("cat")
    (DOCS / "figure-cat.gif").write_bytes(render_gif(poses[cat.id], cat.name))
    chart = progress_chart(_history(), ChartLabels(**chart_labels()))
    (DOCS / "progress-chart.png").write_bytes(chart)
    items = [
        SheetItem(e.name, e.steps, e.hold.start, bool(e.sides), render_png(poses[e.id], e.name))
        for e in catalog.exercises[:4]
    ]
    sheet = RoutineSheet(texts.PDF_TITLE, TODAY, TODAY, items)
    pdf = routine_pdf(sheet, PdfLabels(**pdf_labels(TODAY)))
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm not found: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "routine.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", source,
             DOCS / "routine-pdf-page1"],
            check=True,
        )  # fmt: skip
    print("\n".join(sorted(str(p.relative_to(DOCS.parent)) for p in DOCS.iterdir())))  # noqa: T201


if __name__ == "__main__":
    main()
