"""Spot red-flag symptoms in free text and classify pain scores before any exercise.

Every shipped language is matched at once, whatever the person's setting (someone set to
English who types "онемение в паху" is still told to get checked): English patterns are here,
the others in bot.domain.safety_words; all are compiled once, one regex per red flag.

Matching errs towards caution. A plain negation does not raise a finding: "no numbness in my
groin", "sin entumecimiento en la entrepierna", "нет онемения в паху", "keine Taubheit im
Schritt", "no tengo problemas para orinar", "my groin is not numb". Anything less plain still
does: a negation in another clause ("no fever, but my groin is numb"), a change after it ("no
numbness until today"), words between the negation and the symptom other than a few fillers
("I don't know why I can't pee"). A needless "please get checked" costs the user a moment; a
missed cauda equina warning can cost them their bladder. Patterns are data and results are
reason keys only; all user-facing wording lives in bot/texts.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum, StrEnum

from bot.domain import safety_words as words

__all__ = [
    "RedFlag",
    "SafetyFinding",
    "Urgency",
    "detect_red_flags",
    "pain_urgency",
]

MIN_PAIN = 0
MAX_PAIN = 10


class Urgency(Enum):
    """How strongly to stop the user, from mildest to most severe."""

    STOP_TODAY = "stop_today"  # pain too high to exercise today
    SEE_DOCTOR = "see_doctor"  # get checked by a doctor soon, before exercising
    URGENT = "urgent"  # emergency / urgent care now

    @property
    def severity(self) -> int:
        """Rank for comparisons; higher is more urgent."""
        return _SEVERITY[self]


_SEVERITY = {Urgency.STOP_TODAY: 1, Urgency.SEE_DOCTOR: 2, Urgency.URGENT: 3}


class RedFlag(StrEnum):
    """Reason keys a finding can carry; bot/texts.py maps them to wording."""

    SADDLE_NUMBNESS = "saddle_numbness"
    BLADDER_BOWEL = "bladder_bowel"
    LEG_WEAKNESS = "leg_weakness"
    FEVER = "fever"
    CANCER_HISTORY = "cancer_history"
    WEIGHT_LOSS = "weight_loss"
    SERIOUS_FALL = "serious_fall"
    NIGHT_PAIN = "night_pain"
    OSTEOPOROSIS = "osteoporosis"


@dataclass(frozen=True, slots=True)
class SafetyFinding:
    """The most severe urgency found and every red flag that matched, most severe first."""

    urgency: Urgency
    reasons: tuple[RedFlag, ...]


def _near(first: str, second: str, gap: int) -> str:
    """Regex: `first` then `second` with at most `gap` words between, within one sentence."""
    return rf"\b(?:{first})\b(?:\s+\w+){{0,{gap}}}?\s+(?:{second})\b"


def _either_order(first: str, second: str, gap: int) -> str:
    """Regex: the two fragments near each other in either order."""
    return f"{_near(first, second, gap)}|{_near(second, first, gap)}"


# Vocabulary, written for the normalised text: lower case, no accents, no apostrophes
# ("can't" -> "cant"), every other punctuation mark a space, sentence ends kept as " . ".
_CANT = (
    r"cant|cannot|can not|couldnt|could not|unable to|not able to|can no longer|"
    r"no longer able to"
)
_NUMB = (
    r"numb|numbness|numbing|numbed|tingling|tingly|pins and needles|no feeling|"
    r"(?:lost|loss of|lose|losing|reduced|altered|no) (?:feeling|sensation)|"
    rf"(?:{_CANT}) feel"
    r"(?! (?:any |much )?(?:numb|tingl|pain|pins|sensation|odd|strange|different))|"
    r"an?a?esthesia"
)
# "bottom of my foot" is sciatica, not saddle numbness, so "bottom" must not be followed by "of".
_SADDLE = (
    r"saddle|groin|genitals?|genital area|private parts?|privates|crotch|perineum|perineal|"
    r"buttocks?|buttcheeks?|bum|butt|bottom(?! of)|backside|anus|anal|inner thighs?|"
    r"between (?:my|the) legs|penis|vagina|vaginal|vulva|scrotum|testicles?|labia"
)
_LEG = r"legs?|foot|feet|thighs?|calf|calves"
_WORSE = r"worse|worsening|increasing|spreading|progressing|weaker"
_PEE = r"pee|peeing|wee|weeing|urinate|urinating|pass urine|pass water|piss|empty (?:my )?bladder"
_TOILET = r"bladder|bowels?|urine|pee|wee|poo|poop|stools?|toilet|bathroom"
_PROGRESSIVE = r"worsening|increasing|progressive|progressing|spreading|sudden|new"
_UNEXPLAINED = (
    r"unexplained|unintentional|unintended|unexpected|unexpectedly|unintentionally|"
    r"inexplicable|unexplainable|sudden|suddenly|rapid|rapidly"
)
_WEIGHT = r"weight|kg|kgs|kilos?|kilograms?|pounds|lbs|stone"
_NO_REASON = (
    rf"without (?:trying|dieting|meaning to)|for no (?:apparent |obvious |clear )?reason|"
    rf"unexpectedly|unintentionally|and (?:i )?(?:dont|do not|{_CANT}) (?:know|explain|tell) why"
)
_FELL_IDIOMS = (
    r"asleep|in love|behind|apart|short|ill|sick|silent|pregnant|for|through|out|off the wagon"
)

_ENGLISH: tuple[tuple[Urgency, RedFlag, str], ...] = (
    (Urgency.URGENT, RedFlag.SADDLE_NUMBNESS, _either_order(_NUMB, _SADDLE, 5)),
    (Urgency.URGENT, RedFlag.BLADDER_BOWEL, r"\bincontinen(?:ce|t)\b"),
    (
        Urgency.URGENT,
        RedFlag.BLADDER_BOWEL,
        r"\b(?:wet|wetting|wets|peed|peeing|pissed|pissing|soiled|soiling|pooed|pooped|"
        r"pooping|shat|messed) (?:myself|my pants|my trousers|my bed|the bed)\b",
    ),
    (Urgency.URGENT, RedFlag.BLADDER_BOWEL, rf"\b(?:{_CANT}) (?:{_PEE})\b"),
    (
        Urgency.URGENT,
        RedFlag.BLADDER_BOWEL,
        _near(
            r"lost|losing|loss of|lose|no|poor|trouble|problems?|difficulty|difficulties|"
            rf"issues?|{_CANT}",
            r"control|controlling|hold|holding",
            2,
        )
        + rf"(?:\s+(?:of|over|in|on))?(?:\s+(?:my|the|it|in))*\s+(?:{_TOILET}|it in)\b",
    ),
    (
        Urgency.URGENT,
        RedFlag.BLADDER_BOWEL,
        r"\b(?:bladder|bowel|urine|toilet) (?:control|accidents?|leaks?|leaking|leakage)\b|"
        r"\b(?:leaking|leaked|leaks|passing) (?:urine|pee|wee|stool|poo)\b|"
        r"\b(?:urinary|urine) retention\b|"
        r"\b(?:trouble|difficulty|problems?|struggling|straining) "
        r"(?:peeing|urinating|weeing)\b",
    ),
    (
        Urgency.URGENT,
        RedFlag.LEG_WEAKNESS,
        rf"\b(?:{_CANT}) feel (?:my |either |both |the )?(?:legs?|feet|foot)\b|"
        r"\b(?:legs?|knees?)(?:\s+\w+){0,2}?\s+"
        r"(?:giving|give|gave|given|gives) (?:way|out)\b|"
        r"\b(?:legs?|knees?)(?:\s+\w+){0,2}?\s+(?:buckling|buckled|buckle|collapsing|collapsed)\b|"
        r"\b(?:legs?|knees?) (?:dont|wont|cant|cannot|no longer|do not|will not) "
        r"(?:hold|support|carry) me\b|"
        r"\b(?:foot drop|drop foot|dropped foot|dropping foot)\b|"
        r"\b(?:foot|toes)(?:\s+\w+){0,2}?\s+(?:drags|dragging|flops|flopping|slaps|slapping)\b|"
        rf"\b(?:{_CANT}) (?:lift|raise) (?:my |the )?(?:left |right )?(?:foot|toes)\b",
    ),
    (
        Urgency.URGENT,
        RedFlag.LEG_WEAKNESS,
        # Weak legs are common after exercise; only weakness that is getting worse is a flag.
        _either_order(_LEG, "weaker", 3)
        + rf"|(?:{_either_order(_LEG, 'weak|weakness', 3)})(?:\s+\w+){{0,4}}?\s+(?:{_WORSE})\b"
        + rf"|{_near(_PROGRESSIVE, 'weakness', 1)}(?:\s+\w+){{0,3}}?\s+(?:{_LEG})\b"
        + rf"|\b(?:{_PROGRESSIVE}) (?:{_LEG}) weakness\b",
    ),
    (
        Urgency.SEE_DOCTOR,
        RedFlag.FEVER,
        r"\b(?:fevers?|feverish|febrile|chills|night sweats?|sweating at night)\b|"
        r"\b(?:high|a) temperature\b|\btemp(?:erature)? of (?:3[89]|4[0-2]|10[0-9])\b",
    ),
    (
        Urgency.SEE_DOCTOR,
        RedFlag.CANCER_HISTORY,
        r"\b(?:cancers?|tumou?rs?|malignan(?:t|cy)|chemo(?:therapy)?|radiotherapy|"
        r"radiation therapy|leuka?emia|lymphoma|myeloma|metasta\w*|oncolog\w*|carcinoma|"
        r"sarcoma|melanoma)\b",
    ),
    (
        Urgency.SEE_DOCTOR,
        RedFlag.WEIGHT_LOSS,
        rf"\b(?:{_UNEXPLAINED}) (?:weight loss|loss of weight)\b"
        rf"|\b(?:{_UNEXPLAINED}) (?:lost|losing|lose|dropped|dropping)\b"
        rf"(?:\s+\w+){{0,3}}?\s+(?:{_WEIGHT})\b"
        rf"|\b(?:lost|losing|lose|dropped|dropping|weight loss)\b"
        rf"(?:\s+\w+){{0,3}}?\s+(?:{_WEIGHT})\b"
        rf"(?:\s+\w+){{0,4}}?\s+(?:{_NO_REASON})\b"
        rf"|\bweight loss (?:{_NO_REASON})\b",
    ),
    (
        Urgency.SEE_DOCTOR,
        RedFlag.SERIOUS_FALL,
        rf"\bi fell\b(?!\s+(?:{_FELL_IDIOMS})\b)"
        r"|\b(?:fell|fallen|falling) (?:down|off|over|from|backwards|hard|badly|heavily|onto)\b"
        r"|\b(?:fell|fallen|falling) on (?:my|the|to|ice)\b"
        r"|\b(?:bad|serious|nasty|big|hard|heavy|awful|terrible|recent) (?:fall|tumble)s?\b"
        r"|\b(?:had|took|have had|taken) a (?:fall|tumble)\b"
        r"|\b(?:slipped|tripped) (?:and|over|on|down)\b"
        r"|\b(?:car|road|traffic|motorbike|motorcycle|bike|bicycle|cycling|skiing|ski|"
        r"sports?|work|riding|horse|rugby|football) (?:crash|crashes|collision|collisions)\b"
        r"|\bcrashed (?:my|the|a|into)\b|\brear ended\b"
        r"|\bhit by a (?:car|bus|truck|lorry|bike|van|motorbike)\b"
        # "by accident" is no injury, and bladder accidents have a flag of their own.
        r"|(?<!\bby )(?<!bladder )(?<!bowel )(?<!toilet )(?<!potty )\baccidents?\b"
        r"|\bwhiplash\b",
    ),
    (
        Urgency.SEE_DOCTOR,
        RedFlag.NIGHT_PAIN,
        r"\bnight (?:pain|time pain)\b|"
        r"\b(?:pain|hurts?|hurting|aches?|aching|throbbing)\b(?:\s+\w+){0,6}?\s+"
        r"(?:at|during|in|through|all) (?:the )?night\b(?:\s+\w+){0,6}?\s+"
        r"(?:doesnt|does not|dont|do not|wont|will not|never|nothing|no position) "
        r"(?:\w+ )?(?:ease|eases|go away|goes away|stop|stops|settle|settles|let up|"
        r"lets up|get better|improve|improves|help|helps|relieve|relieves)\b|"
        r"\b(?:constant|unrelenting|unremitting|relentless|unbearable) (?:\w+ )?"
        r"(?:pain|ache|aching)\b(?:\s+\w+){0,6}?\s+(?:night|rest|resting|lying down)\b|"
        r"\b(?:pain|hurts?|hurting|aches?|aching)\b(?:\s+\w+){0,3}?\s+even (?:when|while|if) "
        r"(?:i am |im |i )?(?:resting|rest|lying still|lie still|lying down|lie down|asleep)\b",
    ),
    (
        Urgency.SEE_DOCTOR,
        RedFlag.OSTEOPOROSIS,
        r"\b(?:osteoporo\w*|brittle bones?)\b",
    ),
)
_OTHER_LANGUAGES: dict[RedFlag, tuple[str, ...]] = {
    RedFlag.SADDLE_NUMBNESS: words.SADDLE_NUMBNESS,
    RedFlag.BLADDER_BOWEL: words.BLADDER_BOWEL,
    RedFlag.LEG_WEAKNESS: words.LEG_WEAKNESS,
    RedFlag.FEVER: words.FEVER,
    RedFlag.CANCER_HISTORY: words.CANCER_HISTORY,
    RedFlag.SERIOUS_FALL: words.SERIOUS_FALL,
    RedFlag.OSTEOPOROSIS: words.OSTEOPOROSIS,
    RedFlag.WEIGHT_LOSS: words.WEIGHT_LOSS,
    RedFlag.NIGHT_PAIN: words.NIGHT_PAIN,
}


def _fold(text: str) -> str:
    """Lower case without combining marks: what _normalise makes of text, for patterns."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


