"""A printable routine: each exercise with its picture, steps and the person's own hold, then a
tick-box table for the next 14 days.

Pure: a `RoutineSheet` in, PDF bytes out, with fixed metadata so the same sheet gives the same
bytes. Every word that is not the person's own data comes from `PdfLabels`, filled by the
caller from the wording module.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from PIL import Image

# DejaVu ships with matplotlib and covers accents, Cyrillic, Greek and dashes.
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_FONT = "DejaVu"
TRACKER_DAYS = 14
DAYS_PER_WEEK = 7

# A4 portrait, in millimetres.
_MARGIN = 15.0
_FIGURE_W, _FIGURE_H = 62.0, 46.0
_GUTTER = 6.0
_STEP_NUMBER_W = 7.0
_BLOCK_GAP = 7.0
_NAME_SIZE, _NAME_LINE = 15, 7.5
_BODY_SIZE, _BODY_LINE = 11, 5.6
_TRACKER_NAME_W = 54.0
_TRACKER_HEADER_H = 12.0
_TRACKER_ROW_H = 10.0
_TICK_BOX = 5.5

_TEXT = (27, 31, 36)
_MUTED = (91, 100, 112)
_ACCENT = (46, 125, 215)
_RULE = (205, 210, 217)
_WEEKEND = (241, 243, 246)


@dataclass(frozen=True, slots=True)
class SheetItem:
    """One exercise as printed: display name, steps, the person's hold and optional PNG figure."""

    name: str
    steps: Sequence[str]
    hold_seconds: int
    sides: bool
    figure_png: bytes | None


@dataclass(frozen=True, slots=True)
class RoutineSheet:
    """The whole printout; `start` is the first day of the tick-box table."""

    title: str
    generated_on: date
    start: date
    items: Sequence[SheetItem]


@dataclass(frozen=True, slots=True)
class PdfLabels:
    """Every word on the sheet that is not the person's own data.

    `generated_on` is formatted with `date=` (a `date`, so "{date:%d %B %Y}" works); `hold` and
    `hold_each_side` with `seconds=`; `tracker_title` with `start=` and `end=` (dates);
    `weekdays` has 7 short names, Monday first, for the tick-box table's header.
    """

    generated_on: str
    hold: str
    hold_each_side: str
    tracker_title: str
    exercise_column: str
    weekdays: tuple[str, ...]


def routine_pdf(sheet: RoutineSheet, labels: PdfLabels) -> bytes:
    """The A4 PDF bytes of the routine sheet."""
    if len(labels.weekdays) != DAYS_PER_WEEK:
        raise ValueError(f"labels.weekdays needs 7 names, got {len(labels.weekdays)}")
    pdf = _new_pdf(sheet)
    _heading(pdf, sheet, labels)
    for item in sheet.items:
        _exercise(pdf, item, labels)
    _tracker(pdf, sheet, labels)
    return bytes(pdf.output())


