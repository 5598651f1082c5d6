"""In-memory Telegram world: chats, messages, pending updates, files, callback queries."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class ApiRequest:
    """One HTTP call the bot made; appended when answered, `timestamp` is its arrival."""

    method: str
    params: dict[str, Any]
    timestamp: float
    status: int = 200
    chat_id: int | None = None
    uploads: dict[str, int] = field(default_factory=dict)  # multipart field -> byte length
    description: str | None = None  # error description when status != 200
    result: Any = None


@dataclass
class StoredMessage:
    """A message in some chat; `data` is its current Bot API JSON."""

    chat_id: int
    message_id: int
    data: dict[str, Any]
    from_bot: bool
    kind: str  # "text", "photo", "document", "animation", "location"
    versions: list[str]  # shown text/caption: the original, then one entry per edit
    sent_at: float
    deleted: bool = False
    reply_keyboard: list[list[str]] | None = None  # labels of a reply keyboard sent with it
    markups: list[dict[str, Any] | None] = field(default_factory=list)  # earlier inline markups

    @property
    def text(self) -> str:
        """Current text, or caption for media."""
        return self.versions[-1]

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        """Current inline keyboard rows (empty when none)."""
        return (self.data.get("reply_markup") or {}).get("inline_keyboard", [])


@dataclass
class StoredFile:
    """A file the bot uploaded (or referenced by URL) and can resend by file_id."""

    file_id: str
    file_unique_id: str
    kind: str
    size: int
    content: bytes | None
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 320  # photos: the largest size Telegram keeps
    height: int = 320


@dataclass
class CallbackRecord:
    """A callback query a user produced and whether (and how fast) the bot answered it."""

    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    answer_text: str | None = None
    show_alert: bool = False
    pressed_at: float = field(default_factory=time.monotonic)  # when the button was pressed
    answer_latency: float | None = None  # seconds from the press to answerCallbackQuery


@dataclass
class WebhookDelivery:
    """One POST of an update to the bot's webhook; `status` 0 means no HTTP answer at all."""

    update_id: int
    chat_id: int
    status: int
    timestamp: float
    error: str | None = None  # what getWebhookInfo reports as last_error_message


@dataclass
class Fault:
    """A scripted failure for matching requests, consumed `remaining` times."""

    kind: str
    method: str | None
    chat_id: int | None
    remaining: int
    retry_after: int
    delay: float

    def matches(self, method: str, chat_id: int | None) -> bool:
        """True when this fault applies to a call of `method` about `chat_id`."""
        if self.remaining <= 0:
            return False
        if self.method is None and method.lower() == "getupdates":
            # An unfiltered fault is meant for the bot's own calls; letting the background
            # poll swallow it would make fault tests flaky. Name getUpdates to target polling.
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


class EmulatorState:
    """All mutable emulator data plus a change signal that waiters block on."""

    def __init__(self, bot_user: dict[str, Any]) -> None:
        self.bot_user = bot_user
        self.clock: Callable[[], float] = time.time  # message dates; tests may replace it
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.blocked_chats: set[int] = set()
        self.messages: dict[int, list[StoredMessage]] = defaultdict(list)
        self.reply_keyboards: dict[int, dict[str, Any] | None] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        # Real seconds after a press within which answerCallbackQuery is accepted.
        self.callback_timeout = 15.0
        self.callback_answer_latencies: list[float] = []  # one per accepted answer, in order
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        # setChatMenuButton: by chat id, None for the bot's default (absent: the command list).
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        # setMyDescription / setMyShortDescription, keyed by language code ("" = default).
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        # What getWebhookInfo reports; the secret and the update filter are kept apart from it.
        self.webhook: dict[str, Any] = {"url": "", "has_custom_certificate": False}
        self.webhook_secret: str | None = None
        # True: setWebhook takes http, any port and private addresses, as a local Bot API
        # server does; Telegram itself (the default, False) refuses them.
        self.allow_insecure_webhook = False
        self.allowed_updates: list[str] | None = None  # None: every type but the opt-in ones
        self.deliveries: list[WebhookDelivery] = []
        self.pending: list[tuple[int, dict[str, Any]]] = []  # (chat_id, update) not confirmed
        self.max_delivered_update_id = 0
        self.last_activity: dict[int, float] = {}
        self.closing = False
        self._next_message_id: dict[int, int] = defaultdict(lambda: 1)
        self.next_update_id = 1
        self._counter = 0
        self._changed = asyncio.Event()

    def notify(self) -> None:
        """Wake everyone waiting for a change (new update, bot message, edit, request)."""
        self._changed.set()
        # A fresh event per generation means a waiter can never miss a change between
        # checking its condition and starting to wait.
        self._changed = asyncio.Event()

    async def wait_for(self, check: Callable[[], T | None], seconds: float) -> T | None:
        """Return check()'s first truthy value, or None once `seconds` have passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            value = check()
            remaining = deadline - loop.time()
            if value or remaining <= 0 or self.closing:
                return value or None
            await self.changed(remaining)

    async def changed(self, seconds: float) -> None:
        """Sleep until the next change or for `seconds`, whichever comes first."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    def next_id(self, prefix: str) -> str:
        """A unique opaque id (file ids, callback query ids)."""
        self._counter += 1
        return f"{prefix}{self._counter:06d}"

    def touch(self, chat_id: int | None) -> None:
        """Note activity in a chat; wait_idle measures quiet time from this."""
        if chat_id is not None:
            self.last_activity[chat_id] = time.monotonic()

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """The live (not deleted) message with this id in the chat, if any."""
        for message in self.messages.get(chat_id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        return None

    def add_message(
        self, chat_id: int, body: dict[str, Any], *, from_bot: bool, kind: str, text: str
    ) -> StoredMessage:
        """Store a new message, filling message_id, date and chat, and signal waiters."""
        message_id = self._next_message_id[chat_id]
        self._next_message_id[chat_id] += 1
        sender = self.bot_user if from_bot else body.pop("from")
        data = {
            "message_id": message_id,
            "from": sender,
            "chat": self.chats[chat_id],
            "date": int(self.clock()),
            **body,
        }
        stored = StoredMessage(chat_id, message_id, data, from_bot, kind, [text], time.monotonic())
        self.messages[chat_id].append(stored)
        self.notify()
        return stored

    def enqueue(self, chat_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates and return it."""
        update = {"update_id": self.next_update_id, **body}
        self.next_update_id += 1
        self.pending.append((chat_id, update))
        self.touch(chat_id)
        self.notify()
        return update

    def has_undelivered(self, chat_id: int) -> bool:
        """True if an update for this chat has not yet been fetched by (or POSTed to) the bot."""
        if self.webhook["url"]:
            # A webhook delivery leaves the queue once the bot answered it with 2xx.
            return any(cid == chat_id for cid, _ in self.pending)
        return any(
            cid == chat_id and upd["update_id"] > self.max_delivered_update_id
            for cid, upd in self.pending
        )

    def confirm(self, update_id: int) -> None:
        """Forget one update: the bot's webhook took it (or it was filtered out)."""
        self.pending = [p for p in self.pending if p[1]["update_id"] != update_id]
