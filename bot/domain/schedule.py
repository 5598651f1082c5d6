"""When a daily reminder is next due: local wall-clock time to a UTC instant, DST-correct."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.timezones import zone


def _instant(day: date, at: time, zone_name: str) -> datetime:
    """The UTC instant of `at` on `day` in the zone.

    A time skipped by a DST change (02:30 on a spring-forward day) moves forward by the gap,
    to the next valid minute; a time that happens twice (autumn) is taken the first time only.
    """
    tz = zone(zone_name)
    local = datetime.combine(day, at, tzinfo=tz)  # fold=0: the first of two, if ambiguous
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        # Not a real local time: the round trip landed elsewhere. Walk minute by minute to
        # the first one that exists (gaps are at most a few hours).
        probe = local.replace(tzinfo=None)
        while True:
            probe += timedelta(minutes=1)
            candidate = probe.replace(tzinfo=tz).astimezone(UTC)
            if candidate.astimezone(tz).replace(tzinfo=None) == probe:
                return candidate
    return instant


def next_reminder_at(at: time, zone_name: str, after: datetime) -> datetime:
    """The first instant strictly after `after` when the reminder at local `at` is due."""
    if after.tzinfo is None:
        raise ValueError("`after` must be an aware datetime")
    local_day = after.astimezone(zone(zone_name)).date()
    for offset in range(0, 3):
        candidate = _instant(local_day + timedelta(days=offset), at, zone_name)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a local day always has the time or a later minute")


def reminder_day(instant: datetime, zone_name: str) -> date:
    """The person's local day a reminder at this instant belongs to."""
    return instant.astimezone(zone(zone_name)).date()


def first_open_reminder(
    at: time, zone_name: str, due: datetime, settled: Collection[date]
) -> datetime:
    """The first reminder instant from `due` whose local day is not settled already.

    A day is settled once its reminder was sent (or missed, or skipped) or its routine is
    done: no second reminder comes that day. The reminder job claims by this rule, and every
    "next reminder" the bot states uses it, so what is said is what happens.
    """
    for _ in range(len(settled) + 1):
        if reminder_day(due, zone_name) not in settled:
            return due
        due = next_reminder_at(at, zone_name, due)
    return due


class DayPart(StrEnum):
    """The part of the person's day a message is sent in, for a greeting that fits it."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    NIGHT = "night"


def day_part(local: time) -> DayPart:
    """Morning 05-11, afternoon 12-17, evening 18-22, night otherwise (local wall clock)."""
    if 5 <= local.hour < 12:
        return DayPart.MORNING
    if 12 <= local.hour < 18:
        return DayPart.AFTERNOON
    if 18 <= local.hour < 23:
        return DayPart.EVENING
    return DayPart.NIGHT
