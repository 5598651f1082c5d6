"""Reminder rules, answers given outside a session, steady days, and local reminder wording."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.progression import (
    Answer,
    AnswerKind,
    ChangeKind,
    ExerciseProgress,
    PainBand,
    apply_answer,
    initial_progress,
)
from bot.domain.reminders import (
    SNOOZE,
    WORSE_MORNINGS_FOR_PHYSIO,
    HowItWent,
    Morning,
    MorningResult,
    Outcome,
    eased_answers,
    missed_yesterday,
    morning_check,
    outcome,
    report_done,
    report_pain,
    reported_answers,
    snooze_same_day,
)
from bot.domain.timezones import zone
from bot.texts import local_when
from catalog.loader import load_catalog
from tests.unit.factories import make

CATALOG = load_catalog()
IDS = [exercise.id for exercise in CATALOG.exercises]
TODAY = date(2026, 11, 27)

routines = st.lists(st.sampled_from(IDS), unique=True, max_size=len(IDS))
pains = st.integers(min_value=0, max_value=10)
hows = st.sampled_from(list(HowItWent))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def progress_states(exercise_id: str) -> st.SearchStrategy[ExerciseProgress]:
    """Any plausible stored progress for one exercise (not removed)."""
    return st.builds(
        ExerciseProgress,
        exercise_id=st.just(exercise_id),
        target_hold=st.integers(min_value=5, max_value=60),
        pain_free_streak=st.integers(min_value=0, max_value=20),
        high_pain_streak=st.integers(min_value=0, max_value=1),
        ceiling_pain_free_streak=st.integers(min_value=0, max_value=5),
    )


# --- Constants ---------------------------------------------------------------


def test_snooze_is_half_an_hour_and_physio_after_two_worse_mornings() -> None:
    assert timedelta(minutes=30) == SNOOZE
    assert WORSE_MORNINGS_FOR_PHYSIO == 2


# --- outcome -----------------------------------------------------------------


def test_outcome_values_are_the_log_statuses() -> None:
    assert [o.value for o in Outcome] == ["claimed", "missed", "done"]


def test_outcome_on_time_is_send() -> None:
    due = utc(2026, 11, 27, 6, 30)
    assert outcome(due, due, timedelta(hours=2), done_today=False) is Outcome.SEND


def test_outcome_exactly_at_grace_still_sends_one_second_later_missed() -> None:
    due, grace = utc(2026, 11, 27, 6, 30), timedelta(hours=2)
    assert outcome(due, due + grace, grace, done_today=False) is Outcome.SEND
    late = due + grace + timedelta(seconds=1)
    assert outcome(due, late, grace, done_today=False) is Outcome.MISSED


def test_outcome_done_today_wins_even_when_late() -> None:
    due = utc(2026, 11, 27, 6, 30)
    assert outcome(due, due, timedelta(hours=2), done_today=True) is Outcome.ALREADY_DONE
    late = due + timedelta(days=1)
    assert outcome(due, late, timedelta(hours=2), done_today=True) is Outcome.ALREADY_DONE


@given(
    lateness=st.integers(min_value=0, max_value=24 * 3600),
    grace=st.integers(min_value=0, max_value=6 * 3600),
)
def test_outcome_sends_iff_within_grace(lateness: int, grace: int) -> None:
    due = utc(2026, 11, 27, 6, 30)
    result = outcome(
        due, due + timedelta(seconds=lateness), timedelta(seconds=grace), done_today=False
    )
    assert (result is Outcome.SEND) == (lateness <= grace)
    assert result in (Outcome.SEND, Outcome.MISSED)


# --- missed_yesterday ---------------------------------------------------------


def test_missed_yesterday_needs_some_earlier_session() -> None:
    assert not missed_yesterday([], TODAY)
    assert not missed_yesterday([TODAY], TODAY)  # only today: no history yet
    assert not missed_yesterday([TODAY + timedelta(days=1)], TODAY)


def test_missed_yesterday_true_after_a_gap_false_after_yesterday() -> None:
    assert missed_yesterday([TODAY - timedelta(days=2)], TODAY)
    assert not missed_yesterday([TODAY - timedelta(days=1)], TODAY)
    assert not missed_yesterday(iter([TODAY - timedelta(days=5), TODAY - timedelta(days=1)]), TODAY)


@given(st.sets(st.integers(min_value=-30, max_value=30)))
def test_missed_yesterday_ignores_today_and_later(offsets: set[int]) -> None:
    days = [TODAY + timedelta(days=o) for o in offsets]
    past = [day for day in days if day < TODAY]
    assert missed_yesterday(days, TODAY) == missed_yesterday(past, TODAY)
    if TODAY - timedelta(days=1) in days:
        assert not missed_yesterday(days, TODAY)


# --- morning_check ------------------------------------------------------------


def test_first_worse_morning_keeps_holds_without_physio() -> None:
    assert morning_check(Morning.WORSE, 0) == MorningResult(
        1, keep_holds_today=True, suggest_physio=False
    )


def test_second_worse_morning_suggests_physio() -> None:
    assert morning_check(Morning.WORSE, 1) == MorningResult(
        2, keep_holds_today=True, suggest_physio=True
    )


@pytest.mark.parametrize("answer", [Morning.BETTER, Morning.SAME])
def test_better_or_same_resets_the_count(answer: Morning) -> None:
    assert morning_check(answer, 5) == MorningResult(
        0, keep_holds_today=False, suggest_physio=False
    )


@given(answer=st.sampled_from(list(Morning)), before=st.integers(min_value=0, max_value=50))
def test_morning_check_invariants(answer: Morning, before: int) -> None:
    result = morning_check(answer, before)
    if answer is Morning.WORSE:
        assert result.worse_mornings == before + 1
        assert result.keep_holds_today
    else:
        assert result.worse_mornings == 0
        assert not result.keep_holds_today
    assert result.suggest_physio == (result.worse_mornings >= WORSE_MORNINGS_FOR_PHYSIO)


@given(st.lists(st.sampled_from(list(Morning)), max_size=20))
def test_morning_check_counts_worse_in_a_row(answers: list[Morning]) -> None:
    count = 0
    run = 0
    for answer in answers:
        count = morning_check(answer, count).worse_mornings
        run = run + 1 if answer is Morning.WORSE else 0
        assert count == run


# --- reported_answers ---------------------------------------------------------


def test_all_counts_every_exercise_done() -> None:
    assert reported_answers(["cat", "cow"], HowItWent.ALL) == {
        "cat": Answer.done(),
        "cow": Answer.done(),
    }


def test_some_counts_every_exercise_skipped() -> None:
    answers = reported_answers(["cat", "cow"], HowItWent.SOME, pain=7, exercise_id="cat")
    assert answers == {"cat": Answer.skipped(), "cow": Answer.skipped()}


def test_hurt_with_named_exercise_hurts_only_that_one() -> None:
    answers = reported_answers(
        ["cat", "cow", "glute_bridge"], HowItWent.HURT, pain=6, exercise_id="cow"
    )
    assert answers == {
        "cat": Answer.skipped(),
        "cow": Answer.hurts(6),
        "glute_bridge": Answer.skipped(),
    }


@pytest.mark.parametrize("exercise_id", [None, "full_plank"])
def test_hurt_without_a_known_exercise_hurts_them_all(exercise_id: str | None) -> None:
    answers = reported_answers(["cat", "cow"], HowItWent.HURT, pain=7, exercise_id=exercise_id)
    assert answers == {"cat": Answer.hurts(7), "cow": Answer.hurts(7)}


def test_hurt_without_a_pain_score_is_skipped() -> None:
    answers = reported_answers(["cat", "cow"], HowItWent.HURT, exercise_id="cat")
    assert set(answers.values()) == {Answer.skipped()}


def test_reported_answers_of_an_empty_routine_is_empty() -> None:
    assert reported_answers([], HowItWent.ALL) == {}
    assert reported_answers([], HowItWent.HURT, pain=8) == {}


@given(routine=routines, how=hows, pain=pains, named=st.one_of(st.none(), st.sampled_from(IDS)))
def test_reported_answers_cover_exactly_the_routine(
    routine: list[str], how: HowItWent, pain: int, named: str | None
) -> None:
    answers = reported_answers(routine, how, pain=pain, exercise_id=named)
    assert list(answers) == routine
    if how is HowItWent.ALL:
        assert all(a == Answer.done() for a in answers.values())
    elif how is HowItWent.SOME:
        assert all(a.kind is AnswerKind.SKIPPED for a in answers.values())
    else:
        hurting = {e for e, a in answers.items() if a.kind is AnswerKind.HURTS}
        assert all(answers[e].pain == pain for e in hurting)
        expected = {named} if named in routine else set(routine)
        assert hurting == expected


@given(routine=routines, how=st.sampled_from([HowItWent.SOME, HowItWent.HURT]), pain=pains)
def test_some_or_hurt_without_pain_free_work_never_counts_as_done(
    routine: list[str], how: HowItWent, pain: int
) -> None:
    answers = reported_answers(routine, how, pain=pain)
    assert all(a.kind is not AnswerKind.DONE for a in answers.values())


# --- eased_answers ------------------------------------------------------------


@pytest.mark.parametrize("pain", [0, 1, 2, 3])
def test_fine_pain_eases_nothing(pain: int) -> None:
    assert eased_answers(["cat", "cow"], pain, "cat") == {}
    assert eased_answers(["cat", "cow"], pain) == {}


def test_named_exercise_alone_is_eased() -> None:
    assert eased_answers(["cat", "cow"], 6, "cow") == {"cow": Answer.hurts(6)}


@pytest.mark.parametrize("exercise_id", [None, "full_plank"])
def test_unknown_exercise_eases_the_whole_routine(exercise_id: str | None) -> None:
    assert eased_answers(["cat", "cow"], 4, exercise_id) == {
        "cat": Answer.hurts(4),
        "cow": Answer.hurts(4),
    }


def test_eased_answers_rejects_a_pain_out_of_range() -> None:
    with pytest.raises(ValueError):
        eased_answers(["cat"], 11)


@given(
    routine=routines, pain=pains, named=st.one_of(st.none(), st.sampled_from(IDS)), data=st.data()
)
def test_eased_answers_never_grow_a_hold(
    routine: list[str], pain: int, named: str | None, data: st.DataObject
) -> None:
    answers = eased_answers(routine, pain, named)
    assert set(answers) <= set(routine)
    for exercise_id, answer in answers.items():
        exercise = CATALOG.get(exercise_id)
        progress = data.draw(progress_states(exercise_id))
        for grow in (True, False):
            update = apply_answer(exercise, progress, answer, grow=grow)
            assert update.change.kind is not ChangeKind.GREW
            assert update.change.new_hold <= update.change.old_hold
            assert update.progress.pain_free_streak == 0


@given(routine=routines, pain=st.integers(min_value=4, max_value=10))
def test_eased_answers_for_unknown_exercise_cover_the_routine(
    routine: list[str], pain: int
) -> None:
    assert eased_answers(routine, pain) == {e: Answer.hurts(pain) for e in routine}


# --- apply_answer(grow=False): a steady day ------------------------------------


@pytest.mark.parametrize("answer", [Answer.done(), Answer.hurts(3)])
def test_steady_pain_free_keeps_the_hold(answer: Answer) -> None:
    plank = make("plank", start=10, ceiling=30)
    progress = ExerciseProgress("plank", 20, pain_free_streak=3, high_pain_streak=1)
    update = apply_answer(plank, progress, answer, grow=False)
    assert update.change.kind is ChangeKind.KEPT
    assert update.change.steady
    assert update.change.band is PainBand.FINE
    assert (update.change.old_hold, update.change.new_hold) == (20, 20)
    assert update.progress.target_hold == 20
    assert update.progress.pain_free_streak == 3
    assert update.progress.high_pain_streak == 0


def test_growing_day_is_not_steady() -> None:
    plank = make("plank")
    update = apply_answer(plank, initial_progress(plank), Answer.done())
    assert update.change.kind is ChangeKind.GREW
    assert not update.change.steady
    assert update.progress.pain_free_streak == 1


def test_steady_day_still_cuts_on_pain() -> None:
    plank = make("plank")
    update = apply_answer(
        plank, ExerciseProgress("plank", 25, pain_free_streak=4), Answer.hurts(7), grow=False
    )
    assert update.change.kind is ChangeKind.CUT
    assert not update.change.steady
    assert update.change.rest_today
    assert update.progress == ExerciseProgress("plank", 20, high_pain_streak=1)


def test_steady_day_still_removes_after_second_high_pain() -> None:
    plank = make("plank")
    progress = ExerciseProgress("plank", 25, high_pain_streak=1)
    update = apply_answer(plank, progress, Answer.hurts(8), grow=False)
    assert update.change.kind is ChangeKind.REMOVED
    assert update.progress.removed


def test_steady_pain_free_does_not_unlock_successor() -> None:
    """Two steady pain-free days leave partial_cobra's streak where it was."""
    partial = CATALOG.get("partial_cobra")
    progress = initial_progress(partial)
    for _ in range(2):
        progress = apply_answer(partial, progress, Answer.done(), grow=False).progress
    assert progress.pain_free_streak == 0
    assert progress.target_hold == partial.hold.start


