"""Unit tests for bot.domain.timezones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import timezones
from bot.domain.timezones import (
    describe_timezone,
    resolve_timezone,
    timezone_for_location,
    zone,
)

ALL_ZONES = frozenset(available_timezones())
JANUARY = datetime(2026, 1, 15, 12, tzinfo=UTC)
JULY = datetime(2026, 7, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("EUROPE/BERLIN", "Europe/Berlin"),
        ("America/New_York", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("America / New York", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Etc/GMT-2", "Etc/GMT-2"),
        ("US/Eastern", "US/Eastern"),
    ],
)
def test_iana_names_in_any_case(text: str, expected: str) -> None:
    assert resolve_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("  Berlin!  ", "Europe/Berlin"),
        ("(Berlin)", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("NEW YORK.", "America/New_York"),
        ("sao paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Ho Chi Minh", "Asia/Ho_Chi_Minh"),
        ("ho_chi_minh", "Asia/Ho_Chi_Minh"),
        ("Zürich", "Europe/Zurich"),
        ("St. John's", "America/St_Johns"),
        ("port au prince", "America/Port-au-Prince"),
        ("Tokyo", "Asia/Tokyo"),
        ("Sydney", "Australia/Sydney"),
        ("Melbourne", "Australia/Melbourne"),
        ("Auckland", "Pacific/Auckland"),
        ("Rome", "Europe/Rome"),
        ("Dublin", "Europe/Dublin"),
        ("Toronto", "America/Toronto"),
        ("Vancouver", "America/Vancouver"),
        ("Seoul", "Asia/Seoul"),
        ("Dubai", "Asia/Dubai"),
        ("Kyiv", "Europe/Kyiv"),
        ("Honolulu", "Pacific/Honolulu"),
        # Canonical zones win over backward-compatible links with the same last part.
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("Indianapolis", "America/Indiana/Indianapolis"),
        ("Istanbul", "Europe/Istanbul"),
    ],
)
def test_city_names(text: str, expected: str) -> None:
    assert resolve_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("San Francisco", "America/Los_Angeles"),
        ("Seattle", "America/Los_Angeles"),
        ("Boston", "America/New_York"),
        ("Washington", "America/New_York"),
        ("Washington, D.C.", "America/New_York"),
        ("Miami", "America/New_York"),
        ("Beijing", "Asia/Shanghai"),
        ("Mumbai", "Asia/Kolkata"),
        ("Delhi", "Asia/Kolkata"),
        ("Bangalore", "Asia/Kolkata"),
        ("Wellington", "Pacific/Auckland"),
        ("Milan", "Europe/Rome"),
        ("Munich", "Europe/Berlin"),
        ("Hamburg", "Europe/Berlin"),
        ("Barcelona", "Europe/Madrid"),
        ("Manchester", "Europe/London"),
        ("Edinburgh", "Europe/London"),
        ("Montreal", "America/Toronto"),
        ("Osaka", "Asia/Tokyo"),
        ("Kyoto", "Asia/Tokyo"),
        ("St Petersburg", "Europe/Moscow"),
        ("St. Petersburg", "Europe/Moscow"),
        ("Saint-Petersburg", "Europe/Moscow"),
        ("Kiev", "Europe/Kyiv"),
        ("Tel Aviv", "Asia/Jerusalem"),
        ("Tel-Aviv", "Asia/Jerusalem"),
        ("Cape Town", "Africa/Johannesburg"),
        ("Rio", "America/Sao_Paulo"),
        ("UK", "Europe/London"),
        ("Germany", "Europe/Berlin"),
        ("France", "Europe/Paris"),
        ("Spain", "Europe/Madrid"),
        ("Italy", "Europe/Rome"),
        ("Japan", "Asia/Tokyo"),
        ("India", "Asia/Kolkata"),
        ("China", "Asia/Shanghai"),
        ("Ukraine", "Europe/Kyiv"),
        ("Poland", "Europe/Warsaw"),
        ("Netherlands", "Europe/Amsterdam"),
    ],
)
def test_aliases(text: str, expected: str | None) -> None:
    assert resolve_timezone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UTC", "Etc/UTC"),
        ("utc", "Etc/UTC"),
        ("GMT", "Etc/UTC"),
        ("UTC+0", "Etc/UTC"),
        ("UTC+2", "Etc/GMT-2"),
        ("utc -5", "Etc/GMT+5"),
        ("UTC−5", "Etc/GMT+5"),  # typographic minus sign
        ("+3", "Etc/GMT-3"),
        ("-3", "Etc/GMT+3"),
        ("UTC+13", "Etc/GMT-13"),
        ("UTC+14", "Etc/GMT-14"),
        ("UTC-10", "Etc/GMT+10"),
        ("UTC-12", "Etc/GMT+12"),
        ("GMT+05:00", "Etc/GMT-5"),
        ("GMT+05:30", "Asia/Kolkata"),
        ("+0530", "Asia/Kolkata"),
        ("UTC+5.30", "Asia/Kolkata"),
        ("UTC+5:45", "Asia/Kathmandu"),
        ("UTC+3:30", "Asia/Tehran"),
        ("UTC+4:30", "Asia/Kabul"),
        ("UTC+6:30", "Asia/Yangon"),
        ("UTC+8:45", "Australia/Eucla"),
        ("UTC+9:30", "Australia/Darwin"),
        ("UTC+10:30", "Australia/Lord_Howe"),
        ("UTC+12:45", "Pacific/Chatham"),
        ("UTC-3:30", "America/St_Johns"),
        ("UTC-9:30", "Pacific/Marquesas"),
    ],
)
def test_offsets(text: str, expected: str) -> None:
    assert resolve_timezone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "UTC+15",
        "UTC-13",
        "+15",
        "UTC+2:15",
        "UTC+5:60",
        "UTC+5:75",
        "3",
        "7",
        "UTC 3",
        "utc++2",
        "Atlantisville",
        "Europe/Atlantis",
        "foo/bar",
        "Factory",
        "localtime",
        "Berlin Germany",
        "x" * 500,
        "🙂",
    ],
)
def test_rejected(text: str) -> None:
    assert resolve_timezone(text) is None


@given(st.text())
def test_resolve_never_raises_and_returns_valid_names(text: str) -> None:
    result = resolve_timezone(text)
    assert result is None or result in ALL_ZONES


@given(st.from_regex(r"\A(?:UTC|GMT|utc|gmt)? ?[+\-−]? ?[0-9]{0,2}(?:[:.][0-9]{1,2})?\Z"))
def test_offset_like_text_never_raises(text: str) -> None:
    result = resolve_timezone(text)
    assert result is None or result in ALL_ZONES


@given(
    hours=st.integers(min_value=-12, max_value=14),
    prefix=st.sampled_from(["UTC", "GMT", "utc ", ""]),
    when=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)),
)
def test_whole_offsets_round_trip(hours: int, prefix: str, when: datetime) -> None:
    name = resolve_timezone(f"{prefix}{hours:+d}")
    assert name is not None
    assert when.replace(tzinfo=ZoneInfo(name)).utcoffset() == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("hours", "minutes"),
    [(-9, 30), (-3, 30), (3, 30), (4, 30), (5, 30), (5, 45), (6, 30), (8, 45), (9, 30), (10, 30),
     (12, 45)],
)  # fmt: skip
def test_fractional_offsets_map_to_zone_with_that_standard_offset(hours: int, minutes: int) -> None:
    sign = "-" if hours < 0 else "+"
    name = resolve_timezone(f"UTC{sign}{abs(hours)}:{minutes:02d}")
    assert name is not None
    expected = timedelta(hours=hours, minutes=minutes if hours >= 0 else -minutes)
    # DST only ever adds time, so the smaller of winter and summer is the standard offset.
    offsets = [moment.astimezone(ZoneInfo(name)).utcoffset() for moment in (JANUARY, JULY)]
    assert min(o for o in offsets if o is not None) == expected


def test_zone_loads_known_names() -> None:
    assert zone("Europe/Berlin") == ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("name", ["Europe/Atlantis", "", "../etc/passwd", "berlin", "Factory"])
def test_zone_rejects_unknown_names(name: str) -> None:
    with pytest.raises(ValueError, match="Unknown time zone"):
        zone(name)


@pytest.mark.parametrize(
    ("name", "now", "expected"),
    [
        ("Europe/Berlin", JANUARY, "Europe/Berlin (UTC+01:00)"),
        ("Europe/Berlin", JULY, "Europe/Berlin (UTC+02:00)"),
        ("America/New_York", JANUARY, "America/New_York (UTC-05:00)"),
        ("Asia/Kolkata", JANUARY, "Asia/Kolkata (UTC+05:30)"),
        ("America/St_Johns", JANUARY, "America/St_Johns (UTC-03:30)"),
        ("Etc/GMT-2", JANUARY, "UTC+02:00"),
        ("Etc/GMT+5", JULY, "UTC-05:00"),
        ("Etc/UTC", JANUARY, "UTC+00:00"),
        ("UTC", JANUARY, "UTC+00:00"),
        ("Europe/Berlin", datetime(2026, 7, 15, 12), "Europe/Berlin (UTC+02:00)"),  # naive = UTC
    ],
)
def test_describe_timezone(name: str, now: datetime, expected: str) -> None:
    assert describe_timezone(name, now) == expected


def test_describe_timezone_rejects_unknown_zone() -> None:
    with pytest.raises(ValueError, match="Unknown time zone"):
        describe_timezone("Mars/Olympus_Mons", JANUARY)


@pytest.mark.parametrize(
    ("latitude", "longitude", "expected"),
    [
        (52.52, 13.405, "Europe/Berlin"),
        (-36.8485, 174.7633, "Pacific/Auckland"),
        (21.3069, -157.8583, "Pacific/Honolulu"),
        (40.7128, -74.006, "America/New_York"),
    ],
)
def test_timezone_for_location_on_land(latitude: float, longitude: float, expected: str) -> None:
    assert timezone_for_location(latitude, longitude) == expected


def test_timezone_for_location_mid_atlantic_is_an_etc_zone() -> None:
    name = timezone_for_location(30.0, -40.0)
    assert name is not None
    assert name.startswith("Etc/")
    assert JANUARY.astimezone(ZoneInfo(name)).utcoffset() == timedelta(hours=-3)


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(90.1, 0.0), (-91.0, 0.0), (0.0, 180.5), (0.0, -181.0), (float("nan"), 0.0),
     (0.0, float("inf"))],
)  # fmt: skip
def test_timezone_for_location_rejects_invalid_coordinates(
    latitude: float, longitude: float
) -> None:
    assert timezone_for_location(latitude, longitude) is None


class _NoZoneFinder:
    """Stands in for TimezoneFinder where it knows no zone (open sea, missing data)."""

    def timezone_at(self, *, lng: float, lat: float) -> str | None:
        return None


@pytest.mark.parametrize(
    ("longitude", "expected"),
    [
        (0.0, "Etc/UTC"),
        (7.4, "Etc/UTC"),
        (7.6, "Etc/GMT-1"),
        (-40.0, "Etc/GMT+3"),
        (-172.0, "Etc/GMT+11"),
        (179.9, "Etc/GMT-12"),
        (-180.0, "Etc/GMT+12"),
        (180.0, "Etc/GMT-12"),
    ],
)
def test_timezone_for_location_falls_back_to_nautical_zone(
    monkeypatch: pytest.MonkeyPatch, longitude: float, expected: str
) -> None:
    monkeypatch.setattr(timezones, "_finder", _NoZoneFinder)
    assert timezone_for_location(10.0, longitude) == expected


@given(
    latitude=st.floats(min_value=-90, max_value=90),
    longitude=st.floats(min_value=-180, max_value=180),
)
def test_timezone_for_location_always_returns_a_valid_zone(
    latitude: float, longitude: float
) -> None:
    assert timezone_for_location(latitude, longitude) in ALL_ZONES
