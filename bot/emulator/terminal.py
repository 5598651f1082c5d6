"""Terminal chat front-end: talk to the bot through a ScriptedUser (used by the demo).

What a phone shows, in text: each bot message with its own buttons under it, the toasts and
alerts the bot answers button presses with, and every picture, animation, PDF and export
written to a folder (and opened, if asked). What you type is a message, as in Telegram, so a
plain `4` is the text "4"; buttons are pressed with `#`: `#2` is button 2 of the newest
buttons the bot sent since you last did something, `#12.1` button 1 of message 12 (old and
answered ones too, to try a stale button), `#k1` a button of the reply keyboard. A few demo
commands move the bot's clock (see DEMO_COMMANDS).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.clock import MovableClock
from bot.emulator.state import StoredMessage
from bot.emulator.users import ScriptedUser

HELP = (
    "Type as you would in Telegram (start with /start); a plain number like 4 is a message. "
    "Press a button with #: #1 is button 1 of the newest buttons, #12.1 button 1 of message "
    "12 (old ones too), #k1 a keyboard button. 'loc LAT LON' shares a location. Demo only: "
    "/later 2h and /tomorrow move the bot's clock, /quit leaves; /help lists them."
)
# Handled here, never sent to the bot (shown with the bot's own /help).
DEMO_COMMANDS = (
    ("#N, #M.N, #kN", "press button N of the newest buttons, of message M, of the keyboard"),
    ("loc LAT LON", "share a location, e.g. loc 52.52 13.40"),
    ("/later 2h", "move the bot's clock on (30m, 2h, 1d, 1h30m): reminders come when due"),
    ("/tomorrow", "move the bot's clock to tomorrow at your reminder time (else 08:00)"),
    ("/quit", "leave the demo (your data stays in the demo database)"),
)
_INDENT = "     "
_DURATION = re.compile(r"(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?", re.IGNORECASE)
_MAX_MOVE = timedelta(days=60)
_BUSY_QUIET = 2.0  # seconds without a request from the bot: it is not drawing anything


# --- what a typed line means --------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A message to send as typed (commands included)."""

    text: str


@dataclass(frozen=True)
class Press:
    """A button: `number` (from 1) of the newest buttons, of message `message_id`, or of the
    reply keyboard."""

    number: int
    message_id: int | None = None
    keyboard: bool = False


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Later:
    """Move the bot's clock on by `delta`."""

    delta: timedelta


@dataclass(frozen=True)
class Tomorrow:
    """Move the bot's clock to tomorrow at the person's reminder time."""


@dataclass(frozen=True)
class Help:
    """Show the demo commands, then send /help to the bot."""


@dataclass(frozen=True)
class Quit:
    pass


@dataclass(frozen=True)
class Usage:
    """A demo command typed wrongly: say how it goes."""

    message: str


Action = Text | Press | Location | Later | Tomorrow | Help | Quit | Usage


def parse_duration(text: str) -> timedelta | None:
    """A duration as typed: 2h, 30m, 90min, 1d, 1h30m (or 1 h 30 m); None otherwise."""
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        return None
    days, hours, minutes = (int(part or 0) for part in match.groups())
    delta = timedelta(days=days, hours=hours, minutes=minutes)
    return delta if delta > timedelta(0) else None


