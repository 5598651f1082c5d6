"""Applying one answer to a session: the rules the chat and the Mini App share.

The progression, the "if it hurts, its harder variants leave today" gate, the streak day a
pain above 5 freezes and the stop at pain 8 or more are decided here once; the chat
(bot/handlers/session.py) and the Mini App's API (bot/miniapp/api.py) only tell the person.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.gates import left_after_hurt
from bot.domain.progression import Answer, AnswerKind, Change, apply_answer, progress_of
from bot.domain.safety import Urgency, pain_urgency
from bot.domain.streaks import Frozen, told_to_rest
from bot.handlers.common import Services, today
from bot.storage.repository import SessionState


@dataclass(frozen=True, slots=True)
class Recorded:
    """One stored answer: where the session stands now, and what the answer changed."""

    moved: SessionState
    change: Change
    # Harder variants that left the rest of today's session (the answer hurt).
    dropped: tuple[str, ...]
    # Pain of 8 or more: the session stops here, with the safety message.
    stop: bool


async def record_answer(
    svc: Services, state: SessionState, answer: Answer, expect_phase: str
) -> Recorded | None:
    """Store one answer with its progression; None when it was already given."""
    exercise = svc.catalog.get(state.exercise_id)
    progress = progress_of(exercise, await svc.repository.load_progress(state.user_id))
    user = await svc.repository.get_user(state.user_id)
    # The morning check said "worse": holds stay where they are today.
    steady = user is not None and user.steady_on == today(svc, user)
    update = apply_answer(exercise, progress, answer, grow=not steady)
    # "If partial cobra hurts, do not move on to cobra": at any score, every harder variant
    # of an exercise that hurt leaves the rest of today's session at once.
    rest = [exercise_id for exercise_id, _ in state.routine[state.position + 1 :]]
    hurt = answer.kind is AnswerKind.HURTS
    kept = left_after_hurt(svc.catalog, rest, exercise.id) if hurt else tuple(rest)
    dropped = tuple(e for e in rest if e not in kept)
    moved = await svc.repository.record_answer(
        state,
        expect_phase,
        answer=answer.kind.value,
        pain=answer.pain if hurt else None,
        progress=update.progress,
        start_hold=exercise.hold.start,
        now=svc.clock.now(),
        drop=dropped,
    )
    if moved is None:
        return None
    if hurt and user is not None and answer.pain is not None and told_to_rest(answer.pain):
        # Pain above 5: the coach says rest, so the day neither counts nor breaks the streak.
        now = svc.clock.now()
        await svc.repository.mark_streak_day(user.id, today(svc, user), Frozen.PAIN, now)
    stop = answer.pain is not None and pain_urgency(answer.pain) is Urgency.STOP_TODAY
    return Recorded(moved=moved, change=update.change, dropped=dropped, stop=stop)
