"""The progress chart: a phone-sized PNG, drawn without pyplot, for new and seasoned users."""

from __future__ import annotations

import io
import pickle
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta

import pytest
from PIL import Image, ImageChops

from bot.media.charts import ChartLabels, ProgressHistory, progress_chart

TODAY = date(2026, 11, 27)  # a Friday


def english_day(day: date) -> str:
    """The chart's dates in these tests: "27 Nov" (a module function, so the labels pickle)."""
    return day.strftime("%d %b")


LABELS = ChartLabels(
    title="Your progress",
    holds_title="Hold times",
    holds_axis="Seconds",
    pain_title="Pain after exercises",
    pain_axis="Pain (0–10)",
    pain_fine="fine",
    pain_acceptable="acceptable",
    pain_too_much="too much",
    calendar_title="Last 8 weeks · streak {streak} days",
    weekdays=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    format_day=english_day,
    no_data="No data yet",
)
EMPTY = ProgressHistory(holds={}, pains=[], session_days=[], today=TODAY, streak=0)


def seeded_history(seed: int = 20261127, weeks: int = 6) -> ProgressHistory:
    """`weeks` of holds, pains and sessions that look like a real person's, from a fixed seed."""
    rng = random.Random(seed)
    start = TODAY - timedelta(weeks=weeks)
    sessions = sorted(start + timedelta(days=n) for n in range(weeks * 7 + 1) if rng.random() < 0.8)
    holds: dict[str, list[tuple[date, int]]] = {}
    for index, name in enumerate(("Pelvic tilt", "Bridge", "Bird dog", "Cat–cow")):
        hold = 10 + 5 * index
        points = [(sessions[0], hold)]
        for day in sessions[1:]:
            step = rng.choice((0, 0, 5, 5, -5))
            if step:
                hold = max(5, hold + step)
                points.append((day, hold))
        holds[name] = points
    pains = [
        (datetime.combine(day, time(8, rng.randrange(60))), rng.randint(0, 8)) for day in sessions
    ]
    return ProgressHistory(holds=holds, pains=pains, session_days=sessions, today=TODAY, streak=3)


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.fixture(scope="module")
def seeded_png() -> bytes:
    return progress_chart(seeded_history(), LABELS)


@pytest.fixture(scope="module")
def empty_png() -> bytes:
    return progress_chart(EMPTY, LABELS)


def test_seeded_history_gives_a_phone_sized_png(seeded_png: bytes) -> None:
    image = open_png(seeded_png)
    assert image.format == "PNG"
    assert image.size == (1000, 1300)


def test_a_new_user_still_gets_a_chart(empty_png: bytes) -> None:
    assert open_png(empty_png).size == (1000, 1300)


def test_the_data_shows(seeded_png: bytes, empty_png: bytes) -> None:
    assert seeded_png != empty_png
    seeded = open_png(seeded_png).convert("RGB")
    empty = open_png(empty_png).convert("RGB")
    # Lines, points and filled calendar days change a good part of the picture.
    difference = ImageChops.difference(seeded, empty).convert("L")
    changed = 1000 * 1300 - difference.histogram()[0]
    assert changed > 0.02 * 1000 * 1300


def test_the_same_history_gives_the_same_bytes(seeded_png: bytes) -> None:
    # No timestamps or software version in the PNG: the bytes can be cached and compared.
    assert progress_chart(seeded_history(), LABELS) == seeded_png
    assert b"Software" not in seeded_png
    assert b"matplotlib" not in seeded_png


def test_is_safe_in_worker_threads(seeded_png: bytes, empty_png: bytes) -> None:
    histories = [seeded_history(), EMPTY] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda history: progress_chart(history, LABELS), histories))
    assert results == [seeded_png, empty_png] * 2


def test_inputs_pickle_for_worker_processes() -> None:
    history = seeded_history()
    assert pickle.loads(pickle.dumps(history)) == history
    assert pickle.loads(pickle.dumps(LABELS)) == LABELS


@pytest.mark.parametrize(
    "history",
    [
        # One hold on the first day, nothing else yet.
        ProgressHistory(
            holds={"Bridge": [(TODAY, 10)]}, pains=[], session_days=[TODAY], today=TODAY, streak=1
        ),
        # Exercises listed with no points yet, and one pain report with a time zone.
        ProgressHistory(
            holds={"Bridge": [], "Bird dog": []},
            pains=[(datetime(2026, 11, 27, 7, 30, tzinfo=UTC), 4)],
            session_days=[],
            today=TODAY,
            streak=0,
        ),
        # A year of history and sessions older than the calendar shows.
        seeded_history(seed=1, weeks=52),
    ],
    ids=["first-day", "empty-series-and-aware-times", "a-year"],
)
def test_edge_histories_render(history: ProgressHistory) -> None:
    assert open_png(progress_chart(history, LABELS)).size == (1000, 1300)


def test_many_exercises_get_distinct_colours() -> None:
    holds = {f"Exercise {n}": [(TODAY - timedelta(days=n), 10 + n)] for n in range(12)}
    history = ProgressHistory(holds=holds, pains=[], session_days=[], today=TODAY, streak=0)
    assert open_png(progress_chart(history, LABELS)).size == (1000, 1300)


def test_weekday_labels_must_cover_the_week() -> None:
    labels = ChartLabels(**{**_fields(LABELS), "weekdays": ("Mon", "Tue")})
    with pytest.raises(ValueError, match="weekdays"):
        progress_chart(EMPTY, labels)


def _fields(labels: ChartLabels) -> dict[str, object]:
    return {name: getattr(labels, name) for name in ChartLabels.__slots__}


def test_never_loads_pyplot() -> None:
    # pyplot keeps global figure state that is unsafe off the main thread.
    words = {name: value for name, value in _fields(LABELS).items() if name != "format_day"}
    code = (
        "import sys, datetime\n"
        "from bot.media.charts import ChartLabels, ProgressHistory, progress_chart\n"
        f"fields = {words!r}\n"
        "labels = ChartLabels(**fields, format_day=lambda day: day.strftime('%d %b'))\n"
        "day = datetime.date(2026, 11, 27)\n"
        "progress_chart(ProgressHistory({}, [], [], day, 0), labels)\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
