"""Safety gates that hold all day: red-flag holds, pain, and harder variants of what hurt."""

from __future__ import annotations

from datetime import time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.domain.gates import (
    Gate,
    RedFlagHold,
    harder_variants,
    hold_after,
    left_after_hurt,
    plan_today,
    reminders_allowed,
    session_gate,
)
from bot.domain.progression import ExerciseProgress
from bot.domain.safety import Urgency
from bot.storage.repository import Repository
from catalog.loader import load_catalog

CATALOG = load_catalog()
IDS = [e.id for e in CATALOG.exercises]


def test_harder_variants_follow_every_chain() -> None:
    assert harder_variants(CATALOG, ["partial_cobra"]) == {"cobra"}
    assert harder_variants(CATALOG, ["bird_dog_arm"]) == {"bird_dog_leg", "bird_dog_opposite"}
    assert harder_variants(CATALOG, ["bird_dog_leg"]) == {"bird_dog_opposite"}
    assert harder_variants(CATALOG, ["elbow_plank"]) == {"full_plank"}
    assert harder_variants(CATALOG, ["cat", "cobra", "unknown"]) == frozenset()


def test_left_after_hurt_keeps_order_and_everything_else() -> None:
    rest = ["cobra", "hip_flexor_stretch", "bird_dog_leg", "bird_dog_opposite"]
    assert left_after_hurt(CATALOG, rest, "partial_cobra") == (
        "hip_flexor_stretch",
        "bird_dog_leg",
        "bird_dog_opposite",
    )
    assert left_after_hurt(CATALOG, rest, "bird_dog_arm") == ("cobra", "hip_flexor_stretch")


progress_rows = st.dictionaries(
    st.sampled_from(IDS),
    st.builds(
        dict,
        target_hold=st.integers(5, 30),
        pain_free_streak=st.integers(0, 3),
        removed=st.booleans(),
    ),
)


def _progress(rows: dict[str, dict]) -> dict[str, ExerciseProgress]:
    return {
        k: ExerciseProgress(exercise_id=k, sessions_until_return=int(v["removed"]), **v)
        for k, v in rows.items()
    }


@given(
    level=st.integers(1, 3),
    rows=progress_rows,
    hurt=st.sets(st.sampled_from(IDS)),
    painful=st.sets(st.sampled_from(IDS)),
    gentle=st.booleans(),
)
def test_no_routine_holds_a_harder_variant_of_what_hurt_today(
    level: int, rows: dict, hurt: set[str], painful: set[str], gentle: bool
) -> None:
    routine = plan_today(
        CATALOG, level, _progress(rows), too_painful=painful, hurt=hurt, gentle=gentle
    )
    chosen = {item.exercise.id for item in routine}
    for item in routine:
        # Walk the whole chain of easier variants: none of them hurt today.
        easier = item.exercise.progresses_from
        while easier is not None:
            assert easier not in hurt
            easier = CATALOG.get(easier).progresses_from
    assert not chosen & painful
    if gentle:
        assert all(item.exercise.gentle for item in routine)


def test_pain_not_pinned_on_one_exercise_rests_everything() -> None:
    assert plan_today(CATALOG, 3, {}, too_painful={None, "cat"}) == ()


def test_gentle_day_is_the_gentle_stretches_at_todays_holds() -> None:
    progress = {"cat": ExerciseProgress("cat", 10)}
    routine = plan_today(CATALOG, 2, progress, gentle=True)
    assert [i.exercise.id for i in routine] == ["cat", "cow", "knee_to_chest"]
    assert routine[0].target_hold == 10


def test_hold_after_findings() -> None:
    assert hold_after(None, Urgency.URGENT) == RedFlagHold.URGENT
    assert hold_after(None, Urgency.SEE_DOCTOR) == RedFlagHold.SEE_DOCTOR
    assert hold_after(RedFlagHold.URGENT, Urgency.SEE_DOCTOR) == RedFlagHold.URGENT
    assert hold_after(RedFlagHold.SEE_DOCTOR, Urgency.URGENT) == RedFlagHold.URGENT
    assert hold_after(None, Urgency.STOP_TODAY) is None
    assert session_gate(None) is Gate.OPEN
    assert session_gate(RedFlagHold.SEE_DOCTOR) is Gate.ASK
    assert session_gate(RedFlagHold.URGENT) is Gate.BLOCKED


@given(
    st.lists(st.sampled_from(list(Urgency)), max_size=8),
    st.lists(st.sampled_from(list(Urgency)), max_size=8),
)
def test_after_an_urgent_sign_nothing_opens_until_confirmed(
    before: list[Urgency], after: list[Urgency]
) -> None:
    hold: str | None = None
    for urgency in [*before, Urgency.URGENT, *after]:
        hold = hold_after(hold, urgency)
    assert session_gate(hold) is Gate.BLOCKED
    assert not reminders_allowed(hold)


async def test_an_urgent_hold_takes_the_next_reminder_away_until_cleared(
    repository: Repository, clock: FakeClock
) -> None:
    now = clock.now()
    await repository.ensure_user(1, 1, now)
    await repository.update_user(
        1, onboarding_step="done", timezone="Europe/Berlin", reminder_time=time(9, 30), now=now
    )
    user = await repository.update_user(1, red_flag_hold=RedFlagHold.URGENT, now=now)
    assert user.next_reminder_at is None
    assert (
        await repository.claim_due(now + timedelta(days=2), grace=timedelta(hours=2), limit=10)
        == []
    )
    user = await repository.update_user(1, red_flag_hold=RedFlagHold.SEE_DOCTOR, now=now)
    assert user.next_reminder_at is not None  # see-a-doctor signs ask before a session instead
    user = await repository.update_user(1, red_flag_hold=None, now=now)
    assert user.next_reminder_at is not None
