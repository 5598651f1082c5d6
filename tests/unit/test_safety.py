"""Unit tests for bot.domain.safety."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.progression import PainBand, pain_band
from bot.domain.safety import (
    RedFlag,
    SafetyFinding,
    Urgency,
    detect_red_flags,
    pain_urgency,
)

RED_FLAG_PHRASES: list[tuple[str, RedFlag]] = [
    # saddle numbness
    ("I'm numb in my groin", RedFlag.SADDLE_NUMBNESS),
    ("my groin feels numb", RedFlag.SADDLE_NUMBNESS),
    ("Numbness around my bottom", RedFlag.SADDLE_NUMBNESS),
    ("my bum is numb", RedFlag.SADDLE_NUMBNESS),
    ("numb buttocks", RedFlag.SADDLE_NUMBNESS),
    ("NUMB GENITALS", RedFlag.SADDLE_NUMBNESS),
    ("tingling in my inner thighs", RedFlag.SADDLE_NUMBNESS),
    ("pins and needles between my legs", RedFlag.SADDLE_NUMBNESS),
    ("I can't feel my backside", RedFlag.SADDLE_NUMBNESS),
    ("I cant feel my private parts", RedFlag.SADDLE_NUMBNESS),
    ("loss of sensation in the saddle area", RedFlag.SADDLE_NUMBNESS),
    ("saddle anaesthesia", RedFlag.SADDLE_NUMBNESS),
    ("saddle anesthesia", RedFlag.SADDLE_NUMBNESS),
    # bladder / bowel
    ("I can't pee", RedFlag.BLADDER_BOWEL),
    ("I can’t pee", RedFlag.BLADDER_BOWEL),  # typographic apostrophe
    ("cant pee since this morning", RedFlag.BLADDER_BOWEL),
    ("I cannot urinate", RedFlag.BLADDER_BOWEL),
    ("unable to pass urine", RedFlag.BLADDER_BOWEL),
    ("incontinence", RedFlag.BLADDER_BOWEL),
    ("I've become incontinent", RedFlag.BLADDER_BOWEL),
    ("I keep wetting myself", RedFlag.BLADDER_BOWEL),
    ("I wet myself last night", RedFlag.BLADDER_BOWEL),
    ("loss of bowel control", RedFlag.BLADDER_BOWEL),
    ("I lost control of my bowels", RedFlag.BLADDER_BOWEL),
    ("trouble controlling my bladder", RedFlag.BLADDER_BOWEL),
    ("new problems with bladder control", RedFlag.BLADDER_BOWEL),
    ("I can't hold my pee", RedFlag.BLADDER_BOWEL),
    ("difficulty peeing", RedFlag.BLADDER_BOWEL),
    ("leaking urine", RedFlag.BLADDER_BOWEL),
    # leg weakness / loss of feeling
    ("I can't feel my legs", RedFlag.LEG_WEAKNESS),
    ("I cannot feel my feet", RedFlag.LEG_WEAKNESS),
    ("my legs keep giving way", RedFlag.LEG_WEAKNESS),
    ("my leg gave way on the stairs", RedFlag.LEG_WEAKNESS),
    ("my knees are buckling", RedFlag.LEG_WEAKNESS),
    ("my leg weakness is getting worse", RedFlag.LEG_WEAKNESS),
    ("the weakness in my legs is getting worse", RedFlag.LEG_WEAKNESS),
    ("my legs are getting weaker", RedFlag.LEG_WEAKNESS),
    ("worsening weakness in my left leg", RedFlag.LEG_WEAKNESS),
    ("increasing leg weakness", RedFlag.LEG_WEAKNESS),
    ("I have foot drop", RedFlag.LEG_WEAKNESS),
    ("my foot is dragging", RedFlag.LEG_WEAKNESS),
    ("I can't lift my foot", RedFlag.LEG_WEAKNESS),
    # see a doctor
    ("I have a fever", RedFlag.FEVER),
    ("feverish and sore", RedFlag.FEVER),
    ("I'm running a temperature", RedFlag.FEVER),
    ("temperature of 38.5", RedFlag.FEVER),
    ("night sweats", RedFlag.FEVER),
    ("I had cancer", RedFlag.CANCER_HISTORY),
    ("history of breast cancer", RedFlag.CANCER_HISTORY),
    ("finished chemo last year", RedFlag.CANCER_HISTORY),
    ("they removed a tumour", RedFlag.CANCER_HISTORY),
    ("unexplained weight loss", RedFlag.WEIGHT_LOSS),
    ("I've lost 6 kg without trying", RedFlag.WEIGHT_LOSS),
    ("losing weight for no reason", RedFlag.WEIGHT_LOSS),
    ("I have been unexpectedly losing weight", RedFlag.WEIGHT_LOSS),
    ("I fell down the stairs", RedFlag.SERIOUS_FALL),
    ("I fell yesterday", RedFlag.SERIOUS_FALL),
    ("fell off a ladder", RedFlag.SERIOUS_FALL),
    ("I had a bad fall", RedFlag.SERIOUS_FALL),
    ("slipped on ice", RedFlag.SERIOUS_FALL),
    ("I was in a car crash", RedFlag.SERIOUS_FALL),
    ("car accident last week", RedFlag.SERIOUS_FALL),
    ("got rear-ended at a junction", RedFlag.SERIOUS_FALL),
    ("I was hit by a car", RedFlag.SERIOUS_FALL),
    ("pain at night that doesn't ease", RedFlag.NIGHT_PAIN),
    ("it hurts at night and nothing helps", RedFlag.NIGHT_PAIN),
    ("constant pain even at night", RedFlag.NIGHT_PAIN),
    ("it hurts even when I'm resting", RedFlag.NIGHT_PAIN),
    ("I have osteoporosis", RedFlag.OSTEOPOROSIS),
    ("brittle bones", RedFlag.OSTEOPOROSIS),
]

URGENT_FLAGS = {RedFlag.SADDLE_NUMBNESS, RedFlag.BLADDER_BOWEL, RedFlag.LEG_WEAKNESS}

HARMLESS = [
    "I did the number exercise",
    "went bowling",
    "my back feels better",
    "done",
    "it hurts a bit",
    "Done!",
    "ok",
    "a bit stiff this morning",
    "the numbers went up",
    "I fell asleep during the stretches",
    "I skipped yesterday by accident",
    "my legs feel weak after the walk",
    "numb at the bottom of my foot",
    "I sat on the bike saddle for an hour",
    "my bladder is fine",
    "it hurts at night when I turn over",
    "I lost weight and my back is better",
    "cancel",
    "the fall weather makes me stiff",
    "I feel great",
    "my legs are fine",
    "pain 3 out of 10",
]


@pytest.mark.parametrize(("text", "flag"), RED_FLAG_PHRASES)
def test_red_flag_phrases(text: str, flag: RedFlag) -> None:
    finding = detect_red_flags(text)
    assert finding is not None
    assert flag in finding.reasons
    expected = Urgency.URGENT if flag in URGENT_FLAGS else Urgency.SEE_DOCTOR
    assert finding.urgency is expected


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_sentences(text: str) -> None:
    assert detect_red_flags(text) is None


def test_urgent_beats_see_doctor_and_reasons_are_ordered_by_severity() -> None:
    finding = detect_red_flags("I have a fever. Also I can't pee and my groin is numb.")
    assert finding == SafetyFinding(
        urgency=Urgency.URGENT,
        reasons=(RedFlag.SADDLE_NUMBNESS, RedFlag.BLADDER_BOWEL, RedFlag.FEVER),
    )


@pytest.mark.parametrize(
    "text",
    [
        "no numbness in my groin",
        "I don't have any numbness in my groin",
        "my groin is not numb",
        "no problems with bladder control",
        "I have no trouble controlling my bladder",
        "my legs are not giving way",
        "I can't feel any numbness in my groin",
    ],
)
def test_plain_negations_raise_nothing(text: str) -> None:
    assert detect_red_flags(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "no fever, but my groin is numb",
        "no numbness in my groin until today",
        "I don't know why I can't pee",
        "no, I can't pee",
        "no I can't pee",
        "no idea why my groin is numb",
        "I can no longer feel my legs",
    ],
)
def test_negations_that_are_not_plain_still_raise_a_finding(text: str) -> None:
    # Erring on the side of safety: only a plain negation of the symptom itself is let go.
    finding = detect_red_flags(text)
    assert finding is not None
    assert finding.urgency is Urgency.URGENT


def test_matching_stays_within_a_sentence() -> None:
    assert detect_red_flags("My groin is sore. My toes feel numb.") is None


def test_reason_keys_are_plain_strings() -> None:
    finding = detect_red_flags("I have a fever")
    assert finding is not None
    assert finding.reasons == ("fever",)
    assert {flag.value for flag in RedFlag} >= {
        "saddle_numbness",
        "bladder_bowel",
        "leg_weakness",
        "fever",
        "cancer_history",
        "weight_loss",
        "serious_fall",
    }


@given(st.text())
def test_detect_never_raises(text: str) -> None:
    finding = detect_red_flags(text)
    assert finding is None or finding.reasons


@given(
    phrase=st.sampled_from(RED_FLAG_PHRASES),
    before=st.lists(st.sampled_from(HARMLESS), max_size=3),
    after=st.lists(st.sampled_from(HARMLESS), max_size=3),
)
def test_red_flag_found_among_harmless_sentences(
    phrase: tuple[str, RedFlag], before: list[str], after: list[str]
) -> None:
    text, flag = phrase
    finding = detect_red_flags(". ".join([*before, text, *after]))
    assert finding is not None
    assert flag in finding.reasons


@given(phrase=st.sampled_from(RED_FLAG_PHRASES), before=st.text(), after=st.text())
def test_red_flag_found_in_arbitrary_text(
    phrase: tuple[str, RedFlag], before: str, after: str
) -> None:
    text, flag = phrase
    finding = detect_red_flags(f"{before}\n{text}\n{after}")
    assert finding is not None
    assert flag in finding.reasons


@given(st.lists(st.sampled_from(HARMLESS), min_size=1, max_size=5))
def test_harmless_sentences_combined_stay_harmless(sentences: list[str]) -> None:
    assert detect_red_flags(". ".join(sentences)) is None


@pytest.mark.parametrize(
    ("pain", "band"),
    [(0, PainBand.FINE), (3, PainBand.FINE), (4, PainBand.ACCEPTABLE), (5, PainBand.ACCEPTABLE),
     (6, PainBand.TOO_MUCH), (10, PainBand.TOO_MUCH)],
)  # fmt: skip
def test_pain_band(pain: int, band: PainBand) -> None:
    assert pain_band(pain) is band


@pytest.mark.parametrize("pain", [-1, 11, 100])
def test_pain_out_of_range(pain: int) -> None:
    with pytest.raises(ValueError, match=r"0\.\.10"):
        pain_band(pain)
    with pytest.raises(ValueError, match="between 0 and 10"):
        pain_urgency(pain)


@given(st.integers(0, 10))
def test_pain_urgency(pain: int) -> None:
    assert pain_urgency(pain) == (Urgency.STOP_TODAY if pain >= 8 else None)


def test_urgency_severity_order() -> None:
    ordered = sorted(Urgency, key=lambda urgency: urgency.severity)
    assert ordered == [Urgency.STOP_TODAY, Urgency.SEE_DOCTOR, Urgency.URGENT]