@given(data=st.data(), exercise_id=st.sampled_from(IDS), pain=pains)
def test_grow_false_matches_grow_true_except_on_pain_free(
    data: st.DataObject, exercise_id: str, pain: int
) -> None:
    exercise = CATALOG.get(exercise_id)
    progress = data.draw(progress_states(exercise_id))
    answer = Answer.done() if pain == 0 else Answer.hurts(pain)
    steady = apply_answer(exercise, progress, answer, grow=False)
    usual = apply_answer(exercise, progress, answer, grow=True)
    if answer.band is PainBand.FINE:
        assert steady.change.kind is ChangeKind.KEPT and steady.change.steady
        assert steady.progress.target_hold == steady.change.old_hold == usual.change.old_hold
        assert steady.progress.pain_free_streak == progress.pain_free_streak
        assert steady.progress.ceiling_pain_free_streak == progress.ceiling_pain_free_streak
    else:
        assert steady == usual


def test_grow_false_skip_is_unchanged() -> None:
    plank = make("plank")
    progress = ExerciseProgress("plank", 20, pain_free_streak=2)
    update = apply_answer(plank, progress, Answer.skipped(), grow=False)
    assert update.progress is progress
    assert update.change.kind is ChangeKind.UNCHANGED


# --- local_when ----------------------------------------------------------------

