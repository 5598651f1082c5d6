"""Typed words in another language than the person's setting, end to end (issue 16, point 4).

Someone set to English who types a red flag in Russian is still told to get checked and held;
a plain negation is not a red flag; done and "all of it" typed in Spanish count the day.
"""

from __future__ import annotations

import pytest

from bot import texts
from bot.emulator.server import BotApiEmulator
from bot.storage.database import create_engine
from bot.storage.repository import Repository
from tests.e2e.helpers import onboard

pytestmark = pytest.mark.e2e


async def _hold(database_url: str, user_id: int) -> str | None:
    repo = Repository(create_engine(database_url))
    try:
        user = await repo.get_user(user_id)
        assert user is not None
        return user.red_flag_hold
    finally:
        await repo.close()


async def test_a_red_flag_typed_in_russian_by_someone_set_to_english(
    emulator: BotApiEmulator, bot, database_url
) -> None:
    user = emulator.user(user_id=1601)
    await onboard(user)
    await user.send_text("нет онемения в паху")  # a plain negation: no advice, no hold
    await user.wait_for_message(texts.NOT_PLACED)
    assert await _hold(database_url, 1601) is None
    await user.send_text("не могу помочиться с утра")
    await user.wait_for_message(texts.SAFETY_URGENT[:40])
    await user.wait_idle()
    assert await _hold(database_url, 1601) == "urgent"


async def test_done_and_all_of_it_typed_in_spanish_count_the_day(
    emulator: BotApiEmulator, bot, database_url
) -> None:
    user = emulator.user(user_id=1602)
    await onboard(user)
    await user.send_text("¡Hecho!")
    await user.wait_for_message(texts.ALL_WITHOUT_PAIN)
    await user.send_text("todo")
    await user.wait_for_message(texts.REPORT_COUNTED.split("{")[0].strip())
    await user.wait_idle()
    assert await _hold(database_url, 1602) is None
