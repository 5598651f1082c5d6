"""Every "next reminder" the bot states is the instant the reminder job claims (issue 14, 3)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from bot.domain.schedule import reminder_day
from bot.storage.repository import FINISHED, Repository

GRACE = timedelta(hours=2)
START = datetime(2026, 3, 27, 20, 0, tzinfo=UTC)  # DST starts in Europe two days later
ZONES = ["Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo", "Australia/Lord_Howe"]
_ids = itertools.count(10_000)

ops = st.lists(
    st.one_of(
        st.tuples(st.just("time"), st.integers(0, 23), st.sampled_from([0, 11, 30, 59])),
        st.tuples(st.just("zone"), st.sampled_from(ZONES)),
        st.tuples(st.just("advance"), st.integers(1, 36 * 60)),
        st.tuples(st.just("finish")),
        st.tuples(st.just("pause"), st.booleans()),
    ),
    max_size=12,
)


async def _stated(repository: Repository, user_id: int) -> datetime | None:
    """What the bot tells the person (`upcoming_reminder` states this instant)."""
    user = await repository.get_user(user_id)
    assert user is not None
    return await repository.next_reminder(user)


async def _claimed(repository: Repository, user_id: int, at: datetime) -> list[date]:
    """The local days of this person's reminders that the job claims (to send) at `at`."""
    claims = await repository.claim_due(at, grace=GRACE, limit=1000)
    return [c.local_date for c in claims if c.user_id == user_id]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(steps=ops)
# The reminder went out at 09:01; moved to 09:30 the same day, the next one is tomorrow's.
@example(steps=[("advance", 12 * 60 + 1), ("time", 9, 30)])
# Days done in two zones: Tokyo's "today" is Berlin's tomorrow, and neither gets a reminder.
@example(
    steps=[("finish",), ("zone", "Asia/Tokyo"), ("finish",), ("zone", "Europe/Berlin"),
           ("time", 21, 11)]
)  # fmt: skip
async def test_the_stated_next_reminder_is_the_one_claimed(
    repository: Repository, steps: list[tuple]
) -> None:
    note(f"steps: {steps}")
    user_id = next(_ids)
    now = START
    await repository.ensure_user(user_id, user_id, now)
    await repository.update_user(
        user_id, onboarding_step="done", timezone="Europe/Berlin", reminder_time=time(9), now=now
    )
    for step in steps:
        kind = step[0]
        if kind == "time":
            await repository.update_user(user_id, reminder_time=time(step[1], step[2]), now=now)
        elif kind == "zone":
            await repository.update_user(user_id, timezone=step[1], now=now)
        elif kind == "pause":
            await repository.update_user(user_id, active=step[1], now=now)
        elif kind == "advance":
            now += timedelta(minutes=step[1])
            await _claimed(repository, user_id, now)  # the tick runs
        else:
            user = await repository.get_user(user_id)
            assert user is not None
            state = await repository.start_session(user_id, [("cat", 15)], now)
            today = reminder_day(now, user.timezone or "UTC")
            await repository.close_session(state.id, FINISHED, now, today)
    stated = await _stated(repository, user_id)
    if stated is None:
        assert await _claimed(repository, user_id, now + timedelta(days=3)) == []
        return
    # At most a claim's grace late: due now or overdue, the next tick sends it.
    assert stated > now - GRACE
    user = await repository.get_user(user_id)
    assert user is not None
    # Not a second early, and then exactly that day's reminder.
    assert await _claimed(repository, user_id, stated - timedelta(seconds=1)) == []
    day = reminder_day(stated, user.timezone or "UTC")
    assert await _claimed(repository, user_id, stated) == [day]
