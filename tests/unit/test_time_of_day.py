"""Unit tests for bot.domain.time_of_day."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.time_of_day import format_time_of_day, parse_time_of_day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        ("7.30", time(7, 30)),
        ("7.30 am", time(7, 30)),
        ("7:30am", time(7, 30)),
        ("7:30 AM", time(7, 30)),
        ("7:30pm", time(19, 30)),
        ("7:30 p.m.", time(19, 30)),
        ("7 pm", time(19, 0)),
        ("7pm", time(19, 0)),
        ("7 p m", time(19, 0)),
        ("19:30", time(19, 30)),
        ("1930", time(19, 30)),
        ("0730", time(7, 30)),
        ("730", time(7, 30)),
        ("730pm", time(19, 30)),
        ("7h30", time(7, 30)),
        ("19H30", time(19, 30)),
        ("7h", time(7, 0)),
        ("19", time(19, 0)),
        ("0:05", time(0, 5)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("12 am", time(0, 0)),
        ("12:15 a.m.", time(0, 15)),
        ("12 pm", time(12, 0)),
        ("12:45pm", time(12, 45)),
        ("1 am", time(1, 0)),
        ("noon", time(12, 0)),
        ("Noon", time(12, 0)),
        ("12 noon", time(12, 0)),
        ("midday", time(12, 0)),
        ("midnight", time(0, 0)),
        ("  at 7pm  ", time(19, 0)),
        ("at 7:30", time(7, 30)),
        ("１９：３０", time(19, 30)),  # full-width keyboard
    ],
)
def test_accepted_forms(text: str, expected: time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "25:00",
        "24:00",
        "7:60",
        "7:5",
        "7:300",
        "13 pm",
        "19:30 pm",
        "0 am",
        "00:30 am",
        "12345",
        "99",
        "hello",
        "tomorrow morning",
        "7:30 xm",
        "7::30",
        "-7:30",
        "7:30:00",
        "at",
        "noonish",
        "7",  # a bare hour asks morning or evening (read_time_of_day); never a silent guess
        "half past 6",
        "٧:٣٠",  # other scripts' digits are not a form anyone types here
    ],
)
def test_rejected_forms(text: str) -> None:
    assert parse_time_of_day(text) is None


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (time(7, 30), "07:30"),
        (time(0, 0), "00:00"),
        (time(23, 5), "23:05"),
        (time(9, 7, 59), "09:07"),
    ],
)
def test_format_time_of_day(t: time, expected: str) -> None:
    assert format_time_of_day(t) == expected


@given(st.text())
def test_parse_never_raises(text: str) -> None:
    result = parse_time_of_day(text)
    assert result is None or (result.second == 0 and result.tzinfo is None)


@given(st.from_regex(r"\A[0-9 :.hH]{0,8}(?:[aApP]\.? ?[mM]\.?)?\Z"))
def test_parse_never_raises_on_time_like_text(text: str) -> None:
    result = parse_time_of_day(text)
    assert result is None or 0 <= result.hour <= 23


@given(st.builds(time, st.integers(0, 23), st.integers(0, 59)))
def test_format_then_parse_round_trips(t: time) -> None:
    assert parse_time_of_day(format_time_of_day(t)) == t


@given(
    hour=st.integers(1, 12),
    minute=st.integers(0, 59),
    meridiem=st.sampled_from(["am", "pm", "AM", "p.m.", " a.m.", " pm"]),
)
def test_twelve_hour_clock_matches_24_hour(hour: int, minute: int, meridiem: str) -> None:
    expected = time(hour % 12 + (12 if meridiem.strip().lower().startswith("p") else 0), minute)
    assert parse_time_of_day(f"{hour}:{minute:02d}{meridiem}") == expected