def parse_line(line: str) -> Action:
    """What one typed line asks for. Anything that is not a demo command is a message."""
    text = line.strip()
    word, _, rest = text.partition(" ")
    lowered = word.lower()
    if re.fullmatch(r"#\d+", text):
        return Press(int(text[1:])) if int(text[1:]) > 0 else Usage("buttons count from #1")
    if match := re.fullmatch(r"#(\d+)\.(\d+)", text):
        message_id, number = int(match[1]), int(match[2])
        return Press(number, message_id) if number > 0 else Usage("buttons count from 1")
    if match := re.fullmatch(r"#k(\d+)", text, flags=re.IGNORECASE):
        number = int(match[1])
        return Press(number, keyboard=True) if number > 0 else Usage("buttons count from #k1")
    if lowered == "loc":
        parts = rest.split()
        try:
            latitude, longitude = (float(part) for part in parts)
        except ValueError:
            return Usage("usage: loc LATITUDE LONGITUDE, e.g. loc 52.52 13.40")
        return Location(latitude, longitude)
    if lowered == "/later":
        delta = parse_duration(rest)
        if delta is None or delta > _MAX_MOVE:
            return Usage("usage: /later 2h (also 30m, 1d, 1h30m; at most 60 days)")
        return Later(delta)
    if lowered == "/tomorrow" and not rest:
        return Tomorrow()
    if lowered == "/quit":
        return Quit()
    if lowered == "/help" and not rest:
        return Help()
    return Text(text)


# --- the demo's extras: the clock, the files ----------------------------------------------


