"""Tests for the exercise catalog data and its validating loader."""

from __future__ import annotations

import copy
import re
import tomllib
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.loader import (
    DEFAULT_CATALOG_PATH,
    CatalogError,
    catalog_from_dict,
    load_catalog,
    load_catalog_from_text,
)
from catalog.model import (
    MAX_HOLD_SECONDS,
    MIN_HOLD_SECONDS,
    Catalog,
    HoldKind,
    Level,
    Position,
)
from tests.unit.catalog_facts import POSITIONS, WARM_UPS

REAL_DATA: dict[str, Any] = tomllib.loads(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"))

LEVELS = {
    "cat": 1,
    "cow": 1,
    "knee_to_chest": 1,
    "glute_bridge": 1,
    "bird_dog_arm": 2,
    "bird_dog_leg": 2,
    "bird_dog_opposite": 2,
    "partial_cobra": 2,
    "cobra": 2,
    "hip_flexor_stretch": 2,
    "elbow_plank": 3,
    "full_plank": 3,
}
PROGRESSIONS = {
    "bird_dog_leg": "bird_dog_arm",
    "bird_dog_opposite": "bird_dog_leg",
    "cobra": "partial_cobra",
    "full_plank": "elbow_plank",
}
ONE_SIDE_AT_A_TIME = {"bird_dog_arm", "bird_dog_leg", "bird_dog_opposite", "hip_flexor_stretch"}
# Each side names the limb, and the rest between sides leaves time to change legs.
SIDE_LABELS = {
    "hip_flexor_stretch": (("left knee down", "right knee down"), 10),
    "bird_dog_arm": (("left arm up", "right arm up"), 5),
    "bird_dog_leg": (("left leg back", "right leg back"), 5),
    "bird_dog_opposite": (("left arm, right leg", "right arm, left leg"), 5),
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def real_data() -> dict[str, Any]:
    return copy.deepcopy(REAL_DATA)


def table(data: dict[str, Any], exercise_id: str) -> dict[str, Any]:
    return next(t for t in data["exercise"] if t.get("id") == exercise_id)


def minimal(exercise_id: str, level: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "id": exercise_id,
        "name": exercise_id,
        "level": level,
        "start_position": "On the floor.",
        "position": "back",
        "steps": ["Move."],
        "hold": {"kind": "fixed", "start": 10, "ceiling": 10},
        "sides": [],
        "purpose": "Helps.",
        **extra,
    }


def expect_error(data: Any, exercise: str, field: str | None) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        catalog_from_dict(data)
    message = str(info.value)
    assert message.startswith("catalog: ")
    label = exercise if exercise == "top level" else f"exercise {exercise!r}"
    if exercise.startswith("#"):
        label = f"exercise {exercise}"
    assert label in message
    if field is not None:
        assert f"field {field!r}" in message
    assert info.value.field == field
    return info.value


# --- The real catalog ---------------------------------------------------------


def test_real_catalog_has_the_twelve_exercises_at_their_levels(catalog: Catalog) -> None:
    assert len(catalog) == 12
    assert {e.id: int(e.level) for e in catalog.exercises} == LEVELS
    assert all(isinstance(e.level, Level) for e in catalog.exercises)


def test_warm_up_stretches_come_first_then_strengthening(catalog: Catalog) -> None:
    ids = [e.id for e in catalog.exercises]
    assert ids[:3] == ["cat", "cow", "knee_to_chest"]
    assert ids.index("glute_bridge") > ids.index("hip_flexor_stretch")
    assert ids[-2:] == ["elbow_plank", "full_plank"]
    # The shipped file is already in routine order, so reading it top to bottom is the routine.
    assert ids == [t["id"] for t in REAL_DATA["exercise"]]
    orders = [e.order for e in catalog.exercises]
    assert orders == sorted(set(orders))


@pytest.mark.parametrize(
    ("exercise_id", "seconds"),
    [("cat", 15), ("cow", 15), ("knee_to_chest", 30), ("glute_bridge", 30)],
)
def test_fixed_holds(catalog: Catalog, exercise_id: str, seconds: int) -> None:
    hold = catalog.get(exercise_id).hold
    assert hold.kind is HoldKind.FIXED
    assert hold.is_fixed
    assert (hold.start, hold.ceiling) == (seconds, seconds)


def test_every_other_hold_works_up_to_thirty_seconds(catalog: Catalog) -> None:
    fixed = {"cat", "cow", "knee_to_chest", "glute_bridge"}
    for e in catalog.exercises:
        if e.id not in fixed:
            assert e.hold.kind is HoldKind.WORK_UP, e.id
            assert not e.hold.is_fixed
            assert e.hold.ceiling == 30, e.id
            assert MIN_HOLD_SECONDS <= e.hold.start < 30, e.id


def test_sides(catalog: Catalog) -> None:
    for e in catalog.exercises:
        expected = ("left", "right") if e.id in ONE_SIDE_AT_A_TIME else ()
        assert e.sides == expected, e.id


def test_positions_and_warm_ups(catalog: Catalog) -> None:
    assert {e.id: e.position.value for e in catalog.exercises} == POSITIONS
    assert all(isinstance(e.position, Position) for e in catalog.exercises)
    assert {e.id for e in catalog.exercises if e.warm_up} == WARM_UPS


def test_side_labels_name_the_limb_and_side_rest_leaves_time_to_change_legs(
    catalog: Catalog,
) -> None:
    for e in catalog.exercises:
        if e.id in SIDE_LABELS:
            assert (e.side_labels, e.side_rest) == SIDE_LABELS[e.id]
        else:
            assert e.side_labels == ()


@pytest.mark.parametrize("exercise_id", sorted(LEVELS))
def test_progressions(catalog: Catalog, exercise_id: str) -> None:
    assert catalog.get(exercise_id).progresses_from == PROGRESSIONS.get(exercise_id)


def test_cobra_warns_to_stay_with_partial_cobra_if_it_hurts(catalog: Catalog) -> None:
    caution = catalog.get("cobra").caution
    assert caution is not None
    assert "partial cobra" in caution.lower()
    assert "hurt" in caution.lower()
    partial = catalog.get("partial_cobra").caution
    assert partial is not None
    assert "cobra" in partial.lower()


def test_texts_are_readable_and_steps_carry_no_hold_time(catalog: Catalog) -> None:
    for e in catalog.exercises:
        assert e.name.strip() and e.start_position.strip() and e.purpose.strip()
        assert 3 <= len(e.steps) <= 6, e.id
        for step in e.steps:
            # The bot shows the user's own target, so a number here would contradict it.
            assert not re.search(r"\d", step), (e.id, step)
            assert len(step) <= 100, (e.id, step)
        # Ids are embedded in Telegram callback data, which is capped at 64 bytes.
        assert len(e.id.encode()) <= 32
        assert e.unlock_after_pain_free_sessions >= 1


def test_catalog_helpers(catalog: Catalog) -> None:
    assert catalog.get("cobra").name == "Cobra"
    with pytest.raises(KeyError):
        catalog.get("nope")
    assert "cobra" in catalog
    assert "nope" not in catalog
    assert [e.id for e in catalog.at_level(1)] == ["cat", "cow", "knee_to_chest", "glute_bridge"]
    assert [e.id for e in catalog.at_level(3)] == ["elbow_plank", "full_plank"]
    assert {e.id for e in catalog.up_to_level(2)} == {i for i, lv in LEVELS.items() if lv <= 2}
    assert catalog.up_to_level(3) == catalog.exercises
    assert [e.id for e in catalog.successors("bird_dog_arm")] == ["bird_dog_leg"]
    assert [e.id for e in catalog.successors("partial_cobra")] == ["cobra"]
    assert catalog.successors("full_plank") == ()


def test_load_catalog_accepts_str_and_path(tmp_path: Path) -> None:
    path = tmp_path / "copy.toml"
    path.write_text(DEFAULT_CATALOG_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_catalog(path) == load_catalog(str(path)) == load_catalog()


# --- Ordering -----------------------------------------------------------------


def test_sorted_by_order_with_ties_in_file_order() -> None:
    data = real_data()
    for t in data["exercise"]:
        del t["order"]
    table(data, "full_plank")["order"] = -1
    ids = [e.id for e in catalog_from_dict(data).exercises]
    assert ids == ["full_plank"] + [t["id"] for t in data["exercise"] if t["id"] != "full_plank"]


@given(st.permutations(range(12)))
def test_shuffling_the_file_keeps_the_routine_order(permutation: list[int]) -> None:
    data = real_data()
    data["exercise"] = [data["exercise"][i] for i in permutation]
    assert catalog_from_dict(data) == load_catalog()


# --- Syntax and top-level shape -------------------------------------------------


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('[[exercise]]\nid = "cat\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="invalid TOML") as info:
        load_catalog(path)
    assert str(path) in str(info.value)


def test_toml_syntax_error_from_text_names_the_source() -> None:
    with pytest.raises(CatalogError, match=r"catalog: file 'inline': invalid TOML"):
        load_catalog_from_text("exercise = [", source="inline")


def test_text_entry_point_loads_a_small_catalog() -> None:
    text = """
        [[exercise]]
        id = "a"
        name = "A"
        level = 1
        start_position = "Lying down."
        steps = ["Breathe."]
        position = "kneeling"
        hold = { kind = "work_up", start = 5, ceiling = 60 }
        sides = ["left", "right"]
        side_labels = ["left knee down", "right knee down"]
        side_rest = 8
        purpose = "Calm."
    """
    (exercise,) = load_catalog_from_text(text).exercises
    assert exercise.hold.ceiling == 60
    assert exercise.sides == ("left", "right")
    assert exercise.position is Position.KNEELING
    assert exercise.side_labels == ("left knee down", "right knee down")
    assert exercise.side_rest == 8
    assert not exercise.warm_up
    assert exercise.caution is None
    assert exercise.unlock_after_pain_free_sessions == 2
    assert exercise.order == 0


def test_unknown_top_level_key() -> None:
    data = real_data()
    data["exercises"] = []
    expect_error(data, "top level", "exercises")


@pytest.mark.parametrize("bad", [None, [], 3, {"id": "cat"}])
def test_exercise_must_be_a_non_empty_array_of_tables(bad: Any) -> None:
    data = {} if bad is None else {"exercise": bad}
    expect_error(data, "top level", "exercise")


def test_each_exercise_must_be_a_table() -> None:
    data = real_data()
    data["exercise"].insert(1, "cat")
    expect_error(data, "#2", None)


# --- Fields of one exercise -----------------------------------------------------


@pytest.mark.parametrize(
    "field", ["name", "level", "start_position", "position", "steps", "hold", "sides", "purpose"]
)
def test_missing_required_field(field: str) -> None:
    data = real_data()
    del table(data, "cobra")[field]
    error = expect_error(data, "cobra", field)
    assert "missing" in str(error)


def test_missing_id_names_the_exercise_by_position() -> None:
    data = real_data()
    del data["exercise"][4]["id"]
    expect_error(data, "#5", "id")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", 3),
        ("name", "  "),
        ("level", "1"),
        ("level", True),
        ("level", 1.0),
        ("start_position", ["On the floor."]),
        ("steps", "Lift your arm."),
        ("hold", 15),
        ("sides", "left"),
        ("purpose", ""),
        ("caution", False),
        ("progresses_from", ["partial_cobra"]),
        ("unlock_after_pain_free_sessions", "2"),
        ("order", 1.5),
        ("position", ["front"]),
        ("warm_up", "yes"),
    ],
)
def test_wrong_type(field: str, value: Any) -> None:
    data = real_data()
    table(data, "cobra")[field] = value
    expect_error(data, "cobra", field)


def test_wrong_type_of_id_names_the_exercise_by_position() -> None:
    data = real_data()
    data["exercise"][4]["id"] = 7
    expect_error(data, "#5", "id")


def test_unknown_field_is_rejected() -> None:
    data = real_data()
    table(data, "cobra")["colour"] = "green"
    error = expect_error(data, "cobra", "colour")
    assert "unknown field" in str(error)


def test_duplicate_id() -> None:
    data = real_data()
    data["exercise"].append(minimal("cobra", level=2))
    error = expect_error(data, "cobra", "id")
    assert "duplicate" in str(error) and "#5" in str(error)


@pytest.mark.parametrize("bad_id", ["Cat", "1cat", "_cat", "cat-stretch", "cat stretch", "a" * 33])
def test_bad_id(bad_id: str) -> None:
    data = real_data()
    data["exercise"].append(minimal(bad_id))
    expect_error(data, bad_id, "id")


@pytest.mark.parametrize("good_id", ["a", "a" * 32, "x9_y"])
def test_good_id(good_id: str) -> None:
    assert good_id in catalog_from_dict({"exercise": [minimal(good_id)]})


@pytest.mark.parametrize("level", [0, 4, -1])
def test_level_out_of_range(level: int) -> None:
    data = real_data()
    table(data, "cat")["level"] = level
    expect_error(data, "cat", "level")


@pytest.mark.parametrize("steps", [[], ["Lie down.", ""], ["Lie down.", " "], ["Lie down.", 3]])
def test_steps_must_be_non_empty_strings(steps: list[Any]) -> None:
    data = real_data()
    table(data, "cat")["steps"] = steps
    expect_error(data, "cat", "steps")


@pytest.mark.parametrize("position", ["standing", "Back", "hands-knees", "", 3, None])
def test_unknown_position_is_rejected(position: Any) -> None:
    data = real_data()
    table(data, "cobra")["position"] = position
    error = expect_error(data, "cobra", "position")
    assert "hands_knees" in str(error)


@pytest.mark.parametrize("position", [p.value for p in Position])
def test_every_position_is_accepted(position: str) -> None:
    loaded = catalog_from_dict({"exercise": [minimal("a", position=position)]}).get("a")
    assert loaded.position == position


@pytest.mark.parametrize(
    "labels",
    [
        ["left arm up"],
        ["left arm up", "right arm up", "left arm up"],
        ["right arm up", "left arm up"],
        ["arm up", "other arm up"],
        ["Left arm up", "Right arm up"],
        ["left arm up", ""],
        ["left arm up", 3],
        ["left arm up", " right arm up"],
        ["left arm up", "right " + "a" * 40],
        "left arm up",
        [],
    ],
)
def test_side_labels_need_one_label_per_side_each_starting_with_it(labels: Any) -> None:
    data = real_data()
    table(data, "bird_dog_arm")["side_labels"] = labels
    expect_error(data, "bird_dog_arm", "side_labels")


@pytest.mark.parametrize("field", ["side_labels", "side_rest"])
def test_one_side_at_a_time_needs_labels_and_a_rest(field: str) -> None:
    data = real_data()
    del table(data, "hip_flexor_stretch")[field]
    error = expect_error(data, "hip_flexor_stretch", field)
    assert "missing" in str(error)


@pytest.mark.parametrize(("field", "value"), [("side_labels", ["left", "right"]), ("side_rest", 5)])
def test_labels_and_rest_are_only_for_one_side_at_a_time(field: str, value: Any) -> None:
    data = real_data()
    table(data, "cobra")[field] = value
    expect_error(data, "cobra", field)


@pytest.mark.parametrize("rest", [0, 2, 31, 60, -5, "10", True, 10.0])
def test_side_rest_is_three_to_thirty_whole_seconds(rest: Any) -> None:
    data = real_data()
    table(data, "hip_flexor_stretch")["side_rest"] = rest
    expect_error(data, "hip_flexor_stretch", "side_rest")


@given(st.integers(3, 30))
def test_any_side_rest_in_range_is_accepted(rest: int) -> None:
    data = real_data()
    table(data, "hip_flexor_stretch")["side_rest"] = rest
    assert catalog_from_dict(data).get("hip_flexor_stretch").side_rest == rest


def test_a_warm_up_cannot_progress_from_strengthening() -> None:
    data = real_data()
    table(data, "cobra")["progresses_from"] = "glute_bridge"
    error = expect_error(data, "cobra", "progresses_from")
    assert "warm-up" in str(error)
    # Strengthening may build on a warm-up.
    data = real_data()
    table(data, "elbow_plank")["progresses_from"] = "partial_cobra"
    assert catalog_from_dict(data).get("elbow_plank").progresses_from == "partial_cobra"


@pytest.mark.parametrize(
    "sides", [["left"], ["right", "left"], ["both"], ["left", "right", "left"]]
)
def test_sides_must_be_none_or_left_and_right(sides: list[str]) -> None:
    data = real_data()
    table(data, "bird_dog_arm")["sides"] = sides
    expect_error(data, "bird_dog_arm", "sides")


@pytest.mark.parametrize("unlock", [0, -1])
def test_unlock_needs_at_least_one_session(unlock: int) -> None:
    data = real_data()
    table(data, "cobra")["unlock_after_pain_free_sessions"] = unlock
    expect_error(data, "cobra", "unlock_after_pain_free_sessions")


# --- Holds --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hold", "field"),
    [
        ({"kind": "sometimes", "start": 10, "ceiling": 30}, "hold.kind"),
        ({"kind": "work_up", "start": 10}, "hold.ceiling"),
        ({"kind": "work_up", "start": 10, "ceiling": 30, "step": 5}, "hold.step"),
        ({"kind": "work_up", "start": "10", "ceiling": 30}, "hold.start"),
        ({"kind": "work_up", "start": 10, "ceiling": 30.0}, "hold.ceiling"),
        ({"kind": "work_up", "start": 35, "ceiling": 30}, "hold.start"),
        ({"kind": "work_up", "start": 12, "ceiling": 30}, "hold.start"),
        ({"kind": "fixed", "start": 10, "ceiling": 30}, "hold.ceiling"),
    ],
)
def test_bad_hold(hold: dict[str, Any], field: str) -> None:
    data = real_data()
    table(data, "cobra")["hold"] = hold
    expect_error(data, "cobra", field)


outside = st.one_of(st.integers(max_value=MIN_HOLD_SECONDS - 1), st.integers(MAX_HOLD_SECONDS + 1))
inside = st.integers(MIN_HOLD_SECONDS, MAX_HOLD_SECONDS)


@given(start=outside, ceiling=inside, kind=st.sampled_from(["fixed", "work_up"]))
def test_hold_start_outside_the_range_is_rejected(start: int, ceiling: int, kind: str) -> None:
    data = {"exercise": [minimal("a", hold={"kind": kind, "start": start, "ceiling": ceiling})]}
    expect_error(data, "a", "hold.start")


@given(start=inside, ceiling=outside, kind=st.sampled_from(["fixed", "work_up"]))
def test_hold_ceiling_outside_the_range_is_rejected(start: int, ceiling: int, kind: str) -> None:
    data = {"exercise": [minimal("a", hold={"kind": kind, "start": start, "ceiling": ceiling})]}
    expect_error(data, "a", "hold.ceiling")


@given(seconds=inside)
def test_any_fixed_hold_in_range_is_accepted(seconds: int) -> None:
    hold = {"kind": "fixed", "start": seconds, "ceiling": seconds}
    loaded = catalog_from_dict({"exercise": [minimal("a", hold=hold)]}).get("a").hold
    assert (loaded.kind, loaded.start, loaded.ceiling) == (HoldKind.FIXED, seconds, seconds)


@given(st.data())
def test_any_work_up_hold_on_the_grid_is_accepted(data: st.DataObject) -> None:
    start = data.draw(st.sampled_from(range(MIN_HOLD_SECONDS, MAX_HOLD_SECONDS + 1, 5)))
    ceiling = data.draw(st.integers(start, MAX_HOLD_SECONDS))
    hold = {"kind": "work_up", "start": start, "ceiling": ceiling}
    loaded = catalog_from_dict({"exercise": [minimal("a", hold=hold)]}).get("a").hold
    assert (loaded.start, loaded.ceiling) == (start, ceiling)


# --- Progressions -------------------------------------------------------------


def test_progresses_from_an_unknown_exercise() -> None:
    data = real_data()
    table(data, "cobra")["progresses_from"] = "partial_cobr"
    error = expect_error(data, "cobra", "progresses_from")
    assert str(error) == (
        "catalog: exercise 'cobra', field 'progresses_from': unknown exercise 'partial_cobr'"
    )


def test_progresses_from_itself() -> None:
    data = real_data()
    table(data, "cobra")["progresses_from"] = "cobra"
    expect_error(data, "cobra", "progresses_from")


def test_progresses_from_a_harder_exercise() -> None:
    data = real_data()
    table(data, "cobra")["progresses_from"] = "elbow_plank"
    error = expect_error(data, "cobra", "progresses_from")
    assert "elbow_plank" in str(error)


def test_two_exercise_cycle_is_reported() -> None:
    data = real_data()
    table(data, "partial_cobra")["progresses_from"] = "cobra"
    error = expect_error(data, "partial_cobra", "progresses_from")
    assert str(error).endswith("cycle partial_cobra -> cobra -> partial_cobra")


@given(st.data())
def test_any_progression_cycle_is_rejected(data: st.DataObject) -> None:
    ids = data.draw(
        st.lists(st.from_regex(r"x_[a-z0-9_]{0,8}", fullmatch=True), min_size=2, max_size=6)
        .map(lambda xs: list(dict.fromkeys(xs)))
        .filter(lambda xs: len(xs) >= 2)
    )
    level = data.draw(st.integers(1, 3))
    # ids[i] progresses from ids[i + 1], and the last one from the first: one loop.
    links = {a: ids[(i + 1) % len(ids)] for i, a in enumerate(ids)}
    looped = [minimal(a, level=level, progresses_from=b) for a, b in links.items()]
    # An exercise hanging off the loop is locked too, but is not part of the cycle.
    tail = minimal("tail", level=3, progresses_from=data.draw(st.sampled_from(ids)))
    tables = data.draw(st.permutations([*real_data()["exercise"], *looped, tail]))

    with pytest.raises(CatalogError) as info:
        catalog_from_dict({"exercise": tables})
    error = info.value
    assert error.field == "progresses_from"
    chain = str(error).split("cycle ", 1)[1].split(" -> ")
    assert chain[0] == chain[-1] == error.exercise
    assert sorted(chain[:-1]) == sorted(ids)
    assert all(links[a] == b for a, b in pairwise(chain))
    # The report starts at the loop's first exercise in the file, so it is stable.
    assert chain[0] == next(t["id"] for t in tables if t["id"] in links)
    assert f"exercise {error.exercise!r}, field 'progresses_from'" in str(error)
