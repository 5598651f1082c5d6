"""Buttons answered at once, and carried out even when their query expired (issue 14, 7)."""

from __future__ import annotations

import asyncio

import pytest

from bot import texts
from bot.app import build_application, running
from bot.emulator.server import BotApiEmulator
from tests.e2e.helpers import onboard

pytestmark = pytest.mark.e2e


def _slow_cards(emulator: BotApiEmulator, chat_id: int, delay: float) -> None:
    """Every card (a photo or an animation) takes Telegram `delay` s to answer."""
    for method in ("sendPhoto", "sendAnimation"):
        emulator.inject_fault("slow", method=method, chat_id=chat_id, count=10**6, delay=delay)


async def test_every_press_is_answered_within_a_second_while_cards_are_slow(
    emulator: BotApiEmulator, bot
) -> None:
    user = emulator.user(user_id=1501)
    await onboard(user)
    _slow_cards(emulator, 1501, 2.0)
    await user.press(texts.START_SESSION)
    await user.wait_for_message("1 of 4", timeout=10)
    await user.press(texts.READY)
    await user.wait_for_message("How did")
    await user.press(texts.DONE)
    await user.wait_for_message("2 of 4", timeout=10)
    await user.press(texts.SKIP_EXERCISE)
    await user.wait_for_message("3 of 4", timeout=10)
    await user.press(texts.READY)
    await user.wait_for_message("How did")
    await user.press(texts.HURTS)
    await user.wait_for_message("How much did it hurt")
    await user.press("3", message_id=user.last_message.message_id)
    await user.wait_for_message("4 of 4", timeout=10)
    await user.press(texts.READY)
    await user.wait_for_message("How did")
    await user.press(texts.SKIP)
    await user.wait_for_message("Session complete")
    await user.wait_idle()
    presses = [r for r in emulator.state.callbacks.values() if r.user_id == 1501]
    # Onboarding's four presses and the session's nine: every one answered within 1 s.
    assert len(presses) == 13
    late = {r.data: r.answer_latency for r in presses if not r.answered or r.answer_latency > 1}
    assert not late


async def test_a_press_whose_query_expired_while_the_bot_was_down_is_carried_out(
    emulator: BotApiEmulator, settings, clock
) -> None:
    user = emulator.user(user_id=1502)
    async with running(build_application(settings, clock=clock), poll_timeout=1):
        await onboard(user)
        await user.send_text("/session")
        await user.wait_for_message("1 of 4")
    # Pressed while the bot restarts; by the time it is back, Telegram expired the query.
    emulator.callback_timeout = 0.2
    await user.press(texts.READY)
    await asyncio.sleep(0.4)
    async with running(build_application(settings, clock=clock), poll_timeout=1):
        await user.wait_for_message("Get ready")
        await user.wait_for_message("How did")
        await user.press(texts.DONE)
        await user.wait_for_message("2 of 4")
    assert not [m for m in user.transcript if texts.SOMETHING_WENT_WRONG[:20] in m.text]


async def test_drawing_shows_a_chat_action(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=1503)
    await onboard(user)
    await user.send_text("/progress")
    await user.wait_for_message("Your progress")
    await user.send_text("/pdf")
    await user.wait_for_message("routine to print")
    await user.send_text("/export")
    await user.wait_for_message(texts.EXPORT_CAPTION)
    actions = [r.params.get("action") for r in emulator.requests_for("sendChatAction", 1503)]
    assert actions == ["upload_photo", "upload_document", "upload_document"]
