"""`python -m bot demo`: the real bot and a Bot API emulator, chatting in this terminal.

The bot runs with a clock the demo can move (`/later 2h`, `/tomorrow`), so reminders, the
next morning's check and progress over days can be seen without waiting. How far it was moved
is kept next to the demo database, so a second run goes on from the same day; deleting the
database (`rm backcoach-demo.sqlite3*`) starts over at today. Pictures, PDFs and exports are
written to var/demo/<run>/.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from bot.clock import MovableClock
from bot.config import load_settings
from bot.logs import configure_logging
from bot.storage.repository import Repository

DEMO_DATABASE_URL = "sqlite+aiosqlite:///backcoach-demo.sqlite3"
DEMO_DATABASE_FILE = Path("backcoach-demo.sqlite3")
# Removed with the database by `rm backcoach-demo.sqlite3*` (and ignored by git with it).
CLOCK_FILE = Path("backcoach-demo.sqlite3-clock")
FILES_DIR = Path("var/demo")
DEMO_USER_ID = 1001
# The bot looks for due reminders this often in the demo, so a moved clock shows them soon.
TICK_SECONDS = 2.0
MORNING = time(8, 0)  # where /tomorrow goes for someone without a reminder time


def load_offset(clock_file: Path = CLOCK_FILE, database: Path = DEMO_DATABASE_FILE) -> timedelta:
    """How far earlier runs moved the clock (none for a new demo database)."""
    if not database.exists():
        clock_file.unlink(missing_ok=True)
        return timedelta(0)
    try:
        return timedelta(seconds=max(float(clock_file.read_text().strip()), 0.0))
    except (OSError, ValueError):
        return timedelta(0)


def save_offset(clock: MovableClock, clock_file: Path = CLOCK_FILE) -> None:
    clock_file.write_text(f"{clock.offset.total_seconds():.0f}\n")


async def next_morning(repository: Repository, clock: MovableClock, user_id: int) -> datetime:
    """Tomorrow (the person's local day) at their reminder time, else at 08:00."""
    from bot.domain.timezones import zone

    user = await repository.get_user(user_id)
    tz = zone(user.timezone) if user is not None and user.timezone else UTC
    at = user.reminder_time if user is not None and user.reminder_time else MORNING
    tomorrow = clock.now().astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, at, tzinfo=tz)


async def local_time_text(repository: Repository, user_id: int, instant: datetime) -> str:
    """'Fri 4 Dec, 07:30 (Europe/Berlin)': the instant as the person's clock shows it."""
    from bot.domain.timezones import zone

    user = await repository.get_user(user_id)
    name = user.timezone if user is not None and user.timezone else "UTC"
    local = instant.astimezone(zone(name))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} ({name})"


async def run_demo(
    *,
    open_files: bool = False,
    language_code: str = "en",
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    """Chat with the bot as user 1001 until /quit or the end of input; `language_code` is the
    demo person's Telegram language (it picks the bot's language at first contact)."""
    from bot.app import build_application, running
    from bot.emulator.server import BotApiEmulator
    from bot.emulator.terminal import DemoControls, chat_in_terminal
    from bot.handlers.common import SERVICES_KEY
    from bot.miniapp.server import mini_app_serving
    from bot.miniapp.stand_in import stand_in

    clock = MovableClock(offset=load_offset())
    # The demo database outlives each run: update ids go on rising, as Telegram's do, so the
    # inbox never takes a new message for one it has already handled.
    async with BotApiEmulator(first_update_id=int(datetime.now(UTC).timestamp())) as emulator:
        emulator.state.clock = lambda: clock.now().timestamp()  # message dates agree
        settings = load_settings(
            telegram_bot_token=emulator.token,
            telegram_api_base_url=emulator.base_url,
            database_url=DEMO_DATABASE_URL,
            reminder_tick_seconds=TICK_SECONDS,
        )
        # Logs would interleave with the chat; only problems are shown.
        configure_logging(max(settings.log_level_number, logging.WARNING))
        application = build_application(settings, clock=clock)
        repository: Repository = application.bot_data[SERVICES_KEY].repository

        async def tomorrow() -> datetime:
            return await next_morning(repository, clock, DEMO_USER_ID)

        async def describe(instant: datetime) -> str:
            return await local_time_text(repository, DEMO_USER_ID, instant)

        files = FILES_DIR / datetime.now(UTC).astimezone().strftime("%Y%m%d-%H%M%S")
        controls = DemoControls(
            files_dir=files,
            open_files=open_files,
            clock=clock,
            tomorrow=tomorrow,
            describe_time=describe,
            clock_moved=save_offset,
            wait_after_move=TICK_SECONDS * 1.5,
        )
        stdout.write(
            "backcoach demo: you are chatting with the real bot through a local emulator.\n"
            f"Pictures, PDFs and exports are saved in {files}/.\n"
        )
        if clock.offset:
            stdout.write(f"The bot's clock is {clock.offset} ahead, as your last demo left it.\n")
        # The Mini App timer on loopback, with a stand-in for Telegram's script that signs
        # initData with the emulator's token as the demo user (never served in production).
        page = mini_app_serving(
            application,
            port=0,
            stand_in=stand_in(emulator.token, clock, user_id=DEMO_USER_ID, first_name="Demo"),
        )
        async with running(application, poll_timeout=1), page as port:
            stdout.write(
                f"The timer (Mini App) for this chat: http://127.0.0.1:{port}/miniapp/ "
                "(add ?theme=dark for the dark theme).\n"
            )
            user = emulator.user(
                user_id=DEMO_USER_ID, first_name="Demo", language_code=language_code
            )
            await chat_in_terminal(user, stdin=stdin, stdout=stdout, controls=controls)
    return 0
