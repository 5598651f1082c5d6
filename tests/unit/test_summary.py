"""The clinician summary: weeks, session rate, pain trend, painful exercises and holds."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.summary import (
    ClinicianSummary,
    PainTrend,
    SummaryInputs,
    clinician_summary,
    weeks_in_programme,
)

START = date(2026, 11, 2)  # a Monday


def day(n: int) -> date:
    """The n-th day of the programme, day 0 being the start."""
    return START + timedelta(days=n)


def inputs(
    today: int,
    *,
    sessions: list[int] | None = None,
    pains: list[tuple[int, int, str | None]] | None = None,
    holds: dict[str, tuple[int, int]] | None = None,
) -> SummaryInputs:
    return SummaryInputs(
        started_on=START,
        today=day(today),
        session_days=[day(n) for n in sessions or []],
        pains=[(day(n), score, exercise) for n, score, exercise in pains or []],
        holds=holds or {},
    )


@pytest.mark.parametrize(
    ("today", "weeks"),
    [(-3, 1), (0, 1), (6, 1), (7, 2), (13, 2), (14, 3), (27, 4), (28, 5)],
)
def test_weeks_count_partial_weeks_and_are_at_least_one(today: int, weeks: int) -> None:
    assert weeks_in_programme(START, day(today)) == weeks
    assert clinician_summary(inputs(today)).weeks_in_programme == weeks


def test_a_worked_example() -> None:
    # Day 20 is in week 3; 12 distinct session days (one duplicate, one before the start).
    summary = clinician_summary(
        inputs(
            20,
            sessions=[0, 1, 2, 2, 4, 5, 7, 9, 11, 14, 16, 18, 20, -1],
            pains=[
                (0, 6, "bridge"),
                (1, 5, None),
                (2, 4, "bird_dog"),
                (15, 3, None),
                (18, 2, "bridge"),
                (20, 2, None),
            ],
            holds={"pelvic_tilt": (10, 30), "bridge": (10, 20)},
        )
    )
    assert summary == ClinicianSummary(
        weeks_in_programme=3,
        sessions=12,
        sessions_per_week=4.0,
        first_week_pain=5.0,
        last_week_pain=2.3,
        pain_trend=PainTrend.BETTER,
        painful_exercises=(("bridge", 1, 6), ("bird_dog", 1, 4)),
        holds=(("pelvic_tilt", 10, 30), ("bridge", 10, 20)),
    )


def test_sessions_per_week_is_rounded_to_one_decimal() -> None:
    # 10 sessions over 3 weeks (day 15 is in week 3).
    summary = clinician_summary(inputs(15, sessions=list(range(10))))
    assert summary.sessions == 10
    assert summary.sessions_per_week == 3.3


def test_sessions_after_today_do_not_count() -> None:
    assert clinician_summary(inputs(3, sessions=[0, 1, 2, 3, 4, 5])).sessions == 4


@pytest.mark.parametrize(
    ("first", "last", "trend"),
    [
        ([6, 6], [5, 5], PainTrend.BETTER),  # exactly one point better counts
        ([6, 6], [5, 6], PainTrend.SAME),  # half a point is noise
        ([3], [4], PainTrend.WORSE),
        ([4, 5], [4, 5], PainTrend.SAME),
        ([2, 3, 3], [4, 4, 4], PainTrend.WORSE),  # 2.7 -> 4.0
        ([5, 5, 4], [4, 3, 3], PainTrend.BETTER),  # 4.7 -> 3.3
        ([5, 5, 4], [4, 4, 4], PainTrend.SAME),  # 4.7 -> 4.0
    ],
)
def test_pain_trend(first: list[int], last: list[int], trend: PainTrend) -> None:
    pains = [(n, score, None) for n, score in enumerate(first)]
    pains += [(20 - n, score, None) for n, score in enumerate(last)]
    assert clinician_summary(inputs(20, pains=pains)).pain_trend is trend


def test_the_trend_uses_the_rounded_averages_the_message_shows() -> None:
    # 13/3 = 4.33 -> 4.3 and 16/3 = 5.33 -> 5.3: a full point on screen, so WORSE
    # (with floats, 5.3 - 4.3 is 0.9999999999999998).
    pains = [(0, 4, None), (1, 4, None), (2, 5, None)]
    pains += [(20, 5, None), (19, 5, None), (18, 6, None)]
    summary = clinician_summary(inputs(20, pains=pains))
    assert (summary.first_week_pain, summary.last_week_pain) == (4.3, 5.3)
    assert summary.pain_trend is PainTrend.WORSE


def test_averages_round_half_up() -> None:
    # 4.25 and 4.75 (halves) go up to 4.3 and 4.8.
    pains = [(0, 4, None), (1, 4, None), (2, 4, None), (3, 5, None)]
    pains += [(20, 5, None), (19, 5, None), (18, 5, None), (17, 4, None)]
    summary = clinician_summary(inputs(20, pains=pains))
    assert (summary.first_week_pain, summary.last_week_pain) == (4.3, 4.8)


@pytest.mark.parametrize(
    ("pains", "first", "last"),
    [
        ([], None, None),
        ([(0, 5, None)], 5.0, None),  # nothing in the latest week
        ([(20, 5, None)], None, 5.0),  # nothing in the first week
        ([(9, 5, None)], None, None),  # only in between
    ],
)
def test_trend_is_unknown_without_reports_in_either_week(
    pains: list[tuple[int, int, str | None]], first: float | None, last: float | None
) -> None:
    summary = clinician_summary(inputs(20, pains=pains))
    assert (summary.first_week_pain, summary.last_week_pain) == (first, last)
    assert summary.pain_trend is PainTrend.UNKNOWN


def test_early_on_the_latest_week_never_reuses_first_week_reports() -> None:
    # On day 4 both windows would be the same days: no latest week yet, trend unknown.
    summary = clinician_summary(inputs(4, pains=[(0, 6, None), (3, 2, None)]))
    assert summary.first_week_pain == 4.0
    assert summary.last_week_pain is None
    assert summary.pain_trend is PainTrend.UNKNOWN
    # On day 10 the latest week is days 7-10 only.
    summary = clinician_summary(inputs(10, pains=[(5, 6, None), (8, 2, None), (10, 4, None)]))
    assert (summary.first_week_pain, summary.last_week_pain) == (6.0, 3.0)
    assert summary.pain_trend is PainTrend.BETTER


def test_reports_outside_the_programme_are_ignored() -> None:
    summary = clinician_summary(
        inputs(20, pains=[(-1, 9, "bridge"), (0, 2, None), (21, 9, "bridge"), (20, 2, None)])
    )
    assert (summary.first_week_pain, summary.last_week_pain) == (2.0, 2.0)
    assert summary.painful_exercises == ()


def test_painful_exercises_most_reported_first_then_highest_pain_then_id() -> None:
    summary = clinician_summary(
        inputs(
            20,
            pains=[
                (1, 4, "bridge"),
                (2, 3, "bridge"),  # 0-3 is fine: not counted
                (3, 7, "cat_cow"),
                (4, 5, "bird_dog"),
                (5, 4, "bird_dog"),
                (6, 6, "bird_dog"),
                (7, 4, "side_plank"),
                (8, 8, "cat_cow"),
                (9, 9, None),  # a general report names no exercise
                (10, 4, "pelvic_tilt"),
            ],
        )
    )
    assert summary.painful_exercises == (
        ("bird_dog", 3, 6),
        ("cat_cow", 2, 8),
        ("bridge", 1, 4),
        ("pelvic_tilt", 1, 4),
        ("side_plank", 1, 4),
    )


def test_holds_keep_the_given_order() -> None:
    holds = {"z_last": (5, 5), "a_first": (10, 40), "m_mid": (20, 15)}
    summary = clinician_summary(inputs(3, holds=holds))
    assert summary.holds == (("z_last", 5, 5), ("a_first", 10, 40), ("m_mid", 20, 15))


def test_rejects_pain_scores_outside_the_scale() -> None:
    with pytest.raises(ValueError):
        clinician_summary(inputs(3, pains=[(1, 11, None)]))


def test_inputs_and_summary_pickle_for_worker_processes() -> None:
    data = inputs(20, sessions=[0, 1], pains=[(0, 5, "bridge")], holds={"bridge": (10, 20)})
    assert pickle.loads(pickle.dumps(data)) == data
    summary = clinician_summary(data)
    assert pickle.loads(pickle.dumps(summary)) == summary


def test_module_is_pure_domain() -> None:
    code = (
        "import sys, bot.domain.summary\n"
        "bad = [m for m in ('telegram', 'sqlalchemy', 'matplotlib') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


programme_days = st.integers(min_value=0, max_value=200)


@st.composite
def summary_inputs(draw: st.DrawFn) -> SummaryInputs:
    today = draw(programme_days)
    offsets = st.integers(min_value=-5, max_value=today + 5)
    sessions = draw(st.lists(offsets, max_size=60))
    pains = draw(
        st.lists(
            st.tuples(
                offsets,
                st.integers(min_value=0, max_value=10),
                st.sampled_from([None, "bridge", "bird_dog", "cat_cow"]),
            ),
            max_size=40,
        )
    )
    return inputs(today, sessions=sessions, pains=pains)


@given(summary_inputs())
def test_rate_times_weeks_is_the_session_count(data: SummaryInputs) -> None:
    summary = clinician_summary(data)
    assert summary.weeks_in_programme >= 1
    assert 0 <= summary.sessions <= (data.today - data.started_on).days + 1
    # Rounded to 0.1 per week, so off by at most 0.05 a week.
    assert math.isclose(
        summary.sessions_per_week * summary.weeks_in_programme,
        summary.sessions,
        abs_tol=0.05 * summary.weeks_in_programme + 1e-9,
    )


@given(summary_inputs())
def test_trend_is_unknown_exactly_when_a_week_has_no_reports(data: SummaryInputs) -> None:
    summary = clinician_summary(data)
    missing = summary.first_week_pain is None or summary.last_week_pain is None
    assert (summary.pain_trend is PainTrend.UNKNOWN) == missing
    if not missing:
        assert summary.first_week_pain is not None and summary.last_week_pain is not None
        change = round(summary.last_week_pain - summary.first_week_pain, 1)
        expected = (
            PainTrend.BETTER if change <= -1 else PainTrend.WORSE if change >= 1 else PainTrend.SAME
        )
        assert summary.pain_trend is expected


@given(summary_inputs())
def test_painful_exercises_are_sorted_and_bounded(data: SummaryInputs) -> None:
    summary = clinician_summary(data)
    counts = [count for _, count, _ in summary.painful_exercises]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) <= len(data.pains)
    assert all(4 <= highest <= 10 for _, _, highest in summary.painful_exercises)
    assert len({exercise for exercise, _, _ in summary.painful_exercises}) == len(counts)