# Up to N words, never a negation right before what follows ("my groin is not numb").
def _not_after(negations: list[str]) -> str:
    """Lookbehinds refusing each negation, one per length (a lookbehind has one width)."""
    by_length: dict[int, list[str]] = {}
    for negation in negations:
        by_length.setdefault(len(_fold(negation)), []).append(_fold(negation))
    return "".join(rf"(?<!\b(?:{'|'.join(same)}))" for same in by_length.values())


_NOT_BEFORE = _not_after([*words.NOT_BEFORE[0].split(), *words.NOT_BEFORE[1].split("|")])
_GAP_RE = re.compile(r"\(\?:\\s\+\\w\+\)\{0,(\d+)\}\?\\s\+")
_SHORTHAND_GAP_RE = re.compile(r"~(\d+)~")


def _expand(pattern: str) -> str:
    """A pattern's gaps ("~3~" or an English "(?:\\s+\\w+){0,3}?\\s+") refuse a negation last."""
    pattern = _SHORTHAND_GAP_RE.sub(lambda gap: rf"(?:\s+\w+){{0,{gap[1]}}}?\s+", _fold(pattern))
    return _GAP_RE.sub(lambda gap: rf"(?:\s+\w+){{0,{gap[1]}}}?{_NOT_BEFORE}\s+", pattern)


