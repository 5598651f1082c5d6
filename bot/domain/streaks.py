"""Daily streaks counted in the user's own calendar days."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

_ONE_DAY = timedelta(days=1)


def local_day(instant_utc: datetime, zone_name: str) -> date:
    """The user's calendar day at this aware instant in the IANA zone `zone_name`."""
    if instant_utc.tzinfo is None or instant_utc.utcoffset() is None:
        # A naive time would silently be read as the server's local time.
        raise ValueError("instant_utc must be timezone-aware")
    return instant_utc.astimezone(ZoneInfo(zone_name)).date()


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive active days: the run still alive, and the longest ever."""

    current: int
    best: int


def compute_streak(days: Iterable[date], today: date) -> Streak:
    """Streak from the local days with a finished session; duplicates are fine.

    The current run may end today or yesterday (today's session may still be ahead).
    Days after `today` are ignored: they come from clock or timezone changes, not training.
    """
    unique = sorted({d for d in days if d <= today})
    best = 0
    run = 0
    previous: date | None = None
    for day in unique:
        run = run + 1 if previous is not None and day - previous == _ONE_DAY else 1
        best = max(best, run)
        previous = day
    # `run` is the run ending at the latest day; it is alive only if that day is recent.
    current = run if previous is not None and today - previous <= _ONE_DAY else 0
    return Streak(current=current, best=best)
