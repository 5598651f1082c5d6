"""Not for me: an exercise a person sets aside leaves every plan, and what takes its place."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.choices import (
    Reason,
    bring_back,
    replacement_for,
    replacements,
    set_aside,
    set_aside_ids,
)
from bot.domain.gates import harder_variants, plan_today
from bot.domain.progression import ExerciseProgress, level_up_ready, progress_of
from catalog.loader import load_catalog

CATALOG = load_catalog()
IDS = [e.id for e in CATALOG.exercises]


def _progress(**items: dict) -> dict[str, ExerciseProgress]:
    return {k: ExerciseProgress(exercise_id=k, **v) for k, v in items.items()}


def _aside(progress: dict[str, ExerciseProgress], *ids: str) -> dict[str, ExerciseProgress]:
    out = dict(progress)
    for exercise_id in ids:
        out[exercise_id] = set_aside(progress_of(CATALOG.get(exercise_id), out))
    return out


def _plan(level: int, progress, **kwargs) -> list[str]:
    return [item.exercise.id for item in plan_today(CATALOG, level, progress, **kwargs)]


def test_reasons_are_four_short_codes() -> None:
    assert [r.value for r in Reason] == ["kneel", "space", "hurts", "other"]


def test_set_aside_and_bring_back_keep_the_hold_and_streaks() -> None:
    before = ExerciseProgress("cat", target_hold=10, pain_free_streak=1, high_pain_streak=1)
    aside = set_aside(before)
    assert aside.set_aside and aside.target_hold == 10 and aside.pain_free_streak == 1
    assert bring_back(aside) == before
    assert set_aside_ids({"cat": aside, "cow": before}) == {"cat"}


def test_a_set_aside_exercise_leaves_the_plan() -> None:
    progress = _aside({}, "hip_flexor_stretch")
    assert "hip_flexor_stretch" in _plan(2, {})
    assert "hip_flexor_stretch" not in _plan(2, progress)


def test_a_harder_variant_leaves_with_its_easier_one() -> None:
    # Partial cobra set aside: the cobra it unlocked is out as well.
    unlocked = _progress(partial_cobra={"target_hold": 10, "pain_free_streak": 2})
    assert "cobra" in _plan(2, unlocked)
    plan = _plan(2, _aside(unlocked, "partial_cobra"))
    assert "partial_cobra" not in plan and "cobra" not in plan


def test_the_easier_one_stays_in_place_of_a_harder_variant() -> None:
    unlocked = _progress(partial_cobra={"target_hold": 10, "pain_free_streak": 2})
    # Its predecessor is in the routine already: it is what takes the cobra's place.
    assert replacement_for(CATALOG, 2, unlocked, "cobra") is None
    plan = _plan(2, _aside(unlocked, "cobra"))
    assert "partial_cobra" in plan and "cobra" not in plan


def test_a_same_purpose_exercise_takes_the_place_of_one_without_an_easier_variant() -> None:
    # Level 1: the cat stretch set aside; a warm-up stretch with no easier variant of its
    # own, one level up at most, comes in: the partial cobra (lowest level, then order).
    assert replacement_for(CATALOG, 1, {}, "cat") == "partial_cobra"
    plan = _plan(1, _aside({}, "cat"))
    assert "cat" not in plan and "partial_cobra" in plan
    # The glute bridge (strengthening) is replaced by strengthening, never a stretch.
    assert replacement_for(CATALOG, 1, {}, "glute_bridge") == "bird_dog_arm"


def test_no_replacement_when_every_same_purpose_one_is_already_there() -> None:
    # Level 2 does every warm-up it may: nothing new takes the hip flexor stretch's place.
    assert replacement_for(CATALOG, 2, {}, "hip_flexor_stretch") is None
    assert _plan(2, _aside({}, "hip_flexor_stretch")) == [
        e for e in _plan(2, {}) if e != "hip_flexor_stretch"
    ]


def test_a_replacement_is_never_removed_set_aside_or_resting_today() -> None:
    removed = _progress(partial_cobra={"target_hold": 5, "removed": True})
    assert replacement_for(CATALOG, 1, removed, "cat") == "hip_flexor_stretch"
    both = _aside({}, "partial_cobra")
    assert replacement_for(CATALOG, 1, both, "cat") == "hip_flexor_stretch"
    # Resting today (pain above 5 earlier today) keeps it out of today's plan.
    plan = _plan(1, _aside({}, "cat"), too_painful={"partial_cobra"})
    assert "partial_cobra" not in plan


def test_two_set_aside_exercises_get_two_different_replacements() -> None:
    progress = _aside({}, "cat", "cow")
    assert replacements(CATALOG, 1, progress) == ("partial_cobra", "hip_flexor_stretch")
    plan = _plan(1, progress)
    assert plan.count("partial_cobra") == 1 and "hip_flexor_stretch" in plan


def test_brought_back_it_returns_and_its_replacement_goes() -> None:
    aside = _aside({}, "cat")
    back = {k: bring_back(v) for k, v in aside.items()}
    assert _plan(1, back) == _plan(1, {})


def test_a_set_aside_exercise_does_not_hold_back_levelling_up() -> None:
    ceiling = {"ceiling_pain_free_streak": 2}
    progress = _progress(
        cat={"target_hold": 15, **ceiling},
        cow={"target_hold": 15, **ceiling},
        knee_to_chest={"target_hold": 30, **ceiling},
    )
    assert not level_up_ready(CATALOG, 1, progress)
    assert level_up_ready(CATALOG, 1, _aside(progress, "glute_bridge"))


PROGRESS = st.dictionaries(
    st.sampled_from(IDS),
    st.builds(
        dict,
        target_hold=st.integers(5, 30),
        pain_free_streak=st.integers(0, 3),
        removed=st.booleans(),
        set_aside=st.booleans(),
    ),
)


@given(
    level=st.integers(1, 3),
    items=PROGRESS,
    hurt=st.sets(st.sampled_from(IDS)),
    painful=st.sets(st.sampled_from(IDS)),
    gentle=st.booleans(),
)
def test_a_plan_never_holds_what_is_set_aside_removed_or_out_today(
    level, items, hurt, painful, gentle
) -> None:
    progress = _progress(**items)
    plan = _plan(level, progress, hurt=hurt, too_painful=painful, gentle=gentle)
    assert len(plan) == len(set(plan))
    aside = set_aside_ids(progress)
    for exercise_id in plan:
        assert exercise_id not in aside
        assert not progress_of(CATALOG.get(exercise_id), progress).removed
        assert exercise_id not in painful
        assert exercise_id not in harder_variants(CATALOG, hurt)
        # Safety first: a harder variant only ever comes with its easier one available.
        before = CATALOG.get(exercise_id).progresses_from
        if before is not None:
            assert before not in aside
            assert not progress_of(CATALOG.get(before), progress).removed
