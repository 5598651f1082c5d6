"""Dates and numbers as each shipped language writes them, never English marks in another."""

from __future__ import annotations

from datetime import date

import pytest

from bot import i18n, texts

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
