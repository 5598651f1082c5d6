"""Today's routine: which exercises, in what order, for how long."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise, permutations

from bot.domain.choices import replacements
from bot.domain.progression import (
    ExerciseProgress,
    current_target,
    progress_of,
    unlocked_exercises,
)
from catalog.model import Catalog, Exercise, Position

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
    """The unlocked exercises not resting today, in routine order, each with its current target.

    Exercises the person set aside are out, and what takes their place is in (see
    bot/domain/choices.py). See `routine_order` for the order.
    """
    available = [
        *unlocked_exercises(catalog, level, progress_by_id),
        *(catalog.get(e) for e in replacements(catalog, level, progress_by_id)),
    ]
    chosen = [e for e in available if e.id not in resting_today]
    ordered = routine_order(catalog, chosen)
    total = len(ordered)
    return tuple(
        RoutineItem(
            exercise=e,
            target_hold=current_target(e, progress_of(e, progress_by_id)),
            sides=e.sides,
            position=position,
            total=total,
        )
        for position, e in enumerate(ordered, start=1)
    )


def routine_order(catalog: Catalog, exercises: Sequence[Exercise]) -> tuple[Exercise, ...]:
    """Warm-ups first, then strengthening; one starting position at a time within each.

    Every exercise comes after the ones it progresses from. Within each block the position
    groups are ordered so the person changes position as little as possible (each group
    once), and the warm-ups end in the position strengthening starts with when that can be
    done. Among equally few changes, the one closest to the catalog's `order` wins.
    """
    index = {e.id: i for i, e in enumerate(catalog.exercises)}
    chosen = {e.id: e for e in exercises}
    ancestors = {e.id: _ancestors(catalog, e) & chosen.keys() for e in exercises}
    # An exercise whose easier variant is strengthening waits for the strengthening block
    # (the loader rejects such a warm-up; a hand-built catalog may still have one).
    late = {e.id for e in exercises if not e.warm_up}
    late |= {e for e, before in ancestors.items() if before & late}
    blocks = [
        [e for e in exercises if e.id not in late],
        [e for e in exercises if e.id in late],
    ]

    def rank(e: Exercise) -> tuple[int, int]:
        return (e.order, index.get(e.id, len(index)))

    options = [_block_options(b, ancestors, rank) for b in blocks if b]
    if not options:
        return ()
    # Fewest changes from each block's choice to the end, from the last block back.
    cost_after: list[list[int]] = [[0] * len(options[-1])]
    for later, earlier in pairwise(reversed(options)):
        cost_after.insert(
            0,
            [
                min(
                    _boundary(option, nxt) + _moves(nxt) + cost_after[0][j]
                    for j, nxt in enumerate(later)
                )
                for option in earlier
            ],
        )
    # Then, block by block, the first option (nearest the authored order) on a cheapest path.
    firsts = [_moves(o) + cost_after[0][i] for i, o in enumerate(options[0])]
    pick = firsts.index(min(firsts))
    ordered = list(options[0][pick])
    for number in range(1, len(options)):
        previous = options[number - 1][pick]
        costs = [
            _boundary(previous, o) + _moves(o) + cost_after[number][i]
            for i, o in enumerate(options[number])
        ]
        pick = costs.index(min(costs))
        ordered += options[number][pick]
    return tuple(ordered)


def _ancestors(catalog: Catalog, exercise: Exercise) -> set[str]:
    """Every exercise this one progresses from, directly or through others."""
    found: set[str] = set()
    current = exercise.progresses_from
    # `found` also guards against a cycle in a hand-edited catalog.
    while current is not None and current in catalog and current not in found:
        found.add(current)
        current = catalog.get(current).progresses_from
    return found


def _block_options(
    block: list[Exercise],
    ancestors: Mapping[str, set[str]],
    rank: Callable[[Exercise], tuple[int, int]],
) -> list[tuple[Exercise, ...]]:
    """Every order of one block that keeps each position together, nearest `order` first.

    When progressions make that impossible (a group needed both before and after another),
    the one option is the block in progression-respecting `order`, groups split as needed.
    """
    groups: dict[Position, list[Exercise]] = {}
    for e in sorted(block, key=rank):
        groups.setdefault(e.position, []).append(e)
    inside = {g: _in_order(members, ancestors, rank) for g, members in groups.items()}
    group_of = {e.id: e.position for e in block}
    needs = {
        g: {group_of[a] for e in members for a in ancestors[e.id] if a in group_of} - {g}
        for g, members in groups.items()
    }
    options = [
        tuple(e for g in order for e in inside[g])
        for order in permutations(groups)
        if all(needs[g] <= set(order[:n]) for n, g in enumerate(order))
    ]
    if not options:
        return [_in_order(block, ancestors, rank)]
    options.sort(key=lambda option: [rank(e) for e in option])
    return options


def _in_order(
    exercises: list[Exercise],
    ancestors: Mapping[str, set[str]],
    rank: Callable[[Exercise], tuple[int, int]],
) -> tuple[Exercise, ...]:
    """These exercises by `rank`, each after its ancestors among them."""
    left = sorted(exercises, key=rank)
    ids = {e.id for e in exercises}
    done: list[Exercise] = []
    placed: set[str] = set()
    while left:
        # A progression loop (a hand-edited catalog) has no first exercise: take the next.
        e = next((e for e in left if ancestors[e.id] & ids <= placed), left[0])
        left.remove(e)
        done.append(e)
        placed.add(e.id)
    return tuple(done)


def _moves(option: Sequence[Exercise]) -> int:
    return sum(a.position != b.position for a, b in pairwise(option))


def _boundary(before: Sequence[Exercise], after: Sequence[Exercise]) -> int:
    return int(before[-1].position != after[0].position)


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
