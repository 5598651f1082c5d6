"""The figure, the chart and the PDF drawn in Russian: every character drawn is in the font
(DejaVu Sans, shipped inside matplotlib, so no system font is assumed), so nothing shows as a
missing-glyph box. The words come through the bot's own path (bot.i18n, the texts and the
catalog read in the current language), from a stand-in Russian catalog: each msgid spelled in
Cyrillic, plus a pangram with every Russian and Ukrainian letter, until the real one ships."""

from __future__ import annotations

import io
import logging
import re
import warnings
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from bot import i18n, texts
from bot.domain.history import History
from bot.handlers.stats import chart_labels, pdf_labels
from bot.media import charts, figures, pdf
from catalog.loader import load_catalog
from catalog.poses import load_poses

FONT_DIR = figures._matplotlib_fonts()
PANGRAM = "Съешь же ещё этих мягких французских булок, да выпей чаю. Ґанок, Євген, Іра, Їжак."
LATIN = "abcdefghijklmnopqrstuvwxyz"
CYRILLIC = "абцдефгхийклмнопкрстувшксыз"
_TO_CYRILLIC = {ord(a): b for a, b in zip(LATIN, CYRILLIC, strict=False)}
_TO_CYRILLIC |= {ord(a.upper()): b.upper() for a, b in zip(LATIN, CYRILLIC, strict=False)}
_KEEP = re.compile(r"(\{[^{}]*\}|</?[a-z]+>|%[a-zA-Z])")
TODAY = date(2026, 11, 27)


def cyrillic(text: str) -> str:
    """English spelled in Cyrillic letters, placeholders and strftime codes kept."""
    parts = _KEEP.split(text)
    return "".join(p if i % 2 else p.translate(_TO_CYRILLIC) for i, p in enumerate(parts))


@cache
def russian() -> i18n.Translations:
    messages, plurals = {}, {}
    with i18n.POT_PATH.open("rb") as fh:
        for message in read_po(fh):
            if isinstance(message.id, tuple):
                one, other = (cyrillic(form) for form in message.id)
                plurals[message.id] = (one, other, other)
            elif message.id:
                messages[message.id] = cyrillic(message.id)
    messages[texts.PDF_TITLE] = PANGRAM
    return i18n.Translations(messages, plurals, lambda n: 0 if n == 1 else 2)


@pytest.fixture
def in_russian(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(i18n, "SHIPPED", (*i18n.SHIPPED, "ru"))
    i18n.install("ru", russian())
    with i18n.using("ru"):
        yield
    i18n.uninstall("ru")


@cache
def covered(font_file: str) -> frozenset[int]:
    return frozenset(TTFont(FONT_DIR / font_file).getBestCmap())


def missing(text: str, font_file: str = "DejaVuSans.ttf") -> set[str]:
    """Characters of `text` the font has no glyph for (whitespace aside)."""
    return {c for c in text if not c.isspace() and ord(c) not in covered(font_file)}


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple | list):
        return [s for item in value for s in strings(item)]
    return []


def test_the_check_finds_a_character_the_font_lacks() -> None:
    assert missing("Кошка 漢") == {"漢"}
    assert missing(PANGRAM) == set()
    assert missing(PANGRAM, "DejaVuSans-Bold.ttf") == set()


def test_the_figure_caption_in_russian(in_russian) -> None:
    catalog = load_catalog()
    poses = load_poses(exercise_ids=[e.id for e in catalog.exercises])
    for exercise in catalog.exercises:
        caption = texts.FIGURE_CAPTION.format(name=exercise.name)
        assert re.search("[а-я]", caption), caption
        assert missing(caption) == set()
    # The drawing uses that font (not PIL's fallback, which has no Cyrillic).
    assert isinstance(figures._font(20), figures.ImageFont.FreeTypeFont)
    assert Path(figures._FONT_PATH).name == "DejaVuSans.ttf"
    exercise = catalog.get("bird_dog_arm")
    png = figures.render_png(poses[exercise.id], exercise.name)
    english = figures.render_png(poses[exercise.id], "Bird dog (arm lift)")
    assert Image.open(io.BytesIO(png)).size == Image.open(io.BytesIO(english)).size
    assert png != english  # the Russian caption was drawn


def test_the_chart_in_russian(in_russian) -> None:
    labels = chart_labels()
    days = [labels["format_day"](date(2026, month, 3)) for month in range(1, 13)]
    drawn = [s for value in labels.values() for s in strings(value)] + days
    assert "пн" in labels["weekdays"] and "3 дек." in days
    assert all(missing(text) == set() for text in drawn), [missing(t) for t in drawn]
    catalog = load_catalog()
    names = [catalog.get(k).name for k in ("cat", "cow", "knee_to_chest")]
    history = History(
        holds={name: [(TODAY - timedelta(days=9), 15), (TODAY, 20)] for name in names},
        pains=[],
        session_days=[TODAY - timedelta(days=n) for n in range(0, 20, 2)],
        today=TODAY,
        streak=3,
    )
    with warnings.catch_warnings():
        # matplotlib warns "Glyph ... missing from font(s)" for a character it cannot draw.
        warnings.simplefilter("error")
        png = charts.progress_chart(history, charts.ChartLabels(**labels))
    assert Image.open(io.BytesIO(png)).size == (1000, 1300)


def test_the_chart_check_fails_on_a_missing_glyph(in_russian) -> None:
    labels = {**chart_labels(), "holds_title": "漢字"}
    history = History(holds={}, pains=[], session_days=[], today=TODAY, streak=0)
    with warnings.catch_warnings(), pytest.raises(UserWarning, match="missing from font"):
        warnings.simplefilter("error")
        charts.progress_chart(history, charts.ChartLabels(**labels))


def _sheet(title: str) -> pdf.RoutineSheet:
    items = [
        pdf.SheetItem(
            name=e.name, steps=tuple(e.steps), hold_seconds=20, sides=bool(e.sides), figure_png=None
        )
        for e in load_catalog().exercises[:6]
    ]
    return pdf.RoutineSheet(title=title, generated_on=TODAY, start=TODAY, items=items)


def test_the_pdf_in_russian(in_russian, caplog: pytest.LogCaptureFixture) -> None:
    labels = pdf_labels(TODAY)
    sheet = _sheet(texts.PDF_TITLE)
    drawn = [sheet.title, *strings(list(labels.values()))]
    for item in sheet.items:
        drawn += [item.name, *item.steps]
    assert all(missing(t) == set() and missing(t, "DejaVuSans-Bold.ttf") == set() for t in drawn)
    with caplog.at_level(logging.WARNING):
        document = pdf.routine_pdf(sheet, pdf.PdfLabels(**labels))
    assert not [r for r in caplog.records if "missing the following glyphs" in r.getMessage()]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages).replace(
        "\n", " "
    )
    assert "Съешь же ещё" in text
    assert "ноября 2026" in text  # the date written by Babel in Russian
    assert cyrillic("Cat stretch") in text


def test_the_pdf_check_fails_on_a_missing_glyph(caplog: pytest.LogCaptureFixture) -> None:
    labels = pdf_labels(TODAY)
    with caplog.at_level(logging.WARNING):
        pdf.routine_pdf(_sheet("漢字"), pdf.PdfLabels(**labels))
    assert [r for r in caplog.records if "missing the following glyphs" in r.getMessage()]
