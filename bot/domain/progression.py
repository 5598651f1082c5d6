"""How a user's holds grow, shrink and unlock from the pain they report: pure rules, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from catalog.model import HOLD_STEP_SECONDS, MIN_HOLD_SECONDS, Catalog, Exercise, Level

# Pain 0-3 is fine, 4-5 acceptable, 6-10 too much (the usual physio traffic light).
FINE_MAX_PAIN = 3
ACCEPTABLE_MAX_PAIN = 5
MAX_PAIN = 10
# Two sessions in a row above 5 take an exercise out of the routine.
REMOVE_AFTER_HIGH_PAIN_SESSIONS = 2
# An exercise with no easier variant sits out this many sessions after removal.
REST_SESSIONS_WITHOUT_PREDECESSOR = 2
# Pain-free sessions at the ceiling, in a row, each exercise of a level needs to move up.
LEVEL_UP_CEILING_SESSIONS = 2


class PainBand(StrEnum):
    """The traffic light a 0-10 pain score falls into."""

    FINE = "fine"
    ACCEPTABLE = "acceptable"
    TOO_MUCH = "too_much"


def pain_band(pain: int) -> PainBand:
    """The band of a 0-10 pain score: fine 0-3, acceptable 4-5, too much 6-10."""
    if not 0 <= pain <= MAX_PAIN:
        raise ValueError(f"pain must be within 0..{MAX_PAIN}, got {pain}")
    if pain <= FINE_MAX_PAIN:
        return PainBand.FINE
    if pain <= ACCEPTABLE_MAX_PAIN:
        return PainBand.ACCEPTABLE
    return PainBand.TOO_MUCH


class AnswerKind(StrEnum):
    """What the user tapped after one exercise."""

    DONE = "done"
    HURTS = "hurts"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Answer:
    """The user's answer for one exercise in one session; `pain` is None only when skipped."""

    kind: AnswerKind
    pain: int | None

    def __post_init__(self) -> None:
        if self.kind is AnswerKind.SKIPPED:
            if self.pain is not None:
                raise ValueError("a skipped exercise carries no pain score")
            return
        # bool is an int subclass; True must not sneak in as pain 1.
        if not isinstance(self.pain, int) or isinstance(self.pain, bool):
            raise ValueError(f"pain must be an int 0..{MAX_PAIN}, got {self.pain!r}")
        if not 0 <= self.pain <= MAX_PAIN:
            raise ValueError(f"pain must be within 0..{MAX_PAIN}, got {self.pain}")
        if self.kind is AnswerKind.DONE and self.pain != 0:
            raise ValueError("'done' means no pain; use Answer.hurts(pain) instead")

    @classmethod
    def done(cls) -> Answer:
        """Done without pain."""
        return cls(AnswerKind.DONE, 0)

    @classmethod
    def hurts(cls, pain: int) -> Answer:
        """Done, with this pain score (0..10)."""
        return cls(AnswerKind.HURTS, pain)

    @classmethod
    def skipped(cls) -> Answer:
        """Not done this session."""
        return cls(AnswerKind.SKIPPED, None)

    @property
    def band(self) -> PainBand | None:
        """The pain band, or None when skipped."""
        return None if self.pain is None else pain_band(self.pain)


@dataclass(frozen=True, slots=True)
class ExerciseProgress:
    """Where one user stands on one exercise."""

    exercise_id: str
    target_hold: int
    # Consecutive answered sessions with pain 0-3; unlocks this exercise's successors.
    pain_free_streak: int = 0
    # Consecutive answered sessions with pain above 5; at 2 the exercise is removed.
    high_pain_streak: int = 0
    # Consecutive pain-free sessions done at the ceiling; drives levelling up.
    ceiling_pain_free_streak: int = 0
    removed: bool = False
    # While removed: qualifying sessions still needed before it comes back
    # (see `end_session`). Always 0 when not removed.
    sessions_until_return: int = 0
    # The person said "not for me": out of every routine until they bring it back
    # (bot/domain/choices.py). Its harder variants stay locked meanwhile.
    set_aside: bool = False


class ChangeKind(StrEnum):
    """What happened to the target after one answer."""

    GREW = "grew"
    # Answered, and the target stays put (pain 4-5, at the ceiling, or at the minimum).
    KEPT = "kept"
    CUT = "cut"
    REMOVED = "removed"
    # Skipped, or a stale answer for an exercise that is already removed.
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Change:
    """What the user must be told after one answer; wording lives in bot/texts.py."""

    kind: ChangeKind
    exercise_id: str
    old_hold: int
    new_hold: int
    band: PainBand | None = None
    # The easier exercise to do instead, when this one was removed and has one.
    offer_instead: str | None = None
    # Pain above 5: leave this exercise out for the rest of today.
    rest_today: bool = False
    # Pain-free, but held steady: the back felt worse than the day before.
    steady: bool = False


@dataclass(frozen=True, slots=True)
class ProgressUpdate:
    """The new progress for an exercise and the change to report."""

    progress: ExerciseProgress
    change: Change


