"""The progress chart's history on the person's local calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.domain.history import progress_history

SYDNEY = ZoneInfo("Australia/Sydney")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_instants_land_on_local_days_and_todays_target_closes_each_line() -> None:
    # 20:00 UTC on 25 Nov is 07:00 on 26 Nov in Sydney (UTC+11 in summer).
    history = progress_history(
        holds=[("cobra", utc(2026, 11, 25, 20), 10), ("cobra", utc(2026, 11, 26, 20), 15)],
        targets={"cobra": 20, "cat": 15},
        pains=[(utc(2026, 11, 25, 20), 4)],
        session_days=[date(2026, 11, 26), date(2026, 11, 27)],
        tz=SYDNEY,
        today=date(2026, 11, 28),
    )
    assert history.holds == {
        "cobra": [(date(2026, 11, 26), 10), (date(2026, 11, 27), 15), (date(2026, 11, 28), 20)],
        "cat": [(date(2026, 11, 28), 15)],
    }
    assert history.pains == [(datetime(2026, 11, 26, 7, 0), 4)]
    # Trained the two days before today, not yet today: the streak still stands at 2.
    assert history.streak == 2
    assert history.today == date(2026, 11, 28)


def test_an_empty_history_is_empty() -> None:
    history = progress_history([], {}, [], [], SYDNEY, date(2026, 11, 28))
    assert (history.holds, history.pains, history.session_days, history.streak) == ({}, [], [], 0)
