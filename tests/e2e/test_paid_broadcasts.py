"""Paid broadcasts: with PAID_BROADCAST_AFTER_MINUTES set, only reminders that would go out
later than that after their due instant are sent with allow_paid_broadcast (0.1 Stars each,
from the bot's balance); unset, nothing is ever paid.

The injected clock decides lateness: ten people are due at 09:20 Berlin and ten at 09:01; the
clock jumps from 09:00 to 09:20:30, so the first ten are half a minute late, the others 19.5.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import time, timedelta
from decimal import Decimal

import pytest

from bot.app import build_application, running
from bot.clock import FakeClock
from bot.config import Settings
from bot.emulator.server import BotApiEmulator
from bot.storage.database import create_engine, migrate
from bot.storage.repository import Repository

pytestmark = pytest.mark.e2e

ON_TIME = range(30_000, 30_010)  # due 09:20, sent half a minute late
LATE = range(30_100, 30_110)  # due 09:01, sent 19.5 minutes late
REMINDER = "Time for your back routine"


async def _set_up(database_url: str, clock: FakeClock) -> None:
    await migrate(database_url)
    repo = Repository(create_engine(database_url))
    try:
        for people, at in ((ON_TIME, time(9, 20)), (LATE, time(9, 1))):
            for user_id in people:
                await repo.ensure_user(user_id, user_id, clock.now())
                await repo.update_user(
                    user_id,
                    onboarding_step="done",
                    timezone="Europe/Berlin",
                    reminder_time=at,
                    now=clock.now(),
                )
    finally:
        await repo.close()


async def _broadcast(
    emulator: BotApiEmulator, settings: Settings, clock: FakeClock, database_url: str
) -> None:
    await _set_up(database_url, clock)
    people = [emulator.user(user_id=user_id) for user_id in (*ON_TIME, *LATE)]
    app = build_application(settings, clock=clock)
    async with running(app, poll_timeout=1):
        clock.advance(timedelta(minutes=20, seconds=30))
        for user in people:
            await user.wait_for_message(REMINDER, timeout=15)
        await asyncio.sleep(0.5)  # more ticks: nothing more goes out


def _paid_by_chat(emulator: BotApiEmulator) -> Counter[tuple[int, bool]]:
    return Counter(
        (r.chat_id, r.params.get("allow_paid_broadcast") is True)
        for r in emulator.requests_for("sendMessage")
        if r.status == 200
    )


async def test_only_reminders_later_than_the_setting_are_paid(
    emulator: BotApiEmulator, settings: Settings, clock: FakeClock, database_url: str
) -> None:
    paying = settings.model_copy(update={"paid_broadcast_after_minutes": 5.0})
    await _broadcast(emulator, paying, clock, database_url)
    expected = {(user_id, False): 1 for user_id in ON_TIME} | {
        (user_id, True): 1 for user_id in LATE
    }
    assert _paid_by_chat(emulator) == Counter(expected)
    # What Telegram charged: a tenth of a Star for each of the ten late ones.
    assert emulator.paid_messages == 10
    assert emulator.stars_charged == Decimal("1.0")


async def test_nothing_is_paid_with_the_setting_off(
    emulator: BotApiEmulator, settings: Settings, clock: FakeClock, database_url: str
) -> None:
    assert settings.paid_broadcast_after_minutes is None
    await _broadcast(emulator, settings, clock, database_url)
    assert _paid_by_chat(emulator) == Counter(
        {(user_id, False): 1 for user_id in (*ON_TIME, *LATE)}
    )
    assert emulator.paid_messages == 0 and emulator.stars_charged == 0