def hold_ceiling(exercise: Exercise) -> int:
    """The longest target this exercise can reach; a fixed hold's ceiling is its fixed time.

    A fixed hold (the cat stretch's 15 s) is the target, not a floor: pain above 5 cuts it
    like any other hold, and pain-free sessions grow it back to its fixed time, never past.
    """
    return exercise.hold.start if exercise.hold.is_fixed else exercise.hold.ceiling


def current_target(exercise: Exercise, progress: ExerciseProgress) -> int:
    """The stored target, pulled back into range in case the catalog changed since it was saved."""
    return max(MIN_HOLD_SECONDS, min(progress.target_hold, hold_ceiling(exercise)))


def initial_progress(exercise: Exercise) -> ExerciseProgress:
    """Progress for an exercise never done: the catalog's starting hold, no streaks."""
    return ExerciseProgress(exercise_id=exercise.id, target_hold=exercise.hold.start)


def progress_of(
    exercise: Exercise, progress_by_id: Mapping[str, ExerciseProgress]
) -> ExerciseProgress:
    """The stored progress, or the initial one when the exercise was never done."""
    found = progress_by_id.get(exercise.id)
    return found if found is not None else initial_progress(exercise)


def apply_answer(
    exercise: Exercise, progress: ExerciseProgress, answer: Answer, *, grow: bool = True
) -> ProgressUpdate:
    """Apply one answer to one exercise's progress.

    `grow=False` is a day when the back felt worse than the day before: pain-free work keeps
    its hold and does not count towards growth or unlocking; pain still eases as usual.
    """
    if progress.exercise_id != exercise.id:
        raise ValueError(f"progress for {progress.exercise_id!r} given with {exercise.id!r}")
    old = current_target(exercise, progress)
    # A skip says nothing about pain; a removed exercise can only be answered through a
    # stale card, which must not resurrect or further punish it.
    if answer.kind is AnswerKind.SKIPPED or progress.removed:
        return ProgressUpdate(
            progress=progress,
            change=Change(ChangeKind.UNCHANGED, exercise.id, old, old, band=answer.band),
        )

    assert answer.pain is not None  # guaranteed by Answer for non-skipped kinds
    band = pain_band(answer.pain)
    ceiling = hold_ceiling(exercise)

    if band is PainBand.FINE and not grow:
        updated = replace(progress, target_hold=old, high_pain_streak=0)
        change = Change(ChangeKind.KEPT, exercise.id, old, old, band=band, steady=True)
        return ProgressUpdate(updated, change)

    if band is PainBand.FINE:
        new = min(old + HOLD_STEP_SECONDS, ceiling)
        at_ceiling = old >= ceiling
        updated = replace(
            progress,
            target_hold=new,
            pain_free_streak=progress.pain_free_streak + 1,
            high_pain_streak=0,
            ceiling_pain_free_streak=progress.ceiling_pain_free_streak + 1 if at_ceiling else 0,
        )
        kind = ChangeKind.GREW if new > old else ChangeKind.KEPT
        return ProgressUpdate(updated, Change(kind, exercise.id, old, new, band=band))

    if band is PainBand.ACCEPTABLE:
        updated = replace(
            progress,
            target_hold=old,
            pain_free_streak=0,
            high_pain_streak=0,
            ceiling_pain_free_streak=0,
        )
        return ProgressUpdate(updated, Change(ChangeKind.KEPT, exercise.id, old, old, band=band))

    # Too much pain: every hold eases by one step, a fixed one too (its fixed time is where
    # it grows back to); resting today and removal after a second bad session protect the user.
    new = max(MIN_HOLD_SECONDS, old - HOLD_STEP_SECONDS)
    high = progress.high_pain_streak + 1
    removed = high >= REMOVE_AFTER_HIGH_PAIN_SESSIONS
    updated = replace(
        progress,
        target_hold=new,
        pain_free_streak=0,
        high_pain_streak=high,
        ceiling_pain_free_streak=0,
        removed=removed,
        sessions_until_return=_sessions_to_return(exercise) if removed else 0,
    )
    if removed:
        kind = ChangeKind.REMOVED
    elif new < old:
        kind = ChangeKind.CUT
    else:
        kind = ChangeKind.KEPT
    change = Change(
        kind,
        exercise.id,
        old,
        new,
        band=band,
        offer_instead=exercise.progresses_from if removed else None,
        rest_today=True,
    )
    return ProgressUpdate(updated, change)


def apply_answers(
    catalog: Catalog,
    progress_by_id: Mapping[str, ExerciseProgress],
    answers: Mapping[str, Answer],
    *,
    grow: bool = True,
) -> tuple[dict[str, ExerciseProgress], list[Change]]:
    """Apply several exercises' answers at once: every exercise's progress, and what changed.

    Changes are listed in the answers' order, leaving out answers that changed nothing.
    """
    updated = dict(progress_by_id)
    changes: list[Change] = []
    for exercise_id, answer in answers.items():
        exercise = catalog.get(exercise_id)
        result = apply_answer(exercise, progress_of(exercise, progress_by_id), answer, grow=grow)
        updated[exercise_id] = result.progress
        if result.change.kind is not ChangeKind.UNCHANGED:
            changes.append(result.change)
    return updated, changes