_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_LATIN_RE = re.compile(r"[a-z]")
_ESCAPE_RE = re.compile(r"\\.")


def _compiled(script: re.Pattern[str]) -> tuple[tuple[Urgency, RedFlag, re.Pattern[str]], ...]:
    """One regex per red flag and urgency for the patterns written in one script.

    A message is matched only against the scripts it is written in: an English message
    never walks the Cyrillic patterns, which halves the work.
    """
    grouped: dict[tuple[Urgency, RedFlag], list[str]] = {}
    for urgency, flag, pattern in _ENGLISH:
        grouped.setdefault((urgency, flag), []).append(pattern)
    assert set(_OTHER_LANGUAGES) <= {flag for _, flag in grouped}, "English patterns first"
    compiled = []
    for (urgency, flag), english in grouped.items():
        patterns = [*english, *_OTHER_LANGUAGES.get(flag, ())]
        written = [p for p in patterns if script.search(_ESCAPE_RE.sub("", _fold(p)))]
        if written:
            regex = re.compile("|".join(f"(?:{_expand(p)})" for p in written))
            compiled.append((urgency, flag, regex))
    return tuple(compiled)


_LATIN_PATTERNS = _compiled(_LATIN_RE)
_CYRILLIC_PATTERNS = _compiled(_CYRILLIC_RE)


