"""Claiming due reminders against a real (SQLite) database: once per day, DST-safe, leased."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import httpx
import pytest
from sqlalchemy import insert
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.clock import FakeClock
from bot.domain.progression import Answer, ExerciseProgress
from bot.ratelimit import may_have_arrived
from bot.storage.models import ReminderLog, User
from bot.storage.repository import CLAIM_LEASE, DueReminder, Repository

BERLIN = "Europe/Berlin"
SYDNEY = "Australia/Sydney"
GRACE = timedelta(hours=2)
LIMIT = 100
# START (conftest) is Fri 27 Nov 2026 08:00 UTC, 09:00 in Berlin: the next 07:30 is Saturday's.
SATURDAY = date(2026, 11, 28)
SATURDAY_DUE = datetime(2026, 11, 28, 6, 30, tzinfo=UTC)
SUNDAY_DUE = datetime(2026, 11, 29, 6, 30, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def settle(
    repository: Repository,
    user_id: int,
    now: datetime,
    *,
    tz: str = BERLIN,
    at: time = time(7, 30),
) -> None:
    """A user who finished onboarding, with a daily reminder at local `at`."""
    await repository.ensure_user(user_id, user_id + 1000, now)
    await repository.update_user(
        user_id, onboarding_step="done", timezone=tz, reminder_time=at, now=now
    )


async def claim(repository: Repository, now: datetime) -> list[DueReminder]:
    return await repository.claim_due(now, grace=GRACE, limit=LIMIT)


async def next_due(repository: Repository, user_id: int) -> datetime | None:
    user = await repository.get_user(user_id)
    assert user is not None
    return user.next_reminder_at


async def status(repository: Repository, user_id: int, day: date) -> str | None:
    row = await repository.reminder_of(user_id, day)
    return None if row is None else row.status


async def report_done(repository: Repository, user_id: int, day: date, now: datetime) -> bool:
    """Count `day` as done through a reported session of one exercise."""
    return await repository.record_reported_session(
        user_id,
        day,
        [("cat", 15)],
        {"cat": Answer.done()},
        {"cat": ExerciseProgress("cat", 15, pain_free_streak=1)},
        {"cat": 15},
        now,
    )


# --- Scheduling through update_user ---------------------------------------------


async def test_next_reminder_is_the_next_local_0730_in_utc(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert await next_due(repository, 1) == SATURDAY_DUE


async def test_next_reminder_is_today_when_the_time_is_still_ahead(repository: Repository) -> None:
    await settle(repository, 1, utc(2026, 11, 27, 5, 0))  # 06:00 in Berlin
    assert await next_due(repository, 1) == utc(2026, 11, 27, 6, 30)


async def test_no_reminder_until_onboarding_is_done(
    repository: Repository, clock: FakeClock
) -> None:
    now = clock.now()
    await repository.ensure_user(1, 1001, now)
    await repository.update_user(1, timezone=BERLIN, reminder_time=time(7, 30), now=now)
    assert await next_due(repository, 1) is None
    await repository.update_user(1, onboarding_step="done", now=now)
    assert await next_due(repository, 1) == SATURDAY_DUE


async def test_pause_clears_and_resume_restores(repository: Repository, clock: FakeClock) -> None:
    await settle(repository, 1, clock.now())
    await repository.update_user(1, active=False, now=clock.now())
    assert await next_due(repository, 1) is None
    await repository.update_user(1, active=True, now=clock.now())
    assert await next_due(repository, 1) == SATURDAY_DUE


async def test_blocked_clears_and_unblocked_restores(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    await repository.update_user(1, blocked=True, now=clock.now())
    assert await next_due(repository, 1) is None
    clock.set(utc(2026, 11, 28, 12, 0))
    await repository.update_user(1, blocked=False, now=clock.now())
    assert await next_due(repository, 1) == SUNDAY_DUE


async def test_changing_a_reminder_setting_needs_now(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    with pytest.raises(ValueError, match="needs `now`"):
        await repository.update_user(1, reminder_time=time(8, 0))
    assert await next_due(repository, 1) == SATURDAY_DUE


async def test_timezone_change_moves_the_instant(repository: Repository, clock: FakeClock) -> None:
    await settle(repository, 1, clock.now())
    await repository.update_user(1, timezone="America/New_York", now=clock.now())
    # 07:30 EST on Fri 27 Nov is 12:30 UTC, still ahead of 08:00 UTC.
    assert await next_due(repository, 1) == utc(2026, 11, 27, 12, 30)


async def test_pause_drops_a_pending_snooze(repository: Repository, clock: FakeClock) -> None:
    await settle(repository, 1, clock.now())
    await claim(repository, SATURDAY_DUE)
    await repository.snooze(1, SATURDAY, SATURDAY_DUE + timedelta(minutes=30))
    await repository.update_user(1, active=False, now=SATURDAY_DUE + timedelta(minutes=1))
    user = await repository.get_user(1)
    assert user is not None and user.snooze_until is None
    assert await claim(repository, SATURDAY_DUE + timedelta(minutes=31)) == []


# --- Claiming ---------------------------------------------------------------------


async def test_nothing_is_claimed_before_the_due_instant(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert await claim(repository, SATURDAY_DUE - timedelta(seconds=1)) == []
    assert await repository.reminder_log(1) == []
    assert await next_due(repository, 1) == SATURDAY_DUE


async def test_claim_at_the_due_instant_returns_one_daily_reminder(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    claimed = await claim(repository, SATURDAY_DUE)
    assert claimed == [
        DueReminder(
            user_id=1,
            chat_id=1001,
            timezone=BERLIN,
            local_date=SATURDAY,
            level=1,
            check_due=False,
            kind="daily",
            due_at=SATURDAY_DUE,
        )
    ]
    row = await repository.reminder_of(1, SATURDAY)
    assert row is not None
    assert (row.status, row.due_at, row.claimed_at, row.sent_at, row.snoozes) == (
        "claimed",
        SATURDAY_DUE,
        SATURDAY_DUE,
        None,
        0,
    )
    assert await next_due(repository, 1) == SUNDAY_DUE


async def test_second_claim_right_after_returns_nothing(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert len(await claim(repository, SATURDAY_DUE)) == 1
    assert await claim(repository, SATURDAY_DUE) == []
    assert await claim(repository, SATURDAY_DUE + timedelta(minutes=1)) == []
    assert len(await repository.reminder_log(1)) == 1


async def test_mark_sent_records_status_and_time(repository: Repository, clock: FakeClock) -> None:
    await settle(repository, 1, clock.now())
    await claim(repository, SATURDAY_DUE)
    sent_at = SATURDAY_DUE + timedelta(seconds=2)
    await repository.mark_reminder(1, SATURDAY, "sent", sent_at)
    row = await repository.reminder_of(1, SATURDAY)
    assert row is not None and (row.status, row.sent_at) == ("sent", sent_at)


async def test_mark_failed_keeps_sent_at_empty(repository: Repository, clock: FakeClock) -> None:
    await settle(repository, 1, clock.now())
    await claim(repository, SATURDAY_DUE)
    await repository.mark_reminder(1, SATURDAY, "failed", SATURDAY_DUE)
    row = await repository.reminder_of(1, SATURDAY)
    assert row is not None and (row.status, row.sent_at) == ("failed", None)


async def test_mark_of_an_unknown_day_is_a_no_op(repository: Repository, clock: FakeClock) -> None:
    await settle(repository, 1, clock.now())
    await repository.mark_reminder(1, SATURDAY, "sent", SATURDAY_DUE)
    assert await repository.reminder_log(1) == []


async def test_check_due_and_level_travel_with_the_reminder(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    await repository.update_user(1, check_due=True, level=2)
    [due] = await claim(repository, SATURDAY_DUE)
    assert (due.check_due, due.level) == (True, 2)
    # Claiming alone does not clear it: a send that fails and is retried still asks.
    user = await repository.get_user(1)
    assert user is not None and user.check_due


async def test_later_time_the_same_day_does_not_send_twice(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert len(await claim(repository, SATURDAY_DUE)) == 1
    await repository.mark_reminder(1, SATURDAY, "sent", SATURDAY_DUE)
    # At 08:00 local the person moves their reminder to 09:00: today's went out, so the
    # next one is tomorrow's (08:00 UTC), and nothing is claimed at 09:00 today.
    await repository.update_user(
        1, reminder_time=time(9, 0), now=SATURDAY_DUE + timedelta(minutes=30)
    )
    assert await next_due(repository, 1) == utc(2026, 11, 29, 8, 0)
    assert await claim(repository, utc(2026, 11, 28, 8, 0)) == []
    assert await status(repository, 1, SATURDAY) == "sent"
    assert await next_due(repository, 1) == utc(2026, 11, 29, 8, 0)
    [sunday] = await claim(repository, utc(2026, 11, 29, 8, 0))
    assert sunday.local_date == date(2026, 11, 29)


async def test_late_within_grace_is_sent(repository: Repository, clock: FakeClock) -> None:
    await settle(repository, 1, clock.now())
    [due] = await claim(repository, SATURDAY_DUE + timedelta(minutes=90))
    assert due.local_date == SATURDAY
    row = await repository.reminder_of(1, SATURDAY)
    assert row is not None and row.status == "claimed" and row.due_at == SATURDAY_DUE


async def test_late_beyond_grace_is_missed_and_moves_on(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert await claim(repository, SATURDAY_DUE + timedelta(hours=3)) == []
    assert await status(repository, 1, SATURDAY) == "missed"
    assert await next_due(repository, 1) == SUNDAY_DUE
    # A missed day is never retried, even after the claim lease.
    assert await claim(repository, SATURDAY_DUE + timedelta(hours=4)) == []
    assert await status(repository, 1, SATURDAY) == "missed"


async def test_a_reported_session_makes_the_day_done(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert await report_done(repository, 1, SATURDAY, utc(2026, 11, 28, 6, 0))
    assert await claim(repository, SATURDAY_DUE) == []
    assert await status(repository, 1, SATURDAY) == "done"
    assert await next_due(repository, 1) == SUNDAY_DUE


async def test_a_finished_guided_session_makes_the_day_done(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    session = await repository.start_session(1, [("cat", 15)], utc(2026, 11, 28, 5, 50))
    assert await repository.close_session(session.id, "finished", utc(2026, 11, 28, 6, 0), SATURDAY)
    assert await claim(repository, SATURDAY_DUE) == []
    assert await status(repository, 1, SATURDAY) == "done"


async def test_a_stopped_session_does_not_count(repository: Repository, clock: FakeClock) -> None:
    await settle(repository, 1, clock.now())
    session = await repository.start_session(1, [("cat", 15)], utc(2026, 11, 28, 5, 50))
    await repository.close_session(session.id, "stopped", utc(2026, 11, 28, 6, 0), SATURDAY)
    assert len(await claim(repository, SATURDAY_DUE)) == 1


async def test_a_session_on_another_day_does_not_count(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert await report_done(repository, 1, date(2026, 11, 27), clock.now())
    assert len(await claim(repository, SATURDAY_DUE)) == 1


# --- DST -------------------------------------------------------------------------

DST_CASES = {
    # zone, window start, [(local day, due instant in UTC)] inside the 48 h window
    "berlin-spring-forward": (
        BERLIN,
        utc(2026, 3, 28, 12, 3),
        [(date(2026, 3, 29), utc(2026, 3, 29, 1, 0)), (date(2026, 3, 30), utc(2026, 3, 30, 0, 30))],
    ),
    "berlin-autumn-ambiguous": (
        BERLIN,
        utc(2026, 10, 24, 12, 3),
        [
            (date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),
            (date(2026, 10, 26), utc(2026, 10, 26, 1, 30)),
        ],
    ),
    "sydney-spring-forward": (
        SYDNEY,
        utc(2026, 10, 3, 2, 3),
        [
            (date(2026, 10, 4), utc(2026, 10, 3, 16, 0)),
            (date(2026, 10, 5), utc(2026, 10, 4, 15, 30)),
        ],
    ),
    "sydney-autumn-ambiguous": (
        SYDNEY,
        utc(2026, 4, 4, 2, 3),
        [
            (date(2026, 4, 5), utc(2026, 4, 4, 15, 30)),
            (date(2026, 4, 6), utc(2026, 4, 5, 16, 30)),
        ],
    ),
}


async def sweep(
    repository: Repository, clock: FakeClock, hours: int, step: timedelta
) -> list[tuple[datetime, DueReminder]]:
    """Claim at every step for `hours`, marking each claim sent at once."""
    claims = []
    end = clock.now() + timedelta(hours=hours)
    while clock.now() <= end:
        for due in await claim(repository, clock.now()):
            claims.append((clock.now(), due))
            await repository.mark_reminder(due.user_id, due.local_date, "sent", clock.now())
        clock.advance(step)
    return claims


@pytest.mark.parametrize("case", list(DST_CASES))
async def test_dst_days_fire_once_each_over_48_hours(
    repository: Repository, clock: FakeClock, case: str
) -> None:
    """Ten-minute ticks for two days: one reminder per local day, on the first tick after it."""
    tz, start, expected = DST_CASES[case]
    step = timedelta(minutes=10)
    clock.set(start)
    await settle(repository, 1, clock.now(), tz=tz, at=time(2, 30))
    assert await next_due(repository, 1) == expected[0][1]
    claims = await sweep(repository, clock, 48, step)
    assert [(due.local_date, due.kind) for _, due in claims] == [
        (day, "daily") for day, _ in expected
    ]
    for (claimed_at, _), (_, due_at) in zip(claims, expected, strict=True):
        assert due_at <= claimed_at < due_at + step
    log = await repository.reminder_log(1)
    assert [(row.local_date, row.due_at, row.status) for row in log] == [
        (day, due_at, "sent") for day, due_at in expected
    ]


@pytest.mark.parametrize("case", list(DST_CASES))
async def test_dst_day_minute_by_minute_around_the_change(
    repository: Repository, clock: FakeClock, case: str
) -> None:
    """One-minute ticks from two hours before to two hours after: one claim, on the minute."""
    tz, _, expected = DST_CASES[case]
    day, due_at = expected[0]
    clock.set(due_at - timedelta(hours=2))
    await settle(repository, 1, clock.now(), tz=tz, at=time(2, 30))
    claims = await sweep(repository, clock, 4, timedelta(minutes=1))
    assert [(at, due.local_date, due.kind) for at, due in claims] == [(due_at, day, "daily")]


# --- Snooze ----------------------------------------------------------------------


async def claimed_and_sent(repository: Repository, clock: FakeClock) -> None:
    await settle(repository, 1, clock.now())
    clock.set(SATURDAY_DUE)
    assert len(await claim(repository, clock.now())) == 1
    await repository.mark_reminder(1, SATURDAY, "sent", clock.now())


async def test_snooze_brings_the_reminder_back_once(
    repository: Repository, clock: FakeClock
) -> None:
    await claimed_and_sent(repository, clock)
    until = clock.now() + timedelta(minutes=30)
    assert await repository.snooze(1, SATURDAY, until)
    assert await claim(repository, until - timedelta(seconds=1)) == []
    [due] = await claim(repository, until)
    assert (due.kind, due.local_date, due.user_id) == ("snoozed", SATURDAY, 1)
    row = await repository.reminder_of(1, SATURDAY)
    assert row is not None and (row.snoozes, row.status) == (1, "sent")
    assert await claim(repository, until + timedelta(minutes=10)) == []


async def test_snooze_twice_counts_twice(repository: Repository, clock: FakeClock) -> None:
    await claimed_and_sent(repository, clock)
    for n in (1, 2):
        clock.advance(timedelta(minutes=30))
        assert await repository.snooze(1, SATURDAY, clock.now())
        assert [d.kind for d in await claim(repository, clock.now())] == ["snoozed"]
        row = await repository.reminder_of(1, SATURDAY)
        assert row is not None and row.snoozes == n


async def test_snooze_a_day_without_a_reminder_is_refused(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert not await repository.snooze(1, SATURDAY, SATURDAY_DUE)
    user = await repository.get_user(1)
    assert user is not None and user.snooze_until is None


async def test_snooze_of_a_missed_day_is_refused(repository: Repository, clock: FakeClock) -> None:
    await settle(repository, 1, clock.now())
    await claim(repository, SATURDAY_DUE + timedelta(hours=3))
    assert not await repository.snooze(1, SATURDAY, SATURDAY_DUE + timedelta(hours=4))


async def test_snooze_is_dropped_when_the_session_is_done_meanwhile(
    repository: Repository, clock: FakeClock
) -> None:
    await claimed_and_sent(repository, clock)
    until = clock.now() + timedelta(minutes=30)
    assert await repository.snooze(1, SATURDAY, until)
    assert await report_done(repository, 1, SATURDAY, clock.now() + timedelta(minutes=10))
    assert await claim(repository, until) == []
    user = await repository.get_user(1)
    assert user is not None and user.snooze_until is None


async def test_snooze_is_dropped_when_it_comes_too_late(
    repository: Repository, clock: FakeClock
) -> None:
    await claimed_and_sent(repository, clock)
    until = clock.now() + timedelta(minutes=30)
    assert await repository.snooze(1, SATURDAY, until)
    assert await claim(repository, until + GRACE + timedelta(minutes=1)) == []
    row = await repository.reminder_of(1, SATURDAY)
    assert row is not None and row.snoozes == 0


# --- Skip, block --------------------------------------------------------------------


async def test_skip_day_settles_the_day_and_clears_the_snooze(
    repository: Repository, clock: FakeClock
) -> None:
    await claimed_and_sent(repository, clock)
    until = clock.now() + timedelta(minutes=30)
    assert await repository.snooze(1, SATURDAY, until)
    assert await repository.skip_day(1, SATURDAY)
    assert await status(repository, 1, SATURDAY) == "skipped"
    user = await repository.get_user(1)
    assert user is not None and user.snooze_until is None
    assert await claim(repository, until) == []
    assert not await repository.snooze(1, SATURDAY, until)
    assert not await repository.skip_day(1, SATURDAY)
    assert await next_due(repository, 1) == SUNDAY_DUE


async def test_skip_a_day_without_a_reminder_is_refused(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert not await repository.skip_day(1, SATURDAY)


async def test_block_stops_reminders_until_unblocked(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    await claim(repository, SATURDAY_DUE)
    await repository.block(1, SATURDAY)
    user = await repository.get_user(1)
    assert user is not None and user.blocked and user.next_reminder_at is None
    assert await status(repository, 1, SATURDAY) == "blocked"
    assert await claim(repository, SUNDAY_DUE + timedelta(minutes=1)) == []
    assert await claim(repository, SATURDAY_DUE + CLAIM_LEASE) == []  # no retry either
    await repository.update_user(1, blocked=False, now=utc(2026, 11, 29, 12, 0))
    assert await next_due(repository, 1) == utc(2026, 11, 30, 6, 30)
    [due] = await claim(repository, utc(2026, 11, 30, 6, 30))
    assert due.local_date == date(2026, 11, 30)


async def test_block_clears_a_pending_snooze(repository: Repository, clock: FakeClock) -> None:
    await claimed_and_sent(repository, clock)
    until = clock.now() + timedelta(minutes=30)
    assert await repository.snooze(1, SATURDAY, until)
    await repository.block(1, SATURDAY)
    assert await claim(repository, until) == []


async def test_block_without_a_day_and_of_unknown_user(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    await repository.block(1, None)
    await repository.block(999, SATURDAY)  # no such user: nothing happens
    user = await repository.get_user(1)
    assert user is not None and user.blocked
    assert await repository.reminder_log(1) == []


# --- Lost claims ---------------------------------------------------------------------


async def test_lost_claim_is_retried_after_the_lease(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert len(await claim(repository, SATURDAY_DUE)) == 1  # then the process dies
    assert await claim(repository, SATURDAY_DUE + CLAIM_LEASE - timedelta(seconds=1)) == []
    [retry] = await claim(repository, SATURDAY_DUE + CLAIM_LEASE)
    assert (retry.kind, retry.local_date) == ("retry", SATURDAY)
    row = await repository.reminder_of(1, SATURDAY)
    assert row is not None and row.status == "claimed"
    assert row.claimed_at == SATURDAY_DUE + CLAIM_LEASE
    # The retry took a new lease: not handed out again at once.
    assert await claim(repository, SATURDAY_DUE + CLAIM_LEASE + timedelta(minutes=1)) == []


async def test_sent_claim_is_never_retried(repository: Repository, clock: FakeClock) -> None:
    await settle(repository, 1, clock.now())
    await claim(repository, SATURDAY_DUE)
    await repository.mark_reminder(1, SATURDAY, "sent", SATURDAY_DUE)
    assert await claim(repository, SATURDAY_DUE + CLAIM_LEASE * 3) == []


async def test_lost_claim_beyond_grace_becomes_missed(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    await claim(repository, SATURDAY_DUE)
    assert await claim(repository, SATURDAY_DUE + GRACE + timedelta(minutes=1)) == []
    assert await status(repository, 1, SATURDAY) == "missed"


async def test_lost_claim_of_a_paused_user_becomes_missed(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    await claim(repository, SATURDAY_DUE)
    await repository.update_user(1, active=False, now=SATURDAY_DUE + timedelta(minutes=1))
    assert await claim(repository, SATURDAY_DUE + CLAIM_LEASE) == []
    assert await status(repository, 1, SATURDAY) == "missed"


async def test_lost_claim_is_not_retried_once_the_day_is_done(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    await claim(repository, SATURDAY_DUE)  # the send fails with a network error
    assert await report_done(repository, 1, SATURDAY, SATURDAY_DUE + timedelta(minutes=2))
    assert await claim(repository, SATURDAY_DUE + CLAIM_LEASE) == []


async def test_lost_claim_that_was_snoozed_comes_back_only_as_the_snooze(
    repository: Repository, clock: FakeClock
) -> None:
    """The send timed out but was delivered; the person tapped snooze, so no retry."""
    await settle(repository, 1, clock.now())
    await claim(repository, SATURDAY_DUE)
    until = SATURDAY_DUE + timedelta(minutes=31)
    assert await repository.snooze(1, SATURDAY, until)
    assert await claim(repository, SATURDAY_DUE + CLAIM_LEASE) == []


async def test_a_no_op_resume_between_ticks_keeps_the_due_reminder(
    repository: Repository, clock: FakeClock
) -> None:
    """/resume while already on, 10 s after 07:30 and before the next tick claims it."""
    await settle(repository, 1, clock.now())
    await repository.update_user(1, active=True, now=SATURDAY_DUE + timedelta(seconds=10))
    [due] = await claim(repository, SATURDAY_DUE + timedelta(seconds=20))
    assert due.local_date == SATURDAY


async def ticks(repository: Repository, now: datetime) -> list[DueReminder]:
    """What a restarted bot claims in its first few one-minute ticks (marking each sent)."""
    claimed: list[DueReminder] = []
    for minute in range(4):
        for due in await claim(repository, now + timedelta(minutes=minute)):
            claimed.append(due)
            await repository.mark_reminder(due.user_id, due.local_date, "sent", now)
    return claimed


async def test_after_a_long_outage_todays_reminder_within_grace_is_sent(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    # Down from Friday until Sunday 08:00 local: Saturday is long missed, Sunday's 07:30
    # reminder is only 30 minutes late.
    claimed = await ticks(repository, SUNDAY_DUE + timedelta(minutes=30))
    assert await status(repository, 1, SATURDAY) == "missed"
    assert [(due.local_date, due.kind) for due in claimed] == [(date(2026, 11, 29), "daily")]
    assert await next_due(repository, 1) == utc(2026, 11, 30, 6, 30)


async def test_after_an_outage_of_days_only_the_oldest_day_is_logged_missed(
    repository: Repository, clock: FakeClock
) -> None:
    """Days in between are passed over without rows; the current day still goes out."""
    await settle(repository, 1, clock.now())
    claimed = await ticks(repository, utc(2026, 12, 2, 7, 0))  # Wed 08:00 local
    assert [due.local_date for due in claimed] == [date(2026, 12, 2)]
    log = await repository.reminder_log(1)
    assert [(row.local_date, row.status) for row in log] == [
        (SATURDAY, "missed"),
        (date(2026, 12, 2), "sent"),
    ]


async def test_after_an_outage_beyond_grace_today_is_missed_too(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert await ticks(repository, SUNDAY_DUE + timedelta(hours=3)) == []
    assert await status(repository, 1, date(2026, 11, 29)) is None
    assert await next_due(repository, 1) == utc(2026, 11, 30, 6, 30)


# --- Limits -----------------------------------------------------------------------------


async def test_limit_hands_out_batches_of_distinct_users(
    repository: Repository, clock: FakeClock
) -> None:
    for user_id in range(1, 31):
        await settle(repository, user_id, clock.now())
    batches = [await repository.claim_due(SATURDAY_DUE, grace=GRACE, limit=10) for _ in range(4)]
    assert [len(batch) for batch in batches] == [10, 10, 10, 0]
    users = [due.user_id for batch in batches for due in batch]
    assert sorted(users) == list(range(1, 31))
    assert {due.local_date for batch in batches for due in batch} == {SATURDAY}


# --- Sessions counted per day, pain since ------------------------------------------------


async def test_reported_session_counts_once_per_day(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    assert not await repository.finished_on(1, SATURDAY)
    assert await report_done(repository, 1, SATURDAY, clock.now())
    assert await repository.finished_on(1, SATURDAY)
    assert not await repository.finished_on(1, date(2026, 11, 29))
    assert not await report_done(repository, 1, SATURDAY, clock.now())
    assert await repository.session_days(1) == [SATURDAY]
    assert await repository.finished_count(1) == 1


async def test_reported_session_stores_answers_and_progress(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    progress = {
        "cat": ExerciseProgress("cat", 15),
        "partial_cobra": ExerciseProgress("partial_cobra", 10, high_pain_streak=1),
    }
    assert await repository.record_reported_session(
        1,
        SATURDAY,
        [("cat", 15), ("partial_cobra", 15), ("cow", 15)],
        {"cat": Answer.done(), "partial_cobra": Answer.hurts(7), "cow": Answer.skipped()},
        progress,
        {"cat": 15, "partial_cobra": 10},
        clock.now(),
    )
    assert await repository.load_progress(1) == progress
    assert await repository.progress_with_start(1) == {"cat": (15, 15), "partial_cobra": (10, 10)}
    assert await repository.active_session(1) is None


async def test_reported_session_for_an_unknown_user_stores_nothing(
    repository: Repository, clock: FakeClock
) -> None:
    assert not await report_done(repository, 42, SATURDAY, clock.now())
    assert not await repository.finished_on(42, SATURDAY)


async def test_finished_guided_session_counts_for_its_local_day(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    session = await repository.start_session(1, [("cat", 15)], clock.now())
    assert not await repository.finished_on(1, date(2026, 11, 27))
    await repository.close_session(session.id, "finished", clock.now(), date(2026, 11, 27))
    assert await repository.finished_on(1, date(2026, 11, 27))
    # A guided session already counts for the day: a report for it is refused.
    assert not await report_done(repository, 1, date(2026, 11, 27), clock.now())


async def test_painful_since_keeps_pain_above_five_since_the_instant(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    await settle(repository, 2, clock.now())
    since = clock.now()
    before, after = since - timedelta(seconds=1), since + timedelta(minutes=5)
    await repository.add_pain_report(1, 8, before, "reminder", exercise_id="cat")
    await repository.add_pain_report(1, 6, since, "reminder", exercise_id="cow")
    await repository.add_pain_report(1, 5, after, "reminder", exercise_id="glute_bridge")
    await repository.add_pain_report(1, 9, after, "reminder")  # no exercise named
    await repository.add_pain_report(1, 7, after, "session", exercise_id="partial_cobra")
    await repository.add_pain_report(1, 7, after, "onboarding")  # not from exercising
    await repository.add_pain_report(2, 9, after, "reminder", exercise_id="knee_to_chest")
    painful = await repository.painful_since(1, since)
    assert sorted(painful, key=str) == [("cow", since), ("partial_cobra", after), (None, after)]


async def test_add_pain_report_rejects_out_of_range(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    with pytest.raises(ValueError):
        await repository.add_pain_report(1, 11, clock.now(), "reminder")


# --- Batches: the reads a claim's reminders need, and one write for how they ended --------


async def test_reminder_inputs_read_each_persons_own_data_for_a_batch(
    repository: Repository, clock: FakeClock
) -> None:
    for user_id in (1, 2, 3):
        await settle(repository, user_id, clock.now())
    midnight = utc(2026, 11, 27, 23, 0)  # Saturday 00:00 in Berlin
    await repository.add_pain_report(1, 7, midnight, "reminder", exercise_id="cow")
    await repository.add_pain_report(1, 9, midnight - timedelta(minutes=1), "reminder")
    await repository.add_pain_report(2, 8, midnight + timedelta(hours=1), "reminder")
    await repository.add_pain_report(
        3, 5, midnight + timedelta(hours=1), "reminder", exercise_id="cat"
    )
    # Person 1 trained the day before yesterday and long ago, person 2 yesterday.
    for user_id, day in ((1, date(2026, 11, 26)), (1, date(2026, 10, 1)), (2, date(2026, 11, 27))):
        assert await report_done(repository, user_id, day, clock.now())
    await repository.save_progress(
        1, {"cat": ExerciseProgress("cat", 25, pain_free_streak=2)}, {"cat": 15}, clock.now()
    )
    due = await claim(repository, SATURDAY_DUE)
    inputs = await repository.reminder_inputs(due, {d.user_id: midnight for d in due})
    assert set(inputs) == {1, 2, 3}
    assert inputs[1].progress == {"cat": ExerciseProgress("cat", 25, pain_free_streak=2)}
    # Pain above 5 since the person's midnight only; pain not pinned on an exercise is None.
    assert inputs[1].painful == {"cow"}
    assert inputs[2].painful == {None}
    assert inputs[3].painful == frozenset()
    assert inputs[1].session_days == (date(2026, 10, 1), date(2026, 11, 26))
    assert inputs[2].session_days == (date(2026, 11, 27),)
    assert inputs[3].session_days == () and inputs[3].progress == {}


async def test_settle_reminders_marks_a_batch_and_keeps_what_was_pressed_meanwhile(
    repository: Repository, clock: FakeClock
) -> None:
    for user_id in (1, 2, 3, 4):
        await settle(repository, user_id, clock.now())
    await repository.update_user(4, check_due=True)
    due = await claim(repository, SATURDAY_DUE)
    assert len(due) == 4
    # Person 3 pressed "Skip today" on a reminder before the batch was recorded.
    assert await repository.skip_day(3, SATURDAY)
    await repository.settle_reminders(
        sent=[(1, SATURDAY), (3, SATURDAY), (4, SATURDAY)],
        failed=[(2, SATURDAY)],
        asked=[4],
        now=SATURDAY_DUE,
    )
    assert [await status(repository, u, SATURDAY) for u in (1, 2, 3, 4)] == [
        "sent",
        "failed",
        "skipped",
        "sent",
    ]
    row = await repository.reminder_of(1, SATURDAY)
    assert row is not None and row.sent_at == SATURDAY_DUE
    user = await repository.get_user(4)
    assert user is not None and not user.check_due


async def test_a_claim_larger_than_one_in_list_is_handled_in_chunks(
    repository: Repository, clock: FakeClock
) -> None:
    # PostgreSQL refused 8,000 (user, day) pairs in one IN list; 1,200 spans three chunks.
    now = clock.now()
    people = range(1, 1201)
    async with repository.engine.begin() as connection:
        await connection.execute(
            insert(User),
            [
                {
                    "id": person,
                    "chat_id": person,
                    "created_at": now,
                    "onboarding_step": "done",
                    "timezone": BERLIN,
                    "reminder_time": time(7, 30),
                    "next_reminder_at": SATURDAY_DUE,
                }
                for person in people
            ],
        )
        # The even half had Saturday's reminder already (their time was changed since).
        await connection.execute(
            insert(ReminderLog),
            [
                {
                    "user_id": person,
                    "local_date": SATURDAY,
                    "due_at": SATURDAY_DUE,
                    "status": "sent",
                    "claimed_at": SATURDAY_DUE,
                    "snoozes": 0,
                }
                for person in people
                if person % 2 == 0
            ],
        )
    due = await repository.claim_due(SATURDAY_DUE, grace=GRACE, limit=5000)
    assert sorted(d.user_id for d in due) == [p for p in people if p % 2 == 1]
    await repository.settle_reminders(
        sent=[(d.user_id, d.local_date) for d in due], failed=[], asked=[], now=SATURDAY_DUE
    )
    assert {(await repository.reminder_of(p, SATURDAY)).status for p in (1, 599, 1199)} == {"sent"}
    inputs = await repository.reminder_inputs(due, {d.user_id: SATURDAY_DUE for d in due})
    assert len(inputs) == 600


# --- One read per typed message -------------------------------------------------------------


async def test_chat_state_reads_the_person_and_their_active_session_together(
    repository: Repository, clock: FakeClock
) -> None:
    assert await repository.chat_state(1) == (None, None)
    await settle(repository, 1, clock.now())
    user, state = await repository.chat_state(1)
    assert user is not None and user.id == 1 and state is None
    old = await repository.start_session(1, [("cat", 15)], clock.now())
    await repository.close_session(old.id, "finished", clock.now(), date(2026, 11, 27))
    newer = await repository.start_session(1, [("cow", 15), ("cat", 15)], clock.now())
    user, state = await repository.chat_state(1)
    assert user is not None and user.timezone == BERLIN
    assert state == newer and state.exercise_id == "cow"


async def test_set_report_step_writes_only_the_report_fields(
    repository: Repository, clock: FakeClock
) -> None:
    await settle(repository, 1, clock.now())
    await repository.set_report_step(1, "hurts_pain")
    await repository.set_report_step(1, "hurts_which", 7)
    user = await repository.get_user(1)
    assert user is not None
    assert (user.report_step, user.report_pain, user.next_reminder_at) == (
        "hurts_which",
        7,
        SATURDAY_DUE,
    )
    await repository.set_report_step(1, None)
    user = await repository.get_user(1)
    assert user is not None and (user.report_step, user.report_pain) == (None, None)


async def test_a_snooze_that_ends_on_the_next_local_day_is_not_sent(
    repository: Repository, clock: FakeClock
) -> None:
    # A snooze stored before the handler refused ones past midnight is dropped at claim time.
    await settle(repository, 1, clock.now(), at=time(23, 50))  # 22:50 UTC
    due_at = utc(2026, 11, 27, 22, 50)
    assert [d.user_id for d in await claim(repository, due_at)] == [1]
    assert await repository.snooze(1, date(2026, 11, 27), due_at + timedelta(minutes=30))
    assert await claim(repository, due_at + timedelta(minutes=31)) == []
    user = await repository.get_user(1)
    assert user is not None and user.snooze_until is None


# --- Which failed sends may have arrived (and so count as sent) -----------------------


def _raised_from(error: Exception, cause: BaseException | None) -> Exception:
    """`error` as PTB raises it: `raise error from cause`."""
    try:
        raise error from cause
    except Exception as raised:
        return raised


@pytest.mark.parametrize(
    ("error", "cause", "arrived"),
    [
        # No answer came: the request may have been carried out.
        (TimedOut(), httpx.ReadTimeout("read"), True),
        (TimedOut(), httpx.WriteTimeout("write"), True),
        (TimedOut(), None, True),
        (NetworkError("httpx.ReadError"), httpx.ReadError("reset"), True),
        (NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("gone"), True),
        (NetworkError("Unknown error in HTTP implementation"), RuntimeError("?"), True),
        # The request never left: no connection, or none free in the pool.
        (TimedOut(), httpx.ConnectTimeout("connect"), False),
        (TimedOut("Pool timeout"), httpx.PoolTimeout("pool"), False),
        (NetworkError("httpx.ConnectError"), httpx.ConnectError("refused"), False),
        # Telegram answered that it did not carry the request out.
        (NetworkError("Internal Server Error"), None, False),
        (NetworkError("Bad Gateway (502)"), TelegramError("unparsable answer"), False),
        (RetryAfter(5), None, False),
        (Forbidden("blocked"), None, False),
        (BadRequest("chat not found"), None, False),
    ],
)
def test_a_send_may_have_arrived_only_when_no_answer_came(
    error: Exception, cause: BaseException | None, arrived: bool
) -> None:
    assert may_have_arrived(_raised_from(error, cause)) is arrived
