"""Pain-monitoring rules: holds grow, stay, shrink, and exercises lock, leave and return."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.progression import (
    Answer,
    AnswerKind,
    ChangeKind,
    ExerciseProgress,
    PainBand,
    advance_removed,
    apply_answer,
    current_target,
    end_session,
    initial_progress,
    is_unlocked,
    level_up_ready,
    unlocked_exercises,
)
from catalog.model import MIN_HOLD_SECONDS, Catalog, Exercise, Level
from tests.unit.factories import make


def small_catalog() -> Catalog:
    """A hand-built catalog shaped like the real one."""
    return Catalog(
        (
            make("cat", fixed=15, order=10),
            make("knee_to_chest", fixed=30, order=30),
            make("partial_cobra", level=2, order=40),
            make("cobra", level=2, progresses_from="partial_cobra", order=50),
            make("bird_dog_arm", level=2, sides=("left", "right"), order=80),
            make(
                "bird_dog_leg",
                level=2,
                sides=("left", "right"),
                progresses_from="bird_dog_arm",
                order=90,
            ),
            make(
                "bird_dog_opposite",
                level=2,
                sides=("left", "right"),
                progresses_from="bird_dog_leg",
                order=100,
            ),
            make("elbow_plank", level=3, order=110),
            make("full_plank", level=3, progresses_from="elbow_plank", order=120),
        )
    )


def run(exercise: Exercise, answers: list[Answer], progress: ExerciseProgress | None = None):
    """Apply answers in order; returns the final progress and every change."""
    progress = progress or initial_progress(exercise)
    changes = []
    for answer in answers:
        update = apply_answer(exercise, progress, answer)
        progress = update.progress
        changes.append(update.change)
    return progress, changes


def ids(exercises) -> list[str]:
    return [e.id for e in exercises]


# --- Answers -----------------------------------------------------------------


def test_answer_constructors() -> None:
    assert Answer.done() == Answer(AnswerKind.DONE, 0)
    assert Answer.hurts(7) == Answer(AnswerKind.HURTS, 7)
    assert Answer.skipped() == Answer(AnswerKind.SKIPPED, None)


@pytest.mark.parametrize("pain", [-1, 11, None, True, 2.5])
def test_hurts_rejects_bad_pain(pain) -> None:
    with pytest.raises(ValueError):
        Answer.hurts(pain)


def test_done_with_pain_and_skipped_with_pain_are_rejected() -> None:
    with pytest.raises(ValueError):
        Answer(AnswerKind.DONE, 4)
    with pytest.raises(ValueError):
        Answer(AnswerKind.SKIPPED, 0)


@pytest.mark.parametrize(
    ("pain", "band"),
    [
        (0, PainBand.FINE),
        (3, PainBand.FINE),
        (4, PainBand.ACCEPTABLE),
        (5, PainBand.ACCEPTABLE),
        (6, PainBand.TOO_MUCH),
        (10, PainBand.TOO_MUCH),
    ],
)
def test_pain_bands(pain: int, band: PainBand) -> None:
    assert Answer.hurts(pain).band is band
    assert Answer.skipped().band is None


# --- Growing, keeping, cutting -----------------------------------------------


def test_initial_progress_starts_at_hold_start() -> None:
    progress = initial_progress(make("bridge", start=10))
    assert progress == ExerciseProgress("bridge", 10)
    assert not progress.removed


def test_pain_free_grows_by_five_up_to_ceiling_and_stops() -> None:
    plank = make("plank", start=10, ceiling=30)
    progress, changes = run(plank, [Answer.done(), Answer.hurts(3), Answer.done(), Answer.done()])
    assert [c.new_hold for c in changes] == [15, 20, 25, 30]
    assert all(c.kind is ChangeKind.GREW for c in changes)
    progress, changes = run(plank, [Answer.done()], progress)
    assert changes[0].kind is ChangeKind.KEPT
    assert (changes[0].old_hold, changes[0].new_hold) == (30, 30)
    assert progress.pain_free_streak == 5


def test_growth_does_not_overshoot_an_odd_ceiling() -> None:
    progress, changes = run(make("odd", start=10, ceiling=22), [Answer.done()] * 3)
    assert [c.new_hold for c in changes] == [15, 20, 22]
    assert progress.target_hold == 22


def test_fixed_hold_is_a_target_not_a_floor() -> None:
    """Pain above 5 cuts a fixed hold like any other; pain-free days grow it back, no further."""
    cat = make("cat", fixed=15)
    answers = [Answer.done(), Answer.hurts(5), Answer.hurts(8), Answer.hurts(4), Answer.done()]
    progress, changes = run(cat, [*answers, Answer.done()])
    assert [c.new_hold for c in changes] == [15, 15, 10, 10, 15, 15]
    assert [c.kind for c in changes] == [
        ChangeKind.KEPT,
        ChangeKind.KEPT,
        ChangeKind.CUT,
        ChangeKind.KEPT,
        ChangeKind.GREW,
        ChangeKind.KEPT,
    ]
    assert changes[2].rest_today and (changes[2].old_hold, changes[2].new_hold) == (15, 10)
    assert progress.target_hold == 15


def test_fixed_hold_cut_stops_at_the_minimum_and_grows_back_step_by_step() -> None:
    bridge = make("bridge", fixed=30)
    progress, changes = run(bridge, [Answer.hurts(6), Answer.hurts(4)] * 6)
    assert [c.new_hold for c in changes[::2]] == [25, 20, 15, 10, 5, 5]
    assert progress.target_hold == MIN_HOLD_SECONDS and not progress.removed
    progress, changes = run(bridge, [Answer.done()] * 7, progress)
    assert [c.new_hold for c in changes] == [10, 15, 20, 25, 30, 30, 30]


def test_fixed_hold_off_the_five_second_grid_grows_back_to_its_own_time() -> None:
    odd = make("odd", fixed=12)
    _, changes = run(odd, [Answer.hurts(7), Answer.done(), Answer.done()])
    assert [c.new_hold for c in changes] == [7, 12, 12]


@pytest.mark.parametrize("pain", [4, 5])
def test_pain_four_or_five_keeps_target_and_resets_streaks(pain: int) -> None:
    plank = make("plank")
    progress = ExerciseProgress("plank", 20, pain_free_streak=3, ceiling_pain_free_streak=1)
    update = apply_answer(plank, progress, Answer.hurts(pain))
    assert update.change.kind is ChangeKind.KEPT
    assert update.change.band is PainBand.ACCEPTABLE
    assert not update.change.rest_today
    assert update.progress == ExerciseProgress("plank", 20)


def test_pain_four_or_five_breaks_a_high_pain_run() -> None:
    plank = make("plank", start=20)
    progress, changes = run(plank, [Answer.hurts(7), Answer.hurts(5), Answer.hurts(7)])
    assert not progress.removed
    assert progress.high_pain_streak == 1
    assert changes[-1].kind is ChangeKind.CUT
    assert progress.target_hold == 10


def test_pain_six_cuts_by_five_and_rests_today() -> None:
    plank = make("plank")
    update = apply_answer(plank, ExerciseProgress("plank", 25, pain_free_streak=4), Answer.hurts(6))
    assert update.change.kind is ChangeKind.CUT
    assert (update.change.old_hold, update.change.new_hold) == (25, 20)
    assert update.change.rest_today
    assert update.change.offer_instead is None
    assert update.progress == ExerciseProgress("plank", 20, high_pain_streak=1)


def test_cut_never_goes_below_minimum() -> None:
    plank = make("plank", start=5)
    update = apply_answer(plank, initial_progress(plank), Answer.hurts(9))
    assert update.progress.target_hold == MIN_HOLD_SECONDS
    assert update.change.kind is ChangeKind.KEPT
    assert update.change.rest_today
    update = apply_answer(plank, ExerciseProgress("plank", 8), Answer.hurts(9))
    assert update.progress.target_hold == MIN_HOLD_SECONDS


def test_skip_changes_nothing() -> None:
    plank = make("plank")
    progress = ExerciseProgress("plank", 20, pain_free_streak=2, high_pain_streak=1)
    update = apply_answer(plank, progress, Answer.skipped())
    assert update.progress is progress
    assert update.change.kind is ChangeKind.UNCHANGED
    assert (update.change.old_hold, update.change.new_hold) == (20, 20)


def test_ceiling_streak_counts_only_sessions_already_at_ceiling() -> None:
    plank = make("plank", start=20, ceiling=30)
    progress, _ = run(plank, [Answer.done(), Answer.done()])
    # The second session reached 30 from 25: not yet done at the ceiling.
    assert progress.target_hold == 30 and progress.ceiling_pain_free_streak == 0
    progress, _ = run(plank, [Answer.done(), Answer.hurts(2)], progress)
    assert progress.ceiling_pain_free_streak == 2
    progress, _ = run(plank, [Answer.hurts(4)], progress)
    assert progress.ceiling_pain_free_streak == 0


def test_fixed_hold_at_its_time_is_at_its_ceiling() -> None:
    progress, _ = run(make("cat", fixed=15), [Answer.done(), Answer.done()])
    assert progress.ceiling_pain_free_streak == 2


def test_eased_fixed_hold_counts_for_levelling_up_only_once_back_at_its_time() -> None:
    progress, _ = run(make("cat", fixed=15), [Answer.hurts(6), Answer.done()])
    # 10 -> 15: grown back, but not yet done at the full 15 s.
    assert progress.target_hold == 15 and progress.ceiling_pain_free_streak == 0
    progress, _ = run(make("cat", fixed=15), [Answer.done(), Answer.done()], progress)
    assert progress.ceiling_pain_free_streak == 2


def test_stored_fixed_target_below_its_time_is_kept() -> None:
    cat = make("cat", fixed=15)
    assert current_target(cat, ExerciseProgress("cat", 10)) == 10
    assert current_target(cat, ExerciseProgress("cat", 40)) == 15
    assert current_target(cat, ExerciseProgress("cat", 1)) == MIN_HOLD_SECONDS


def test_out_of_range_stored_target_is_pulled_back() -> None:
    plank = make("plank", start=10, ceiling=20)
    update = apply_answer(plank, ExerciseProgress("plank", 45), Answer.hurts(4))
    assert update.progress.target_hold == 20


def test_mismatched_progress_is_a_bug() -> None:
    with pytest.raises(ValueError):
        apply_answer(make("a"), initial_progress(make("b")), Answer.done())


# --- Removal and return ------------------------------------------------------


def test_two_sessions_above_five_remove_and_offer_predecessor() -> None:
    catalog = small_catalog()
    cobra = catalog.get("cobra")
    progress, changes = run(cobra, [Answer.done(), Answer.done(), Answer.hurts(7), Answer.hurts(8)])
    assert changes[2].kind is ChangeKind.CUT and changes[2].offer_instead is None
    last = changes[3]
    assert last.kind is ChangeKind.REMOVED
    assert last.offer_instead == "partial_cobra"
    assert last.rest_today
    # Removal also carries that session's cut: 20 -> 15 -> 10.
    assert (last.old_hold, last.new_hold) == (15, 10)
    assert progress.removed and progress.high_pain_streak == 2
    assert progress.sessions_until_return == 2


def test_removed_without_predecessor_offers_nothing() -> None:
    progress, changes = run(make("plank"), [Answer.hurts(6), Answer.hurts(10)])
    assert progress.removed
    assert changes[-1].kind is ChangeKind.REMOVED and changes[-1].offer_instead is None


def test_stale_answer_for_removed_exercise_is_ignored() -> None:
    plank = make("plank")
    progress, _ = run(plank, [Answer.hurts(6), Answer.hurts(6)])
    for answer in (Answer.done(), Answer.hurts(9)):
        update = apply_answer(plank, progress, answer)
        assert update.progress is progress
        assert update.change.kind is ChangeKind.UNCHANGED


def removed_progress(catalog: Catalog, exercise_id: str) -> ExerciseProgress:
    progress, _ = run(catalog.get(exercise_id), [Answer.hurts(7), Answer.hurts(7)])
    assert progress.removed
    return progress


def session(
    catalog: Catalog,
    progress_by_id: dict[str, ExerciseProgress],
    answers: Mapping[str, Answer],
) -> tuple[dict[str, ExerciseProgress], tuple[str, ...]]:
    """One whole session the way the bot runs it: each answer, then end_session."""
    progress_by_id = dict(progress_by_id)
    for exercise_id, answer in answers.items():
        exercise = catalog.get(exercise_id)
        current = progress_by_id.get(exercise_id) or initial_progress(exercise)
        progress_by_id[exercise_id] = apply_answer(exercise, current, answer).progress
    end = end_session(catalog, progress_by_id, answers)
    return dict(end.progress_by_id), end.returned


def test_removed_exercise_with_predecessor_returns_after_two_pain_free_predecessor_sessions():
    catalog = small_catalog()
    level = 2
    progress = {
        "partial_cobra": ExerciseProgress("partial_cobra", 30, pain_free_streak=6),
        "cobra": ExerciseProgress("cobra", 20, high_pain_streak=1),
    }
    # The removal session: partial cobra pain-free, cobra hurts a second time.
    progress, returned = session(
        catalog, progress, {"partial_cobra": Answer.done(), "cobra": Answer.hurts(8)}
    )
    assert progress["cobra"].removed and returned == ()
    assert not is_unlocked(catalog, catalog.get("cobra"), progress, level)
    # Predecessor sessions in the removal session do not count; a skip does not count either.
    progress, returned = session(catalog, progress, {"partial_cobra": Answer.skipped()})
    assert progress["cobra"].sessions_until_return == 2
    progress, returned = session(catalog, progress, {"partial_cobra": Answer.done()})
    assert progress["cobra"].removed and returned == ()
    # Pain 4-5 on the predecessor restarts the count.
    progress, returned = session(catalog, progress, {"partial_cobra": Answer.hurts(4)})
    assert progress["cobra"].sessions_until_return == 2
    progress, _ = session(catalog, progress, {"partial_cobra": Answer.hurts(1)})
    progress, returned = session(catalog, progress, {"partial_cobra": Answer.done()})
    assert returned == ("cobra",)
    back = progress["cobra"]
    assert not back.removed
    assert back.target_hold == 15  # the cut target is kept: 20 -> 15
    assert back == ExerciseProgress("cobra", 15)
    assert is_unlocked(catalog, catalog.get("cobra"), progress, level)


def test_removed_exercise_without_predecessor_rests_two_sessions_then_returns() -> None:
    catalog = small_catalog()
    progress = {"partial_cobra": ExerciseProgress("partial_cobra", 20, high_pain_streak=1)}
    progress, _ = session(catalog, progress, {"partial_cobra": Answer.hurts(9)})
    assert progress["partial_cobra"].removed
    assert progress["partial_cobra"].target_hold == 15
    progress, returned = session(catalog, progress, {"cat": Answer.done()})
    assert progress["partial_cobra"].removed and returned == ()
    progress, returned = session(catalog, progress, {})
    assert returned == ("partial_cobra",)
    assert progress["partial_cobra"] == ExerciseProgress("partial_cobra", 15)


def test_advance_removed_leaves_active_exercises_alone() -> None:
    plank = make("plank")
    progress = ExerciseProgress("plank", 20, pain_free_streak=3)
    assert advance_removed(plank, progress, None) is progress


# --- Unlocking ---------------------------------------------------------------


def test_level_gates_exercises() -> None:
    catalog = small_catalog()
    assert ids(unlocked_exercises(catalog, 1, {})) == ["cat", "knee_to_chest"]
    assert ids(unlocked_exercises(catalog, 2, {})) == [
        "cat",
        "knee_to_chest",
        "partial_cobra",
        "bird_dog_arm",
    ]


def test_cobra_locked_after_partial_cobra_hurts_until_two_pain_free_sessions() -> None:
    catalog = small_catalog()
    partial, cobra = catalog.get("partial_cobra"), catalog.get("cobra")
    progress, _ = run(partial, [Answer.done(), Answer.done()])
    assert is_unlocked(catalog, cobra, {"partial_cobra": progress}, 2)
    for pain in (4, 7):
        hurt, _ = run(partial, [Answer.hurts(pain)], progress)
        assert not is_unlocked(catalog, cobra, {"partial_cobra": hurt}, 2)
        once, _ = run(partial, [Answer.done()], hurt)
        assert not is_unlocked(catalog, cobra, {"partial_cobra": once}, 2)
        twice, _ = run(partial, [Answer.hurts(3)], once)
        assert is_unlocked(catalog, cobra, {"partial_cobra": twice}, 2)


def test_bird_dog_chain_unlocks_one_step_at_a_time() -> None:
    catalog = small_catalog()
    arm, leg = catalog.get("bird_dog_arm"), catalog.get("bird_dog_leg")
    opposite = catalog.get("bird_dog_opposite")

    def available(progress: dict[str, ExerciseProgress]) -> list[str]:
        return [i for i in ids(unlocked_exercises(catalog, 2, progress)) if "bird" in i]

    progress: dict[str, ExerciseProgress] = {}
    assert available(progress) == ["bird_dog_arm"]
    progress["bird_dog_arm"], _ = run(arm, [Answer.done(), Answer.done()])
    assert available(progress) == ["bird_dog_arm", "bird_dog_leg"]
    progress["bird_dog_leg"], _ = run(leg, [Answer.done(), Answer.done()])
    assert available(progress) == ["bird_dog_arm", "bird_dog_leg", "bird_dog_opposite"]
    progress["bird_dog_opposite"], _ = run(opposite, [Answer.done()])
    # The easiest variant hurting locks every harder one behind it.
    progress["bird_dog_arm"], _ = run(arm, [Answer.hurts(5)], progress["bird_dog_arm"])
    assert available(progress) == ["bird_dog_arm"]
    progress["bird_dog_arm"], _ = run(arm, [Answer.done(), Answer.done()], progress["bird_dog_arm"])
    assert available(progress) == ["bird_dog_arm", "bird_dog_leg", "bird_dog_opposite"]


def test_plank_chain_and_custom_unlock_count() -> None:
    catalog = Catalog(
        (
            make("elbow_plank", level=3),
            make("full_plank", level=3, progresses_from="elbow_plank", unlock_after=3),
        )
    )
    elbow, full = catalog.get("elbow_plank"), catalog.get("full_plank")
    progress, _ = run(elbow, [Answer.done()] * 2)
    assert not is_unlocked(catalog, full, {"elbow_plank": progress}, 3)
    progress, _ = run(elbow, [Answer.done()], progress)
    assert is_unlocked(catalog, full, {"elbow_plank": progress}, 3)
    assert not is_unlocked(catalog, full, {"elbow_plank": progress}, 2)


def test_removed_exercise_and_its_successors_are_locked() -> None:
    catalog = small_catalog()
    progress = {
        "bird_dog_arm": ExerciseProgress("bird_dog_arm", 30, pain_free_streak=5),
        "bird_dog_leg": removed_progress(catalog, "bird_dog_leg"),
        "bird_dog_opposite": ExerciseProgress("bird_dog_opposite", 20),
    }
    available = ids(unlocked_exercises(catalog, 2, progress))
    assert "bird_dog_arm" in available
    assert "bird_dog_leg" not in available
    assert "bird_dog_opposite" not in available


def test_unknown_predecessor_keeps_exercise_locked() -> None:
    catalog = Catalog((make("orphan", progresses_from="missing"),))
    assert unlocked_exercises(catalog, 3, {}) == ()


# --- Levelling up ------------------------------------------------------------


def level_catalog() -> Catalog:
    return Catalog(
        (
            make("cat", fixed=15),
            make("bridge", start=20, ceiling=30),
            make("plank", level=2),
        )
    )


def test_level_up_needs_two_pain_free_ceiling_sessions_for_every_exercise() -> None:
    catalog = level_catalog()
    cat, bridge = catalog.get("cat"), catalog.get("bridge")
    progress = {
        "cat": run(cat, [Answer.done()] * 2)[0],
        "bridge": run(bridge, [Answer.done()] * 2)[0],
    }
    assert progress["bridge"].target_hold == 30
    assert not level_up_ready(catalog, 1, progress)
    progress["bridge"] = run(bridge, [Answer.done()], progress["bridge"])[0]
    assert not level_up_ready(catalog, 1, progress)
    progress["bridge"] = run(bridge, [Answer.hurts(2)], progress["bridge"])[0]
    assert level_up_ready(catalog, 1, progress)
    # Any pain above 3 at the ceiling restarts that exercise's count.
    progress["cat"] = run(cat, [Answer.hurts(4)], progress["cat"])[0]
    assert not level_up_ready(catalog, 1, progress)
    progress["cat"] = run(cat, [Answer.done()] * 2, progress["cat"])[0]
    assert level_up_ready(catalog, 1, progress)


def test_level_up_not_ready_when_an_exercise_was_never_done() -> None:
    catalog = level_catalog()
    progress = {"cat": run(catalog.get("cat"), [Answer.done()] * 2)[0]}
    assert not level_up_ready(catalog, 1, progress)


def test_level_up_never_ready_at_the_top() -> None:
    catalog = level_catalog()
    plank = catalog.get("plank")
    progress = {"plank": run(plank, [Answer.done()] * 8)[0]}
    assert progress["plank"].ceiling_pain_free_streak >= 2
    assert not level_up_ready(catalog, 2, progress)
    assert not level_up_ready(catalog, int(max(Level)), progress)


# --- The real catalog --------------------------------------------------------


def test_real_catalog_unlocks_as_documented() -> None:
    from catalog.loader import load_catalog

    catalog = load_catalog()
    assert ids(unlocked_exercises(catalog, 1, {})) == [
        "cat",
        "cow",
        "knee_to_chest",
        "glute_bridge",
    ]
    level_two = set(ids(unlocked_exercises(catalog, 2, {})))
    assert {"partial_cobra", "hip_flexor_stretch", "bird_dog_arm"} <= level_two
    assert not {"cobra", "bird_dog_leg", "bird_dog_opposite"} & level_two
    progress = {e.id: run(e, [Answer.done()] * 6)[0] for e in catalog.at_level(1)}
    assert level_up_ready(catalog, 1, progress)


# --- Properties --------------------------------------------------------------

answers = st.one_of(
    st.just(Answer.done()),
    st.just(Answer.skipped()),
    st.integers(0, 10).map(Answer.hurts),
)
exercises = st.one_of(
    st.integers(5, 60).map(lambda s: make("fixed", fixed=s)),
    st.tuples(st.integers(5, 60), st.integers(0, 55)).map(
        lambda t: make("work", start=t[0], ceiling=min(60, t[0] + t[1]))
    ),
)


@given(exercises, st.lists(answers, max_size=30))
def test_target_stays_within_bounds(exercise: Exercise, sequence: list[Answer]) -> None:
    progress = initial_progress(exercise)
    for answer in sequence:
        update = apply_answer(exercise, progress, answer)
        progress = update.progress
        assert MIN_HOLD_SECONDS <= progress.target_hold <= exercise.hold.ceiling
        assert update.change.new_hold == progress.target_hold


@given(exercises, st.lists(answers, max_size=30))
def test_a_fixed_hold_never_exceeds_its_catalog_time(
    exercise: Exercise, sequence: list[Answer]
) -> None:
    progress = initial_progress(exercise)
    for answer in sequence:
        progress = apply_answer(exercise, progress, answer).progress
        assert progress.target_hold <= exercise.hold.start or not exercise.hold.is_fixed


@given(exercises, st.integers(5, 60), st.integers(6, 10))
def test_pain_above_five_cuts_every_hold_above_the_minimum(
    exercise: Exercise, stored: int, pain: int
) -> None:
    """Fixed or not: pain above 5 eases the hold by 5 s, never below the minimum."""
    progress = ExerciseProgress(exercise.id, stored)
    update = apply_answer(exercise, progress, Answer.hurts(pain))
    old = current_target(exercise, progress)
    assert update.change.new_hold == max(MIN_HOLD_SECONDS, old - 5)
    assert update.change.kind is not ChangeKind.GREW


@given(exercises, st.lists(answers, max_size=30))
def test_high_pain_never_raises_a_hold(exercise: Exercise, sequence: list[Answer]) -> None:
    progress = initial_progress(exercise)
    for answer in sequence:
        update = apply_answer(exercise, progress, answer)
        if answer.band is PainBand.TOO_MUCH:
            assert update.progress.target_hold <= progress.target_hold
            assert update.change.new_hold <= update.change.old_hold
        if answer.band is not PainBand.FINE:
            assert update.change.kind is not ChangeKind.GREW
        progress = update.progress


sessions = st.lists(
    st.dictionaries(
        st.sampled_from(["cat", "cow", "knee_to_chest", "glute_bridge", "cobra"]), answers
    ),
    max_size=12,
)


@given(sessions)
def test_no_answer_above_five_raises_any_hold_over_many_sessions(
    history: list[dict[str, Answer]],
) -> None:
    """Over any sessions, pain above 5 never raises a hold, and lowers any hold above 5 s."""
    from bot.domain.progression import apply_answers
    from catalog.loader import load_catalog

    catalog = load_catalog()
    progress: dict[str, ExerciseProgress] = {}
    for answers_today in history:
        after, _ = apply_answers(catalog, progress, answers_today)
        for exercise_id, answer in answers_today.items():
            exercise = catalog.get(exercise_id)
            before = current_target(
                exercise, progress.get(exercise_id) or initial_progress(exercise)
            )
            now = current_target(exercise, after[exercise_id])
            assert now <= exercise.hold.ceiling
            if (
                answer.band is PainBand.TOO_MUCH
                and not (progress.get(exercise_id) or initial_progress(exercise)).removed
            ):
                assert now < before or before == MIN_HOLD_SECONDS
            if answer.band is not PainBand.FINE:
                assert now <= before
        progress = after


@given(exercises, st.lists(answers, max_size=30))
def test_streaks_are_consistent(exercise: Exercise, sequence: list[Answer]) -> None:
    progress = initial_progress(exercise)
    for answer in sequence:
        progress = apply_answer(exercise, progress, answer).progress
        assert progress.ceiling_pain_free_streak <= progress.pain_free_streak
        assert progress.pain_free_streak == 0 or progress.high_pain_streak == 0
        assert progress.removed == (progress.high_pain_streak >= 2)


def test_apply_answers_updates_each_and_lists_only_real_changes() -> None:
    from bot.domain.progression import apply_answers
    from catalog.loader import load_catalog

    catalog = load_catalog()
    before = {"bird_dog_arm": ExerciseProgress("bird_dog_arm", target_hold=20)}
    answers = {
        "bird_dog_arm": Answer.hurts(6),
        "partial_cobra": Answer.done(),
        "cat": Answer.skipped(),
    }
    after, changes = apply_answers(catalog, before, answers)
    assert after["bird_dog_arm"].target_hold == 15
    assert after["partial_cobra"].target_hold == 15
    assert after["cat"].target_hold == 15 and after["cat"].pain_free_streak == 0
    assert [(c.exercise_id, c.kind) for c in changes] == [
        ("bird_dog_arm", ChangeKind.CUT),
        ("partial_cobra", ChangeKind.GREW),
    ]
    # A day the back felt worse: the pain-free answer keeps its hold.
    _, steady = apply_answers(catalog, before, {"partial_cobra": Answer.done()}, grow=False)
    assert [(c.kind, c.new_hold, c.steady) for c in steady] == [(ChangeKind.KEPT, 10, True)]