def open_with_system_viewer(path: Path) -> bool:
    """Open a file as a double-click would; False where there is no viewer to ask."""
    if sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined]
        return True
    command = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(command) is None:
        return False
    subprocess.Popen(  # our own file, no shell
        [command, str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return True


@dataclass
class DemoControls:
    """What the demo adds to the chat: where files go, and a clock it can move.

    `tomorrow` says where /tomorrow moves the clock (the person's reminder time tomorrow);
    `clock_moved` is called after each move (the demo keeps the offset between runs);
    `wait_after_move`: seconds piped input waits after a move, for the reminder tick.
    """

    files_dir: Path | None = None
    open_files: bool = False
    opener: Callable[[Path], bool] = open_with_system_viewer
    clock: MovableClock | None = None
    tomorrow: Callable[[], Awaitable[datetime]] | None = None
    describe_time: Callable[[datetime], Awaitable[str]] | None = None
    clock_moved: Callable[[MovableClock], None] | None = None
    wait_after_move: float = 0.0
    _no_viewer_said: bool = field(default=False, repr=False)


_FILE_KINDS = ("photo", "animation", "document")
_SIGNATURES = (
    (b"\x89PNG", ".png"),
    (b"\xff\xd8", ".jpg"),
    (b"GIF8", ".gif"),
    (b"%PDF", ".pdf"),
    (b"RIFF", ".webp"),
)


def _file_name(message: StoredMessage, name: str | None, content: bytes) -> str:
    """`012-routine.pdf`: the message number, then the file's own name or its kind."""
    given = Path(Path(name or "").name)
    stem, suffix = given.stem, given.suffix
    if not suffix:
        suffix = next((ext for magic, ext in _SIGNATURES if content.startswith(magic)), "")
        suffix = suffix or (".json" if content.lstrip()[:1] in (b"{", b"[") else ".bin")
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-") or message.kind
    return f"{message.message_id:03d}-{stem}{suffix}"


class _TerminalView:
    """Prints new bot messages, their buttons, edits and toasts; presses buttons."""

    def __init__(
        self, user: ScriptedUser, stdout: TextIO, controls: DemoControls | None = None
    ) -> None:
        self.user = user
        self.stdout = stdout
        self.controls = controls or DemoControls()
        self.printed: dict[int, int] = {}  # message_id -> versions already printed
        self.deleted: set[int] = set()
        self.buttons: dict[int, list[list[str]]] = {}  # message_id -> rows last printed
        self.buttons_at: dict[int, int] = {}  # message_id -> when its buttons were printed
        self.keyboard: list[str] = []  # the reply keyboard last printed
        self.toasts: set[str] = set()  # callback query ids whose answer was printed
        self.saved: dict[int, Path] = {}  # message_id -> file written
        self.step = 0  # counts prints of buttons, to order them against the person's actions
        self.acted_at = 0  # `step` when the person last typed, pressed or shared

    def write(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    # --- showing --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Print everything new since the last refresh."""
        for message in self.user.state.messages.get(self.user.chat_id, []):
            if message.from_bot:
                self._show(message)
        self._show_toasts()
        self._show_keyboard()

    def _show(self, message: StoredMessage) -> None:
        seen = self.printed.get(message.message_id)
        if seen is None:
            label = "bot" if message.kind == "text" else f"bot [{message.kind}]"
            if message.inline_keyboard:
                label += f" ({message.message_id})"
            body = textwrap.indent(message.versions[0] or "", _INDENT).lstrip()
            self.write(f"{label}: {body}")
            self._save_file(message)
        for number in range(seen or 1, len(message.versions)):
            change = _edit_summary(message.versions[number - 1], message.versions[number])
            self.write(f"  (edited {message.message_id}) {change}")
        self.printed[message.message_id] = len(message.versions)
        rows = [[b["text"] for b in row] for row in message.inline_keyboard]
        if message.deleted:
            rows = []
            if message.message_id not in self.deleted:
                self.deleted.add(message.message_id)
                self.write(f"  (deleted {message.message_id}) {message.text[:40]}")
        if rows != self.buttons.get(message.message_id, []):
            self.buttons[message.message_id] = rows
            if rows:
                self.step += 1
                self.buttons_at[message.message_id] = self.step
                self._write_buttons(message.message_id, rows)

    def _write_buttons(self, message_id: int, rows: list[list[str]]) -> None:
        number = 1
        for row in rows:
            cells = [f"[#{message_id}.{number + i}] {label}" for i, label in enumerate(row)]
            self.write(_INDENT + "  ".join(cells))
            number += len(row)

    def _show_toasts(self) -> None:
        for record in self.user.state.callbacks.values():
            if record.user_id != self.user.user_id or not record.answered:
                continue
            if record.query_id in self.toasts:
                continue
            self.toasts.add(record.query_id)
            if record.answer_text:
                kind = "alert" if record.show_alert else "toast"
                self.write(f"  ({kind}) {record.answer_text}")

    def _show_keyboard(self) -> None:
        keyboard = self.user.keyboard
        if keyboard == self.keyboard:
            return
        self.keyboard = keyboard
        if keyboard:
            items = "  ".join(f"[#k{i}] {label}" for i, label in enumerate(keyboard, start=1))
            self.write(f"{_INDENT}keyboard: {items}")
        else:
            self.write(f"{_INDENT}(keyboard closed)")

    def _save_file(self, message: StoredMessage) -> None:
        """Write a photo, animation or document to the demo folder and say where."""
        if self.controls.files_dir is None or message.kind not in _FILE_KINDS:
            return
        media = message.data.get(message.kind)
        media = media[-1] if isinstance(media, list) else media  # a photo's largest size
        stored = self.user.state.files.get((media or {}).get("file_id", ""))
        if stored is None or stored.content is None:
            return
        self.controls.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.controls.files_dir / _file_name(message, stored.file_name, stored.content)
        path.write_bytes(stored.content)
        self.saved[message.message_id] = path
        self.write(f"  saved {message.kind}: {_shown_path(path)}")
        opened = not self.controls.open_files or self.controls.opener(path)
        if not opened and not self.controls._no_viewer_said:
            self.controls._no_viewer_said = True
            self.write("  (no system viewer found to open files with; open them yourself)")

    # --- the current choice ---------------------------------------------------------------

    def current(self) -> int | None:
        """The message whose buttons `#N` presses: the newest buttons printed since the
        person last acted, or those of the bot's last message if it has any (nothing came
        after them). Older ones are pressed by their own number (#12.1)."""
        live = {
            message_id: at
            for message_id, at in self.buttons_at.items()
            if at > self.acted_at and self.buttons.get(message_id)
        }
        if live:
            return max(live, key=live.__getitem__)
        shown = [m for m in self.user.state.messages.get(self.user.chat_id, []) if m.from_bot]
        last = next((m for m in reversed(shown) if not m.deleted), None)
        return last.message_id if last is not None and self.buttons.get(last.message_id) else None

    # --- acting ---------------------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """Act on one input line; True when something went to the bot."""
        action = parse_line(line)
        if isinstance(action, Usage):
            self.write(f"  {action.message}")
            return False
        if isinstance(action, Press):
            return await self._press(action)
        if isinstance(action, Later | Tomorrow):
            await self._move_clock(action)
            return False
        if isinstance(action, Location):
            self._acted()
            await self.user.share_location(action.latitude, action.longitude)
        elif isinstance(action, Help):
            self.write("  demo only (not sent to the bot):")
            for command, meaning in DEMO_COMMANDS:
                self.write(f"  {command:<14} {meaning}")
            self._acted()
            await self.user.send_text("/help")
        elif isinstance(action, Text):
            self._acted()
            await self.user.send_text(action.text)
        return True

    def _acted(self) -> None:
        self.refresh()  # what arrived before the action was on screen when it was taken
        self.acted_at = self.step

    async def _press(self, press: Press) -> bool:
        self.refresh()
        if press.keyboard:
            if not 0 < press.number <= len(self.keyboard):
                self.write(f"  no keyboard button #k{press.number}" + _range(self.keyboard, "k"))
                return False
            label = self.keyboard[press.number - 1]
            self.write(f"  you pressed [{label}]")
            self._acted()
            await self.user.press_keyboard(label)
            return True
        message_id = press.message_id if press.message_id is not None else self.current()
        if message_id is None:
            self.write("  no new buttons since your last message" + self._older_on_offer())
            return False
        labels = [label for row in self._ever_shown(message_id) for label in row]
        if not 0 < press.number <= len(labels):
            prefix = f"{message_id}." if press.message_id is not None else ""
            self.write(f"  no button #{prefix}{press.number}" + _range(labels, prefix))
            return False
        label = labels[press.number - 1]
        stale = label not in [b for row in self.buttons.get(message_id, []) for b in row]
        self.write(f"  you pressed [{label}]" + (" (an old button)" if stale else ""))
        self._acted()
        if stale:
            await self.user.press_stale(message_id, label)
        else:
            await self.user.press(label, message_id=message_id)
        return True

    def _older_on_offer(self) -> str:
        """Where the newest buttons still shown are, to press by their own number."""
        shown = [m for m, rows in self.buttons.items() if rows]
        if not shown:
            return "; there are none to press"
        newest = max(shown, key=lambda m: self.buttons_at.get(m, 0))
        labels = [label for row in self.buttons[newest] for label in row]
        cells = "  ".join(f"#{newest}.{i} {label}" for i, label in enumerate(labels, start=1))
        return f"; the newest still shown: {cells}"

    def _ever_shown(self, message_id: int) -> list[list[str]]:
        """The message's buttons now, else the last it had (an answered question's)."""
        if rows := self.buttons.get(message_id):
            return rows
        for message in self.user.state.messages.get(self.user.chat_id, []):
            if message.message_id == message_id and message.from_bot:
                for markup in reversed(message.markups):
                    rows = (markup or {}).get("inline_keyboard", [])
                    if rows:
                        return [[b["text"] for b in row] for row in rows]
        return []

    async def _move_clock(self, action: Later | Tomorrow) -> None:
        controls = self.controls
        if controls.clock is None:
            self.write("  the bot's clock cannot be moved here")
            return
        if isinstance(action, Later):
            controls.clock.advance(action.delta)
            step = action.delta
        else:
            assert controls.tomorrow is not None
            step = controls.clock.move_to(await controls.tomorrow())
        if controls.clock_moved is not None:
            controls.clock_moved(controls.clock)
        now = controls.clock.now()
        shown = await controls.describe_time(now) if controls.describe_time else now.isoformat()
        self.write(f"  (demo) the bot's clock moved on {_duration_text(step)}: it is now {shown}")
        if controls.wait_after_move:
            await asyncio.sleep(controls.wait_after_move)

    async def follow(self) -> None:
        """Print updates as they happen until the emulator closes."""
        while not self.user.state.closing:
            self.refresh()
            await self.user.state.changed(60.0)


def _edit_summary(previous: str, text: str) -> str:
    """Show only what an edit appended to a long text (e.g. "→ Done"), else the new text."""
    if len(previous) > 40 and text.startswith(previous) and text != previous:
        text = "… " + text[len(previous) :].strip()
    return textwrap.indent(text, _INDENT).lstrip()


def _range(labels: list[str], prefix: str) -> str:
    return f"; buttons are #{prefix}1..#{prefix}{len(labels)}" if labels else "; it has none"


def _duration_text(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min"]
    return " ".join(p for p in parts if p and not (p == "0 min" and (days or hours)))


def _shown_path(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(Path.cwd()))
    return str(path)


async def chat_in_terminal(
    user: ScriptedUser,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    settle: float | None = None,
    controls: DemoControls | None = None,
) -> None:
    """Run an interactive chat as `user` until /quit or end of input.

    With piped input (`settle` None and stdin not a TTY) each line waits until the bot has
    been quiet for 0.3 s, so scripted sessions like `printf '/start\\n#1\\n' | ...` work.
    """
    if settle is None:
        settle = 0.0 if getattr(stdin, "isatty", lambda: False)() else 0.3
    if controls is not None and not settle:
        controls.wait_after_move = 0.0  # a person at the keyboard sees the reminder arrive
    view = _TerminalView(user, stdout, controls)
    view.write(HELP)
    since: int | None = None
    follower = asyncio.create_task(view.follow())
    loop = asyncio.get_running_loop()
    try:
        while True:
            # readline blocks, so it runs in a worker thread to keep the bot responsive
            line = await loop.run_in_executor(None, stdin.readline)
            await _settle(user, settle, since)
            if not line or isinstance(parse_line(line), Quit):
                break
            if line.strip():
                if settle:  # piped input is not on the screen: show what "you" typed
                    view.write(f"you: {line.strip()}")
                    await _await_buttons(view, parse_line(line))
                since = _bot_activity(user)
                try:
                    sent = await view.handle(line.strip())
                except AssertionError as exc:  # e.g. the button vanished meanwhile
                    view.write(f"  ! {exc}")
                    sent = False
                if not sent:
                    since = None  # nothing for the bot to answer
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower
        view.refresh()


async def _await_buttons(view: _TerminalView, action: Action, seconds: float = 15.0) -> None:
    """Piped input: a `#N` waits for the bot's next buttons if none are on offer yet (a card
    whose figure is still being drawn, a question after a hold), unless the bot has been
    silent for _BUSY_QUIET seconds: then none are coming."""
    if isinstance(action, Press) and action.message_id is None and not action.keyboard:
        state = view.user.state

        def offered_or_quiet() -> bool:
            view.refresh()
            silent = time.monotonic() - state.last_activity.get(view.user.chat_id, 0.0)
            return view.current() is not None or silent >= _BUSY_QUIET

        await state.wait_for(offered_or_quiet, seconds)


def _bot_activity(user: ScriptedUser) -> int:
    """Counts what the bot did in this chat: messages, edits and answered button presses."""
    state = user.state
    shown = sum(len(m.versions) for m in state.messages.get(user.chat_id, []) if m.from_bot)
    answered = sum(c.answered for c in state.callbacks.values() if c.user_id == user.user_id)
    return shown + answered


async def _settle(user: ScriptedUser, quiet: float, since: int | None) -> None:
    """Give the bot time to answer the previous line before acting on the next one: wait for
    it to do something (`since` counted before the line was sent; None: nothing was), then
    to go quiet."""
    if quiet > 0:
        if since is not None:
            await user.state.wait_for(lambda: _bot_activity(user) != since, 10.0)
        # A bot that keeps editing (a countdown) never goes quiet; just move on then.
        with contextlib.suppress(AssertionError):
            await user.wait_idle(quiet=quiet, timeout=5.0)
