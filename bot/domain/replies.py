"""What a typed reply means: done, hurts (with a score), skip or stop, or a question."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
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


# Words that say something hurt; with one number beside them, the number is the pain score.
_HURT_WORDS = re.compile(
    r"\b(?:hurts?|hurting|hurted|ouch|ow+|pain|painful|sore|aches?|aching|achy|twinge)\b"
)
_SCORE = re.compile(r"(?<![\d.,])(\d{1,2})(?:\s*/\s*10|\s+out of\s+10)?(?![\d.,]\d)")


def parse_pain(text: str) -> int | None:
    """A 0-10 pain score: "6", "6/10", "pain 6", or one number beside a word for hurting
    ("ouch 6", "hurts 7/10", "it hurt a bit, maybe 3"); None otherwise."""
    normalised = _normalise(text)
    match = re.fullmatch(r"(?:pain\s*)?(\d{1,2})(?:\s*/\s*10)?", normalised)
    if match is None and _HURT_WORDS.search(normalised):
        scores = _SCORE.findall(normalised)
        value = int(scores[0]) if len(scores) == 1 else None
    else:
        value = int(match.group(1)) if match else None
    return value if value is not None and 0 <= value <= 10 else None


@dataclass(frozen=True, slots=True)
class TypedAnswer:
    """What a typed answer to "How did it go?" means; `pain` only with a score given."""

    reply: Reply
    pain: int | None = None


def parse_answer(text: str) -> TypedAnswer | None:
    """An answer to "How did it go?": done, hurts (with a score where one is typed), skip,
    stop. A bare number is a pain score: "6" means it hurt, 6 out of 10."""
    reply = parse_reply(text)
    if reply is not None:
        return TypedAnswer(reply)
    pain = parse_pain(text)
    if pain is not None:
        return TypedAnswer(Reply.HURTS, pain)
    if _HURT_WORDS.search(_normalise(text)):
        return TypedAnswer(Reply.HURTS)
    return None


_QUESTION_WORDS = frozenset(
    [
        "is",
        "are",
        "am",
        "can",
        "could",
        "should",
        "would",
        "what",
        "whats",
        "why",
        "how",
        "when",
        "where",
        "will",
        "do",
        "does",
        "did",
        "may",
        "which",
        "who",
    ]
)


def is_question(text: str) -> bool:
    """Whether the person is asking something ("is it normal that...?", anything with "?")."""
    stripped = unicodedata.normalize("NFKC", text).strip()
    if stripped.endswith(("?", "？", "¿")) or stripped.startswith("¿"):
        return True
    words = _normalise(text).replace("'", "").split()
    if len(words) < 3 or words[0] not in _QUESTION_WORDS:
        return False
    # "What a lovely morning", "how nice it is": exclamations, not questions.
    return not (words[0] in ("what", "how") and words[1] in ("a", "an", "nice", "lovely"))
