"""Streaks counted in the user's local days, including users far from UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.streaks import Streak, compute_streak, local_day

TODAY = date(2025, 3, 15)
TONGA = "Pacific/Tongatapu"  # UTC+13 all year (checked below)
HONOLULU = "Pacific/Honolulu"  # UTC-10 all year, no DST


def at_local(zone: str, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """The aware UTC instant for a wall-clock time in `zone`."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def days_back(n: int, end: date = TODAY) -> list[date]:
    return [end - timedelta(days=i) for i in range(n)]


@pytest.mark.parametrize(("zone", "hours"), [(TONGA, 13), (HONOLULU, -10)])
def test_zone_offsets_are_what_the_tests_assume(zone: str, hours: int) -> None:
    for month in (1, 7):
        offset = datetime(2025, month, 15, tzinfo=ZoneInfo(zone)).utcoffset()
        assert offset == timedelta(hours=hours)


def test_local_day_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        local_day(datetime(2025, 3, 15, 12, 0), TONGA)


def test_local_day_accepts_any_aware_instant() -> None:
    instant = datetime(2025, 3, 15, 12, 0, tzinfo=ZoneInfo(HONOLULU))
    assert local_day(instant, HONOLULU) == date(2025, 3, 15)
    assert local_day(instant, TONGA) == date(2025, 3, 16)


def test_tonga_midnight_sessions_on_one_utc_date_are_two_local_days() -> None:
    late = at_local(TONGA, 2025, 3, 14, 23, 59)
    early = at_local(TONGA, 2025, 3, 15, 0, 1)
    # 10:59 and 11:01 UTC on the same UTC date...
    assert late.date() == early.date() == date(2025, 3, 14)
    days = [local_day(late, TONGA), local_day(early, TONGA)]
    # ...yet two consecutive local days.
    assert days == [date(2025, 3, 14), date(2025, 3, 15)]
    assert compute_streak(days, date(2025, 3, 15)) == Streak(current=2, best=2)


def test_honolulu_midnight_sessions_span_two_utc_dates_and_two_local_days() -> None:
    late = at_local(HONOLULU, 2025, 3, 14, 23, 59)
    early = at_local(HONOLULU, 2025, 3, 15, 0, 1)
    assert (late.date(), early.date()) == (date(2025, 3, 15), date(2025, 3, 15))
    days = [local_day(late, HONOLULU), local_day(early, HONOLULU)]
    assert days == [date(2025, 3, 14), date(2025, 3, 15)]
    assert compute_streak(days, date(2025, 3, 15)) == Streak(current=2, best=2)


def test_honolulu_evening_session_falls_on_the_next_utc_date() -> None:
    # 20:00 in Honolulu is 06:00 UTC the next day: counting UTC dates would skip a day.
    evenings = [at_local(HONOLULU, 2025, 3, d, 20, 0) for d in (13, 14)]
    morning = at_local(HONOLULU, 2025, 3, 15, 7, 0)
    assert [e.date() for e in evenings] == [date(2025, 3, 14), date(2025, 3, 15)]
    days = [local_day(i, HONOLULU) for i in [*evenings, morning]]
    assert compute_streak(days, date(2025, 3, 15)) == Streak(current=3, best=3)


def test_tonga_same_local_day_twice_counts_once() -> None:
    sessions = [at_local(TONGA, 2025, 3, 15, h, 0) for h in (0, 12, 23)]
    days = [local_day(s, TONGA) for s in sessions]
    assert compute_streak(days, date(2025, 3, 15)) == Streak(current=1, best=1)


def test_empty_history() -> None:
    assert compute_streak([], TODAY) == Streak(0, 0)


def test_streak_ending_yesterday_is_still_alive() -> None:
    assert compute_streak(days_back(3, TODAY - timedelta(days=1)), TODAY) == Streak(3, 3)


def test_streak_broken_two_days_ago_is_zero_but_best_remembers() -> None:
    assert compute_streak(days_back(4, TODAY - timedelta(days=2)), TODAY) == Streak(0, 4)


def test_best_is_the_longest_run_not_the_latest() -> None:
    old_run = days_back(5, TODAY - timedelta(days=10))
    assert compute_streak([*old_run, TODAY, TODAY], TODAY) == Streak(1, 5)


def test_future_days_are_ignored() -> None:
    assert compute_streak([TODAY + timedelta(days=1), TODAY], TODAY) == Streak(1, 1)


def test_streak_across_month_and_year_ends() -> None:
    days = [date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 1)]
    assert compute_streak(days, date(2025, 1, 1)) == Streak(3, 3)
    leap = [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]
    assert compute_streak(leap, date(2024, 3, 2)) == Streak(3, 3)


# --- Properties --------------------------------------------------------------

day_offsets = st.lists(st.integers(0, 60), max_size=40)


@given(day_offsets)
def test_current_never_exceeds_best(offsets: list[int]) -> None:
    streak = compute_streak([TODAY - timedelta(days=o) for o in offsets], TODAY)
    assert 0 <= streak.current <= streak.best
    assert streak.best <= len(set(offsets))


@given(day_offsets.filter(bool))
def test_current_is_zero_when_last_day_is_before_yesterday(offsets: list[int]) -> None:
    shifted = [TODAY - timedelta(days=o + 2) for o in offsets]
    assert compute_streak(shifted, TODAY).current == 0


@given(st.integers(1, 400), st.integers(0, 3), st.randoms(use_true_random=False))
def test_run_of_n_days_ending_today_is_n(n: int, copies: int, rng) -> None:
    days = days_back(n) * (copies + 1)
    rng.shuffle(days)
    assert compute_streak(days, TODAY) == Streak(n, n)


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.just(UTC),
    ),
    st.sampled_from([TONGA, HONOLULU, "Pacific/Apia", "Europe/London", "UTC"]),
)
def test_local_day_matches_zoneinfo(instant: datetime, zone: str) -> None:
    day = local_day(instant, zone)
    assert day == instant.astimezone(ZoneInfo(zone)).date()
    assert abs((day - instant.date()).days) <= 1