BERLIN = zone("Europe/Berlin")
NOW = utc(2026, 11, 27, 8, 0)  # Fri 27 Nov, 09:00 in Berlin


def test_local_when_today() -> None:
    assert local_when(utc(2026, 11, 27, 15, 30), BERLIN, NOW) == "today at 16:30"


def test_local_when_tomorrow() -> None:
    assert local_when(utc(2026, 11, 28, 6, 30), BERLIN, NOW) == "tomorrow at 07:30"


def test_local_when_later_gives_weekday_and_date() -> None:
    thursday = utc(2026, 11, 26, 8, 0)
    assert local_when(utc(2026, 11, 28, 6, 30), BERLIN, thursday) == "Sat 28 Nov at 07:30"


def test_local_when_single_digit_day_is_not_padded() -> None:
    assert local_when(utc(2026, 12, 5, 6, 30), BERLIN, NOW) == "Sat 5 Dec at 07:30"


def test_local_when_uses_the_local_date_east_of_utc() -> None:
    """In Auckland (UTC+13) it is already evening of the 27th; 18:30 UTC is tomorrow morning."""
    auckland = zone("Pacific/Auckland")
    assert local_when(utc(2026, 11, 27, 18, 30), auckland, NOW) == "tomorrow at 07:30"


def test_local_when_uses_the_local_date_west_of_utc() -> None:
    """In Los Angeles it is still Friday evening when UTC is already Saturday."""
    los_angeles = zone("America/Los_Angeles")
    now = utc(2026, 11, 28, 2, 0)  # Fri 27 Nov 18:00 in LA
    assert local_when(utc(2026, 11, 28, 15, 30), los_angeles, now) == "tomorrow at 07:30"
    assert local_when(utc(2026, 11, 28, 4, 30), los_angeles, now) == "today at 20:30"


