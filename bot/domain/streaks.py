"""Daily streaks counted in the user's own calendar days.

The rule: a day with at least one exercise done (guided or reported) counts. A day the coach
told the person to rest (pain above 5, a worse morning, an urgent red flag until a doctor has
checked them) and a paused day are frozen: they neither count nor break the streak. Any other
day without an exercise breaks it, except today, which may still be ahead.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

_ONE_DAY = timedelta(days=1)


class Frozen(StrEnum):
    """Why a day neither counts nor breaks the streak."""

    PAIN = "pain"  # pain above 5 reported: the coach said rest
    WORSE = "worse"  # the morning check said worse: a gentle day or rest
    RED_FLAG = "red_flag"  # urgent signs, until a doctor has checked them
    PAUSED = "paused"  # /pause until /resume


# Pain above this (in a session or a report) means rest today: the day is frozen.
REST_ABOVE_PAIN = 5


def told_to_rest(pain: int) -> bool:
    """Whether this pain score is one the coach answers with rest (6-10)."""
    return pain > REST_ABOVE_PAIN


def local_day(instant_utc: datetime, zone_name: str) -> date:
    """The user's calendar day at this aware instant in the IANA zone `zone_name`."""
    if instant_utc.tzinfo is None or instant_utc.utcoffset() is None:
        # A naive time would silently be read as the server's local time.
        raise ValueError("instant_utc must be timezone-aware")
    return instant_utc.astimezone(ZoneInfo(zone_name)).date()


def days_through(first: date | None, last: date) -> list[date]:
    """Every day from `first` to `last`, both included; none without `first`.

    An ongoing pause or red-flag hold freezes each day from the one it began on to today.
    """
    if first is None or first > last:
        return []
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@dataclass(frozen=True, slots=True)
class Streak:
    """Counted days in a row: the run still alive, the longest ever, and its rest days.

    `rested` is how many frozen days the current run bridged (today included when it is one).
    """

    current: int
    best: int
    rested: int = 0


def days_exercised(counted_days: Iterable[date], today: date) -> int:
    """How many local days have counted, up to `today`: what /stats shows beside the streak,
    by the same rule, so it is never fewer than a run of them."""
    return len({day for day in counted_days if day <= today})


def compute_streak(
    counted_days: Iterable[date], frozen_days: Iterable[date], today: date
) -> Streak:
    """Streak from the local days that count and the frozen ones; duplicates are fine.

    A day both counted and frozen counts. Two counted days belong to one run when every day
    between them is frozen. The current run is alive when every day between its last counted
    day and today is frozen (today's session may still be ahead). Days after `today` are
    ignored: they come from clock or time-zone changes, not training.
    """
    counted = sorted({d for d in counted_days if d <= today})
    frozen = sorted({d for d in frozen_days if d <= today}.difference(counted))

    def all_frozen_between(start: date, end: date) -> bool:
        """Every day strictly between `start` and `end` is frozen."""
        inside = bisect_left(frozen, end) - bisect_right(frozen, start)
        return inside == (end - start).days - 1

    best = 0
    run = 0
    run_start: date | None = None
    previous: date | None = None
    for day in counted:
        if previous is not None and all_frozen_between(previous, day):
            run += 1
        else:
            run, run_start = 1, day
        best = max(best, run)
        previous = day
    if previous is None or run_start is None:
        return Streak(current=0, best=0)
    if previous != today and not all_frozen_between(previous, today):
        return Streak(current=0, best=best)
    rested = bisect_right(frozen, today) - bisect_right(frozen, run_start)
    return Streak(current=run, best=best, rested=rested)
