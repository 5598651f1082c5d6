"""Small hand-built catalog entries for the domain tests."""

from __future__ import annotations

from catalog.model import Exercise, Hold, HoldKind, Level, Position


def make(
    exercise_id: str,
    *,
    level: int = 1,
    fixed: int | None = None,
    start: int = 10,
    ceiling: int = 30,
    sides: tuple[str, ...] = (),
    progresses_from: str | None = None,
    unlock_after: int = 2,
    order: int = 0,
    position: str = "back",
    warm_up: bool = False,
    side_labels: tuple[str, ...] | None = None,
    side_rest: int = 5,
) -> Exercise:
    """A minimal exercise for tests."""
    hold = (
        Hold(HoldKind.FIXED, fixed, fixed)
        if fixed is not None
        else Hold(HoldKind.WORK_UP, start, ceiling)
    )
    return Exercise(
        id=exercise_id,
        name=exercise_id.replace("_", " ").title(),
        level=Level(level),
        start_position="Lie down.",
        steps=("Move.",),
        hold=hold,
        sides=sides,
        purpose="Helps.",
        progresses_from=progresses_from,
        unlock_after_pain_free_sessions=unlock_after,
        order=order,
        position=Position(position),
        warm_up=warm_up,
        side_labels=tuple(f"{side} side" for side in sides) if side_labels is None else side_labels,
        side_rest=side_rest,
    )
