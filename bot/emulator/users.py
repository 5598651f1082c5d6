"""Scripted chat participants that drive the bot through the emulator."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.emulator.formatting import utf16_len
from bot.emulator.state import CallbackRecord, EmulatorState, StoredMessage

DEFAULT_LOCATION = (52.52, 13.405)  # Berlin; any valid point works for timezone lookup


@dataclass(frozen=True)
class ChatMessage:
    """Snapshot of a bot message as the user sees it.

    `text` is the shown text, or the caption for media (so `contains` works for both);
    `buttons` holds every label shown with the message: inline rows, then the rows of a reply
    keyboard sent with it (`inline_buttons` / `reply_keyboard` keep them apart);
    `edits` lists the text after each edit, oldest first.
    """

    message_id: int
    text: str
    buttons: list[list[str]]
    callback_data: dict[str, str]
    kind: str
    caption: str | None
    edits: list[str]
    inline_buttons: list[list[str]]
    reply_keyboard: list[list[str]] | None = None
    deleted: bool = False

    @classmethod
    def from_stored(cls, message: StoredMessage) -> ChatMessage:
        """Build a snapshot from the emulator's stored message."""
        rows = message.inline_keyboard
        inline = [[b["text"] for b in row] for row in rows]
        return cls(
            message_id=message.message_id,
            text=message.text,
            buttons=inline + (message.reply_keyboard or []),
            callback_data={
                b["text"]: b["callback_data"] for row in rows for b in row if "callback_data" in b
            },
            kind=message.kind,
            caption=message.data.get("caption") if message.kind != "text" else None,
            edits=list(message.versions[1:]),
            inline_buttons=inline,
            reply_keyboard=message.reply_keyboard,
            deleted=message.deleted,
        )


def _describe(message: StoredMessage) -> str:
    who = "bot " if message.from_bot else "user"
    body = message.text or f"<{message.kind}>"
    if message.kind not in ("text", "location"):
        body = f"[{message.kind}] {body}"
    labels = ChatMessage.from_stored(message).buttons
    extras = " ".join(f"[{label}]" for row in labels for label in row)
    flags = (" (edited)" if len(message.versions) > 1 else "") + (
        " (deleted)" if message.deleted else ""
    )
    return f"  #{message.message_id} {who}: {body}{flags} {extras}".rstrip()


