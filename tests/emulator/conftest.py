"""Fixtures shared by the emulator's tests: a running emulator, a PTB Bot on it, a user."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from PIL import Image
from telegram import Bot

from bot.emulator import BotApiEmulator, ScriptedUser

USER_ID = 4242  # the `user` fixture's id (and private chat id)


def png(width: int, height: int) -> bytes:
    """A real PNG of this size (the emulator reads uploaded photos as Telegram does)."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


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
