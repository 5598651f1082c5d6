"""Today's routine: which exercises, in what order, for how long."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.progression import (
    ExerciseProgress,
    current_target,
    progress_of,
    unlocked_exercises,
)
from catalog.model import Catalog, Exercise

# A short breather after each hold, and time to read the card and get into position.
DEFAULT_REST_SECONDS = 10
DEFAULT_SETUP_SECONDS = 30


@dataclass(frozen=True, slots=True)
class RoutineItem:
    """One exercise of today's routine; `position` counts from 1 up to `total`."""

    exercise: Exercise
    target_hold: int
    sides: tuple[str, ...]
    position: int
    total: int


def build_routine(
    catalog: Catalog,
    level: int,
    progress_by_id: Mapping[str, ExerciseProgress],
    *,
    resting_today: frozenset[str] = frozenset(),
) -> tuple[RoutineItem, ...]:
    """The unlocked exercises not resting today, warm-ups first, each with its current target."""
    index = {e.id: i for i, e in enumerate(catalog.exercises)}
    chosen = [
        e for e in unlocked_exercises(catalog, level, progress_by_id) if e.id not in resting_today
    ]
    # Catalog position breaks ties so equal `order` values keep the authored sequence.
    chosen.sort(key=lambda e: (e.order, index[e.id]))
    total = len(chosen)
    return tuple(
        RoutineItem(
            exercise=e,
            target_hold=current_target(e, progress_of(e, progress_by_id)),
            sides=e.sides,
            position=position,
            total=total,
        )
        for position, e in enumerate(chosen, start=1)
    )


def estimated_minutes(
    routine: Sequence[RoutineItem],
    *,
    rest_seconds: int = DEFAULT_REST_SECONDS,
    setup_seconds: int = DEFAULT_SETUP_SECONDS,
) -> int:
    """Whole minutes the routine takes: each hold per side plus rest, plus reading each card."""
    seconds = 0
    for item in routine:
        # Exercises worked with both sides together are one hold.
        holds = max(1, len(item.sides))
        seconds += setup_seconds + holds * (item.target_hold + rest_seconds)
    return max(1, math.ceil(seconds / 60))
