"""What a typed reply means: done, hurts (with a score), skip or stop, or a question.

Every shipped language is understood at once, whatever the person's setting: the words are in
bot.domain.reply_words, folded (bot.domain.folding) so accents and "ё" are optional.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.domain import reply_words as words
from bot.domain.folding import fold


class Reply(StrEnum):
    """An answer a person can type instead of pressing a button."""

    DONE = "done"
    HURTS = "hurts"
    SKIP = "skip"
    STOP = "stop"


def _alternatives(table: dict[str, str], separator: str = "|") -> list[str]:
    """Every entry of a per-language table, folded like typed text."""
    return [fold(entry) for entries in table.values() for entry in entries.split(separator)]


# Whole-message phrases only: "done" inside a longer sentence is not an answer.
_PHRASES: dict[Reply, list[str]] = {
    Reply.DONE: [
        *_alternatives(words.DONE),
        "\N{THUMBS UP SIGN}",
        "\N{WHITE HEAVY CHECK MARK}",
        "\N{OK HAND SIGN}",
    ],
    Reply.HURTS: _alternatives(words.HURTS),
    Reply.SKIP: _alternatives(words.SKIP),
    Reply.STOP: _alternatives(words.STOP),
}


def _lookup() -> dict[str, Reply]:
    """Phrase -> answer; a phrase meaning two answers (in two languages) is a mistake."""
    lookup: dict[str, Reply] = {}
    for reply, phrases in _PHRASES.items():
        for phrase in phrases:
            if lookup.setdefault(phrase, reply) is not reply:
                raise ValueError(f"{phrase!r} means both {lookup[phrase]} and {reply}")
    return lookup


_LOOKUP = _lookup()
_EDGE_PUNCTUATION = " .!?,;:)(\"'¡¿…"


def _normalise(text: str) -> str:
    text = fold(text).strip()
    # Skin-tone modifiers and variation selectors turn 👍🏽 into 👍.
    text = re.sub("[\U0001f3fb-\U0001f3ff\ufe0f]", "", text)
    text = re.sub(r"[\s]+", " ", text)
    return text.strip(_EDGE_PUNCTUATION)


def parse_reply(text: str) -> Reply | None:
    """The answer a message means, in any case, language and with punctuation; else None."""
    return _LOOKUP.get(_normalise(text))


_HURT = "|".join(_alternatives(words.HURT_WORDS))
# Words that say something hurt; with one number beside them, the number is the pain score.
_HURT_WORDS = re.compile(rf"\b(?:{_HURT})\b")
# "sin dolor", "не болит", "no me duele", "tut nicht weh": a hurt word said not to hurt.
_NOT_HURT = re.compile(
    rf"\b(?:{'|'.join(_alternatives(words.NOT_HURT))})\s+"
    r"(?:(?:me|mi|it|really|that|much|muito|очень|дуже|so|terlalu|begitu)\s+)?"
    rf"(?:{_HURT})\b"
)
_OUT_OF = rf"\s*/\s*10|\s+(?:{words.OUT_OF})\s+10"
_SCORE = re.compile(rf"(?<![\d.,-])(\d{{1,2}})(?:{_OUT_OF})?(?!\d|[.,-]\d)")
_BARE_SCORE = re.compile(rf"(?:(?:{words.PAIN_NOUNS})\s*)?(\d{{1,2}})(?:\s*/\s*10)?")
_NUMBER_VALUES = {fold(word): value for word, value in words.NUMBER_VALUES.items()}
_NUMBER_WORDS = re.compile(
    rf"\b(?:{'|'.join(sorted(set(_alternatives(words.NUMBER_WORDS, ' '))))})\b"
)


def _hurts(normalised: str) -> bool:
    """Whether a word says something hurt, and is not said not to ("sin dolor")."""
    return _HURT_WORDS.search(_NOT_HURT.sub(" ", normalised)) is not None


def parse_pain(text: str) -> int | None:
    """A 0-10 pain score: "6", "6/10", "pain 6", or one number beside a word for hurting
    ("ouch 6", "hurts 7/10", "me duele 6", "Schmerz 5 von 10", "болит шесть"); else None."""
    normalised = _normalise(text)
    match = _BARE_SCORE.fullmatch(normalised)
    if match is None and _hurts(normalised):
        spelled = _NUMBER_WORDS.sub(lambda word: str(_NUMBER_VALUES[word[0]]), normalised)
        scores = _SCORE.findall(spelled)
        value = int(scores[0]) if len(scores) == 1 else None
    else:
        value = int(match.group(1)) if match else None
    return value if value is not None and 0 <= value <= 10 else None


class Amount(StrEnum):
    """How much of today's routine a person says they did."""

    ALL = "all"
    SOME = "some"


_AMOUNTS = {fold(phrase): Amount.SOME for phrase in _alternatives(words.SOME_OF_IT)} | {
    fold(phrase): Amount.ALL for phrase in _alternatives(words.ALL_OF_IT)
}
_CONSENT = frozenset(_alternatives(words.CONSENT))


def parse_amount(text: str) -> Amount | None:
    """All or some of the routine, typed in any shipped language ("all of it", "часть")."""
    return _AMOUNTS.get(_normalise(text))


def is_consent(text: str) -> bool:
    """Whether a message is a plain yes to the consent question, in any shipped language."""
    return _normalise(text) in _CONSENT


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
    # "what is pain?", "is it normal that it hurts?": a question about pain, not an answer.
    if _hurts(_normalise(text)) and not is_question(text):
        return TypedAnswer(Reply.HURTS)
    return None


_QUESTION_STARTS = frozenset(_alternatives(words.QUESTION_STARTS))
_EXCLAMATIONS = frozenset(_alternatives(words.EXCLAMATIONS))
_QUESTION_PARTICLES = frozenset(fold(words.QUESTION_PARTICLES).split("|"))


def is_question(text: str) -> bool:
    """Whether the person is asking something ("is it normal that...?", "можно ли ...",
    "¿puedo...", "darf ich ...", "apakah ...", anything ending with "?")."""
    stripped = unicodedata.normalize("NFKC", text).strip()
    if stripped.endswith(("?", "？", "¿")) or stripped.startswith("¿"):
        return True
    said = _normalise(text).split()
    if len(said) < 3:
        return False
    first_two = " ".join(said[:2])
    if said[0] in _QUESTION_STARTS or first_two in _QUESTION_STARTS:
        # "What a lovely morning", "qué bien": exclamations, not questions.
        return first_two not in _EXCLAMATIONS
    return not _QUESTION_PARTICLES.isdisjoint(said)
