"""Terminal chat front-end: talk to the bot through a ScriptedUser (used by the demo)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import textwrap
from typing import TextIO

from bot.emulator.users import ScriptedUser

HELP = "Type a message, a button number, 'loc LAT LON' to share a location, or /quit."
_INDENT = "     "


def _edit_summary(previous: str, text: str) -> str:
    """Show only what an edit appended to a long text (e.g. "→ Done"), else the new text."""
    if len(previous) > 40 and text.startswith(previous) and text != previous:
        text = "… " + text[len(previous) :].strip()
    return textwrap.indent(text, _INDENT).lstrip()


class _TerminalView:
    """Prints new bot messages and edits, and keeps the numbered button menu."""

    def __init__(self, user: ScriptedUser, stdout: TextIO) -> None:
        self.user = user
        self.stdout = stdout
        self.printed: dict[int, int] = {}  # message_id -> versions already printed
        self.deleted: set[int] = set()
        self.menu: list[tuple[str, int | None]] = []  # (label, message_id or None=keyboard)

    def write(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def refresh(self) -> None:
        """Print everything new since the last refresh, then the menu if it changed."""
        for message in self.user.state.messages.get(self.user.chat_id, []):
            if not message.from_bot:
                continue
            seen = self.printed.get(message.message_id)
            if seen is None:
                label = "bot" if message.kind == "text" else f"bot [{message.kind}]"
                body = textwrap.indent(message.versions[0] or "", _INDENT).lstrip()
                self.write(f"{label}: {body}")
            start = seen or 1
            for number in range(start, len(message.versions)):
                change = _edit_summary(message.versions[number - 1], message.versions[number])
                self.write(f"  (edited) {change}")
            self.printed[message.message_id] = len(message.versions)
            if message.deleted and message.message_id not in self.deleted:
                self.deleted.add(message.message_id)
                self.write(f"  (deleted) {message.text[:40]}")
        self._refresh_menu()

    def _refresh_menu(self) -> None:
        menu: list[tuple[str, int | None]] = []
        messages = reversed(self.user.transcript)
        newest = next((m for m in messages if m.inline_buttons and not m.deleted), None)
        rows = newest.inline_buttons if newest else []
        for row in rows:
            menu += [(label, newest.message_id if newest else None) for label in row]
        keyboard = self.user.keyboard
        menu += [(label, None) for label in keyboard]
        if menu == self.menu:
            return
        self.menu = menu
        number = 1
        for row in rows:
            self.write(
                _INDENT + "  ".join(f"[{number + i}] {label}" for i, label in enumerate(row))
            )
            number += len(row)
        if keyboard:
            items = "  ".join(f"[{number + i}] {label}" for i, label in enumerate(keyboard))
            self.write(f"{_INDENT}keyboard: {items}")

    async def follow(self) -> None:
        """Print updates as they happen until the emulator closes."""
        while not self.user.state.closing:
            self.refresh()
            await self.user.state.changed(60.0)

    async def handle(self, line: str) -> None:
        """Act on one input line: button number, location, or text."""
        if line.isdigit():
            index = int(line) - 1
            if not 0 <= index < len(self.menu):
                self.write(f"  no button {line}; buttons are 1..{len(self.menu)}")
                return
            label, message_id = self.menu[index]
            self.write(f"  you pressed [{label}]")
            if message_id is None:
                await self.user.press_keyboard(label)
            else:
                await self.user.press(label, message_id=message_id)
            return
        parts = line.split()
        if parts[0].lower() == "loc" and len(parts) == 3:
            try:
                latitude, longitude = float(parts[1]), float(parts[2])
            except ValueError:
                self.write("  usage: loc LATITUDE LONGITUDE")
                return
            await self.user.share_location(latitude, longitude)
            return
        await self.user.send_text(line)


async def chat_in_terminal(
    user: ScriptedUser,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    settle: float | None = None,
) -> None:
    """Run an interactive chat as `user` until /quit or end of input.

    With piped input (`settle` None and stdin not a TTY) each line waits until the bot has
    been quiet for 0.3 s, so scripted sessions like `printf '/start\\n1\\n' | ...` work.
    """
    if settle is None:
        settle = 0.0 if getattr(stdin, "isatty", lambda: False)() else 0.3
    view = _TerminalView(user, stdout)
    view.write(HELP)
    follower = asyncio.create_task(view.follow())
    loop = asyncio.get_running_loop()
    try:
        while True:
            # readline blocks, so it runs in a worker thread to keep the bot responsive
            line = await loop.run_in_executor(None, stdin.readline)
            await _settle(user, settle)
            if not line or line.strip() == "/quit":
                break
            if line.strip():
                try:
                    await view.handle(line.strip())
                except AssertionError as exc:  # e.g. the button vanished meanwhile
                    view.write(f"  ! {exc}")
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower
        view.refresh()


async def _settle(user: ScriptedUser, quiet: float) -> None:
    """Give the bot time to answer the previous line before acting on the next one."""
    if quiet > 0:
        # A bot that keeps editing (a countdown) never goes quiet; just move on then.
        with contextlib.suppress(AssertionError):
            await user.wait_idle(quiet=quiet, timeout=5.0)
