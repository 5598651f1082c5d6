"""What people type for a reminder time or a place, read the way a person would (issue 14).

A bare hour ("7", "half past 6") is not guessed: it asks morning or evening. A city comes from
the offline gazetteer in any language it is known by; a name several far-apart places share
offers them; a fixed offset is accepted and flagged as not following summer time.
"""

from __future__ import annotations

import time as timer
from datetime import time

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.gazetteer import find_places
from bot.domain.time_of_day import AmbiguousHour, format_time_of_day, read_time_of_day
from bot.domain.timezones import ZoneChoices, ZoneFound, find_timezone, resolve_timezone


def _ask(morning: str, evening: str) -> AmbiguousHour:
    return AmbiguousHour(time.fromisoformat(morning), time.fromisoformat(evening))


TYPED_TIMES: list[tuple[str, time | AmbiguousHour | None]] = [
    ("half past 6", _ask("06:30", "18:30")),
    ("half past six", _ask("06:30", "18:30")),
    ("half past 6 pm", time(18, 30)),
    ("half past 6 in the evening", time(18, 30)),
    ("half past 6 in the morning", time(6, 30)),
    ("half past 6 am", time(6, 30)),
    ("6pm", time(18, 0)),
    ("6 pm", time(18, 0)),
    ("6 PM", time(18, 0)),
    ("18h", time(18, 0)),
    ("18h30", time(18, 30)),
    ("quarter to 8", _ask("07:45", "19:45")),
    ("a quarter to 8", _ask("07:45", "19:45")),
    ("quarter to 8 pm", time(19, 45)),
    ("quarter past 7", _ask("07:15", "19:15")),
    ("quarter past 7 in the morning", time(7, 15)),
    ("noon", time(12, 0)),
    ("midday", time(12, 0)),
    ("midnight", time(0, 0)),
    ("7:30", time(7, 30)),
    ("07:30", time(7, 30)),
    ("7.30 pm", time(19, 30)),
    ("19:30", time(19, 30)),
    ("7 in the evening", time(19, 0)),
    ("7 in the morning", time(7, 0)),
    ("7 o'clock", _ask("07:00", "19:00")),
    ("seven pm", time(19, 0)),
    ("7", _ask("07:00", "19:00")),
    ("at 7", _ask("07:00", "19:00")),
    ("07", time(7, 0)),  # a leading zero reads as a 24-hour clock
    ("1", _ask("01:00", "13:00")),
    ("12", time(12, 0)),
    ("half past 12", time(12, 30)),
    ("19", time(19, 0)),
    ("0", time(0, 0)),
    ("7h", time(7, 0)),
    ("half past", None),
    ("quarter to", None),
    ("half past 13", None),
    ("13 in the morning", None),
    ("7 in the evening pm", None),
    ("tomorrow", None),
]


@pytest.mark.parametrize(("text", "expected"), TYPED_TIMES)
def test_typed_times(text: str, expected: time | AmbiguousHour | None) -> None:
    assert read_time_of_day(text) == expected


PLACES: list[tuple[str, ZoneFound | frozenset[str] | None]] = [
    ("Мюнхен", ZoneFound("Europe/Berlin")),
    ("мюнхен", ZoneFound("Europe/Berlin")),
    ("São Paulo", ZoneFound("America/Sao_Paulo")),
    ("sao paulo", ZoneFound("America/Sao_Paulo")),
    ("Leeds", ZoneFound("Europe/London")),
    ("leeds", ZoneFound("Europe/London")),
    ("Lyon", ZoneFound("Europe/Paris")),
    ("Porto", ZoneFound("Europe/Lisbon")),
    ("München", ZoneFound("Europe/Berlin")),
    ("Muenchen", ZoneFound("Europe/Berlin")),
    ("Köln", ZoneFound("Europe/Berlin")),
    ("Koln", ZoneFound("Europe/Berlin")),
    ("Roma", ZoneFound("Europe/Rome")),
    ("Lisboa", ZoneFound("Europe/Lisbon")),
    ("Wien", ZoneFound("Europe/Vienna")),
    ("Москва", ZoneFound("Europe/Moscow")),
    ("Санкт-Петербург", ZoneFound("Europe/Moscow")),
    ("Київ", ZoneFound("Europe/Kyiv")),
    ("東京", ZoneFound("Asia/Tokyo")),
    ("Łódź", ZoneFound("Europe/Warsaw")),
    ("Lodz", ZoneFound("Europe/Warsaw")),
    ("Kraków", ZoneFound("Europe/Warsaw")),
    ("London", ZoneFound("Europe/London")),
    ("Paris", ZoneFound("Europe/Paris")),
    ("Moscow", ZoneFound("Europe/Moscow")),
    ("Perth", ZoneFound("Australia/Perth")),
    ("Boston", ZoneFound("America/New_York")),
    ("Frankfurt", ZoneFound("Europe/Berlin")),
    ("Portland, Oregon", ZoneFound("America/Los_Angeles")),
    ("Portland, Maine", ZoneFound("America/New_York")),
    ("Birmingham, UK", ZoneFound("Europe/London")),
    ("Birmingham, Alabama", ZoneFound("America/Chicago")),
    ("Birmingham, United Kingdom", ZoneFound("Europe/London")),
    ("Berlin", ZoneFound("Europe/Berlin")),
    ("Europe/Berlin", ZoneFound("Europe/Berlin")),
    ("Portland", frozenset({"America/Los_Angeles", "America/New_York"})),
    ("portland", frozenset({"America/Los_Angeles", "America/New_York"})),
    ("Valencia", frozenset({"America/Caracas", "Europe/Madrid"})),
    ("GMT", ZoneFound("Etc/UTC", fixed_offset=True)),
    ("UTC", ZoneFound("Etc/UTC", fixed_offset=True)),
    ("UTC+2", ZoneFound("Etc/GMT-2", fixed_offset=True)),
    ("+02:00", ZoneFound("Etc/GMT-2", fixed_offset=True)),
    ("GMT-5", ZoneFound("Etc/GMT+5", fixed_offset=True)),
    ("UTC+5:30", ZoneFound("Asia/Kolkata")),  # a real zone: it says so itself
    ("Etc/GMT-3", ZoneFound("Etc/GMT-3", fixed_offset=True)),
    ("Atlantis City", None),
    # A country is a zone only when nearly all its people keep one; never a town of that name.
    ("Austria", ZoneFound("Europe/Vienna")),
    ("Colombia", ZoneFound("America/Bogota")),  # not Colombia, a town in Cuba
    ("USA", None),  # not Yokkaichi, whose names include "USA"
    ("Mexico", None),  # several zones; not Mexico in the Philippines
    ("Brazil", None),
    ("Georgia", None),  # the country or the US state
    ("Barcelona", ZoneFound("Europe/Madrid")),  # Barcelona, Venezuela is far smaller
    ("no", None),
    ("yes", None),
    ("ok", None),
    ("help", None),
    ("7", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), PLACES)
