"""`python -m bot demo`: the real bot and a Bot API emulator, chatting in this terminal."""

from __future__ import annotations

import logging

from bot.config import load_settings
from bot.logs import configure_logging

DEMO_DATABASE_URL = "sqlite+aiosqlite:///backcoach-demo.sqlite3"


async def run_demo(*, open_files: bool = False) -> int:
    """Chat with the bot as user 1001 until /quit or the end of input."""
    from bot.app import build_application, running
    from bot.emulator.server import BotApiEmulator
    from bot.emulator.terminal import chat_in_terminal

    async with BotApiEmulator() as emulator:
        settings = load_settings(
            telegram_bot_token=emulator.token,
            telegram_api_base_url=emulator.base_url,
            database_url=DEMO_DATABASE_URL,
        )
        # Logs would interleave with the chat; only problems are shown.
        configure_logging(max(settings.log_level_number, logging.WARNING))
        application = build_application(settings)
        print("backcoach demo: you are chatting with the real bot through a local emulator.")
        async with running(application, poll_timeout=1):
            await chat_in_terminal(emulator.user(user_id=1001, first_name="Demo"))
    return 0
