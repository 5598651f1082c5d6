"""Fold typed text so that the ways people type one word meet: case, accents, ё, apostrophes.

Phones in Spanish, Portuguese or German drop accents as often as they keep them ("dói" and
"doi", "München" and "Munchen"), and Russian writers type "е" for "ё". Marks on Latin letters
go; marks that make a letter of another script ("й", "ї") stay, so Cyrillic words keep their
spelling. Word tables are folded with the same function when they are built, so a table can
be written with its accents.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold"]

# Combining marks on a Latin letter (after NFKD): the accents of "dói", "São", "Zürich".
_LATIN_MARKS_RE = re.compile(r"(?<=[A-Za-z\u00c0-\u024f\u1e00-\u1eff])[\u0300-\u036f]+")
# Letters with no decomposition, "ё" typed as "е", and apostrophes inside words ("п'ять",
# "hab's", "can't") dropped.
_FOLDS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "ё": "е"}
    | dict.fromkeys("'’‘`´ʼ")
)


def fold(text: str) -> str:
    """Lower-case text without Latin accents, "ё" as "е", no apostrophes; NFKC digits."""
    if text.isascii():
        return text.casefold().translate(_FOLDS)
    decomposed = _LATIN_MARKS_RE.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFKC", decomposed).casefold().translate(_FOLDS)
