"""The demo as a phone shows it (issue 15, point 1), driven without a terminal.

The terminal module's view is fed lines as a person types them, against the real bot on the
emulator with a clock the demo can move: a plain number is text, `#N` presses a button,
toasts are shown, old buttons stay pressable but are not the current choice, files are
written (and opened), and /tomorrow brings the reminder at its time.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot import texts
from bot.app import build_application, running
from bot.clock import FakeClock, MovableClock
from bot.config import load_settings
from bot.demo import DEMO_USER_ID, load_offset, local_time_text, next_morning, save_offset
from bot.emulator.server import BotApiEmulator
from bot.emulator.terminal import (
    DEMO_COMMANDS,
    HELP,
    DemoControls,
    Help,
    Later,
    Location,
    Press,
    Quit,
    Text,
    Tomorrow,
    Usage,
    _bot_activity,
    _TerminalView,
    parse_duration,
    parse_line,
)
from bot.emulator.users import ScriptedUser
from bot.handlers.common import SERVICES_KEY
from bot.storage.repository import Repository
from tests.conftest import START, TICK_SECONDS

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("line", "action"),
    [
        ("4", Text("4")),  # a pain score typed as text, never a button
        ("10", Text("10")),
        ("#2", Press(2)),
        ("#12.3", Press(3, 12)),
        ("#k1", Press(1, keyboard=True)),
        ("#0", Usage("buttons count from #1")),
        ("# 2", Text("# 2")),
        ("#two", Text("#two")),
        ("loc 52.52 13.40", Location(52.52, 13.40)),
        ("loc x y", Usage("usage: loc LATITUDE LONGITUDE, e.g. loc 52.52 13.40")),
        ("/later 2h", Later(timedelta(hours=2))),
        ("/later 1h30m", Later(timedelta(hours=1, minutes=30))),
        ("/later", Usage("usage: /later 2h (also 30m, 1d, 1h30m; at most 60 days)")),
        ("/later 90d", Usage("usage: /later 2h (also 30m, 1d, 1h30m; at most 60 days)")),
        ("/tomorrow", Tomorrow()),
        ("/help", Help()),
        ("/quit", Quit()),
        ("/start pt_ABC", Text("/start pt_ABC")),
        ("ouch 6", Text("ouch 6")),
    ],
)
def test_what_a_typed_line_means(line: str, action: object) -> None:
    assert parse_line(line) == action


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("2h", timedelta(hours=2)),
        ("30m", timedelta(minutes=30)),
        ("90min", timedelta(minutes=90)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1 h 30 m", timedelta(hours=1, minutes=30)),
        ("0m", None),
        ("", None),
        ("soon", None),
        ("2", None),
    ],
)
def test_durations(text: str, delta: timedelta | None) -> None:
    assert parse_duration(text) == delta


def test_help_line_says_how_buttons_and_numbers_work() -> None:
    assert "plain number like 4 is a message" in HELP
    assert "#1" in HELP and "/later 2h" in HELP and "/tomorrow" in HELP


def test_the_clock_offset_is_kept_with_the_demo_database(tmp_path: Path) -> None:
    database, clock_file = tmp_path / "demo.sqlite3", tmp_path / "demo.sqlite3-clock"
    clock = MovableClock(FakeClock(START))
    clock.advance(timedelta(days=1, hours=2))
    save_offset(clock, clock_file)
    assert load_offset(clock_file, database) == timedelta(0), "no database: a new demo"
    assert not clock_file.exists()
    database.touch()
    save_offset(clock, clock_file)
    assert load_offset(clock_file, database) == timedelta(days=1, hours=2)
    with pytest.raises(ValueError):
        clock.advance(timedelta(minutes=-1))
    assert clock.move_to(START) == timedelta(0), "never back"


@dataclass
class Demo:
    view: _TerminalView
    user: ScriptedUser
    out: io.StringIO
    repository: Repository
    clock: MovableClock
    opened: list[Path]
    files: Path

    async def type(self, line: str, until: str | None = None) -> str:
        """Type one line, wait for the bot to answer it (until the terminal printed `until`),
        and return what the terminal printed."""
        start = len(self.out.getvalue())
        since = _bot_activity(self.user)

        def printed() -> str:
            self.view.refresh()
            return self.out.getvalue()[start:]

        if await self.view.handle(line):
            await self.user.state.wait_for(lambda: _bot_activity(self.user) != since, 5.0)
            await self.user.wait_idle(quiet=0.2)
        if until is not None:
            await self.user.state.wait_for(lambda: until in printed(), 10.0)
        return printed()


@pytest.fixture
async def demo(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[Demo]:
    clock = MovableClock(FakeClock(START))  # Friday 27 November 2026, 08:00 UTC
    emulator.state.clock = lambda: clock.now().timestamp()
    settings = load_settings(
        env_file=None,
        telegram_bot_token=emulator.token,
        telegram_api_base_url=emulator.base_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}",
        hold_time_scale=0.02,
        reminder_tick_seconds=TICK_SECONDS,
    )
    application = build_application(settings, clock=clock)
    repository: Repository = application.bot_data[SERVICES_KEY].repository
    opened: list[Path] = []

    async def tomorrow():
        return await next_morning(repository, clock, DEMO_USER_ID)

    async def describe(instant):
        return await local_time_text(repository, DEMO_USER_ID, instant)

    def opener(path: Path) -> bool:
        opened.append(path)
        return True

    files = tmp_path / "files"
    controls = DemoControls(
        files_dir=files,
        open_files=True,
        opener=opener,
        clock=clock,
        tomorrow=tomorrow,
        describe_time=describe,
        clock_moved=lambda moved: save_offset(moved, tmp_path / "clock"),
    )
    user = emulator.user(user_id=DEMO_USER_ID, first_name="Demo")
    out = io.StringIO()
    async with running(application, poll_timeout=1):
        yield Demo(_TerminalView(user, out, controls), user, out, repository, clock, opened, files)


async def _set_up(demo: Demo) -> str:
    """Onboarding as a person types it in the demo; returns what was printed."""
    printed = await demo.type("/start", until="[#3.2] No, none of these")
    assert "[#3.2] No, none of these" in printed  # message 3's own buttons, under it
    printed += await demo.type("#2", until="do any of these apply")
    printed += await demo.type("#2", until="health information")
    printed += await demo.type("#1", until="How much does your back hurt")  # consent
    printed += await demo.type("4", until="Which time zone")
    printed += await demo.type("Berlin", until="What time")
    printed += await demo.type("7:30", until="You're all set")
    assert "You're all set" in printed
    return printed


async def test_a_typed_number_is_a_message_and_buttons_are_pressed_with_a_hash(
    demo: Demo,
) -> None:
    printed = await _set_up(demo)
    user = await demo.repository.get_user(DEMO_USER_ID)
    assert user is not None and user.starting_pain == 4  # pressing button 4 would be pain 3
    assert "noted: 4 out of 10" in printed
    assert "you pressed [3]" not in printed
    assert printed.count("you pressed [No, none of these]") == 2
    assert "keyboard: [#k1] 📍 Share my location" in printed


async def test_old_buttons_stay_pressable_but_are_not_the_current_choice(demo: Demo) -> None:
    printed = await demo.type("/start", until="[#3.2]")
    printed += await demo.type("#2", until="do any of these apply")
    printed += await demo.type("#1", until="A doctor says")  # 2nd question: "Yes, one of these"
    assert "you pressed [Yes, one of these]" in printed
    # The first question's button, answered long ago, is not #1 now; it is #3.1 ...
    printed = await demo.type("#3.1", until="(toast)")
    assert "you pressed [Yes, one of these] (an old button)" in printed
    # ... and the bot's answer to a stale press shows as a toast.
    assert f"(toast) {texts.STALE_BUTTON}" in printed


async def test_typed_text_ends_the_current_choice(demo: Demo) -> None:
    await demo.type("/start", until="[#3.2]")
    await demo.type("#2", until="do any of these apply")
    await demo.type("#2", until="health information")
    await demo.type("#1", until="How much does your back hurt")
    printed = await demo.type("4", until="Which time zone")  # the pain question stays ...
    assert "noted: 4 out of 10" in printed
    printed = await demo.type("#1")  # ... but its buttons are no longer what #1 presses
    assert "no new buttons since your last message; the newest still shown: #6.1 0" in printed
    assert "you pressed" not in printed


async def test_pictures_pdf_and_export_are_saved_and_opened(demo: Demo) -> None:
    await _set_up(demo)
    for command in ("/progress", "/pdf", "/export"):
        printed = await demo.type(command, until="saved ")
        assert "saved " in printed, printed
    saved = sorted(demo.files.iterdir())
    assert [path.suffix for path in saved] == [".png", ".pdf", ".json"]
    assert saved[0].read_bytes().startswith(b"\x89PNG")
    assert saved[1].read_bytes().startswith(b"%PDF")
    assert json.loads(saved[2].read_text())["user"][0]["starting_pain"] == 4
    assert demo.opened == saved
    for path in saved:
        assert path.name in demo.out.getvalue()


async def test_an_exercise_card_figure_is_saved(demo: Demo) -> None:
    await _set_up(demo)
    printed = await demo.type("/session", until="saved ")
    assert "saved animation" in printed or "saved photo" in printed
    assert any(p.suffix in (".gif", ".png") for p in demo.files.iterdir())


async def test_tomorrow_brings_the_reminder_at_its_time(demo: Demo) -> None:
    await _set_up(demo)  # Friday 09:00 in Berlin, reminder at 07:30
    printed = await demo.type("/tomorrow")
    assert "it is now Sat 28 Nov, 07:30 (Europe/Berlin)" in printed
    assert demo.clock.now() == START + timedelta(hours=22, minutes=30)
    reminder = await demo.user.wait_for_message("Time for your back routine", timeout=10)
    demo.view.refresh()
    assert f"bot ({reminder.message_id}): Time for your back routine" in demo.out.getvalue()
    printed = await demo.type("/later 2h")
    assert "moved on 2 h: it is now Sat 28 Nov, 09:30 (Europe/Berlin)" in printed
    assert (demo.files.parent / "clock").read_text().strip() == str(
        int(demo.clock.offset.total_seconds())
    )


async def test_help_says_which_commands_are_the_demos(demo: Demo) -> None:
    printed = await demo.type("/help", until="/session — ")
    assert "demo only (not sent to the bot):" in printed
    for command, meaning in DEMO_COMMANDS:
        assert command in printed and meaning in printed
    assert "/session — Start today's exercises" in printed  # the bot's own /help follows
    assert not [m for m in demo.user.state.messages[DEMO_USER_ID] if m.text.startswith("/later")]


async def test_clock_commands_never_reach_the_bot(demo: Demo) -> None:
    printed = await demo.type("/later soon")
    assert "usage: /later 2h" in printed
    await demo.type("/later 30m")
    assert demo.clock.offset == timedelta(minutes=30)
    sent = [m.text for m in demo.user.state.messages[DEMO_USER_ID] if not m.from_bot]
    assert sent == []
