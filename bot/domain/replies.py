"""What a typed reply during a session means: done, hurts, skip or stop."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Reply(StrEnum):
    """An answer a person can type instead of pressing a button."""

    DONE = "done"
    HURTS = "hurts"
    SKIP = "skip"
    STOP = "stop"


# Whole-message phrases only: "done" inside a longer sentence is not an answer.
_PHRASES: dict[Reply, tuple[str, ...]] = {
    Reply.DONE: (
        "done",
        "did it",
        "i did it",
        "finished",
        "ok",
        "okay",
        "yes",
        "yep",
        "good",
        "fine",
        "completed",
        "all done",
        "\N{THUMBS UP SIGN}",
        "\N{WHITE HEAVY CHECK MARK}",
    ),
    Reply.HURTS: (
        "hurts",
        "it hurts",
        "hurt",
        "ouch",
        "ow",
        "pain",
        "painful",
        "sore",
        "that hurt",
        "it hurt",
        "too painful",
    ),
    Reply.SKIP: ("skip", "next", "skip it", "pass", "later"),
    Reply.STOP: ("stop", "quit", "end", "cancel", "stop session", "enough", "/stop"),
}
_LOOKUP = {phrase: reply for reply, phrases in _PHRASES.items() for phrase in phrases}


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    # Skin-tone modifiers and variation selectors turn 👍🏽 into 👍.
    text = re.sub("[\U0001f3fb-\U0001f3ff\ufe0f]", "", text)
    text = re.sub(r"[\s]+", " ", text)
    return text.strip(" .!?,;:)(\"'")


def parse_reply(text: str) -> Reply | None:
    """The answer a message means, in any case and with punctuation; None otherwise."""
    return _LOOKUP.get(_normalise(text))


def parse_pain(text: str) -> int | None:
    """A 0-10 pain score typed as a number ("6", "6/10", "pain 6"), or None."""
    match = re.fullmatch(r"(?:pain\s*)?(\d{1,2})(?:\s*/\s*10)?", _normalise(text))
    if match is None:
        return None
    value = int(match.group(1))
    return value if 0 <= value <= 10 else None