class ChatView:
    """Read side of a chat: the bot's messages, waiting for new ones and for edits."""

    def __init__(self, state: EmulatorState, chat_id: int) -> None:
        self.state = state
        self.chat_id = chat_id
        self._consumed = 0  # bot messages already returned by wait_for_message
        self._edits_seen: dict[int, int] = {}

    def _bot_messages(self) -> list[StoredMessage]:
        return [m for m in self.state.messages.get(self.chat_id, []) if m.from_bot]

    @property
    def transcript(self) -> list[ChatMessage]:
        """All bot messages in this chat, in order, with current text and edit history."""
        return [ChatMessage.from_stored(m) for m in self._bot_messages()]

    @property
    def last_message(self) -> ChatMessage | None:
        """The most recent bot message, if any."""
        messages = self._bot_messages()
        return ChatMessage.from_stored(messages[-1]) if messages else None

    def render_transcript(self, last: int = 12) -> str:
        """Human-readable tail of the chat plus recent failed API calls (for assertions)."""
        lines = [_describe(m) for m in self.state.messages.get(self.chat_id, [])[-last:]]
        return "\n".join(lines) or "  (no messages)"

    def _report(self, problem: str) -> str:
        return f"{problem}\nrecent chat {self.chat_id} transcript:\n{self.render_transcript()}"

    async def wait_for_message(
        self,
        contains: str | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the test-facing API
        predicate: Callable[[ChatMessage], bool] | None = None,
    ) -> ChatMessage:
        """Return the next bot message not yet consumed that matches; skipped ones are consumed."""

        def check() -> tuple[int, ChatMessage] | None:
            messages = self._bot_messages()
            for index in range(self._consumed, len(messages)):
                snap = ChatMessage.from_stored(messages[index])
                if (contains is None or contains in snap.text) and (
                    predicate is None or predicate(snap)
                ):
                    return index, snap
            return None

        found = await self.state.wait_for(check, timeout)
        if found is None:
            wanted = f"containing {contains!r}" if contains is not None else "at all"
            raise AssertionError(self._report(f"no new bot message {wanted} within {timeout}s"))
        self._consumed = found[0] + 1
        return found[1]

    async def wait_for_edit(
        self,
        message_id: int,
        *,
        contains: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the test-facing API
    ) -> ChatMessage:
        """Return the message after its next not-yet-seen edit (whose text matches `contains`)."""

        def check() -> tuple[int, ChatMessage] | None:
            for message in self._bot_messages():
                if message.message_id != message_id:
                    continue
                seen = self._edits_seen.get(message_id, 0)
                for number, text in enumerate(message.versions[1:], start=1):
                    if number > seen and (contains is None or contains in text):
                        return number, ChatMessage.from_stored(message)
            return None

        found = await self.state.wait_for(check, timeout)
        if found is None:
            wanted = f" to text containing {contains!r}" if contains is not None else ""
            raise AssertionError(self._report(f"message {message_id} not edited{wanted}"))
        self._edits_seen[message_id] = found[0]
        return found[1]

    async def wait_idle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has fetched this chat's updates and been silent for `quiet` s."""
        deadline = time.monotonic() + timeout
        while not self.state.closing:
            now = time.monotonic()
            silent_for = now - self.state.last_activity.get(self.chat_id, 0.0)
            if silent_for >= quiet and not self.state.has_undelivered(self.chat_id):
                return
            if now >= deadline:
                raise AssertionError(self._report(f"chat {self.chat_id} not idle after {timeout}s"))
            pause = quiet - silent_for if silent_for < quiet else quiet
            await self.state.changed(min(pause, deadline - now))

    async def _post(self, sender: dict[str, Any], body: dict[str, Any], kind: str, text: str,
                    reply_to: int | None = None) -> dict[str, Any]:  # fmt: skip
        """Store a user message and enqueue the matching update."""
        if reply_to is not None:
            target = self.state.find_message(self.chat_id, reply_to)
            if target is None:
                raise AssertionError(self._report(f"cannot reply: no message {reply_to}"))
            body["reply_to_message"] = copy.deepcopy(target.data)
        stored = self.state.add_message(
            self.chat_id, {"from": sender, **body}, from_bot=False, kind=kind, text=text
        )
        await asyncio.sleep(0)  # a scheduling point, so callers can't starve the bot
        return self.state.enqueue(self.chat_id, {"message": copy.deepcopy(stored.data)})

    async def _post_text(
        self, sender: dict[str, Any], text: str, reply_to: int | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            # PTB's CommandHandler only matches messages carrying a bot_command entity.
            command = text.split()[0]
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        return await self._post(sender, body, "text", text, reply_to)


class ScriptedUser(ChatView):
    """A person in a private chat with the bot (chat id == user id)."""

    def __init__(self, state: EmulatorState, user: dict[str, Any]) -> None:
        super().__init__(state, user["id"])
        self.user = user

    @property
    def user_id(self) -> int:
        """The Telegram user id (also the private chat id)."""
        return int(self.user["id"])

    @property
    def callback_answers(self) -> list[str]:
        """Texts the bot answered this user's button presses with ("" when no text)."""
        return [
            c.answer_text or ""
            for c in self.state.callbacks.values()
            if c.user_id == self.user_id and c.answered
        ]

    def block_bot(self, blocked: bool = True) -> None:
        """Block (or unblock) the bot: sends to this chat then fail with 403."""
        if blocked:
            self.state.blocked_chats.add(self.chat_id)
        else:
            self.state.blocked_chats.discard(self.chat_id)

    async def send_text(self, text: str, *, reply_to: int | None = None) -> dict[str, Any]:
        """Type a message (commands get a bot_command entity); returns the queued update."""
        return await self._post_text(self.user, text, reply_to)

    async def share_location(
        self, latitude: float = DEFAULT_LOCATION[0], longitude: float = DEFAULT_LOCATION[1]
    ) -> dict[str, Any]:
        """Send a location message."""
        body = {"location": {"latitude": latitude, "longitude": longitude}}
        return await self._post(self.user, body, "location", "")

    async def press(
        self,
        label: str,
        *,
        message_id: int | None = None,
        location: tuple[float, float] | None = None,
    ) -> dict[str, Any]:
        """Press an inline button (newest message carrying it) or a reply-keyboard button.

        Exact labels win over case-insensitive substrings; inline buttons over the keyboard.
        """
        for fuzzy in (False, True):
            for message in self._candidates(message_id):
                button = _pick([b for row in message.inline_keyboard for b in row], label, fuzzy)
                if button is not None:
                    return await self._click(message, button)
            if message_id is None and _pick(self._keyboard(), label, fuzzy) is not None:
                return await self.press_keyboard(label, location=location)
        raise AssertionError(self._report(f"no button {label!r}; visible: {self._visible()}"))

    async def press_stale(self, message_id: int, label: str) -> dict[str, Any]:
        """Press a button on an older message, even one an edit has since removed."""
        message = self._candidates(message_id)[0]
        for markup in [message.data.get("reply_markup"), *reversed(message.markups)]:
            rows = (markup or {}).get("inline_keyboard", [])
            buttons = [b for row in rows for b in row]
            button = _pick(buttons, label, False) or _pick(buttons, label, True)
            if button is not None:
                return await self._click(message, button)
        raise AssertionError(self._report(f"message {message_id} never had button {label!r}"))

    async def press_data(self, message_id: int, callback_data: str) -> dict[str, Any]:
        """Send a callback query with arbitrary data from a message (stale or forged buttons)."""
        message = self._candidates(message_id)[0]
        return await self._click(message, {"text": "?", "callback_data": callback_data})

    async def press_keyboard(
        self, label: str, *, location: tuple[float, float] | None = None
    ) -> dict[str, Any]:
        """Press a reply-keyboard button: sends its text, or a location if it requests one."""
        buttons = self._keyboard()
        button = _pick(buttons, label, False) or _pick(buttons, label, True)
        if button is None:
            raise AssertionError(self._report(f"no keyboard button {label!r}; {self._visible()}"))
        if button.get("request_location"):
            return await self.share_location(*(location or DEFAULT_LOCATION))
        return await self.send_text(button["text"])

    def _candidates(self, message_id: int | None) -> list[StoredMessage]:
        live = [m for m in reversed(self._bot_messages()) if not m.deleted]
        if message_id is None:
            return live
        chosen = [m for m in live if m.message_id == message_id]
        if not chosen:
            raise AssertionError(self._report(f"no live bot message {message_id}"))
        return chosen

    @property
    def keyboard(self) -> list[str]:
        """Labels of the reply keyboard currently shown in this chat (empty when none)."""
        return [b["text"] for b in self._keyboard()]

    def _keyboard(self) -> list[dict[str, Any]]:
        """Buttons of the reply keyboard currently shown in this chat, as dicts."""
        keyboard = self.state.reply_keyboards.get(self.chat_id) or {}
        return [
            b if isinstance(b, dict) else {"text": b}
            for row in keyboard.get("keyboard", [])
            for b in row
        ]

    def _visible(self) -> str:
        shown = [
            f"#{m.message_id}: "
            + " ".join(f"[{b['text']}]" for row in m.inline_keyboard for b in row)
            for m in self._candidates(None)
            if m.inline_keyboard
        ][:5]
        if labels := self.keyboard:
            shown.append("keyboard: " + " ".join(f"[{label}]" for label in labels))
        return "; ".join(shown) or "no buttons"

    async def _click(self, message: StoredMessage, button: dict[str, Any]) -> dict[str, Any]:
        data = button.get("callback_data")
        if data is None:
            raise AssertionError(f"button {button['text']!r} has no callback_data: {button}")
        query_id = self.state.next_id("")
        self.state.callbacks[query_id] = CallbackRecord(
            query_id, self.user_id, self.chat_id, message.message_id, data
        )
        await asyncio.sleep(0)
        query = {
            "id": query_id,
            "from": self.user,
            "message": copy.deepcopy(message.data),  # later edits must not alter this update
            "chat_instance": f"ci{self.chat_id}",
            "data": data,
        }
        return self.state.enqueue(self.chat_id, {"callback_query": query})


class ScriptedGroup(ChatView):
    """A basic group chat; members are ScriptedUsers."""

    async def send_text(self, from_user: ScriptedUser, text: str) -> dict[str, Any]:
        """Post `text` in the group as `from_user`; returns the queued update."""
        return await self._post_text(from_user.user, text)


def _pick(buttons: list[dict[str, Any]], label: str, fuzzy: bool) -> dict[str, Any] | None:
    """The button labelled exactly `label`, or (fuzzy) the single one containing it."""
    if not fuzzy:
        return next((b for b in buttons if b.get("text") == label), None)
    matches = [b for b in buttons if label.lower() in str(b.get("text", "")).lower()]
    if len(matches) > 1:
        raise AssertionError(f"button label {label!r} is ambiguous: {[b['text'] for b in matches]}")
    return matches[0] if matches else None