def test_local_when_snooze_past_local_midnight_is_tomorrow() -> None:
    now = utc(2026, 11, 27, 22, 45)  # 23:45 in Berlin
    assert local_when(now + SNOOZE, BERLIN, now) == "tomorrow at 00:15"


# --- report_done / report_pain: what a report outside a session does -----------------------


def _progress(routine: list[str], hold: int = 15) -> dict[str, ExerciseProgress]:
    """Each exercise at `hold` seconds, within its own range."""
    return {
        e: ExerciseProgress(
            e, min(max(hold, CATALOG.get(e).hold.start), CATALOG.get(e).hold.ceiling)
        )
        for e in routine
    }


WORK_UP = ["partial_cobra", "bird_dog_arm"]  # holds that grow ("work up to 30 seconds")


def test_report_done_all_grows_each_hold_and_lists_only_what_changed() -> None:
    progress = _progress(WORK_UP)
    result = report_done(CATALOG, WORK_UP, progress, HowItWent.ALL)
    assert set(result.changed) == set(WORK_UP)
    assert all(result.changed[e].target_hold == progress[e].target_hold + 5 for e in WORK_UP)
    assert result.start_holds == {e: 10 for e in WORK_UP}
    assert [(c.exercise_id, c.kind) for c in result.changes] == [
        (e, ChangeKind.GREW) for e in WORK_UP
    ]


