"""Parse and format the wall-clock time a user picks for their daily reminder."""

from __future__ import annotations

import re
import unicodedata
from datetime import time

__all__ = ["format_time_of_day", "parse_time_of_day"]

_WORDS: dict[str, time] = {
    "noon": time(12, 0),
    "midday": time(12, 0),
    "12 noon": time(12, 0),
    "midnight": time(0, 0),
    "12 midnight": time(0, 0),
}

# One pattern for every numeric form: "7", "7h", "7:30", "7.30", "7h30", "0730", "1930",
# each optionally followed by am/pm ("pm", "p.m.", "p m").  ASCII digits only: NFKC has already
# folded full-width digits, and other scripts' digits are not a form anyone types here.
_TIME_RE = re.compile(
    r"(?:at\s+)?"
    r"(?:"
    r"(?P<hour>[0-9]{1,2})(?:\s*(?:[:.]|h)\s*(?P<minute>[0-9]{2})|\s*h)?"
    r"|(?P<compact>[0-9]{3,4})"
    r")"
    r"\s*(?:(?P<meridiem>[ap])\.?\s?m\.?)?",
    re.ASCII,
)


def _to_24h(hour: int, meridiem: str | None) -> int | None:
    """24-hour value for a 12-hour clock reading, or None when it cannot be one."""
    if meridiem is None:
        return hour if 0 <= hour <= 23 else None
    if not 1 <= hour <= 12:
        return None  # "13 pm" and "0 am" are not 12-hour readings
    return hour % 12 + (12 if meridiem == "p" else 0)


def parse_time_of_day(text: str) -> time | None:
    """Naive time for what a user typed ("7:30", "7.30 pm", "19h30", "noon"), or None."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    match = _TIME_RE.fullmatch(cleaned)
    if match is None:
        return None
    if match["compact"] is not None:
        digits = match["compact"]
        hour, minute = int(digits[:-2]), int(digits[-2:])
    else:
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
    hour_24 = _to_24h(hour, match["meridiem"])
    if hour_24 is None or not 0 <= minute <= 59:
        return None
    return time(hour_24, minute)


def format_time_of_day(t: time) -> str:
    """Zero-padded 24-hour 'HH:MM', the form the bot shows and parse_time_of_day accepts."""
    return f"{t.hour:02d}:{t.minute:02d}"