def test_typed_places(text: str, expected: ZoneFound | frozenset[str] | None) -> None:
    found = find_timezone(text)
    if isinstance(expected, frozenset):
        assert isinstance(found, ZoneChoices), found
        assert frozenset(place.zone for place in found.places) == expected
        populations = [place.population for place in found.places]
        assert populations == sorted(populations, reverse=True)
    else:
        assert found == expected


def test_at_least_forty_typed_times_and_places() -> None:
    assert len(TYPED_TIMES) >= 40
    assert len(PLACES) >= 40


def test_portland_choices_name_their_state() -> None:
    found = find_timezone("Portland")
    assert isinstance(found, ZoneChoices)
    oregon, maine = found.places
    assert (oregon.name, oregon.region, oregon.country) == ("Portland", "Oregon", "United States")
    assert (maine.region, maine.zone) == ("Maine", "America/New_York")
    assert oregon.population > maine.population


def test_an_ambiguous_name_is_not_resolved_silently() -> None:
    assert resolve_timezone("Portland") is None
    assert resolve_timezone("Мюнхен") == "Europe/Berlin"


def test_clear_names_give_one_place() -> None:
    (leeds,) = find_places("Leeds")
    assert (leeds.country, leeds.zone) == ("United Kingdom", "Europe/London")
    assert find_places("Xyzzyville") == ()


def test_lookups_are_fast_once_loaded() -> None:
    find_places("Leeds")  # loads the gazetteer once
    names = ["Leeds", "Мюнхен", "sao paulo", "Portland", "nowhere at all", "Hamilton"] * 200
    started = timer.perf_counter()
    for name in names:
        find_timezone(name)
    per_lookup = (timer.perf_counter() - started) / len(names)
    assert per_lookup < 0.001


@given(st.builds(time, st.integers(0, 23), st.integers(0, 59)))
def test_format_then_read_round_trips(t: time) -> None:
    assert read_time_of_day(format_time_of_day(t)) == t


@given(hour=st.integers(1, 11), minute=st.sampled_from([0, 15, 30, 45]))
def test_spoken_times_ask_unless_morning_or_evening_is_said(hour: int, minute: int) -> None:
    words = {0: f"{hour} o'clock", 15: f"quarter past {hour}", 30: f"half past {hour}",
             45: f"quarter to {hour + 1}"}[minute]  # fmt: skip
    morning, evening = time(hour, minute), time(hour + 12, minute)
    assert read_time_of_day(words) == AmbiguousHour(morning, evening)
    assert read_time_of_day(f"{words} in the morning") == morning
    assert read_time_of_day(f"{words} pm") == evening


@given(st.text(max_size=40))
def test_reading_never_raises(text: str) -> None:
    result = read_time_of_day(text)
    assert result is None or isinstance(result, time | AmbiguousHour)


@given(st.text(max_size=40))
@example("Port\ud800land")  # a lone surrogate, which JSON can carry
def test_finding_a_zone_never_raises(text: str) -> None:
    found = find_timezone(text)
    assert found is None or isinstance(found, ZoneFound | ZoneChoices)
