"""Streaks counted in the user's local days, including users far from UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.streaks import (
    Streak,
    compute_streak,
    days_exercised,
    days_through,
    local_day,
    told_to_rest,
)

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
    assert compute_streak(days, [], date(2025, 3, 15)) == Streak(current=2, best=2)


def test_honolulu_midnight_sessions_span_two_utc_dates_and_two_local_days() -> None:
    late = at_local(HONOLULU, 2025, 3, 14, 23, 59)
    early = at_local(HONOLULU, 2025, 3, 15, 0, 1)
    assert (late.date(), early.date()) == (date(2025, 3, 15), date(2025, 3, 15))
    days = [local_day(late, HONOLULU), local_day(early, HONOLULU)]
    assert days == [date(2025, 3, 14), date(2025, 3, 15)]
    assert compute_streak(days, [], date(2025, 3, 15)) == Streak(current=2, best=2)


def test_honolulu_evening_session_falls_on_the_next_utc_date() -> None:
    # 20:00 in Honolulu is 06:00 UTC the next day: counting UTC dates would skip a day.
    evenings = [at_local(HONOLULU, 2025, 3, d, 20, 0) for d in (13, 14)]
    morning = at_local(HONOLULU, 2025, 3, 15, 7, 0)
    assert [e.date() for e in evenings] == [date(2025, 3, 14), date(2025, 3, 15)]
    days = [local_day(i, HONOLULU) for i in [*evenings, morning]]
    assert compute_streak(days, [], date(2025, 3, 15)) == Streak(current=3, best=3)


def test_tonga_same_local_day_twice_counts_once() -> None:
    sessions = [at_local(TONGA, 2025, 3, 15, h, 0) for h in (0, 12, 23)]
    days = [local_day(s, TONGA) for s in sessions]
    assert compute_streak(days, [], date(2025, 3, 15)) == Streak(current=1, best=1)


def test_empty_history() -> None:
    assert compute_streak([], [], TODAY) == Streak(0, 0)


def test_streak_ending_yesterday_is_still_alive() -> None:
    assert compute_streak(days_back(3, TODAY - timedelta(days=1)), [], TODAY) == Streak(3, 3)


def test_streak_broken_two_days_ago_is_zero_but_best_remembers() -> None:
    assert compute_streak(days_back(4, TODAY - timedelta(days=2)), [], TODAY) == Streak(0, 4)


def test_best_is_the_longest_run_not_the_latest() -> None:
    old_run = days_back(5, TODAY - timedelta(days=10))
    assert compute_streak([*old_run, TODAY, TODAY], [], TODAY) == Streak(1, 5)


def test_future_days_are_ignored() -> None:
    assert compute_streak([TODAY + timedelta(days=1), TODAY], [], TODAY) == Streak(1, 1)


def test_streak_across_month_and_year_ends() -> None:
    days = [date(2024, 12, 30), date(2024, 12, 31), date(2025, 1, 1)]
    assert compute_streak(days, [], date(2025, 1, 1)) == Streak(3, 3)
    leap = [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]
    assert compute_streak(leap, [], date(2024, 3, 2)) == Streak(3, 3)


# --- Properties --------------------------------------------------------------

day_offsets = st.lists(st.integers(0, 60), max_size=40)


@given(day_offsets)
def test_current_never_exceeds_best(offsets: list[int]) -> None:
    streak = compute_streak([TODAY - timedelta(days=o) for o in offsets], [], TODAY)
    assert 0 <= streak.current <= streak.best
    assert streak.best <= len(set(offsets))


@given(day_offsets.filter(bool))
def test_current_is_zero_when_last_day_is_before_yesterday(offsets: list[int]) -> None:
    shifted = [TODAY - timedelta(days=o + 2) for o in offsets]
    assert compute_streak(shifted, [], TODAY).current == 0


@given(st.integers(1, 400), st.integers(0, 3), st.randoms(use_true_random=False))
def test_run_of_n_days_ending_today_is_n(n: int, copies: int, rng) -> None:
    days = days_back(n) * (copies + 1)
    rng.shuffle(days)
    assert compute_streak(days, [], TODAY) == Streak(n, n)


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


# --- The fair rule: frozen days neither count nor break (issue 14, point 5) -----------


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def test_a_rest_day_between_two_counted_days_keeps_the_streak() -> None:
    assert compute_streak([ago(2), ago(0)], [ago(1)], TODAY) == Streak(2, 2, rested=1)


def test_a_plain_missed_day_breaks_it() -> None:
    assert compute_streak([ago(2), ago(0)], [], TODAY) == Streak(1, 1)


def test_six_days_and_one_rest_day() -> None:
    counted = [ago(d) for d in (0, 1, 2, 4, 5, 6)]
    assert compute_streak(counted, [ago(3)], TODAY) == Streak(6, 6, rested=1)


def test_several_rest_days_in_a_row_are_bridged_and_counted() -> None:
    frozen = [ago(1), ago(2), ago(3)]
    assert compute_streak([ago(4), ago(0)], frozen, TODAY) == Streak(2, 2, rested=3)


def test_rest_days_since_the_last_counted_day_keep_it_alive() -> None:
    # Counted three days ago, then two rest days; today may still be ahead.
    assert compute_streak([ago(3)], [ago(2), ago(1)], TODAY) == Streak(1, 1, rested=2)
    # Without them it was broken.
    assert compute_streak([ago(3)], [], TODAY) == Streak(0, 1)


def test_today_as_a_rest_day_is_among_the_rest_days() -> None:
    assert compute_streak([ago(1)], [ago(0)], TODAY) == Streak(1, 1, rested=1)


def test_rest_days_before_the_run_began_are_not_its_rest_days() -> None:
    counted = [ago(1), ago(0)]
    assert compute_streak(counted, [ago(3), ago(2)], TODAY) == Streak(2, 2, rested=0)


def test_frozen_days_alone_never_count() -> None:
    assert compute_streak([], days_back(10), TODAY) == Streak(0, 0)


def test_a_day_both_counted_and_frozen_counts() -> None:
    # Pain 7 on one exercise, the others done: the day counts and is no rest day.
    assert compute_streak([ago(1), ago(0)], [ago(0)], TODAY) == Streak(2, 2, rested=0)


def test_best_runs_bridge_rest_days_too() -> None:
    old = [ago(10), ago(9), ago(7)]
    assert compute_streak(old, [ago(8)], TODAY) == Streak(0, 3)


def test_frozen_days_after_today_are_ignored() -> None:
    assert compute_streak([ago(2)], [ago(1), TODAY + timedelta(days=1)], TODAY) == Streak(
        1, 1, rested=1
    )


def test_days_through_an_ongoing_pause() -> None:
    assert days_through(ago(2), TODAY) == [ago(2), ago(1), TODAY]
    assert days_through(TODAY, TODAY) == [TODAY]
    assert days_through(None, TODAY) == []
    assert days_through(TODAY + timedelta(days=1), TODAY) == []


offsets = st.sets(st.integers(0, 40), max_size=30)


def _days(values: set[int]) -> list[date]:
    return [ago(v) for v in values]


@given(offsets, offsets, st.integers(0, 40))
def test_adding_a_frozen_day_never_lowers_the_streak(
    counted: set[int], frozen: set[int], extra: int
) -> None:
    before = compute_streak(_days(counted), _days(frozen), TODAY)
    after = compute_streak(_days(counted), _days(frozen | {extra}), TODAY)
    assert after.current >= before.current and after.best >= before.best


@given(offsets, offsets, st.integers(0, 40))
def test_a_frozen_day_never_counts(counted: set[int], frozen: set[int], extra: int) -> None:
    streak = compute_streak(_days(counted - {extra}), _days(frozen | {extra}), TODAY)
    # The run never grows past the counted days; frozen ones only join them.
    assert streak.best <= len(counted - {extra})
    assert streak.current <= streak.best


@given(offsets, offsets)
def test_a_day_both_counted_and_frozen_counts_as_counted(
    counted: set[int], frozen: set[int]
) -> None:
    both = compute_streak(_days(counted), _days(frozen), TODAY)
    only_counted = compute_streak(_days(counted), _days(frozen - counted), TODAY)
    assert both == only_counted


@given(offsets, offsets, st.integers(1, 39))
def test_a_gap_day_that_is_neither_breaks_the_run(
    counted: set[int], frozen: set[int], gap: int
) -> None:
    # Counted before and after the gap, which is neither counted nor frozen.
    days = (counted | {gap - 1, gap + 1}) - {gap}
    streak = compute_streak(_days(days), _days(frozen - {gap}), TODAY)
    newer = {d for d in days if d < gap}
    assert streak.current <= len(newer)


@given(offsets, offsets)
def test_today_not_yet_done_never_breaks_it(counted: set[int], frozen: set[int]) -> None:
    # Yesterday counted, today not (yet): the run is the one that ended yesterday.
    days = (counted - {0}) | {1}
    yesterday = compute_streak(_days(days), _days(frozen - {0}), TODAY - timedelta(days=1))
    now = compute_streak(_days(days), _days(frozen - {0}), TODAY)
    assert now.current == yesterday.current >= 1


@given(offsets, offsets)
def test_rest_days_are_counted_within_the_current_run_only(
    counted: set[int], frozen: set[int]
) -> None:
    streak = compute_streak(_days(counted), _days(frozen), TODAY)
    if streak.current == 0:
        assert streak.rested == 0
    else:
        assert 0 <= streak.rested <= len(frozen - counted)


@given(offsets)
def test_without_frozen_days_the_rule_is_the_old_one(counted: set[int]) -> None:
    days = sorted(_days(counted))
    runs, run, previous = [], 0, None
    for day in days:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        runs.append(run)
        previous = day
    alive = previous is not None and TODAY - previous <= timedelta(days=1)
    expected = Streak(runs[-1] if alive else 0, max(runs, default=0))
    assert compute_streak(days, [], TODAY) == expected


def test_pain_above_5_is_a_rest_day() -> None:
    assert [p for p in range(11) if told_to_rest(p)] == [6, 7, 8, 9, 10]


def test_days_exercised_counts_each_counted_day_once_up_to_today() -> None:
    days = [ago(0), ago(0), ago(3), TODAY + timedelta(days=1)]
    assert days_exercised(days, TODAY) == 2
    assert days_exercised([], TODAY) == 0


@given(offsets, offsets)
def test_days_exercised_is_never_fewer_than_the_best_streak(
    counted: set[int], frozen: set[int]
) -> None:
    """/stats shows both side by side: the days can never be fewer than a run of them."""
    counted_days, frozen_days = [ago(n) for n in counted], [ago(n) for n in frozen]
    streak = compute_streak(counted_days, frozen_days, TODAY)
    assert streak.current <= streak.best <= days_exercised(counted_days, TODAY)
