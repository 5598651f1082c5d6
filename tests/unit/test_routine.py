"""Today's routine: unlocked exercises in warm-up-first order, with each user's targets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.progression import (
    Answer,
    ExerciseProgress,
    apply_answer,
    initial_progress,
    is_unlocked,
)
from bot.domain.routine import RoutineItem, build_routine, estimated_minutes
from catalog.model import Catalog
from tests.unit.factories import make


def small_catalog() -> Catalog:
    """Deliberately not sorted by `order`, with a tie, to exercise the routine's sort."""
    return Catalog(
        (
            make("bridge", fixed=30, order=70),
            make("cat", fixed=15, order=10),
            make("partial_cobra", level=2, order=40),
            make("cobra", level=2, progresses_from="partial_cobra", order=50),
            make("hip_flexor", level=2, sides=("left", "right"), order=60),
            make("cow", fixed=15, order=10),
            make("plank", level=3, order=110),
        )
    )


def ids(routine: tuple[RoutineItem, ...]) -> list[str]:
    return [item.exercise.id for item in routine]


def test_level_one_routine_orders_warm_ups_first_and_numbers_items() -> None:
    routine = build_routine(small_catalog(), 1, {})
    # cat and cow tie on order 10: catalog order decides.
    assert ids(routine) == ["cat", "cow", "bridge"]
    assert [(i.position, i.total) for i in routine] == [(1, 3), (2, 3), (3, 3)]
    assert [i.target_hold for i in routine] == [15, 15, 30]


def test_routine_uses_current_targets_and_sides() -> None:
    catalog = small_catalog()
    progress = {"hip_flexor": ExerciseProgress("hip_flexor", 25)}
    routine = build_routine(catalog, 2, progress)
    assert ids(routine) == ["cat", "cow", "partial_cobra", "hip_flexor", "bridge"]
    hip = routine[3]
    assert hip.target_hold == 25
    assert hip.sides == ("left", "right")
    assert routine[2].target_hold == 10 and routine[2].sides == ()


def test_routine_includes_successor_once_unlocked() -> None:
    catalog = small_catalog()
    progress = {"partial_cobra": ExerciseProgress("partial_cobra", 20, pain_free_streak=2)}
    assert "cobra" in ids(build_routine(catalog, 2, progress))


def test_resting_today_and_removed_exercises_are_left_out() -> None:
    catalog = small_catalog()
    progress = {"cow": ExerciseProgress("cow", 15, high_pain_streak=2, removed=True)}
    routine = build_routine(catalog, 1, progress, resting_today=frozenset({"bridge"}))
    assert ids(routine) == ["cat"]
    assert routine[0].total == 1


def test_empty_routine() -> None:
    routine = build_routine(Catalog(()), 1, {})
    assert routine == ()
    assert estimated_minutes(routine) == 1


def test_estimated_minutes_counts_each_side_rest_and_setup() -> None:
    catalog = small_catalog()
    progress = {"hip_flexor": ExerciseProgress("hip_flexor", 30)}
    routine = build_routine(catalog, 2, progress)
    # cat 15 + cow 15 + partial cobra 10 + hip flexor 2 x 30 + bridge 30 = 130 s of holds.
    # 6 holds x 10 s rest = 60 s; 5 cards x 20 s setup = 100 s. 290 s -> 5 min.
    assert estimated_minutes(routine, rest_seconds=10, setup_seconds=20) == 5
    assert estimated_minutes(routine, rest_seconds=0, setup_seconds=0) == 3
    assert estimated_minutes(routine) >= 3


def test_real_catalog_level_one_routine() -> None:
    from catalog.loader import load_catalog

    routine = build_routine(load_catalog(), 1, {})
    assert ids(routine) == ["cat", "cow", "knee_to_chest", "glute_bridge"]
    assert 1 <= estimated_minutes(routine) <= 10


# --- Properties --------------------------------------------------------------

answers = st.one_of(
    st.just(Answer.done()),
    st.just(Answer.skipped()),
    st.integers(0, 10).map(Answer.hurts),
)


@given(
    st.lists(st.tuples(st.sampled_from([e.id for e in small_catalog().exercises]), answers)),
    st.integers(1, 3),
    st.frozensets(st.sampled_from([e.id for e in small_catalog().exercises])),
)
def test_locked_or_removed_never_in_routine_and_order_is_stable(
    history: list[tuple[str, Answer]], level: int, resting: frozenset[str]
) -> None:
    catalog = small_catalog()
    progress: dict[str, ExerciseProgress] = {}
    for exercise_id, answer in history:
        exercise = catalog.get(exercise_id)
        current = progress.get(exercise_id) or initial_progress(exercise)
        progress[exercise_id] = apply_answer(exercise, current, answer).progress

    routine = build_routine(catalog, level, progress, resting_today=resting)
    for item in routine:
        assert is_unlocked(catalog, item.exercise, progress, level)
        assert item.exercise.id not in resting
        assert item.exercise.level <= level
        stored = progress.get(item.exercise.id)
        assert stored is None or not stored.removed
        assert item.target_hold == (stored.target_hold if stored else item.exercise.hold.start)

    order = [e.id for e in sorted(catalog.exercises, key=lambda e: e.order)]  # sort is stable
    assert ids(routine) == [i for i in order if i in ids(routine)]
    assert [i.position for i in routine] == list(range(1, len(routine) + 1))
    assert all(i.total == len(routine) for i in routine)
    # Same inputs, same routine; resting more only removes items, never reorders the rest.
    assert build_routine(catalog, level, progress, resting_today=resting) == routine
    fewer = build_routine(catalog, level, progress, resting_today=resting | {"cat"})
    assert ids(fewer) == [i for i in ids(routine) if i != "cat"]
    assert estimated_minutes(routine) >= 1