def _sessions_to_return(exercise: Exercise) -> int:
    """How many qualifying sessions a freshly removed exercise waits before it comes back."""
    if exercise.progresses_from is not None:
        return exercise.unlock_after_pain_free_sessions
    return REST_SESSIONS_WITHOUT_PREDECESSOR


def advance_removed(
    exercise: Exercise, progress: ExerciseProgress, predecessor_answer: Answer | None
) -> ExerciseProgress:
    """Count one finished session towards bringing a removed exercise back.

    With a predecessor, only that predecessor's pain-free sessions count and they must come
    in a row (pain 4+ restarts the count; a skip or absence leaves it alone), mirroring how
    successors unlock. Without one, every finished session counts. At zero the exercise
    returns at its already-cut target with fresh streaks. Not removed: returned unchanged.
    """
    if not progress.removed:
        return progress
    if exercise.progresses_from is not None:
        band = None if predecessor_answer is None else predecessor_answer.band
        if band is None:
            return progress
        if band is not PainBand.FINE:
            return replace(progress, sessions_until_return=_sessions_to_return(exercise))
    left = max(0, progress.sessions_until_return - 1)
    if left > 0:
        return replace(progress, sessions_until_return=left)
    return replace(
        progress,
        removed=False,
        sessions_until_return=0,
        pain_free_streak=0,
        high_pain_streak=0,
        ceiling_pain_free_streak=0,
    )


@dataclass(frozen=True, slots=True)
class SessionEnd:
    """Progress of removed exercises after a finished session, and which ones came back."""

    progress_by_id: Mapping[str, ExerciseProgress]
    returned: tuple[str, ...]


def end_session(
    catalog: Catalog,
    progress_by_id: Mapping[str, ExerciseProgress],
    answers: Mapping[str, Answer],
) -> SessionEnd:
    """Advance every removed exercise once a session is finished; call once per session.

    `progress_by_id` already holds this session's `apply_answer` results and `answers` this
    session's answers. An exercise answered in this session was removed in it (removed ones
    are not in the routine), so its count starts with the next session: its predecessor's
    answers from the same session came before the removal.
    """
    updated = dict(progress_by_id)
    returned: list[str] = []
    for exercise in catalog.exercises:
        progress = progress_by_id.get(exercise.id)
        if progress is None or not progress.removed or exercise.id in answers:
            continue
        predecessor = exercise.progresses_from
        after = advance_removed(
            exercise, progress, answers.get(predecessor) if predecessor else None
        )
        updated[exercise.id] = after
        if not after.removed:
            returned.append(exercise.id)
    return SessionEnd(progress_by_id=updated, returned=tuple(returned))


def is_unlocked(
    catalog: Catalog,
    exercise: Exercise,
    progress_by_id: Mapping[str, ExerciseProgress],
    level: int,
) -> bool:
    """Whether the exercise belongs in today's routine (ignoring same-day rest)."""
    return _is_unlocked(catalog, exercise, progress_by_id, level, frozenset())


def _is_unlocked(
    catalog: Catalog,
    exercise: Exercise,
    progress_by_id: Mapping[str, ExerciseProgress],
    level: int,
    seen: frozenset[str],
) -> bool:
    if exercise.level > level or exercise.id in seen:
        # `seen` guards against a cycle in a hand-edited catalog: treat it as locked.
        return False
    progress = progress_of(exercise, progress_by_id)
    if progress.removed or progress.set_aside:
        return False
    predecessor_id = exercise.progresses_from
    if predecessor_id is None:
        return True
    if predecessor_id not in catalog:
        return False
    predecessor = catalog.get(predecessor_id)
    # A harder variant also needs its easier one to be available: if bird_dog_arm hurts,
    # bird_dog_opposite is off too, not just bird_dog_leg.
    if not _is_unlocked(catalog, predecessor, progress_by_id, level, seen | {exercise.id}):
        return False
    streak = progress_of(predecessor, progress_by_id).pain_free_streak
    return streak >= exercise.unlock_after_pain_free_sessions


def unlocked_exercises(
    catalog: Catalog, level: int, progress_by_id: Mapping[str, ExerciseProgress]
) -> tuple[Exercise, ...]:
    """The exercises available at this level, in catalog order."""
    return tuple(
        e for e in catalog.up_to_level(level) if is_unlocked(catalog, e, progress_by_id, level)
    )


def level_up_ready(
    catalog: Catalog, level: int, progress_by_id: Mapping[str, ExerciseProgress]
) -> bool:
    """Whether every exercise of this level was done pain-free at its ceiling twice in a row."""
    if level >= max(Level) or not any(e.level > level for e in catalog.exercises):
        return False
    # An exercise the person set aside does not hold them back.
    current = tuple(
        e for e in catalog.at_level(level) if not progress_of(e, progress_by_id).set_aside
    )
    if not current:
        return False
    return all(
        progress_of(e, progress_by_id).ceiling_pain_free_streak >= LEVEL_UP_CEILING_SESSIONS
        and not progress_of(e, progress_by_id).removed
        for e in current
    )
