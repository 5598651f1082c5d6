"""Command line: `python -m bot` runs the bot; `python -m bot demo` chats in the terminal.

`python -m bot --webhook` takes updates by webhook (PTB's webhook server) instead of polling;
`python -m bot healthcheck` is a container's health check (exit status 0 when healthy).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from telegram.error import InvalidToken, TelegramError

from bot.config import SettingsError, load_settings
from bot.logs import configure_logging, redact, secret_parts


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run; exit status 2 means a setting needs fixing, 1 that
    Telegram could not be reached at start-up."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "demo", "healthcheck"],
        help="run: the real bot, long polling (needs TELEGRAM_BOT_TOKEN); "
        "demo: the bot and a Bot API emulator in this terminal, no token or network; "
        "healthcheck: exit 0 when the bot's database answers (webhook mode: GET /healthz)",
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="run: take updates by webhook instead of long polling: PTB's webhook server on "
        "WEBHOOK_LISTEN:PORT (with GET /healthz), needs WEBHOOK_URL and WEBHOOK_SECRET",
    )
    parser.add_argument(
        "--open",
        action="store_true",
        help="demo: open each picture, PDF and export with the system viewer as it arrives",
    )
    parser.add_argument(
        "--language",
        default="en",
        metavar="CODE",
        help="demo: the demo person's Telegram language (es, pt-br, ru, de, uk, id...), which "
        "picks the bot's language at first contact (a new demo: rm backcoach-demo.sqlite3*)",
    )
    args = parser.parse_args(argv)
    if args.webhook and args.command != "run":
        parser.error(f"--webhook goes with run, not {args.command}")
    if args.open and args.command != "demo":
        parser.error("--open goes with demo")
    if args.language != "en" and args.command != "demo":
        parser.error("--language goes with demo")
    try:
        if args.command == "demo":
            from bot.demo import run_demo

            return asyncio.run(run_demo(open_files=args.open, language_code=args.language))
        if args.command == "healthcheck":
            from bot.healthcheck import check

            return check()
        return _run(webhook=args.webhook)
    except SettingsError as exc:
        print(f"backcoach: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


STOP_DEADLINE_SECONDS = 8.5


def _run(*, webhook: bool = False) -> int:
    from bot.app import build_application
    from bot.transport import use_uvloop

    settings = load_settings()
    # Before anything starts: a missing setting is one line naming it.
    secrets = secret_parts(settings.token)
    configure_logging(settings.log_level_number, secrets)
    if webhook:
        settings.require_webhook()
    # The event loop on uvloop where installed (pip install ".[speed]"): less CPU per request.
    use_uvloop()
    application = build_application(settings)
    # Docker and most platforms kill a process 10 s after SIGTERM: be gone before that.
    application.stop_deadline = STOP_DEADLINE_SECONDS  # type: ignore[attr-defined]
    try:
        if webhook:
            from bot.webhook import serve_webhook

            asyncio.run(serve_webhook(application, settings))
        else:
            from bot.miniapp.server import serve_beside_polling

            # MINI_APP_PORT: the timer page's own small server, started and stopped with the bot.
            serve_beside_polling(application, settings)
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


if __name__ == "__main__":
    sys.exit(main())