def _new_pdf(sheet: RoutineSheet) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(auto=True, margin=_MARGIN)
    pdf.add_font(_FONT, "", _FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(_FONT, "B", _FONT_DIR / "DejaVuSans-Bold.ttf")
    # Fixed metadata: the same sheet always gives the same bytes.
    pdf.set_creation_date(datetime.combine(sheet.generated_on, time(), tzinfo=UTC))
    pdf.set_title(sheet.title)
    pdf.add_page()
    return pdf


def _font(pdf: FPDF, size: float, *, bold: bool = False, colour: tuple[int, int, int] = _TEXT):
    pdf.set_font(_FONT, "B" if bold else "", size)
    pdf.set_text_color(*colour)


def _heading(pdf: FPDF, sheet: RoutineSheet, labels: PdfLabels) -> None:
    _font(pdf, 22, bold=True)
    pdf.multi_cell(0, 10, sheet.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _font(pdf, _BODY_SIZE, colour=_MUTED)
    pdf.cell(
        0,
        7,
        labels.generated_on.format(date=sheet.generated_on),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(3)
    _rule(pdf)
    pdf.ln(_BLOCK_GAP - 2)


def _rule(pdf: FPDF) -> None:
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.y, pdf.w - pdf.r_margin, pdf.y)


def _hold_text(item: SheetItem, labels: PdfLabels) -> str:
    template = labels.hold_each_side if item.sides else labels.hold
    return template.format(seconds=item.hold_seconds)


def _text_height(pdf: FPDF, width: float, text: str, line: float) -> float:
    return float(
        pdf.multi_cell(width, line, text, align="L", dry_run=True, output=MethodReturnValue.HEIGHT)
    )


def _figure_size(png: bytes) -> tuple[float, float]:
    """The picture's printed size in mm: as large as fits the figure box, keeping its shape."""
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    scale = min(_FIGURE_W / width, _FIGURE_H / height)
    return width * scale, height * scale


def _exercise(pdf: FPDF, item: SheetItem, labels: PdfLabels) -> None:
    """Picture top left, name, hold and numbered steps on the right; kept on one page."""
    figure_w, figure_h = _figure_size(item.figure_png) if item.figure_png else (0.0, 0.0)
    has_figure = item.figure_png is not None
    text_x = pdf.l_margin + (_FIGURE_W + _GUTTER if has_figure else 0)
    text_w = pdf.w - pdf.r_margin - text_x
    steps_w = text_w - _STEP_NUMBER_W

    _font(pdf, _NAME_SIZE, bold=True)
    name_h = _text_height(pdf, text_w, item.name, _NAME_LINE)
    _font(pdf, _BODY_SIZE)
    steps_h = sum(_text_height(pdf, steps_w, step, _BODY_LINE) + 1 for step in item.steps)
    text_h = name_h + _BODY_LINE + 2 + steps_h
    block_h = max(text_h, figure_h)
    # Start a fresh page rather than split an exercise, unless it is taller than a page anyway.
    if pdf.y + block_h > pdf.page_break_trigger and block_h <= pdf.eph:
        pdf.add_page()

    top, top_page = pdf.y, pdf.page
    if item.figure_png is not None:
        pdf.image(
            io.BytesIO(item.figure_png),
            x=pdf.l_margin + (_FIGURE_W - figure_w) / 2,
            y=top,
            w=figure_w,
            h=figure_h,
            alt_text=item.name,
        )
    pdf.set_xy(text_x, top)
    _font(pdf, _NAME_SIZE, bold=True)
    pdf.multi_cell(text_w, _NAME_LINE, item.name, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    _font(pdf, _BODY_SIZE, bold=True, colour=_ACCENT)
    pdf.set_x(text_x)
    pdf.cell(text_w, _BODY_LINE, _hold_text(item, labels), new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(2)
    for number, step in enumerate(item.steps, start=1):
        _font(pdf, _BODY_SIZE, bold=True, colour=_MUTED)
        pdf.set_x(text_x)
        pdf.cell(_STEP_NUMBER_W, _BODY_LINE, f"{number}.")
        _font(pdf, _BODY_SIZE)
        pdf.multi_cell(steps_w, _BODY_LINE, step, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    # The picture may be taller than the text (if the block did not spill onto a new page).
    same_page = pdf.page == top_page
    bottom = max(pdf.y, top + figure_h) if same_page else pdf.y
    pdf.set_y(bottom + _BLOCK_GAP / 2)
    _rule(pdf)
    pdf.ln(_BLOCK_GAP / 2)


def _tracker_days(start: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range(TRACKER_DAYS)]


def _tracker(pdf: FPDF, sheet: RoutineSheet, labels: PdfLabels) -> None:
    """Rows of exercises, a column per day for 14 days, an empty box in every cell."""
    days = _tracker_days(sheet.start)
    day_w = (pdf.epw - _TRACKER_NAME_W) / TRACKER_DAYS
    _font(pdf, _BODY_SIZE)
    row_heights = [
        max(_TRACKER_ROW_H, _text_height(pdf, _TRACKER_NAME_W - 3, item.name, _BODY_LINE) + 3)
        for item in sheet.items
    ]
    title_h = 10.0
    whole_h = title_h + _TRACKER_HEADER_H + sum(row_heights)
    # Keep the table on one page when it fits on one; otherwise at least its head and a row.
    head_h = title_h + _TRACKER_HEADER_H + (row_heights[0] if row_heights else 0)
    needed = whole_h if whole_h <= pdf.eph else head_h
    if pdf.y + needed > pdf.page_break_trigger:
        pdf.add_page()

    _font(pdf, 14, bold=True)
    pdf.multi_cell(
        0,
        7,
        labels.tracker_title.format(start=days[0], end=days[-1]),
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(title_h - 7)
    _tracker_header(pdf, days, labels, day_w)
    for item, row_h in zip(sheet.items, row_heights, strict=True):
        if pdf.y + row_h > pdf.page_break_trigger:
            pdf.add_page()
            _tracker_header(pdf, days, labels, day_w)
        _tracker_row(pdf, item.name, days, row_h, day_w)


def _tracker_header(pdf: FPDF, days: Sequence[date], labels: PdfLabels, day_w: float) -> None:
    top = pdf.y
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.3)
    _font(pdf, _BODY_SIZE, bold=True, colour=_MUTED)
    pdf.set_xy(pdf.l_margin, top)
    pdf.cell(_TRACKER_NAME_W, _TRACKER_HEADER_H, labels.exercise_column, border="B")
    for index, day in enumerate(days):
        x = pdf.l_margin + _TRACKER_NAME_W + index * day_w
        if day.weekday() >= 5:
            pdf.set_fill_color(*_WEEKEND)
            pdf.rect(x, top, day_w, _TRACKER_HEADER_H, style="F")
        _font(pdf, 8.5, colour=_MUTED)
        pdf.set_xy(x, top + 1)
        pdf.cell(day_w, 5, labels.weekdays[day.weekday()], align="C")
        _font(pdf, 11, bold=True)
        pdf.set_xy(x, top + 5.5)
        pdf.cell(day_w, 5.5, str(day.day), align="C")
    pdf.line(pdf.l_margin, top + _TRACKER_HEADER_H, pdf.w - pdf.r_margin, top + _TRACKER_HEADER_H)
    pdf.set_xy(pdf.l_margin, top + _TRACKER_HEADER_H)


def _tracker_row(pdf: FPDF, name: str, days: Sequence[date], row_h: float, day_w: float) -> None:
    top = pdf.y
    for index, day in enumerate(days):
        x = pdf.l_margin + _TRACKER_NAME_W + index * day_w
        if day.weekday() >= 5:
            pdf.set_fill_color(*_WEEKEND)
            pdf.rect(x, top, day_w, row_h, style="F")
        pdf.set_draw_color(*_MUTED)
        pdf.set_line_width(0.35)
        pdf.rect(
            x + (day_w - _TICK_BOX) / 2,
            top + (row_h - _TICK_BOX) / 2,
            _TICK_BOX,
            _TICK_BOX,
            style="D",
        )
    _font(pdf, _BODY_SIZE)
    name_h = _text_height(pdf, _TRACKER_NAME_W - 3, name, _BODY_LINE)
    pdf.set_xy(pdf.l_margin, top + (row_h - name_h) / 2)
    pdf.multi_cell(_TRACKER_NAME_W - 3, _BODY_LINE, name, align="L")
    pdf.set_draw_color(*_RULE)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, top + row_h, pdf.w - pdf.r_margin, top + row_h)
    pdf.set_xy(pdf.l_margin, top + row_h)
