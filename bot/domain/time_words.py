"""Typed times in the shipped languages, rewritten into the English forms time_of_day reads.

"a las 7 y media" becomes "half past 7", "halb acht" "30 to 8" (German "halb" is half an hour
BEFORE the hour), "полвосьмого" "30 to 8", "jam 7 pagi" "7" said in the morning. All
languages are tried at once; the tables are written for folded text (bot.domain.folding:
lower case, no Latin accents, "ё" as "е", no apostrophes).
"""

from __future__ import annotations

import re

from bot.domain.folding import fold

__all__ = ["DAY", "EVENING", "MORNING", "NIGHT", "localise"]

# What a part-of-day word says about the hour. Night: 1-5 is early morning, 6-11 evening and
# 12 midnight ("12 de la noche", "2 ночи"); day: 10 and 11 morning, 12 noon, 1-9 afternoon
# ("в 2 дня", "jam 1 siang", "jam 11 siang").
MORNING, EVENING, NIGHT, DAY = "a", "p", "n", "d"

_PARTS_OF_DAY = {
    MORNING: "de la mañana|por la mañana|en la mañana|de la madrugada|da manhã|de manhã|"
    "pela manhã|da madrugada|утра|утром|"
    "ранку|вранці|зранку|уранці|morgens|früh|in der früh|am morgen|vormittags|am vormittag|pagi",
    EVENING: "de la tarde|por la tarde|en la tarde|da tarde|à tarde|de tarde|вечера|вечером|"
    "вечора|ввечері|увечері|nachmittags|abends|am abend|am nachmittag|sore|petang",
    NIGHT: "de la noche|por la noche|da noite|à noite|de noite|ночи|ночью|ночі|вночі|уночі|"
    "nachts|in der nacht|malam",
    DAY: "дня|днем|вдень|удень|mittags|siang",
}
_PART_OF_DAY = {
    fold(word): part for part, words in _PARTS_OF_DAY.items() for word in words.split("|")
}
_PART_WORDS = "|".join(sorted(_PART_OF_DAY, key=len, reverse=True))
_PART_AT_END_RE = re.compile(rf"\s+(?P<part>{_PART_WORDS})$")
_PART_AT_START_RE = re.compile(rf"^(?P<part>{_PART_WORDS})\s+")

_PREPOSITIONS_RE = re.compile(
    fold(
        r"^(?:a las|a la|las|la|às|as|um|gegen|в|во|о|об|jam|pukul|pkl|sekitar jam|"
        r"sekitar pukul|todos los días a las|todo dia às|каждый день в|щодня о|jeden tag um|"
        r"setiap hari jam)\s+"
    )
)
_HOUR_WORDS_RE = re.compile(
    fold(r"(?<=\d)\s*(?:horas?|hrs|hs|часов|часа|час|годин[аиі]?|година|uhr|jam)(?=\s|$)")
)

_NOON = frozenset(fold("mediodía|meio dia|полдень|полудень|опівдні|mittag|tengah hari").split("|"))
_MIDNIGHT = frozenset(
    fold("medianoche|meia noite|полночь|північ|опівночі|mitternacht|tengah malam").split("|")
)

# Hours 1-12 in words, as the clock names them ("/" between two spellings of one hour).
_HOURS = {
    "es": "una/uno dos tres cuatro cinco seis siete ocho nueve diez once doce",
    "pt": "uma/um duas/dois três quatro cinco seis sete oito nove dez onze doze",
    "ru": "час два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать",
    "uk": "одна два три чотири пять шість сім вісім девять десять одинадцять дванадцять",
    "de": "eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
    "id": "satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas duabelas",
}
# Russian "полвосьмого" and Ukrainian "пів на восьму", "о сьомій": the hour as an ordinal.
_ORDINALS = {
    "ru genitive": "первого второго третьего четвертого пятого шестого седьмого восьмого "
    "девятого десятого одиннадцатого двенадцатого",
    "uk accusative": "першу другу третю четверту пяту шосту сьому восьму девяту десяту "
    "одинадцяту дванадцяту",
    "uk genitive": "першої другої третьої четвертої пятої шостої сьомої восьмої девятої "
    "десятої одинадцятої дванадцятої",
    "uk locative": "першій другій третій четвертій пятій шостій сьомій восьмій девятій "
    "десятій одинадцятій дванадцятій",
    "uk nominative": "перша друга третя четверта пята шоста сьома восьма девята десята "
    "одинадцята дванадцята",
}


def _numbered(tables: dict[str, str]) -> dict[str, int]:
    numbers: dict[str, int] = {}
    for words in tables.values():
        for hour, spellings in enumerate(fold(words).split(), start=1):
            for word in spellings.split("/"):
                numbers.setdefault(word, hour)
    numbers |= {"один": 1, "одиннадцать": 11, "ein": 1, "dua belas": 12, "quinze": 15}
    return numbers


