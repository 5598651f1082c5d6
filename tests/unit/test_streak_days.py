"""The streak rule's days as the repository reads and writes them (issue 14, point 5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.progression import Answer, ExerciseProgress
from bot.domain.streaks import Frozen, compute_streak
from bot.storage.repository import FINISHED, STOPPED, Repository

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
DAY1, DAY2, DAY3, DAY4 = (date(2026, 11, 20) + timedelta(days=n) for n in range(4))
ROUTINE = [("cat", 15), ("cow", 15)]


async def _user(repository: Repository, user_id: int) -> None:
    await repository.ensure_user(user_id, user_id, NOW)


async def _guided(
    repository: Repository, user_id: int, day: date, answers: list[tuple[str, int | None]], status
) -> None:
    """A guided session on `day` with these (answer, pain) for cat then cow, then closed."""
    state = await repository.start_session(user_id, ROUTINE, NOW)
    for answer, pain in answers:
        moved = await repository.record_answer(
            state,
            state.phase,
            answer=answer,
            pain=pain,
            progress=ExerciseProgress(exercise_id=state.exercise_id, target_hold=15),
            start_hold=15,
            now=NOW,
        )
        assert moved is not None
        state = moved
    assert await repository.close_session(state.id, status, NOW, day)


async def _reported(
    repository: Repository, user_id: int, day: date, answers: dict[str, Answer]
) -> None:
    assert await repository.record_reported_session(user_id, day, ROUTINE, answers, {}, {}, NOW)


@pytest.mark.parametrize(
    ("answers", "status", "counts"),
    [
        ([("done", None)], STOPPED, True),  # stopped after 1 of 2 done
        ([("hurts", 5)], STOPPED, True),  # hurts at 5 is done
        ([("skipped", None)], STOPPED, False),  # stopped with nothing done
        ([("hurts", 6), ("skipped", None)], FINISHED, False),  # pain above 5 is never done
        ([("skipped", None), ("skipped", None)], FINISHED, False),
        ([("hurts", 7), ("done", None)], FINISHED, True),  # one done is enough
    ],
)
async def test_a_guided_session_counts_with_one_exercise_done(
    repository: Repository, answers, status, counts: bool
) -> None:
    await _user(repository, 1)
    await _guided(repository, 1, DAY1, answers, status)
    counted, frozen = await repository.streak_days(1, DAY1)
    assert counted == ([DAY1] if counts else []) and frozen == []


@pytest.mark.parametrize(
    ("answers", "counts"),
    [
        ({"cat": Answer.done(), "cow": Answer.done()}, True),  # all of it
        ({"cat": Answer.skipped(), "cow": Answer.skipped()}, True),  # some of it
        ({"cat": Answer.hurts(4), "cow": Answer.hurts(4)}, True),  # it hurt, at 4
        ({"cat": Answer.hurts(7), "cow": Answer.skipped()}, False),  # it hurt, above 5
        ({"cat": Answer.hurts(8), "cow": Answer.hurts(8)}, False),
    ],
)
async def test_a_reported_session_counts_unless_all_it_said_was_pain_above_5(
    repository: Repository, answers: dict[str, Answer], counts: bool
) -> None:
    await _user(repository, 2)
    await _reported(repository, 2, DAY1, answers)
    assert (await repository.streak_days(2, DAY1))[0] == ([DAY1] if counts else [])


async def test_marks_are_kept_once_and_frozen(repository: Repository) -> None:
    await _user(repository, 3)
    for _ in range(2):
        await repository.mark_streak_day(3, DAY2, Frozen.PAIN, NOW)
    await repository.mark_streak_day(3, DAY2, Frozen.WORSE, NOW)
    assert await repository.streak_days(3, DAY3) == ([], [DAY2])
    exported = await repository.export_user(3)
    assert exported is not None
    assert sorted(row["kind"] for row in exported["streak_days"]) == ["pain", "worse"]
    assert await repository.delete_user(3)
    await _user(repository, 3)
    assert await repository.streak_days(3, DAY3) == ([], [])


async def test_a_pause_freezes_every_day_while_it_goes_on_and_after_it_ends(
    repository: Repository,
) -> None:
    await _user(repository, 4)
    await _guided(repository, 4, DAY1, [("done", None)], STOPPED)
    await repository.mark_streak_day(4, DAY1, Frozen.PAUSED, NOW)
    await repository.update_user(4, active=False, now=NOW)
    counted, frozen = await repository.streak_days(4, DAY3)
    assert (counted, frozen) == ([DAY1], [DAY1, DAY2, DAY3])
    assert compute_streak(counted, frozen, DAY3).current == 1
    # Resumed on day 3: its days are written out and stay frozen.
    await repository.end_streak_freeze(4, Frozen.PAUSED, DAY3, NOW)
    await repository.update_user(4, active=True, now=NOW)
    assert await repository.streak_days(4, DAY4) == ([DAY1], [DAY1, DAY2, DAY3])


async def test_an_urgent_hold_freezes_days_until_it_is_cleared(repository: Repository) -> None:
    await _user(repository, 5)
    await repository.mark_streak_day(5, DAY2, Frozen.RED_FLAG, NOW)
    await repository.update_user(5, red_flag_hold="urgent", now=NOW)
    assert (await repository.streak_days(5, DAY4))[1] == [DAY2, DAY3, DAY4]
    await repository.end_streak_freeze(5, Frozen.RED_FLAG, DAY3, NOW)
    await repository.update_user(5, red_flag_hold=None, now=NOW)
    assert (await repository.streak_days(5, DAY4))[1] == [DAY2, DAY3]


async def test_a_freeze_that_began_before_marks_were_kept_freezes_its_last_day(
    repository: Repository,
) -> None:
    await _user(repository, 6)
    await repository.update_user(6, active=False, now=NOW)
    # Paused before the upgrade: nothing to freeze from while it goes on.
    assert await repository.streak_days(6, DAY3) == ([], [])
    await repository.end_streak_freeze(6, Frozen.PAUSED, DAY3, NOW)
    assert await repository.streak_days(6, DAY3) == ([], [DAY3])
