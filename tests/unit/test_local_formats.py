"""Dates and numbers as each shipped language writes them, never English marks in another."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest

from bot import i18n, texts
from bot.domain.history import History
from bot.handlers.stats import chart_labels
from bot.media import jobs
from bot.media.renderer import Renderer

DAY = date(2026, 11, 28)

# (language, short date, with weekday, an average pain of 4.5): Babel's CLDR forms.
EXPECTED = {
    "en": ("28 Nov", "Sat 28 Nov", "4.5"),
    "es": ("28 nov", "sáb, 28 nov", "4,5"),
    "pt_BR": ("28 de nov.", "sáb., 28 de nov.", "4,5"),
    "ru": ("28 нояб.", "сб, 28 нояб.", "4,5"),
    "de": ("28. Nov.", "Sa., 28. Nov.", "4,5"),
    "uk": ("28 лист.", "сб, 28 лист.", "4,5"),
    "id": ("28 Nov", "Sab, 28 Nov", "4,5"),
}


@pytest.mark.parametrize("language", i18n.SHIPPED)
def test_days_and_averages_in_each_language(language: str) -> None:
    day, with_weekday, number = EXPECTED[language]
    with i18n.using(language):
        assert texts.short_date(DAY) == day
        assert texts.short_date(DAY, weekday=True) == with_weekday
        shown = texts.pain_value(4.5)
    assert shown.startswith(number) or number in shown
    assert "{" not in shown
    if language != "en":
        assert "4.5" not in shown


async def test_the_chart_is_dated_in_the_persons_language_by_the_worker() -> None:
    """/progress is drawn in a worker process, where no one's language is set: the chart's
    dates are still the person's ("28. Nov."), the picture the same as drawn in the bot."""
    history = History(
        holds={"Katze": [(DAY - timedelta(days=20), 15), (DAY, 20)]},
        pains=[],
        session_days=[DAY - timedelta(days=n) for n in range(0, 20, 2)],
        today=DAY,
        streak=3,
    )
    with i18n.using("de"):
        labels = chart_labels()
        drawn_here = jobs.progress_chart(history, labels)
    # As the worker gets them: pickled, and read where the language is the default.
    assert pickle.loads(pickle.dumps(labels))["format_day"](DAY) == "28. Nov."
    renderer = Renderer(1)
    try:
        drawn_by_worker = await renderer.run(jobs.progress_chart, history, labels)
    finally:
        renderer.close()
    assert drawn_by_worker == drawn_here
