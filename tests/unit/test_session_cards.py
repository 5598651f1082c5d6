"""Which message shows a session's card, as the repository keeps it for Undo (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.progression import ExerciseProgress
from bot.storage.repository import Repository

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
ROUTINE = [("cat", 15), ("cow", 15), ("knee_to_chest", 30)]


async def _session_at_second_card(repository: Repository, user_id: int):
    await repository.ensure_user(user_id, user_id, NOW)
    state = await repository.start_session(user_id, ROUTINE, NOW)
    await repository.card_shown(state.id, 0, 101)
    moved = await repository.record_answer(
        state,
        state.phase,
        answer="done",
        pain=None,
        progress=ExerciseProgress(exercise_id="cat", target_hold=15),
        start_hold=15,
        now=NOW,
    )
    assert moved is not None and moved.position == 1
    return moved


async def test_the_card_shown_last_is_taken_once(repository: Repository) -> None:
    state = await _session_at_second_card(repository, 1)
    await repository.card_shown(state.id, 1, 102)
    assert await repository.take_card(state.id, 1) == 102
    # Taken: a second Undo finds nothing to edit (an unchanged edit is refused).
    assert await repository.take_card(state.id, 1) is None


async def test_only_the_card_of_that_position_is_taken(repository: Repository) -> None:
    state = await _session_at_second_card(repository, 2)
    # The second card's send left no id: what is kept shows the first card, not this one.
    assert await repository.take_card(state.id, 1) is None
    assert await repository.take_card(state.id, 0) == 101


async def test_a_card_sent_after_the_session_moved_on_is_not_kept(repository: Repository) -> None:
    state = await _session_at_second_card(repository, 3)
    await repository.card_shown(state.id, 1, 102)
    await repository.card_shown(state.id, 0, 999)  # late: the session is at position 1
    assert await repository.take_card(state.id, 1) == 102