_SENTENCE_END_RE = re.compile(r"[.!?;\n\r]+")
_CLAUSE_END_RE = re.compile(r"[,:()\[\]\u2013\u2014]+")
_NON_WORD_RE = re.compile(r"[^\w.,]+|_")
_APOSTROPHES_RE = re.compile("['’‘`´ʼ]")

_DENIED_RE = re.compile(
    _fold(
        rf"(?:^|\s)(?:(?:{words.DENY})(?:\s+(?:{words.DENY_FILLERS})){{0,3}}"
        rf"|(?:{words.NOT})(?:\s+(?:{words.NOT_FILLERS})){{0,4}})$"
    )
)
_CHANGED_RE = re.compile(_fold(rf"(?:^|\s)(?:{words.CHANGED})(?:\s|$)"))
_CLAUSE_BREAKS = frozenset(_fold(words.CLAUSE_BREAKS).split()) | {",", "."}
# A red flag that starts with a negation ("no puedo orinar", "не чувствую ног", "I can't
# pee") is not denied by one before it ("no, no puedo orinar"): the two cancel, if anything.
_NEGATION_WORDS = frozenset(
    _fold(f"{words.DENY}|{words.NOT}|cant|cannot|couldnt|unable").replace("|", " ").split()
)


def _tokens(text: str) -> list[str]:
    """Lower-case words, with sentence ends as "." and clause ends as ","."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = _APOSTROPHES_RE.sub("", text.casefold())
    text = _CLAUSE_END_RE.sub(" , ", _SENTENCE_END_RE.sub(" . ", text))
    return _NON_WORD_RE.sub(" ", text).split()


def _denied(
    pattern: re.Pattern[str],
    tokens: list[str],
    words_at: list[int],
    normalised: str,
    match: re.Match[str],
) -> bool:
    """Whether a match is a plain negation: "no numbness...", "нет онемения...".

    `tokens` keep the clause ends that `normalised` (where the match is) drops; `words_at`
    says where each of its words is among them.
    """
    while (word := normalised[match.start() : match.end()].split(" ", 1)[0]) in _NEGATION_WORDS:
        # "no trouble controlling my bladder" is denied as "trouble controlling..." would be.
        rest = pattern.match(normalised, match.start() + len(word) + 1)
        if rest is None:
            return False
        match = rest
    first = normalised.count(" ", 0, match.start())
    last = normalised.count(" ", 0, match.end())
    start = words_at[first]
    clause = start
    while clause > 0 and tokens[clause - 1] not in _CLAUSE_BREAKS:
        clause -= 1
    if not _DENIED_RE.search(" ".join(tokens[clause:start])):
        return False
    after = words_at[last] + 1
    end = after
    while end < len(tokens) and tokens[end] not in (",", "."):
        end += 1
    return not _CHANGED_RE.search(" ".join(tokens[after:end]))


def _mentions(pattern: re.Pattern[str], tokens: list[str], words_at: list[int], text: str) -> bool:
    """Whether the pattern matches somewhere that is not plainly negated."""
    position = 0
    while (match := pattern.search(text, position)) is not None:
        if not _denied(pattern, tokens, words_at, text, match):
            return True
        position = match.start() + 1
    return False


def detect_red_flags(text: str) -> SafetyFinding | None:
    """The red flags mentioned in free text, in any shipped language, or None if none are."""
    tokens = _tokens(text)
    words_at = [at for at, token in enumerate(tokens) if token != ","]
    normalised = " ".join(tokens[at] for at in words_at)
    patterns = _LATIN_PATTERNS if _LATIN_RE.search(normalised) else ()
    if _CYRILLIC_RE.search(normalised):
        patterns = (*patterns, *_CYRILLIC_PATTERNS)
    matched: list[tuple[Urgency, RedFlag]] = []
    for urgency, flag, pattern in patterns:
        if (urgency, flag) not in matched and _mentions(pattern, tokens, words_at, normalised):
            matched.append((urgency, flag))
    if not matched:
        return None
    # Stable sort keeps pattern order within one urgency.
    matched.sort(key=lambda item: item[0].severity, reverse=True)
    return SafetyFinding(urgency=matched[0][0], reasons=tuple(flag for _, flag in matched))


def _check_pain(pain: int) -> None:
    """Reject scores outside the 0-10 scale."""
    if not MIN_PAIN <= pain <= MAX_PAIN:
        raise ValueError(f"Pain must be between {MIN_PAIN} and {MAX_PAIN}, got {pain}")


def pain_urgency(pain: int) -> Urgency | None:
    """STOP_TODAY for pain 8-10 (too high to exercise today), None for 0-7."""
    _check_pain(pain)
    return Urgency.STOP_TODAY if pain >= 8 else None
