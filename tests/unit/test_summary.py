"""The clinician summary: time in the programme, sessions, two weekly pain series never mixed,
painful exercises and holds; and the words the /summary message puts around them."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.summary import (
    ClinicianSummary,
    PainEntry,
    PainKind,
    ProgrammeLength,
    SummaryInputs,
    clinician_summary,
    pain_kind,
    programme_length,
    programme_week,
)
from bot.handlers.stats import SUMMARY_WEEKS_SHOWN, length_text, pain_series_text, summary_text

START = date(2026, 11, 2)  # a Monday
BACK, EXERCISE = PainKind.BACK, PainKind.EXERCISE


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
    """Pains are (day, score, exercise id); one naming an exercise is exercise pain."""
    return SummaryInputs(
        started_on=START,
        today=day(today),
        session_days=[day(n) for n in sessions or []],
        pains=[
            PainEntry(day(n), score, BACK if exercise is None else EXERCISE, exercise)
            for n, score, exercise in pains or []
        ],
        holds=holds or {},
    )


# Which pain is which ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "exercise_id", "kind"),
    [
        ("onboarding", None, BACK),  # "How much does your back hurt today?"
        ("reminder", None, BACK),  # "hurts" outside a session, naming no exercise
        ("check", None, BACK),  # a daily check, whatever it is stored as
        ("reminder", "bridge", EXERCISE),  # "hurts" outside a session, naming one
        ("session", "bridge", EXERCISE),  # "Hurts" on a session card
        ("session", None, EXERCISE),  # a session's pain is always about an exercise
    ],
)
def test_pain_kind_from_where_the_score_came_from(
    source: str, exercise_id: str | None, kind: PainKind
) -> None:
    assert pain_kind(source, exercise_id) is kind


# Time in the programme -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "days", "weeks", "extra", "text"),
    [
        (-3, 1, 0, 1, "1 day (first week)"),  # a clock behind the start is still day one
        (0, 1, 0, 1, "1 day (first week)"),
        (2, 3, 0, 3, "3 days (first week)"),
        (5, 6, 0, 6, "6 days (first week)"),
        (6, 7, 1, 0, "1 week"),
        (7, 8, 1, 1, "1 week and 1 day"),
        (12, 13, 1, 6, "1 week and 6 days"),
        (13, 14, 2, 0, "2 weeks"),
        (16, 17, 2, 3, "2 weeks and 3 days"),
        (69, 70, 10, 0, "10 weeks"),
    ],
)
def test_programme_length(today: int, days: int, weeks: int, extra: int, text: str) -> None:
    length = programme_length(START, day(today))
    assert length == ProgrammeLength(days=days, weeks=weeks, extra_days=extra)
    assert clinician_summary(inputs(today)).length == length
    assert length_text(length) == text


@given(st.integers(min_value=-30, max_value=2000))
def test_never_a_week_before_seven_days(today: int) -> None:
    length = programme_length(START, day(today))
    text = length_text(length)
    days = max(1, today + 1)
    assert length.days == days == 7 * length.weeks + length.extra_days
    assert ("first week" in text) == (days < 7)
    if days < 7:
        assert "week " not in text.replace("first week", "") and "weeks" not in text
    assert not re.search(r"\b1 (weeks|days)\b", text)  # "1 weeks" never
    assert not re.search(r"\b([02-9]|\d\d+) (week|day)\b", text)  # "2 week" never
    # The numbers said add back up to the days in the programme.
    weeks = re.search(r"(\d+) weeks?\b", text)
    extra = re.search(r"(\d+) days?\b", text)
    said = (int(weeks.group(1)) * 7 if weeks else 0) + (int(extra.group(1)) if extra else 0)
    assert said == days


def test_programme_weeks_count_from_the_start_day() -> None:
    assert [programme_week(START, day(n)) for n in (0, 6, 7, 13, 14, 20, 21)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
    ]


# The summary -----------------------------------------------------------------------------


def test_day_one_keeps_back_pain_and_exercise_pain_apart() -> None:
    # Onboarded with back pain 2; the bridge hurt 6 in the first session.
    summary = clinician_summary(inputs(0, sessions=[0], pains=[(0, 2, None), (0, 6, "bridge")]))
    assert summary.back_pain_by_week == (2.0,)
    assert summary.exercise_pain_by_week == (6.0,)
    assert summary.length.first_week


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
        length=ProgrammeLength(days=21, weeks=3, extra_days=0),
        sessions=12,
        sessions_by_week=(5, 3, 4),
        back_pain_by_week=(5.0, None, 2.5),
        exercise_pain_by_week=(5.0, None, 2.0),
        painful_exercises=(("bridge", 1, 6), ("bird_dog", 1, 4)),
        holds=(("pelvic_tilt", 10, 30), ("bridge", 10, 20)),
    )


def test_the_current_week_is_in_the_series_even_when_just_begun() -> None:
    summary = clinician_summary(inputs(7, pains=[(7, 3, None)]))
    assert summary.back_pain_by_week == (None, 3.0)
    assert summary.exercise_pain_by_week == (None, None)
    assert summary.sessions_by_week == (0, 0)


def test_sessions_after_today_do_not_count() -> None:
    summary = clinician_summary(inputs(3, sessions=[0, 1, 2, 3, 4, 5]))
    assert summary.sessions == 4
    assert summary.sessions_by_week == (4,)


def test_averages_round_half_up_to_one_decimal() -> None:
    # 4.25 goes up to 4.3 and 4.75 to 4.8; 13/3 = 4.33 to 4.3.
    pains = [(0, 4, None), (1, 4, None), (2, 4, None), (3, 5, None)]
    pains += [(7, 5, "cat"), (8, 5, "cat"), (9, 5, "cat"), (10, 4, "cat")]
    pains += [(14, 4, None), (15, 4, None), (16, 5, None)]
    summary = clinician_summary(inputs(20, pains=pains))
    assert summary.back_pain_by_week == (4.3, None, 4.3)
    assert summary.exercise_pain_by_week == (None, 4.8, None)


def test_reports_outside_the_programme_are_ignored() -> None:
    summary = clinician_summary(
        inputs(20, pains=[(-1, 9, "bridge"), (0, 2, None), (21, 9, "bridge"), (20, 2, None)])
    )
    assert summary.back_pain_by_week == (2.0, None, 2.0)
    assert summary.exercise_pain_by_week == (None, None, None)
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


# The message -----------------------------------------------------------------------------


def _message(data: SummaryInputs) -> str:
    return summary_text(clinician_summary(data), lambda exercise_id: exercise_id.title())


def _line(text: str, starts: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith(starts)]
    return line


def test_message_on_day_one() -> None:
    text = _message(inputs(0, sessions=[0], pains=[(0, 2, None), (0, 6, "bridge")]))
    assert "In the programme: 1 day (first week)\nDays with a session: 1\n" in text
    assert "Average pain so far (0 = no pain, 10 = worst):" in text
    assert _line(text, "Back pain") == "Back pain (daily check): 2.0/10"
    assert _line(text, "Pain during exercises") == "Pain during exercises: 6.0/10"
    assert "Bridge (1×, up to 6/10)" in text
    assert "no exercises done yet" in text


def test_message_week_by_week() -> None:
    text = _message(
        inputs(16, sessions=[0, 1, 2, 8, 15], pains=[(0, 2, None), (1, 6, "cat"), (15, 3, None)])
    )
    assert "In the programme: 2 weeks and 3 days\n" in text
    assert "\nDays with a session: 5 (by week: 3, 1, 1)\n" in text
    assert "weeks 1 to 3\n(0 = no pain, 10 = worst, – = none reported):" in text
    assert _line(text, "Back pain") == "Back pain (daily check): 2.0/10, –, 3.0/10"
    assert _line(text, "Pain during exercises") == "Pain during exercises: 6.0/10, –, –"


def test_message_without_pain_reports() -> None:
    text = _message(inputs(9))
    assert _line(text, "Back pain") == "Back pain (daily check): none reported"
    assert _line(text, "Pain during exercises") == "Pain during exercises: none reported"
    assert "Exercises that hurt (pain 4 or more): none" in text


def test_a_long_programme_shows_its_latest_weeks() -> None:
    weeks = SUMMARY_WEEKS_SHOWN + 8
    today = weeks * 7 - 1
    pains = [(7 * week, week % 11, None) for week in range(weeks)]
    text = _message(inputs(today, sessions=list(range(0, today + 1, 7)), pains=pains))
    assert f"weeks 9 to {weeks}\n" in text
    series = _line(text, "Back pain").removeprefix("Back pain (daily check): ").split(", ")
    assert series == [f"{week % 11:.1f}/10" for week in range(8, weeks)]
    by_week = ", ".join(["1"] * SUMMARY_WEEKS_SHOWN)
    assert f"Days with a session: {weeks} (by week: {by_week})" in text


def test_pain_series_text() -> None:
    assert pain_series_text([None, 4.0, 10.0, 0.0]) == "–, 4.0/10, 10.0/10, 0.0/10"
    assert pain_series_text([None, None]) == "none reported"


# Invariants ------------------------------------------------------------------------------

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


def _only(data: SummaryInputs, kind: PainKind) -> SummaryInputs:
    return SummaryInputs(
        data.started_on,
        data.today,
        data.session_days,
        [p for p in data.pains if p.kind is kind],
        data.holds,
    )


@given(summary_inputs())
def test_a_series_never_mixes_the_two_kinds_of_pain(data: SummaryInputs) -> None:
    summary = clinician_summary(data)
    # Each series is what it would be with the other kind's reports left out.
    assert summary.back_pain_by_week == clinician_summary(_only(data, BACK)).back_pain_by_week
    assert (
        summary.exercise_pain_by_week
        == clinician_summary(_only(data, EXERCISE)).exercise_pain_by_week
    )
    assert set(clinician_summary(_only(data, BACK)).exercise_pain_by_week) == {None}
    assert set(clinician_summary(_only(data, EXERCISE)).back_pain_by_week) == {None}


@given(summary_inputs())
def test_one_value_per_week_each_the_rounded_average_of_that_week(data: SummaryInputs) -> None:
    summary = clinician_summary(data)
    weeks = -(-summary.length.days // 7)
    assert len(summary.sessions_by_week) == weeks
    assert len(summary.back_pain_by_week) == len(summary.exercise_pain_by_week) == weeks
    assert sum(summary.sessions_by_week) == summary.sessions
    assert all(0 <= count <= 7 for count in summary.sessions_by_week)
    for kind, series in (
        (BACK, summary.back_pain_by_week),
        (EXERCISE, summary.exercise_pain_by_week),
    ):
        for week, value in enumerate(series):
            scores = [
                p.score
                for p in data.pains
                if p.kind is kind
                and data.started_on <= p.day <= data.today
                and programme_week(data.started_on, p.day) == week
            ]
            if not scores:
                assert value is None
            else:
                assert value is not None and 0 <= value <= 10
                assert abs(value - sum(scores) / len(scores)) <= 0.05 + 1e-9
                assert value == round(value, 1)


@given(summary_inputs())
def test_painful_exercises_are_sorted_and_bounded(data: SummaryInputs) -> None:
    summary = clinician_summary(data)
    counts = [count for _, count, _ in summary.painful_exercises]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) <= len(data.pains)
    assert all(4 <= highest <= 10 for _, _, highest in summary.painful_exercises)
    assert len({exercise for exercise, _, _ in summary.painful_exercises}) == len(counts)
