"""A short progress summary a person can forward to a GP or physiotherapist: pure rules, no I/O.

Only numbers and an enum come out; the words around them live in the wording module.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

from bot.domain.progression import PainBand, pain_band

DAYS_PER_WEEK = 7
# A change in average pain of at least this many points (0-10 scale) counts as better or worse.
TREND_THRESHOLD_POINTS = 1


class PainTrend(StrEnum):
    """How the average pain of the latest week compares with the first week."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class SummaryInputs:
    """What the summary is built from, all in the person's own calendar days.

    `pains` holds (day, 0-10 score, exercise id or None for a general report);
    `holds` maps an exercise id to (hold at the start, hold now) in seconds, in display order.
    """

    started_on: date
    today: date
    session_days: Sequence[date]
    pains: Sequence[tuple[date, int, str | None]]
    holds: Mapping[str, tuple[int, int]]


@dataclass(frozen=True, slots=True)
class ClinicianSummary:
    """The facts of a summary; pain averages are rounded to one decimal, None without reports.

    `painful_exercises` is (exercise id, reports with pain >= 4, highest pain), most reported
    first; `holds` is (exercise id, start hold, current hold) in the order given.
    """

    weeks_in_programme: int
    sessions: int
    sessions_per_week: float
    first_week_pain: float | None
    last_week_pain: float | None
    pain_trend: PainTrend
    painful_exercises: tuple[tuple[str, int, int], ...]
    holds: tuple[tuple[str, int, int], ...]


def weeks_in_programme(started_on: date, today: date) -> int:
    """Weeks since the start, a partial week counting as one; at least 1."""
    days = (today - started_on).days + 1
    return max(1, math.ceil(days / DAYS_PER_WEEK))


def _tenths(scores: Sequence[int]) -> int | None:
    """The average of `scores` in tenths of a point, rounded half up; None when empty."""
    if not scores:
        return None
    return math.floor(Fraction(sum(scores) * 10, len(scores)) + Fraction(1, 2))


def _trend(first_tenths: int | None, last_tenths: int | None) -> PainTrend:
    # Compared on the rounded values the message shows, so numbers and trend always agree.
    if first_tenths is None or last_tenths is None:
        return PainTrend.UNKNOWN
    change = last_tenths - first_tenths
    if change <= -TREND_THRESHOLD_POINTS * 10:
        return PainTrend.BETTER
    if change >= TREND_THRESHOLD_POINTS * 10:
        return PainTrend.WORSE
    return PainTrend.SAME


def clinician_summary(inputs: SummaryInputs) -> ClinicianSummary:
    """Sessions, pain in the first versus the latest week, painful exercises and holds.

    Only days from `started_on` to `today` count. The first week is the 7 days from
    `started_on`; the latest week is the 7 days up to `today`, but never reaching back into
    the first week, so early on (under 8 days) there is no latest week and the trend is
    UNKNOWN rather than a comparison of the same reports with themselves.
    """
    start, today = inputs.started_on, inputs.today

    def in_programme(day: date) -> bool:
        return start <= day <= today

    weeks = weeks_in_programme(start, today)
    sessions = len({day for day in inputs.session_days if in_programme(day)})

    first_week_end = start + timedelta(days=DAYS_PER_WEEK - 1)
    last_week_start = max(today - timedelta(days=DAYS_PER_WEEK - 1), first_week_end + timedelta(1))
    first_scores: list[int] = []
    last_scores: list[int] = []
    painful: dict[str, tuple[int, int]] = {}
    for day, score, exercise_id in inputs.pains:
        band = pain_band(score)  # also rejects scores outside 0..10
        if not in_programme(day):
            continue
        if day <= first_week_end:
            first_scores.append(score)
        if day >= last_week_start:
            last_scores.append(score)
        if exercise_id is not None and band is not PainBand.FINE:
            count, highest = painful.get(exercise_id, (0, 0))
            painful[exercise_id] = (count + 1, max(highest, score))

    first_tenths = _tenths(first_scores)
    last_tenths = _tenths(last_scores)
    ranked = sorted(painful.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return ClinicianSummary(
        weeks_in_programme=weeks,
        sessions=sessions,
        sessions_per_week=round(sessions / weeks, 1),
        first_week_pain=None if first_tenths is None else first_tenths / 10,
        last_week_pain=None if last_tenths is None else last_tenths / 10,
        pain_trend=_trend(first_tenths, last_tenths),
        painful_exercises=tuple((eid, count, high) for eid, (count, high) in ranked),
        holds=tuple((eid, begin, now) for eid, (begin, now) in inputs.holds.items()),
    )
