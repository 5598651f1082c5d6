"""Routine rules end to end: fixed holds ease and grow back, positions stay together, sides."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import texts
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import ScriptedUser
from tests.e2e.helpers import hold, onboard

pytestmark = pytest.mark.e2e

LEVEL_1 = ["cat", "cow", "knee_to_chest", "glute_bridge"]


async def _session(
    user: ScriptedUser, pains: dict[str, int] | None = None
) -> dict[str, tuple[str, str]]:
    """One whole session, each card done, or "hurts" with the pain given by exercise name.

    Returns each exercise's card and the line that answered it, by name.
    """
    pains = pains or {}
    await user.send_text("/session")
    intro = await user.wait_for_message("Today's session")
    count = int(intro.text.split("Today's session: ")[1].split()[0])
    seen: dict[str, tuple[str, str]] = {}
    for _ in range(count):
        card = await user.wait_for_message(" of ")
        name = card.text.split("·")[1].split("\n")[0].strip()
        await hold(user)
        if name in pains:
            await user.press(texts.HURTS)
            await user.wait_for_message("How much did it hurt")
            await user.press(str(pains[name]), message_id=user.last_message.message_id)
        else:
            await user.press(texts.DONE)
        line = await user.wait_for_message(f"{name}: ")
        seen[name] = (card.text, line.text)
    await user.wait_for_message("Session complete")
    return seen


async def test_fixed_cat_stretch_eases_after_pain_six_and_grows_back_to_15_s(
    emulator: BotApiEmulator, bot, clock
) -> None:
    user = emulator.user(user_id=1201)
    await onboard(user)

    first = await _session(user, {"Cat stretch": 6})
    card, line = first["Cat stretch"]
    assert "Hold: 15 s" in card
    assert "10 s next time, down from 15 s" in line

    # The next day the cat stretch is back, eased to 10 s; done without pain, it grows.
    clock.advance(timedelta(days=1))
    card, line = (await _session(user))["Cat stretch"]
    assert "Hold: 10 s" in card
    assert "15 s next time, up from 10 s" in line

    # After a pain-free day it is back at its own 15 s, and never more.
    for _ in range(2):
        clock.advance(timedelta(days=1))
        card, line = (await _session(user))["Cat stretch"]
        assert "Hold: 15 s" in card
        assert "up from" not in line
