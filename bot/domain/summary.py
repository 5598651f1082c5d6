"""A short progress summary a person can forward to a GP or physiotherapist: pure rules, no I/O.

Two kinds of pain are kept apart, never averaged together: back pain as the person feels it
day to day (asked at onboarding and at the daily check) and pain felt during an exercise. Each
is a weekly series, one value per programme week, week 1 being the first 7 local days.

Only numbers and enums come out; the words around them live in the wording module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from bot.domain.progression import PainBand, pain_band

DAYS_PER_WEEK = 7
# Where a stored pain score came from (pain_reports.source): only a guided session is always
# about one exercise; onboarding and reports outside a session ("hurts") may name none.
SOURCE_SESSION = "session"


class PainKind(StrEnum):
    """Which pain a score is about; the two are never mixed in one number."""

    # The back day to day: the onboarding question, the daily check, a report naming no exercise.
    BACK = "back"
    # Pain felt doing an exercise: in a session, or a report outside one that names it.
    EXERCISE = "exercise"


def pain_kind(source: str, exercise_id: str | None) -> PainKind:
    """The kind of a stored pain score: tied to an exercise, or the back in general."""
    if exercise_id is not None or source == SOURCE_SESSION:
        return PainKind.EXERCISE
    return PainKind.BACK


@dataclass(frozen=True, slots=True)
class PainEntry:
    """One pain score on the person's own calendar day; `exercise_id` when one was named."""

    day: date
    score: int
    kind: PainKind
    exercise_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProgrammeLength:
    """How long the person has been in the programme, in their own calendar days.

    `days` counts the first day as 1; `weeks` is whole weeks done (0 in the first week) and
    `extra_days` the days after them, so "1 week" can only be said once 7 days have passed.
    """

    days: int
    weeks: int
    extra_days: int

    @property
    def first_week(self) -> bool:
        return self.weeks == 0


@dataclass(frozen=True, slots=True)
class SummaryInputs:
    """What the summary is built from, all in the person's own calendar days.

    `holds` maps an exercise id to (hold at the start, hold now) in seconds, in display order.
    """

    started_on: date
    today: date
    session_days: Sequence[date]  # the local day of each finished session, repeats allowed
    pains: Sequence[PainEntry]
    holds: Mapping[str, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class ClinicianSummary:
    """The facts of a summary.

    The three `*_by_week` series have one value per programme week, week 1 first, up to the
    current week. Pain values are averages rounded to one decimal, None for a week without a
    report of that kind. `painful_exercises` is (exercise id, reports with pain >= 4, highest
    pain), most reported first; `holds` is (exercise id, start hold, current hold) in the order
    given.

    `sessions` counts local days with at least one finished session, not sessions: two
    sessions on one day count once; `sessions_by_week` counts those days week by week.
    """

    length: ProgrammeLength
    sessions: int
    sessions_by_week: tuple[int, ...]
    back_pain_by_week: tuple[float | None, ...]
    exercise_pain_by_week: tuple[float | None, ...]
    painful_exercises: tuple[tuple[str, int, int], ...]
    holds: tuple[tuple[str, int, int], ...]


def programme_length(started_on: date, today: date) -> ProgrammeLength:
    """Days in the programme (the first day counts as 1; at least 1), whole weeks and the rest."""
    days = max(1, (today - started_on).days + 1)
    weeks, extra = divmod(days, DAYS_PER_WEEK)
    return ProgrammeLength(days=days, weeks=weeks, extra_days=extra)


def programme_week(started_on: date, day: date) -> int:
    """The programme week of `day`, 0 for week 1 (the first 7 days from `started_on`)."""
    return (day - started_on).days // DAYS_PER_WEEK


def _tenths(scores: Sequence[int]) -> int | None:
    """The average of `scores` in tenths of a point, rounded half up; None when empty."""
    if not scores:
        return None
    return math.floor(Fraction(sum(scores) * 10, len(scores)) + Fraction(1, 2))


def _average(scores: Sequence[int]) -> float | None:
    tenths = _tenths(scores)
    return None if tenths is None else tenths / 10


def clinician_summary(inputs: SummaryInputs) -> ClinicianSummary:
    """Time in the programme, days with a session and both kinds of pain week by week,
    painful exercises and holds. Only days from `started_on` to `today` count."""
    start, today = inputs.started_on, inputs.today
    length = programme_length(start, today)
    weeks = math.ceil(length.days / DAYS_PER_WEEK)  # week 1 up to the current week

    def in_programme(day: date) -> bool:
        return start <= day <= today

    session_days = {day for day in inputs.session_days if in_programme(day)}
    sessions_by_week = [0] * weeks
    for day in session_days:
        sessions_by_week[programme_week(start, day)] += 1

    scores: dict[PainKind, list[list[int]]] = {
        kind: [[] for _ in range(weeks)] for kind in PainKind
    }
    painful: dict[str, tuple[int, int]] = {}
    for entry in inputs.pains:
        band = pain_band(entry.score)  # also rejects scores outside 0..10
        if not in_programme(entry.day):
            continue
        scores[entry.kind][programme_week(start, entry.day)].append(entry.score)
        if entry.exercise_id is not None and band is not PainBand.FINE:
            count, highest = painful.get(entry.exercise_id, (0, 0))
            painful[entry.exercise_id] = (count + 1, max(highest, entry.score))

    ranked = sorted(painful.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return ClinicianSummary(
        length=length,
        sessions=len(session_days),
        sessions_by_week=tuple(sessions_by_week),
        back_pain_by_week=tuple(_average(week) for week in scores[PainKind.BACK]),
        exercise_pain_by_week=tuple(_average(week) for week in scores[PainKind.EXERCISE]),
        painful_exercises=tuple((eid, count, high) for eid, (count, high) in ranked),
        holds=tuple((eid, begin, now) for eid, (begin, now) in inputs.holds.items()),
    )
