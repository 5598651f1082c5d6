"""Reminder instants across DST changes, north and south, and their invariants."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.schedule import day_part, next_reminder_at, reminder_day
from bot.domain.timezones import zone


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_ordinary_day_today_or_tomorrow() -> None:
    # Berlin is UTC+1 in November: 07:30 local is 06:30 UTC.
    assert next_reminder_at(time(7, 30), "Europe/Berlin", utc(2026, 11, 27, 5)) == utc(
        2026, 11, 27, 6, 30
    )
    assert next_reminder_at(time(7, 30), "Europe/Berlin", utc(2026, 11, 27, 6, 30)) == utc(
        2026, 11, 28, 6, 30
    )


def test_berlin_spring_forward_skipped_time_moves_to_next_valid_minute() -> None:
    # 29 March 2026: clocks jump from 02:00 to 03:00 in Berlin; 02:30 does not exist.
    due = next_reminder_at(time(2, 30), "Europe/Berlin", utc(2026, 3, 28, 12))
    assert due == utc(2026, 3, 29, 1, 0)  # 03:00 CEST, the first minute after the gap
    assert due.astimezone(zone("Europe/Berlin")).strftime("%H:%M") == "03:00"


def test_berlin_autumn_ambiguous_time_fires_once() -> None:
    # 25 October 2026: 02:30 happens twice in Berlin. The reminder comes the first time only.
    first = next_reminder_at(time(2, 30), "Europe/Berlin", utc(2026, 10, 24, 12))
    assert first == utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    following = next_reminder_at(time(2, 30), "Europe/Berlin", first)
    assert following == utc(2026, 10, 26, 1, 30)  # the next day, not 02:30 CET an hour later


def test_sydney_spring_forward_and_autumn() -> None:
    # 4 October 2026: Sydney jumps from 02:00 to 03:00 (southern spring).
    assert next_reminder_at(time(2, 15), "Australia/Sydney", utc(2026, 10, 3, 10)) == utc(
        2026, 10, 3, 16, 0
    )
    # 5 April 2026: 02:30 happens twice in Sydney (southern autumn); first one only.
    first = next_reminder_at(time(2, 30), "Australia/Sydney", utc(2026, 4, 4, 10))
    assert first == utc(2026, 4, 4, 15, 30)  # 02:30 AEDT (UTC+11)
    assert next_reminder_at(time(2, 30), "Australia/Sydney", first) == utc(2026, 4, 5, 16, 30)


def test_everyday_time_keeps_local_clock_across_dst() -> None:
    before = next_reminder_at(time(7, 0), "Europe/Berlin", utc(2026, 3, 27, 12))
    after = next_reminder_at(time(7, 0), "Europe/Berlin", before)
    assert (before.hour, after.hour) == (6, 5)  # 07:00 CET, then 07:00 CEST
    assert after - before == timedelta(hours=23)


ZONES = [
    "Europe/Berlin",
    "Australia/Sydney",
    "America/New_York",
    "Pacific/Apia",
    "Pacific/Honolulu",
    "Asia/Kathmandu",
    "Etc/GMT-13",
    "America/St_Johns",
]


@given(
    at=st.times().map(lambda t: t.replace(second=0, microsecond=0, tzinfo=None)),
    zone_name=st.sampled_from(ZONES),
    after=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
)
def test_next_reminder_invariants(at: time, zone_name: str, after: datetime) -> None:
    due = next_reminder_at(at, zone_name, after)
    assert after < due <= after + timedelta(hours=27)
    local = due.astimezone(zone(zone_name))
    # Either exactly the requested clock time, or the first minute after a DST gap.
    shown = local.time().replace(tzinfo=None)
    assert (
        shown == at
        or (local - timedelta(minutes=1)).utcoffset() != local.utcoffset()
        or (
            (due - timedelta(minutes=1)).astimezone(zone(zone_name)).utcoffset()
            != local.utcoffset()
        )
    )
    # Never twice a day: the next one falls on a later local day.
    following = next_reminder_at(at, zone_name, due)
    assert reminder_day(following, zone_name) > reminder_day(due, zone_name)


@pytest.mark.parametrize(
    ("hour", "part"),
    [(5, "morning"), (11, "morning"), (12, "afternoon"), (17, "afternoon"), (18, "evening"),
     (22, "evening"), (23, "night"), (0, "night"), (4, "night")],
)  # fmt: skip
def test_day_part_follows_the_local_hour(hour: int, part: str) -> None:
    assert day_part(time(hour, 30)) == part