def test_report_done_on_a_steady_day_grows_nothing() -> None:
    progress = _progress(WORK_UP)
    result = report_done(CATALOG, WORK_UP, progress, HowItWent.ALL, grow=False)
    assert all(p.target_hold == progress[e].target_hold for e, p in result.changed.items())
    assert not [c for c in result.changes if c.kind is ChangeKind.GREW]


def test_report_pain_up_to_three_changes_nothing() -> None:
    result = report_pain(CATALOG, ["cat", "cow"], _progress(["cat", "cow"]), 3)
    assert (result.answers, result.changed, result.changes) == ({}, {}, ())


def test_pain_above_five_reported_outside_a_session_eases_fixed_holds_too() -> None:
    level_one = ["cat", "cow", "knee_to_chest", "glute_bridge"]
    result = report_pain(CATALOG, level_one, _progress(level_one), 6, "cat")
    assert result.changed["cat"].target_hold == 10
    assert [(c.exercise_id, c.kind, c.new_hold) for c in result.changes] == [
        ("cat", ChangeKind.CUT, 10)
    ]
    # Not pinned on one exercise: every fixed hold of the routine eases by 5 s.
    result = report_pain(CATALOG, level_one, _progress(level_one), 7)
    assert {e: p.target_hold for e, p in result.changed.items()} == {
        "cat": 10,
        "cow": 10,
        "knee_to_chest": 25,
        "glute_bridge": 25,
    }
    # Done alone, "it hurt" 8 on the bridge: cut too; a pain-free report grows it back.
    done = report_done(
        CATALOG, level_one, _progress(level_one), HowItWent.HURT, pain=8, exercise_id="glute_bridge"
    )
    assert done.changed["glute_bridge"].target_hold == 25
    eased = {**_progress(level_one), **done.changed}
    back = report_done(CATALOG, level_one, eased, HowItWent.ALL)
    assert back.changed["glute_bridge"].target_hold == 30
    again = report_done(CATALOG, level_one, {**eased, **back.changed}, HowItWent.ALL)
    assert all(p.target_hold <= CATALOG.get(e).hold.start for e, p in again.changed.items())


@given(routines, pains, st.one_of(st.none(), st.sampled_from(IDS)))
def test_report_pain_never_lengthens_a_hold_and_changed_means_changed(
    routine: list[str], pain: int, exercise_id: str | None
) -> None:
    progress = _progress(routine)
    result = report_pain(CATALOG, routine, progress, pain, exercise_id)
    for exercise_id_, after in result.changed.items():
        before = progress.get(exercise_id_)
        assert before != after
        assert before is None or after.target_hold <= before.target_hold
    assert set(result.start_holds) == set(result.changed)
    assert set(result.answers) <= set(routine)


@given(routines, hows, st.one_of(st.none(), pains), st.one_of(st.none(), st.sampled_from(IDS)))
def test_report_done_changes_only_routine_exercises_and_what_differs(
    routine: list[str], how: HowItWent, pain: int | None, exercise_id: str | None
) -> None:
    progress = _progress(routine)
    result = report_done(CATALOG, routine, progress, how, pain=pain, exercise_id=exercise_id)
    assert set(result.answers) == set(routine)
    assert all(progress.get(e) != p for e, p in result.changed.items())
    assert set(result.start_holds) == set(result.changed)
    fine = how is HowItWent.ALL or (how is HowItWent.HURT and pain is not None and pain <= 3)
    if not fine:
        # Only work without pain, or pain of 0-3 (fine in the pain-monitoring model), grows.
        assert not [c for c in result.changes if c.kind is ChangeKind.GREW]


def test_a_snooze_comes_back_only_on_its_own_local_day() -> None:
    day = date(2026, 11, 27)
    # 23:40 in Berlin is 22:40 UTC; half an hour later is 00:10 on the 28th there.
    assert snooze_same_day(datetime(2026, 11, 27, 22, 29, tzinfo=UTC), "Europe/Berlin", day)
    assert not snooze_same_day(datetime(2026, 11, 27, 23, 10, tzinfo=UTC), "Europe/Berlin", day)
    # The same instant is still the 27th in New York.
    assert snooze_same_day(datetime(2026, 11, 27, 23, 10, tzinfo=UTC), "America/New_York", day)
