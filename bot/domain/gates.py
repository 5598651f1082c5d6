"""Safety gates that hold at every step of a day: red-flag holds, pain, and harder variants."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from enum import StrEnum

from bot.domain.progression import ExerciseProgress
from bot.domain.routine import RoutineItem, build_routine
from bot.domain.safety import Urgency
from catalog.model import Catalog


class RedFlagHold(StrEnum):
    """Why the programme waits for a doctor (stored as `users.red_flag_hold`)."""

    # Urgent signs: no exercise and no reminder until the person confirms a doctor's check.
    URGENT = "urgent"
    # See-a-doctor signs: ask before each session, offer a gentle day meanwhile.
    SEE_DOCTOR = "see_doctor"


class Gate(StrEnum):
    """What a request to exercise meets."""

    OPEN = "open"
    # Ask whether a doctor has checked them; offer a gentle day or rest.
    ASK = "ask"
    BLOCKED = "blocked"


def hold_after(current: str | None, urgency: Urgency) -> str | None:
    """The hold after a finding: urgent wins and is never lowered by a milder finding."""
    if urgency is Urgency.URGENT or current == RedFlagHold.URGENT:
        return RedFlagHold.URGENT
    if urgency is Urgency.SEE_DOCTOR:
        return RedFlagHold.SEE_DOCTOR
    return current


def session_gate(hold: str | None) -> Gate:
    """Whether a session may start under this hold."""
    if hold == RedFlagHold.URGENT:
        return Gate.BLOCKED
    if hold == RedFlagHold.SEE_DOCTOR:
        return Gate.ASK
    return Gate.OPEN


def reminders_allowed(hold: str | None) -> bool:
    """No daily nudge to exercise while urgent signs wait for a doctor."""
    return hold != RedFlagHold.URGENT


def harder_variants(catalog: Catalog, exercise_ids: Iterable[str]) -> frozenset[str]:
    """Every exercise that progresses, directly or through others, from one of these."""
    found: set[str] = set()
    frontier = [e for e in exercise_ids if e in catalog]
    while frontier:
        for successor in catalog.successors(frontier.pop()):
            if successor.id not in found:
                found.add(successor.id)
                frontier.append(successor.id)
    return frozenset(found)


def plan_today(
    catalog: Catalog,
    level: int,
    progress: Mapping[str, ExerciseProgress],
    *,
    too_painful: Collection[str | None] = (),
    hurt: Collection[str] = (),
    gentle: bool = False,
) -> tuple[RoutineItem, ...]:
    """Today's routine under today's safety rules.

    `too_painful`: exercises with pain above 5 today rest for the day (None, pain that could
    not be pinned on one exercise, rests everything). `hurt`: exercises that hurt today at
    any score; their harder variants are out for the day ("if partial cobra hurts, do not
    move on to cobra"). `gentle`: only the gentle stretches, at today's holds.
    """
    if None in too_painful:
        return ()
    resting = {e for e in too_painful if e is not None} | harder_variants(catalog, hurt)
    if gentle:
        resting |= {e.id for e in catalog.exercises if not e.gentle}
    return build_routine(catalog, level, progress, resting_today=frozenset(resting))


def left_after_hurt(catalog: Catalog, remaining: Sequence[str], hurt: str) -> tuple[str, ...]:
    """The rest of a session once `hurt` hurt: without any of its harder variants."""
    out = harder_variants(catalog, [hurt])
    return tuple(e for e in remaining if e not in out)
