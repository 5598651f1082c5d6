"""Today's routine: unlocked exercises in warm-up-first order, with each user's targets."""

from __future__ import annotations

from itertools import pairwise, permutations

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
from catalog.loader import load_catalog
from catalog.model import Catalog, Exercise
from tests.unit.catalog_facts import POSITIONS, WARM_UPS
from tests.unit.factories import make

REAL = load_catalog()


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


# --- Positions kept together ---------------------------------------------------


def changes(exercise_ids: list[str]) -> int:
    """How often the person has to move from one starting position to another."""
    return sum(POSITIONS[a] != POSITIONS[b] for a, b in pairwise(exercise_ids))


def everything_unlocked() -> dict[str, ExerciseProgress]:
    return {e.id: ExerciseProgress(e.id, 10, pain_free_streak=2) for e in REAL.exercises}


def test_real_level_two_routine_changes_position_four_times_not_six() -> None:
    routine = ids(build_routine(REAL, 2, everything_unlocked()))
    assert routine == [
        "cat",
        "cow",
        "partial_cobra",
        "cobra",
        "hip_flexor_stretch",
        "knee_to_chest",
        "glute_bridge",
        "bird_dog_arm",
        "bird_dog_leg",
        "bird_dog_opposite",
    ]
    # Hands and knees, front, kneeling, back (knees to chest, then the bridge), hands and knees.
    assert changes(routine) == 4


def test_real_level_three_routine_keeps_positions_together() -> None:
    routine = ids(build_routine(REAL, 3, everything_unlocked()))
    # The warm-ups end lying on the front, where the elbow plank starts: no extra move.
    assert routine == [
        "cat",
        "cow",
        "knee_to_chest",
        "hip_flexor_stretch",
        "partial_cobra",
        "cobra",
        "elbow_plank",
        "glute_bridge",
        "bird_dog_arm",
        "bird_dog_leg",
        "bird_dog_opposite",
        "full_plank",
    ]
    # Four positions in each block: three changes in each, none between them.
    assert changes(routine) == 6


def test_level_one_and_gentle_routines_keep_the_authored_order() -> None:
    assert ids(build_routine(REAL, 1, {})) == ["cat", "cow", "knee_to_chest", "glute_bridge"]
    gentle = frozenset(e.id for e in REAL.exercises if not e.gentle)
    assert ids(build_routine(REAL, 3, everything_unlocked(), resting_today=gentle)) == [
        "cat",
        "cow",
        "knee_to_chest",
    ]


def test_a_harder_variant_in_another_position_still_comes_after_its_easier_one() -> None:
    catalog = Catalog(
        (
            make("kneel", order=10, position="kneeling"),
            make("front_easy", order=20, position="front"),
            make("toes_hard", order=5, position="hands_toes", progresses_from="front_easy"),
            make("toes_other", order=30, position="hands_toes"),
        )
    )
    progress = {"front_easy": ExerciseProgress("front_easy", 10, pain_free_streak=2)}
    routine = ids(build_routine(catalog, 1, progress))
    assert routine.index("toes_hard") > routine.index("front_easy")
    # Three positions, two changes: the harder variant waits with its own position group.
    assert [e for e in routine if e.startswith("toes")] == routine[-2:]


def test_a_warm_up_never_comes_after_strengthening_even_in_the_same_position() -> None:
    catalog = Catalog(
        (
            make("strong_back", order=5, position="back"),
            make("warm_front", order=10, position="front", warm_up=True),
            make("warm_back", order=20, position="back", warm_up=True),
        )
    )
    # The warm-ups end on the back, where strengthening starts: one change in all.
    assert ids(build_routine(catalog, 1, {})) == ["warm_front", "warm_back", "strong_back"]


def _blocks(routine: tuple[RoutineItem, ...]) -> list[list[Exercise]]:
    warm = [i.exercise for i in routine if i.exercise.warm_up]
    strong = [i.exercise for i in routine if not i.exercise.warm_up]
    return [block for block in (warm, strong) if block]


def _fewest_changes(blocks: list[list[Exercise]], catalog: Catalog) -> int:
    """An independent oracle: try every order of position groups within each block."""
    best = None
    options = []
    for block in blocks:
        groups = list(dict.fromkeys(e.position for e in block))
        valid = []
        for order in permutations(groups):
            rank = {g: i for i, g in enumerate(order)}
            if all(
                rank[e.position] >= rank[p.position]
                for e in block
                for p in block
                if p.id in _ancestors(catalog, e)
            ):
                valid.append(order)
        options.append(valid)
    if not blocks:
        return 0

    def walk(index: int, previous: object, total: int) -> None:
        nonlocal best
        if index == len(options):
            best = total if best is None else min(best, total)
            return
        for order in options[index]:
            boundary = int(previous is not None and previous != order[0])
            walk(index + 1, order[-1], total + boundary + len(order) - 1)

    walk(0, None, 0)
    assert best is not None
    return best


