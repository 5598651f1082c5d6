"""Parse and format the wall-clock time a user picks for their daily reminder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from bot.domain import time_words
from bot.domain.folding import fold

__all__ = ["AmbiguousHour", "format_time_of_day", "parse_time_of_day", "read_time_of_day"]


@dataclass(frozen=True, slots=True)
class AmbiguousHour:
    """A clock reading without morning or evening ("7", "half past 6"): ask which."""

    morning: time
    evening: time


_WORDS: dict[str, time] = {
    "noon": time(12, 0),
    "midday": time(12, 0),
    "12 noon": time(12, 0),
    "midnight": time(0, 0),
    "12 midnight": time(0, 0),
}

# "in the evening" says pm as well as "pm" does; the phrase ends what was typed.
_PERIOD_WORDS_RE = re.compile(r"\s+in\s+the\s+(?:(?P<morning>morning)|afternoon|evening)$")

_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve"),
        start=1,
    )
}  # fmt: skip
_FACE_HOUR = "(?P<{name}>[0-9]{{1,2}}|" + "|".join(_NUMBER_WORDS) + ")"
_MERIDIEM = r"(?:\s*(?P<meridiem>[ap])\.?\s?m\.?)?"

# One pattern for every numeric form: "7", "7h", "7:30", "7.30", "7h30", "0730", "1930",
# each optionally followed by am/pm ("pm", "p.m.", "p m").  ASCII digits only: NFKC has already
# folded full-width digits, and other scripts' digits are not a form anyone types here.
_TIME_RE = re.compile(
    r"(?:"
    r"(?P<hour>[0-9]{1,2})(?:\s*(?P<separator>[:.]|h)\s*(?P<minute>[0-9]{2})|\s*(?P<h>h))?"
    r"|(?P<compact>[0-9]{3,4})"
    r")" + _MERIDIEM,
    re.ASCII,
)

# Clock readings in words: "half past 6", "a quarter to 8", "20 past 7", "half 7", "7 o'clock",
# "seven pm".  The hour is a clock-face hour, 1 to 12.
_SPOKEN_RE = re.compile(
    "(?:"
    + r"(?:(?:a\s+)?(?P<quarter>quarter)|(?P<half>half)|(?P<minutes>[0-9]{1,2})(?:\s+minutes?)?)"
    + r"\s+(?P<relation>past|after|to|before)\s+"
    + _FACE_HOUR.format(name="hour")
    + r"|half\s+"
    + _FACE_HOUR.format(name="half_hour")
    + "|"
    + _FACE_HOUR.format(name="oclock_hour")
    + r"(?:\s*o['’]?\s?clock)?"
    + ")"
    + _MERIDIEM
)


def _to_24h(hour: int, meridiem: str | None) -> int | None:
    """24-hour value for a 12-hour clock reading, or None when it cannot be one."""
    if meridiem is None:
        return hour if 0 <= hour <= 23 else None
    if not 1 <= hour <= 12:
        return None  # "13 pm" and "0 am" are not 12-hour readings
    return hour % 12 + (12 if meridiem == "p" else 0)


def _hour_value(text: str) -> int:
    return _NUMBER_WORDS[text] if text in _NUMBER_WORDS else int(text)


def _face_reading(hour: int, minute: int, meridiem: str | None) -> time | AmbiguousHour | None:
    """A clock-face hour (1-12) and minute, with or without morning or evening said."""
    if not 1 <= hour <= 12 or not 0 <= minute <= 59:
        return None
    if meridiem is not None:
        hour_24 = _to_24h(hour, meridiem)
        return None if hour_24 is None else time(hour_24, minute)
    if hour == 12:
        return time(12, minute)  # "12" and "half past 12" are about midday, not midnight
    return AmbiguousHour(time(hour, minute), time(hour + 12, minute))


def _spoken(match: re.Match[str], meridiem: str | None) -> time | AmbiguousHour | None:
    """A reading in words: the hour it names, moved by the minutes past or to it."""
    if match["oclock_hour"] is not None:
        return _face_reading(_hour_value(match["oclock_hour"]), 0, meridiem)
    if match["half_hour"] is not None:
        return _face_reading(_hour_value(match["half_hour"]), 30, meridiem)
    hour = _hour_value(match["hour"])
    minutes = 15 if match["quarter"] else 30 if match["half"] else int(match["minutes"])
    if not 1 <= hour <= 12 or not 1 <= minutes <= 59:
        return None
    if match["relation"] in ("to", "before"):
        hour, minutes = (hour - 1) or 12, 60 - minutes
    return _face_reading(hour, minutes, meridiem)


def _numeric(match: re.Match[str], meridiem: str | None) -> time | AmbiguousHour | None:
    """A reading in digits: "7", "7h", "7:30", "1930", with or without am/pm."""
    if match["compact"] is not None:
        digits = match["compact"]
        hour, minute = int(digits[:-2]), int(digits[-2:])
    else:
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
    # "7" alone: morning or evening? ("07", like "7h" or "7:30", reads as a 24-hour clock.)
    bare = match["compact"] is None and match["minute"] is None and match["h"] is None
    if bare and meridiem is None and 1 <= hour <= 12 and not match["hour"].startswith("0"):
        return _face_reading(hour, minute, None)
    hour_24 = _to_24h(hour, meridiem)
    if hour_24 is None or not 0 <= minute <= 59:
        return None
    return time(hour_24, minute)


def read_time_of_day(text: str) -> time | AmbiguousHour | None:
    """What a typed time means: a time, a bare hour to ask about, or None.

    "7:30", "07:30", "19:30", "18h", "18h30", "6pm", "7.30 pm", "7 in the evening", "noon" and
    "midnight" are times; "7", "7 o'clock" and "half past 6" (said without am, pm, morning or
    evening) ask "morning or evening?"; "12" and "half past 12" mean around midday. The same
    in every shipped language (bot.domain.time_words): "в 7 утра", "às 19h30", "a las 7 y
    media" (asks), "halb acht" (7:30, asks), "jam 7 pagi", "pukul 19.30".
    """
    cleaned = " ".join(fold(text).split())
    cleaned = cleaned.removeprefix("at ").rstrip("!?,.")
    cleaned, part = time_words.localise(cleaned)
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    said = part if part in (time_words.MORNING, time_words.EVENING) else None
    if (period := _PERIOD_WORDS_RE.search(cleaned)) is not None:
        if part is not None:
            return None  # two parts of the day: not a form anyone means
        said = "a" if period["morning"] else "p"
        cleaned = cleaned[: period.start()]
    for pattern, reading in ((_TIME_RE, _numeric), (_SPOKEN_RE, _spoken)):
        match = pattern.fullmatch(cleaned)
        if match is None:
            continue
        if match["meridiem"] is not None and part is not None:
            return None  # "7 pm in the evening": said twice, not a form anyone means
        if part in (time_words.NIGHT, time_words.DAY):
            result = _part_of_day(match, reading, part)
        else:
            result = reading(match, match["meridiem"] or said)
        if result is not None:
            return result
    return None


def _part_of_day(match: re.Match[str], reading, part: str) -> time | None:
    """A clock reading said at night ("2 ночи", "10 de la noche") or by day ("в 2 дня")."""
    morning = reading(match, "a")
    if not isinstance(morning, time):
        clock = reading(match, None)  # "22:00 de la noche": a 24-hour reading says it all
        return clock if isinstance(clock, time) else None
    face = morning.hour or 12
    evening = 6 <= face <= 11 if part == time_words.NIGHT else face <= 9
    if face == 12:
        return morning if part == time_words.NIGHT else morning.replace(hour=12)
    return morning.replace(hour=morning.hour + 12) if evening else morning


def parse_time_of_day(text: str) -> time | None:
    """Naive time for what a user typed ("7:30", "7.30 pm", "19h30", "noon"), or None.

    A bare hour ("7") is None here: read_time_of_day says it needs asking about.
    """
    result = read_time_of_day(text)
    return result if isinstance(result, time) else None


def format_time_of_day(t: time) -> str:
    """Zero-padded 24-hour 'HH:MM', the form the bot shows and parse_time_of_day accepts."""
    return f"{t.hour:02d}:{t.minute:02d}"
