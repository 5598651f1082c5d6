"""What to do with a due reminder, and how answers given outside a session count: pure rules."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.domain.progression import (
    Answer,
    Change,
    ExerciseProgress,
    PainBand,
    apply_answers,
    end_session,
    pain_band,
)
from bot.domain.timezones import zone
from catalog.model import Catalog

# A snoozed reminder comes back after this long.
SNOOZE = timedelta(minutes=30)
# Mornings in a row the back felt worse before we suggest a physiotherapist.
WORSE_MORNINGS_FOR_PHYSIO = 2


def fanout_order(user_id: int, day: date) -> int:
    """Where a person comes among those due at the same instant on `day` (0 to 2**31 - 1).

    Thousands pick the same minute, and a broadcast at Telegram's 30 messages/s takes
    minutes: in a fixed order the same people would always be the last, and the latest.
    A hash of (person, local day) orders them afresh every day. Stable across processes
    and restarts (not Python's randomised `hash`); it fits a signed 32-bit column.
    """
    digest = hashlib.blake2b(f"{user_id}:{day.toordinal()}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") >> 1


class Outcome(StrEnum):
    """What becomes of one due reminder; the value is what the day's log records."""

    SEND = "claimed"
    MISSED = "missed"
    ALREADY_DONE = "done"


def outcome(due_at: datetime, now: datetime, grace: timedelta, *, done_today: bool) -> Outcome:
    """Send a due reminder, unless today's session is done or the bot was down too long."""
    if done_today:
        return Outcome.ALREADY_DONE
    if now - due_at > grace:
        return Outcome.MISSED
    return Outcome.SEND


def missed_yesterday(session_days: Iterable[date], today: date) -> bool:
    """True when the person has done sessions before but not yesterday (nor today yet)."""
    days = {day for day in session_days if day < today}
    return bool(days) and today - timedelta(days=1) not in days


def snooze_same_day(until: datetime, zone_name: str, day: date) -> bool:
    """Whether a snoozed reminder would come back on its own local day.

    One that would come back after local midnight is not sent: that day is over, and a
    session then could no longer count for it.
    """
    return until.astimezone(zone(zone_name)).date() == day


class Morning(StrEnum):
    """How the back feels compared with yesterday."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


@dataclass(frozen=True, slots=True)
class MorningResult:
    """The morning check's effect: today's holds steady, and whether to suggest a physio."""

    worse_mornings: int
    keep_holds_today: bool
    suggest_physio: bool


def morning_check(answer: Morning, worse_mornings: int) -> MorningResult:
    """Worse keeps today's holds where they were; worse twice in a row suggests a physio."""
    if answer is not Morning.WORSE:
        return MorningResult(0, keep_holds_today=False, suggest_physio=False)
    count = worse_mornings + 1
    return MorningResult(
        count, keep_holds_today=True, suggest_physio=count >= WORSE_MORNINGS_FOR_PHYSIO
    )


class HowItWent(StrEnum):
    """The one check after "done" outside a session: all of it, without pain?"""

    ALL = "all"
    SOME = "some"
    HURT = "hurt"


def reported_answers(
    routine: Sequence[str],
    how: HowItWent,
    *,
    pain: int | None = None,
    exercise_id: str | None = None,
) -> Mapping[str, Answer]:
    """Per-exercise answers for a routine the person did on their own.

    All of it without pain counts as every exercise done. "Some of it" cannot tell which, so
    no hold grows. "It hurt" with a named exercise counts that one as hurting and the rest as
    not known; without a name, every exercise is taken to have hurt, which is the careful
    reading.
    """
    if how is HowItWent.ALL:
        return {exercise: Answer.done() for exercise in routine}
    if how is HowItWent.SOME or pain is None:
        return {exercise: Answer.skipped() for exercise in routine}
    if exercise_id is not None and exercise_id in routine:
        return {
            exercise: Answer.hurts(pain) if exercise == exercise_id else Answer.skipped()
            for exercise in routine
        }
    return {exercise: Answer.hurts(pain) for exercise in routine}


def eased_answers(
    routine: Sequence[str], pain: int, exercise_id: str | None = None
) -> Mapping[str, Answer]:
    """Answers that ease tomorrow's holds after pain reported outside a session.

    Pain 0-3 changes nothing (it is fine under the pain-monitoring model, and nothing was
    done that could grow). Above that, the named exercise counts as hurting; when the person
    cannot say which, every exercise of today's routine does.
    """
    if pain_band(pain) is PainBand.FINE:
        return {}
    if exercise_id is not None and exercise_id in routine:
        return {exercise_id: Answer.hurts(pain)}
    return {exercise: Answer.hurts(pain) for exercise in routine}


@dataclass(frozen=True, slots=True)
class ReportResult:
    """What a report outside a session does to progression, ready to be saved and told."""

    answers: Mapping[str, Answer]
    # Only the exercises whose progress changed, and each one's starting hold.
    changed: Mapping[str, ExerciseProgress]
    start_holds: Mapping[str, int]
    changes: tuple[Change, ...]
    # Exercises that rested for a while and are back in the routine.
    returned: tuple[str, ...]


def report_done(
    catalog: Catalog,
    routine: Sequence[str],
    progress: Mapping[str, ExerciseProgress],
    how: HowItWent,
    *,
    pain: int | None = None,
    exercise_id: str | None = None,
    grow: bool = True,
) -> ReportResult:
    """Today's routine done alone: progression moves as a finished session's would."""
    answers = reported_answers(routine, how, pain=pain, exercise_id=exercise_id)
    after, changes = apply_answers(catalog, progress, answers, grow=grow)
    ended = end_session(catalog, after, answers)
    return _result(catalog, progress, ended.progress_by_id, answers, changes, ended.returned)


def report_pain(
    catalog: Catalog,
    routine: Sequence[str],
    progress: Mapping[str, ExerciseProgress],
    pain: int,
    exercise_id: str | None = None,
    *,
    grow: bool = True,
) -> ReportResult:
    """Pain reported outside a session: tomorrow's holds ease by the session's rules."""
    answers = eased_answers(routine, pain, exercise_id)
    after, changes = apply_answers(catalog, progress, answers, grow=grow)
    return _result(catalog, progress, after, answers, changes, ())


def _result(
    catalog: Catalog,
    before: Mapping[str, ExerciseProgress],
    after: Mapping[str, ExerciseProgress],
    answers: Mapping[str, Answer],
    changes: Sequence[Change],
    returned: Sequence[str],
) -> ReportResult:
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    return ReportResult(
        answers=answers,
        changed=changed,
        start_holds={k: catalog.get(k).hold.start for k in changed},
        changes=tuple(changes),
        returned=tuple(returned),
    )