def _ancestors(catalog: Catalog, exercise: Exercise) -> set[str]:
    found: set[str] = set()
    current = exercise.progresses_from
    while current is not None and current in catalog and current not in found:
        found.add(current)
        current = catalog.get(current).progresses_from
    return found


def check_routine_rules(catalog: Catalog, routine: tuple[RoutineItem, ...]) -> None:
    exercises = [i.exercise for i in routine]
    chosen = {e.id for e in exercises}
    # Warm-ups first.
    flags = [e.warm_up for e in exercises]
    assert flags == sorted(flags, reverse=True)
    # Every exercise after the one it progresses from (and that one's own easier ones).
    where = {e.id: n for n, e in enumerate(exercises)}
    for e in exercises:
        for ancestor in _ancestors(catalog, e) & chosen:
            assert where[ancestor] < where[e.id], (ancestor, e.id)
    # Within each block, each position at most once in a row: changes <= groups - 1.
    blocks = _blocks(routine)
    for block in blocks:
        moves = sum(a.position != b.position for a, b in pairwise(block))
        assert moves <= len({e.position for e in block}) - 1
        # Inside one position group, the authored order is kept.
        for position in {e.position for e in block}:
            group = [e for e in block if e.position == position]
            assert [e.order for e in group] == sorted(e.order for e in group)
    # And the whole routine changes position no more than it must.
    total = sum(a.position != b.position for a, b in pairwise(exercises))
    assert total == _fewest_changes(blocks, catalog)


@given(
    st.lists(st.tuples(st.sampled_from([e.id for e in REAL.exercises]), answers), max_size=40),
    st.integers(1, 3),
    st.frozensets(st.sampled_from([e.id for e in REAL.exercises])),
)
def test_real_routines_keep_positions_together_for_any_progress(
    history: list[tuple[str, Answer]], level: int, resting: frozenset[str]
) -> None:
    progress: dict[str, ExerciseProgress] = {}
    for exercise_id, answer in history:
        exercise = REAL.get(exercise_id)
        current = progress.get(exercise_id) or initial_progress(exercise)
        progress[exercise_id] = apply_answer(exercise, current, answer).progress
    routine = build_routine(REAL, level, progress, resting_today=resting)
    check_routine_rules(REAL, routine)
    for item in routine:
        assert POSITIONS[item.exercise.id] == item.exercise.position
        assert (item.exercise.id in WARM_UPS) == item.exercise.warm_up


POSITION_NAMES = sorted(set(POSITIONS.values()))


@st.composite
def random_catalogs(draw: st.DrawFn) -> Catalog:
    """Up to 9 exercises, any positions and orders; each progresses from an earlier one or none."""
    count = draw(st.integers(1, 9))
    exercises: list[Exercise] = []
    for n in range(count):
        warm_up = draw(st.booleans())
        # A warm-up only progresses from a warm-up (the loader rejects anything else).
        parents = [e.id for e in exercises if e.warm_up or not warm_up]
        parent = draw(st.one_of(st.none(), st.sampled_from(parents))) if parents else None
        exercises.append(
            make(
                f"e{n}",
                order=draw(st.integers(0, 5)),
                position=draw(st.sampled_from(POSITION_NAMES)),
                warm_up=warm_up,
                progresses_from=parent,
            )
        )
    return Catalog(tuple(draw(st.permutations(exercises))))


def _group_order_possible(catalog: Catalog, block: list[Exercise]) -> bool:
    """Whether the block's position groups can each stay together under the progressions."""
    return bool(
        [
            order
            for order in permutations(dict.fromkeys(e.position for e in block))
            if all(
                order.index(e.position) >= order.index(p.position)
                for e in block
                for p in block
                if p.id in _ancestors(catalog, e)
            )
        ]
    )


@given(random_catalogs(), st.data())
def test_any_catalog_routine_keeps_warm_ups_first_and_progressions_in_order(
    catalog: Catalog, data: st.DataObject
) -> None:
    progress = {e.id: ExerciseProgress(e.id, 10, pain_free_streak=2) for e in catalog.exercises}
    resting = data.draw(st.frozensets(st.sampled_from([e.id for e in catalog.exercises])))
    routine = build_routine(catalog, 1, progress, resting_today=resting)
    assert {i.exercise.id for i in routine} == {e.id for e in catalog.exercises} - resting
    exercises = [i.exercise for i in routine]
    flags = [e.warm_up for e in exercises]
    assert flags == sorted(flags, reverse=True)
    where = {e.id: n for n, e in enumerate(exercises)}
    for e in exercises:
        for ancestor in _ancestors(catalog, e) & set(where):
            assert where[ancestor] < where[e.id]
    blocks = _blocks(routine)
    if all(_group_order_possible(catalog, block) for block in blocks):
        for block in blocks:
            moves = sum(a.position != b.position for a, b in pairwise(block))
            assert moves <= len({e.position for e in block}) - 1
        total = sum(a.position != b.position for a, b in pairwise(exercises))
        assert total == _fewest_changes(blocks, catalog)