_NUMBERS = _numbered(_HOURS)
_ORDINAL_NUMBERS = _numbered(_ORDINALS)
_NUMBER_RE = re.compile(r"\b(?:" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")\b")
_ORDINAL_RE = re.compile(
    r"\b(?:" + "|".join(sorted(_ORDINAL_NUMBERS, key=len, reverse=True)) + r")\b"
)

_H = r"(?P<hour>\d{1,2})"
_M = r"(?P<minutes>\d{1,2})"
# (pattern on folded text with hours as digits, English form it means); written folded.
_FORMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), english)
    for pattern, english in (
        # Spanish
        (rf"{_H} y media", "half past {hour}"),
        (rf"{_H} y cuarto", "quarter past {hour}"),
        (rf"{_H} menos cuarto", "quarter to {hour}"),
        (rf"{_H} y {_M}(?: minutos)?", "{minutes} past {hour}"),
        (rf"{_H} menos {_M}(?: minutos)?", "{minutes} to {hour}"),
        (rf"{_H} en punto", "{hour}"),
        # Portuguese
        (rf"{_H}h? e meia", "half past {hour}"),
        (rf"{_H}h? e {_M}(?: minutos)?", "{minutes} past {hour}"),
        (rf"{_M} (?:minutos )?para (?:as |a )?{_H}h?", "{minutes} to {hour}"),
        (rf"{_H}h? em ponto", "{hour}"),
        # German (halb acht = 7:30)
        (rf"halb {_H}", "30 to {hour}"),
        (rf"viertel nach {_H}", "quarter past {hour}"),
        (rf"(?:viertel vor|dreiviertel) {_H}", "quarter to {hour}"),
        (rf"{_M} (?:minuten )?nach {_H}", "{minutes} past {hour}"),
        (rf"{_M} (?:minuten )?vor {_H}", "{minutes} to {hour}"),
        (rf"{_H} uhr {_M}", "{hour}:{minutes:02d}"),
        # Russian (полвосьмого = 7:30, четверть восьмого = 7:15)
        (rf"(?:пол|пол |половина |половине |половину ){_H}(?:го)?", "30 to {hour}"),
        (rf"четверть {_H}(?:го)?", "45 to {hour}"),
        (rf"без четверти {_H}", "quarter to {hour}"),
        (rf"без {_M} (?:минут )?{_H}", "{minutes} to {hour}"),
        (rf"{_H} {_M}", "{hour}:{minutes:02d}"),
        # Ukrainian (пів на восьму = 7:30, чверть на восьму = 7:15)
        (rf"(?:пів на|пів) {_H}", "30 to {hour}"),
        (rf"чверть на {_H}", "45 to {hour}"),
        (rf"за чверть {_H}", "quarter to {hour}"),
        (rf"за {_M} (?:хвилин )?{_H}", "{minutes} to {hour}"),
        # Indonesian (setengah delapan = 7:30)
        (rf"setengah {_H}", "30 to {hour}"),
        (rf"{_H} (?:lewat|lebih) seperempat", "quarter past {hour}"),
        (rf"{_H} kurang seperempat", "quarter to {hour}"),
        (rf"{_H} (?:lewat|lebih) {_M}(?: menit)?", "{minutes} past {hour}"),
        (rf"{_H} kurang {_M}(?: menit)?", "{minutes} to {hour}"),
    )
)
_HYPHEN_RE = re.compile(r"(?<=\w)-(?=\w)")
# "полвосьмого" is "пол восьмого" written as one word.
_GLUED_HALF_RE = re.compile(
    r"\bпол(?=(?:" + "|".join(sorted(_ORDINAL_NUMBERS, key=len, reverse=True)) + r")\b)"
)


def _digits(match: re.Match[str], table: dict[str, int]) -> str:
    return str(table[match[0]])


def localise(folded: str) -> tuple[str, str | None]:
    """The English form of a typed time in any shipped language, and the part of the day
    it names (MORNING, EVENING, NIGHT, DAY) if it names one; English passes through."""
    text = _HYPHEN_RE.sub(" ", folded)
    part = None
    for part_re in (_PART_AT_END_RE, _PART_AT_START_RE):
        if (found := part_re.search(text)) is not None:
            part = _PART_OF_DAY[found["part"]]
            text = text[: found.start()] + text[found.end() :]
            break
    text = _PREPOSITIONS_RE.sub("", text).strip()
    if " " not in text and not any(char.isalpha() for char in text):
        return text, part  # "7:30", "1930": nothing to rewrite
    if text in _NOON:
        return "noon", part
    if text in _MIDNIGHT:
        return "midnight", part
    text = _HOUR_WORDS_RE.sub("", _GLUED_HALF_RE.sub("пол ", text))
    text = _ORDINAL_RE.sub(lambda word: _digits(word, _ORDINAL_NUMBERS), text)
    text = _NUMBER_RE.sub(lambda word: _digits(word, _NUMBERS), text)
    text = " ".join(text.split())
    for pattern, english in _FORMS:
        if (match := pattern.fullmatch(text)) is not None:
            values = {name: int(value) for name, value in match.groupdict().items()}
            return english.format(**values), part
    return text, part
