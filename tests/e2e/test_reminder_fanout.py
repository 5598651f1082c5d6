"""The reminder fan-out: the next claim overlaps the sends, and never resends what is in flight.

Each batch of reminders is claimed while the one before it is still going out. That claim
must not take the batch in flight for lost (its rows are still 'claimed', unsettled), however
much time passes meanwhile: the injected clock is moved past the claim lease at every claim
made during sends, as a slow broadcast would.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import asynccontextmanager
from datetime import time, timedelta
from typing import Any

import pytest

from bot import ratelimit, texts
from bot.app import build_application, running
from bot.clock import FakeClock
from bot.config import Settings
from bot.emulator.server import BotApiEmulator
from bot.handlers.common import SERVICES_KEY
from bot.storage.database import create_engine
from bot.storage.repository import Repository
from tests.e2e.helpers import onboard

pytestmark = pytest.mark.e2e

PEOPLE = range(20_000, 20_030)
REMINDER = "Time for your back routine"


async def _due_in_a_minute(database_url: str, clock: FakeClock) -> None:
    """Thirty people whose reminder is at 09:01 in Berlin (the clock says 09:00)."""
    repo = Repository(create_engine(database_url))
    try:
        for user_id in PEOPLE:
            await repo.ensure_user(user_id, user_id, clock.now())
            await repo.update_user(
                user_id,
                onboarding_step="done",
                timezone="Europe/Berlin",
                reminder_time=time(9, 1),
                now=clock.now(),
            )
    finally:
        await repo.close()


@asynccontextmanager
async def _fan_out_bot(settings: Settings, clock: FakeClock):
    """The bot at 10 reminders/s (claims of 10), its claims recorded; during sends, every
    claim first moves the clock ten minutes on, far past the one-second lease."""
    # A tick works on until the next is due: one second, time for several batches.
    paced = settings.model_copy(
        update={
            "reminders_per_second": 10.0,
            "reminder_claim_lease_seconds": 1.0,
            "reminder_tick_seconds": 1.0,
        }
    )
    app = build_application(paced, clock=clock)
    repository = app.bot_data[SERVICES_KEY].repository
    claim_due, settle = repository.claim_due, repository.settle_reminders
    claims: list[dict[str, Any]] = []
    unsettled = 0  # claimed and not settled yet: a batch in flight

    async def recorded_claim(now, **kwargs):
        nonlocal unsettled
        overlapped = unsettled > 0
        if overlapped:
            clock.advance(timedelta(minutes=10))
            now = clock.now()
        started = asyncio.get_running_loop().time()
        claimed = await claim_due(now, **kwargs)
        unsettled += len(claimed)
        claims.append({"overlapped": overlapped, "started": started, "count": len(claimed)})
        return claimed

    async def recorded_settle(*, sent, failed, asked, now):
        nonlocal unsettled
        await settle(sent=sent, failed=failed, asked=asked, now=now)
        unsettled -= len(sent) + len(failed)

    repository.claim_due = recorded_claim
    repository.settle_reminders = recorded_settle
    async with running(app, poll_timeout=1):
        yield claims


async def test_the_next_claim_overlaps_the_sends_and_nobody_gets_two(
    emulator: BotApiEmulator, settings: Settings, clock: FakeClock, database_url: str
) -> None:
    chatty = emulator.user(user_id=899)
    async with _fan_out_bot(settings, clock) as claims:
        await onboard(chatty, zone="Berlin", at="20:00")
        await _due_in_a_minute(database_url, clock)
        people = [emulator.user(user_id=user_id) for user_id in PEOPLE]
        clock.advance(timedelta(minutes=1))
        for user in people:
            await user.wait_for_message(REMINDER, timeout=15)
        # Ticks go on meanwhile (every second): a resend would have come by now.
        await asyncio.sleep(2.5)
    sends = emulator.requests_for("sendMessage")
    per_person = Counter(r.chat_id for r in sends if r.chat_id in PEOPLE)
    assert per_person == Counter(dict.fromkeys(PEOPLE, 1))
    # Claims of 10 at 10/s: the second batch was claimed while the first was still going
    # out (before its last reminder arrived), and the clock had passed the lease by then.
    overlapped = [claim for claim in claims if claim["overlapped"] and claim["count"]]
    assert overlapped, claims
    firsts = sorted(r.timestamp for r in sends if r.chat_id in PEOPLE)
    assert overlapped[0]["started"] < firsts[9]
    # What the database holds: every day's row settled as sent, none left claimed.
    repo = Repository(create_engine(database_url))
    try:
        statuses = Counter()
        for user_id in PEOPLE:
            statuses.update(row.status for row in await repo.reminder_log(user_id))
    finally:
        await repo.close()
    assert statuses == Counter({"sent": len(PEOPLE)})


async def test_a_person_chatting_is_answered_first_while_all_reminders_go_out_once(
    emulator: BotApiEmulator,
    settings: Settings,
    clock: FakeClock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Telegram's limit made 5 messages/s, and reminders allowed more than all of it: the
    # broadcast alone keeps its 16 sends in flight queued in the rate limiter. A reply gets a
    # slot promptly only by going ahead of them.
    monkeypatch.setattr(ratelimit, "MESSAGES_PER_SECOND", 5)
    paced = settings.model_copy(update={"reminders_per_second": 50.0})
    chatty = emulator.user(user_id=899)
    loop = asyncio.get_running_loop()
    app = build_application(paced, clock=clock)
    async with running(app, poll_timeout=1):
        await onboard(chatty, zone="Berlin", at="20:00")
        await _due_in_a_minute(database_url, clock)
        people = [emulator.user(user_id=user_id) for user_id in PEOPLE]
        clock.advance(timedelta(minutes=1))
        await people[0].wait_for_message(REMINDER, timeout=10)
        delays = []
        for _ in range(4):
            asked = loop.time()
            await chatty.send_text("/help")
            await chatty.wait_for_message(texts.HELP[:30], timeout=10)
            delays.append(loop.time() - asked)
        for user in people[1:]:
            await user.wait_for_message(REMINDER, timeout=20)
        # Ticks go on meanwhile: a reminder sent twice would have come by now.
        await asyncio.sleep(1.5)
    # At 5/s the 16 reminders in flight ahead of each reply would take over 3 s; the reply
    # went next instead (the handler's own work is the rest).
    assert max(delays) < 1.5, delays
    sends = emulator.requests_for("sendMessage")
    reminders = sorted(r.timestamp for r in sends if r.chat_id in PEOPLE)
    replies = [r.timestamp for r in sends if r.chat_id == 899 and texts.HELP[:30] in str(r.params)]
    # The replies came during the broadcast, not after it.
    assert len(replies) == 4 and replies[-1] < reminders[-1]
    per_person = Counter(r.chat_id for r in sends if r.chat_id in PEOPLE)
    assert per_person == Counter(dict.fromkeys(PEOPLE, 1))
    repo = Repository(create_engine(database_url))
    try:
        statuses = Counter()
        for user_id in PEOPLE:
            statuses.update(row.status for row in await repo.reminder_log(user_id))
    finally:
        await repo.close()
    assert statuses == Counter({"sent": len(PEOPLE)})


async def test_a_hold_during_a_broadcast_thins_its_countdown_and_still_releases(
    emulator: BotApiEmulator,
    settings: Settings,
    clock: FakeClock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As above, every slot of a 5/s limit is wanted by the broadcast. The cat's 15 s hold is
    # 0.75 s here, its countdown steps 0.25 s: more edits than the countdown's share of the
    # slots (a fifth: 1/s) while reminders wait.
    monkeypatch.setattr(ratelimit, "MESSAGES_PER_SECOND", 5)
    paced = settings.model_copy(update={"reminders_per_second": 50.0, "hold_time_scale": 0.05})
    holder = emulator.user(user_id=898)
    app = build_application(paced, clock=clock)
    async with running(app, poll_timeout=1):
        await onboard(holder, zone="Berlin", at="20:00")
        await _due_in_a_minute(database_url, clock)
        people = [emulator.user(user_id=user_id) for user_id in PEOPLE]
        await holder.press(texts.START_SESSION)
        await holder.wait_for_message("1 of 4")
        clock.advance(timedelta(minutes=1))
        await people[0].wait_for_message(REMINDER, timeout=10)
        await holder.press(texts.READY)
        countdown = await holder.wait_for_message("Get ready")
        await holder.wait_for_message("How did", timeout=10)
        for user in people[1:]:
            await user.wait_for_message(REMINDER, timeout=20)
        limiter = app.bot.rate_limiter
        assert isinstance(limiter, ratelimit.PatientRateLimiter)
        dropped = limiter.dropped
    shown = next(m for m in holder.transcript if m.message_id == countdown.message_id)
    steps = [text for text in [countdown.text, *shown.edits] if text.startswith("Hold…")]
    # What the person saw: the get-ready count in full, the hold from its full time, then the
    # Release; countdown steps in between were thinned (dropped, never shown late).
    assert [countdown.text, *shown.edits][:3] == ["Get ready… 3", "Get ready… 2", "Get ready… 1"]
    assert steps[0] == "Hold… 15 s" and shown.edits[-1] == "Release."
    assert steps[1:] in ([], ["Hold… 10 s"], ["Hold… 5 s"]), steps
    assert dropped >= 1
    # The broadcast went on: everyone's reminder once.
    per_person = Counter(
        r.chat_id for r in emulator.requests_for("sendMessage") if r.chat_id in PEOPLE
    )
    assert per_person == Counter(dict.fromkeys(PEOPLE, 1))
