"""Fixtures shared by the emulator's tests: a running emulator, a PTB Bot on it, a user."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.emulator import BotApiEmulator, ScriptedUser

USER_ID = 4242  # the `user` fixture's id (and private chat id)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url) as real_bot:
        yield real_bot


@pytest.fixture
def user(emu: BotApiEmulator) -> ScriptedUser:
    return emu.user(USER_ID, first_name="Dana")
