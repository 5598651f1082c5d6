"""The person's own choices about their routine: "not for me", and what takes its place.

An exercise set aside ("can't kneel", "no floor space", "it always hurts") leaves every routine
until the person brings it back, and its harder variants stay locked meanwhile (they build on
it). What takes its place is a pure rule, not catalog data:

1. its easier predecessor (`progresses_from`), when that is available and not already in the
   routine; else
2. an exercise of the same purpose: the same block (warm-up stretch or strengthening), with
   no easier variant of its own (so never a harder variant), at most one level above the one
   set aside, not removed by the pain rules, not set aside, and not already in the routine.
   The same starting position comes first, then the lower level, then the catalog's order.

With the twelve exercises of the catalog, a harder variant's predecessor is always in the
routine already (so it is what "takes its place"), and at level 2 and above every
same-purpose exercise is too: then nothing new comes in and the routine is one shorter.
Safety rules keep precedence: a replacement is never a harder variant, and the day's rules
(`plan_today`: resting, harder variants of what hurt, gentle days) apply to it as to any.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from enum import StrEnum

from bot.domain.progression import ExerciseProgress, is_unlocked, progress_of, unlocked_exercises
from catalog.model import Catalog, Exercise

# How far above the exercise set aside a same-purpose replacement may be.
REPLACEMENT_LEVELS_UP = 1


class Reason(StrEnum):
    """Why an exercise is not for the person (kept with it, for them and their physio)."""

    KNEEL = "kneel"
    SPACE = "space"
    HURTS = "hurts"
    OTHER = "other"


def set_aside(progress: ExerciseProgress) -> ExerciseProgress:
    """The exercise's progress once the person said "not for me"; hold and streaks kept."""
    return replace(progress, set_aside=True)


def bring_back(progress: ExerciseProgress) -> ExerciseProgress:
    """The exercise's progress once the person brought it back: as it was when set aside."""
    return replace(progress, set_aside=False)


def set_aside_ids(progress_by_id: Mapping[str, ExerciseProgress]) -> frozenset[str]:
    """The exercises the person set aside."""
    return frozenset(k for k, p in progress_by_id.items() if p.set_aside)


def replacement_map(
    catalog: Catalog, level: int, progress_by_id: Mapping[str, ExerciseProgress]
) -> dict[str, str]:
    """What takes the place of each exercise set aside (those with a replacement only).

    Set-aside exercises are served in the catalog's order; each takes the first candidate
    not already in the routine nor taken by an earlier one, so two never share one.
    """
    taken = {e.id for e in unlocked_exercises(catalog, level, progress_by_id)}
    found: dict[str, str] = {}
    for exercise in catalog.exercises:
        if not progress_of(exercise, progress_by_id).set_aside:
            continue
        pick = _replacement(catalog, exercise, progress_by_id, taken)
        if pick is not None:
            found[exercise.id] = pick
            taken.add(pick)
    return found


def replacements(
    catalog: Catalog, level: int, progress_by_id: Mapping[str, ExerciseProgress]
) -> tuple[str, ...]:
    """The exercises that come into the routine in place of those set aside, in order."""
    return tuple(replacement_map(catalog, level, progress_by_id).values())


def replacement_for(
    catalog: Catalog,
    level: int,
    progress_by_id: Mapping[str, ExerciseProgress],
    exercise_id: str,
) -> str | None:
    """What would take `exercise_id`'s place once set aside (None: nothing new comes in)."""
    exercise = catalog.get(exercise_id)
    marked = dict(progress_by_id)
    marked[exercise_id] = set_aside(progress_of(exercise, progress_by_id))
    return replacement_map(catalog, level, marked).get(exercise_id)


def _replacement(
    catalog: Catalog,
    exercise: Exercise,
    progress_by_id: Mapping[str, ExerciseProgress],
    taken: set[str],
) -> str | None:
    before = exercise.progresses_from
    if before is not None and before in catalog and before not in taken:
        easier = catalog.get(before)
        if is_unlocked(catalog, easier, progress_by_id, easier.level):
            return before
    index = {e.id: i for i, e in enumerate(catalog.exercises)}
    candidates = [
        c
        for c in catalog.exercises
        if c.id != exercise.id
        and c.id not in taken
        and c.warm_up == exercise.warm_up
        and c.progresses_from is None
        and c.level <= exercise.level + REPLACEMENT_LEVELS_UP
        and not progress_of(c, progress_by_id).removed
        and not progress_of(c, progress_by_id).set_aside
    ]
    if not candidates:
        return None
    best = min(
        candidates,
        key=lambda c: (c.position != exercise.position, c.level, c.order, index[c.id]),
    )
    return best.id
