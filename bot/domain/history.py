"""What the progress chart shows: holds, pain and session days, in the person's local time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from bot.domain.streaks import compute_streak


@dataclass(frozen=True, slots=True)
class History:
    """A person's history, ready to draw; holds and pain are keyed and dated locally."""

    # Exercise (id here; the chart's caller puts display names) -> (local day, target
    # seconds), oldest first; today's target closes each line.
    holds: Mapping[str, Sequence[tuple[date, int]]]
    # (local wall-clock time, pain 0-10), oldest first.
    pains: Sequence[tuple[datetime, int]]
    session_days: Sequence[date]
    today: date
    streak: int


def progress_history(
    holds: Iterable[tuple[str, datetime, int]],
    targets: Mapping[str, int],
    pains: Iterable[tuple[datetime, int]],
    session_days: Sequence[date],
    tz: tzinfo,
    today: date,
    *,
    frozen_days: Iterable[date] = (),
) -> History:
    """Put stored instants on the person's local calendar.

    `holds` are (exercise, when answered, target then); `targets` today's targets, which
    close each line so a hold changed by the last answer shows. The streak counts
    `session_days` and bridges `frozen_days` (rest and paused days), as bot.domain.streaks
    says.
    """
    lines: dict[str, list[tuple[date, int]]] = {}
    for exercise_id, at, seconds in holds:
        lines.setdefault(exercise_id, []).append((at.astimezone(tz).date(), seconds))
    for exercise_id, seconds in targets.items():
        lines.setdefault(exercise_id, []).append((today, seconds))
    return History(
        holds=lines,
        pains=[(at.astimezone(tz).replace(tzinfo=None), pain) for at, pain in pains],
        session_days=list(session_days),
        today=today,
        streak=compute_streak(session_days, frozen_days, today).current,
    )
