"""The printable routine: readable text, holds, a 14-day tick-box table, stable bytes."""

from __future__ import annotations

import io
import pickle
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from pypdf import PdfReader

from bot.media.pdf import PdfLabels, RoutineSheet, SheetItem, routine_pdf

GENERATED = date(2026, 11, 27)
START = date(2026, 11, 28)  # a Saturday; the table runs to Friday 11 December
LABELS = PdfLabels(
    generated_on="Made on {date:%d %B %Y}",
    hold="Hold {seconds} s",
    hold_each_side="Hold {seconds} s, each side",
    tracker_title="Tick a box each day you do it · {start:%d %b} – {end:%d %b}",
    exercise_column="Exercise",
    weekdays=("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"),
)
STEPS = (
    "Lie on your back with your knees bent and your feet flat on the floor.",
    "Breathe out and gently flatten your lower back into the floor.",
    "Hold, breathing normally — don't hold your breath.",
)


def tiny_png(colour: str = "#2e7dd7", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def sheet(*, figures: bool, count: int = 4) -> RoutineSheet:
    names = ["Pelvic tilt", "Knee to chest", "Bird dog (Собака-птица)", "Cat–cow"]
    names += [f"Extra exercise {n}" for n in range(count - len(names))]
    items = [
        SheetItem(
            name=name,
            steps=STEPS[: 1 + index % 3],
            hold_seconds=25 + 5 * index,
            sides=index % 2 == 1,
            figure_png=tiny_png() if figures else None,
        )
        for index, name in enumerate(names[:count])
    ]
    return RoutineSheet(title="Your back routine", generated_on=GENERATED, start=START, items=items)


def read(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


@pytest.mark.parametrize("figures", [True, False], ids=["with-figures", "without-figures"])
def test_lists_every_exercise_with_its_hold(figures: bool) -> None:
    routine = sheet(figures=figures)
    reader, text = read(routine_pdf(routine, LABELS))
    assert 1 <= len(reader.pages) <= 2
    assert "Your back routine" in text
    assert "Made on 27 November 2026" in text
    for item in routine.items:
        assert item.name in text
        assert f"{item.hold_seconds} s" in text
        for number, step in enumerate(item.steps, start=1):
            assert f"{number}. {step}" in text
    assert "Hold 25 s" in text
    assert "Hold 30 s, each side" in text  # the second exercise works one side at a time
    assert "Hold 35 s" in text and "Hold 35 s, each side" not in text


def test_tick_box_table_has_fourteen_dated_columns() -> None:
    _, text = read(routine_pdf(sheet(figures=True), LABELS))
    assert "Tick a box each day you do it · 28 Nov – 11 Dec" in text
    days = [START + timedelta(days=n) for n in range(14)]
    header = " ".join(f"{LABELS.weekdays[day.weekday()]} {day.day}" for day in days)
    assert header == "Sa 28 Su 29 Mo 30 Tu 1 We 2 Th 3 Fr 4 Sa 5 Su 6 Mo 7 Tu 8 We 9 Th 10 Fr 11"
    assert f"Exercise {header}" in text
    # The table's rows come after the header, in routine order.
    table = text.split(header, 1)[1]
    names = ["Pelvic tilt", "Knee to chest", "Bird dog (Собака-птица)", "Cat–cow"]
    positions = [table.index(name) for name in names]
    assert positions == sorted(positions)


def test_the_tick_boxes_are_drawn() -> None:
    reader, _ = read(routine_pdf(sheet(figures=False), LABELS))
    content = b"".join(page.get_contents().get_data() for page in reader.pages)
    # fpdf2 draws each box as a stroked rectangle: 14 days x 4 exercises.
    boxes = re.findall(rb"[\d.]+ [\d.]+ 15\.59 -15\.59 re S", content)
    assert len(boxes) == 14 * 4


def test_a_long_routine_spreads_over_pages_and_keeps_every_name() -> None:
    routine = sheet(figures=True, count=14)
    reader, text = read(routine_pdf(routine, LABELS))
    assert 3 <= len(reader.pages) <= 6
    for item in routine.items:
        # Each name appears by its exercise and again in the tick-box table.
        assert text.count(item.name) >= 2


def test_an_exercise_is_not_split_across_pages() -> None:
    routine = sheet(figures=True, count=14)
    reader, _ = read(routine_pdf(routine, LABELS))
    for page in reader.pages:
        lines = page.extract_text().splitlines()
        # A page never begins with a step or a hold line cut off from its exercise name.
        assert not re.match(r"^(\d+\. |Hold )", lines[0]), lines[:2]


def test_an_empty_routine_still_renders() -> None:
    empty = RoutineSheet(title="Your back routine", generated_on=GENERATED, start=START, items=())
    reader, text = read(routine_pdf(empty, LABELS))
    assert len(reader.pages) == 1
    assert "Exercise Sa 28" in text


def test_same_sheet_same_bytes_and_fixed_metadata() -> None:
    first = routine_pdf(sheet(figures=True), LABELS)
    assert routine_pdf(sheet(figures=True), LABELS) == first
    metadata = PdfReader(io.BytesIO(first)).metadata
    assert metadata is not None
    assert metadata.creation_date is not None
    assert metadata.creation_date.date() == GENERATED
    assert metadata.title == "Your back routine"


def test_odd_shaped_figures_fit_their_box() -> None:
    items = [
        SheetItem("Tall", STEPS, 20, False, tiny_png(size=(10, 200))),
        SheetItem("Wide", STEPS, 20, False, tiny_png(size=(400, 10))),
        SheetItem("Transparent", STEPS, 20, False, _rgba_png()),
    ]
    routine = RoutineSheet("Routine", GENERATED, START, items)
    reader, text = read(routine_pdf(routine, LABELS))
    assert len(reader.pages) == 1
    assert all(name in text for name in ("Tall", "Wide", "Transparent"))


def _rgba_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (60, 40), (0, 0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_weekday_labels_must_cover_the_week() -> None:
    labels = PdfLabels(**{**_fields(LABELS), "weekdays": ("Mo",)})
    with pytest.raises(ValueError, match="weekdays"):
        routine_pdf(sheet(figures=False), labels)


def _fields(labels: PdfLabels) -> dict[str, object]:
    return {name: getattr(labels, name) for name in PdfLabels.__slots__}


def test_inputs_pickle_for_worker_processes() -> None:
    routine = sheet(figures=True)
    assert pickle.loads(pickle.dumps(routine)) == routine
    assert pickle.loads(pickle.dumps(LABELS)) == LABELS
