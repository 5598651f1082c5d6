"""Command line: `python -m bot` runs the bot; `python -m bot demo` chats in the terminal.

`python -m bot --webhook` takes updates by webhook (PTB's webhook server) instead of polling.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from telegram.error import InvalidToken, TelegramError

from bot.config import SettingsError, load_settings
from bot.logs import configure_logging, redact, secret_parts

DEMO_DATABASE_URL = "sqlite+aiosqlite:///backcoach-demo.sqlite3"


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run; exit status 2 means a setting needs fixing, 1 that
    Telegram could not be reached at start-up."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "demo"],
        help="run: the real bot, long polling (needs TELEGRAM_BOT_TOKEN); "
        "demo: the bot and a Bot API emulator in this terminal, no token or network",
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="run: take updates by webhook instead of long polling: PTB's webhook server on "
        "WEBHOOK_LISTEN:PORT (with GET /healthz), needs WEBHOOK_URL and WEBHOOK_SECRET",
    )
    args = parser.parse_args(argv)
    if args.webhook and args.command != "run":
        parser.error("--webhook goes with run, not demo")
    try:
        if args.command == "demo":
            return asyncio.run(_demo())
        return _run(webhook=args.webhook)
    except SettingsError as exc:
        print(f"backcoach: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(*, webhook: bool = False) -> int:
    from bot.app import build_application

    settings = load_settings()
    # Before anything starts: a missing setting is one line naming it.
    secrets = secret_parts(settings.token)
    configure_logging(settings.log_level_number, secrets)
    if webhook:
        settings.require_webhook()
    application = build_application(settings)
    try:
        if webhook:
            from bot.webhook import serve_webhook

            asyncio.run(serve_webhook(application, settings))
        else:
            application.run_polling(allowed_updates=None)
    except InvalidToken:
        # Telegram answers 401 for a token it does not know and 404 for a malformed one (or a
        # wrong API URL). PTB's message quotes the token, so none of it is shown.
        print(
            "backcoach: Telegram rejected TELEGRAM_BOT_TOKEN (401/404): check the token, "
            "and TELEGRAM_API_BASE_URL if you set it",
            file=sys.stderr,
        )
        return 2
    except TelegramError as error:  # at start-up: Telegram unreachable, timed out, ...
        detail = redact(f"{type(error).__name__}: {error}", secrets)
        print(f"backcoach: could not start, Telegram did not answer ({detail})", file=sys.stderr)
        return 1
    return 0


async def _demo() -> int:
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


if __name__ == "__main__":
    sys.exit(main())
