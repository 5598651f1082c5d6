"""The send journal: what an update's handlers sent, so a second run never sends it again.

An update handled when the process died (kill -9, power) is handled again at the next
start, from the inbox. Its first run may already have sent some of its messages. Before each
message it sends, the handler's run stores how many it has sent (`update_inbox.sends`); a
second run skips that many sends, handing its handler a stand-in answer, and sends the rest.
A send stored but cut off by the crash before it left is then lost rather than doubled: a
missing message is better than a repeated one, and the window is the moment between storing
the count and writing the request. A stop (SIGTERM) never opens that window: a counted send
is finished even when the stop cuts its handler short.

Only what a person sees counts (new messages, edits, deletions); answering a button's
spinner or showing "typing…" does not. Only the handler's own task counts: a job it
schedules (a hold's countdown) is not part of the update.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

# Methods whose effect a person sees and that must not happen twice.
_NOT_SEEN = frozenset({"sendChatAction", "answerCallbackQuery"})
_SEEN_PREFIXES = ("send", "edit", "delete", "copy", "forward", "stop")


def is_seen(endpoint: str) -> bool:
    """Whether a Bot API method puts something in front of the person."""
    return endpoint not in _NOT_SEEN and endpoint.startswith(_SEEN_PREFIXES)


@dataclass(eq=False)
class SendJournal:
    """One run of one update's handlers: its sends, counted and stored before each."""

    update_id: int
    # How many sends an earlier run of this update stored: these are skipped.
    skip: int
    store: Callable[[int, int], Awaitable[None]]
    task: asyncio.Task[Any] | None = field(default_factory=asyncio.current_task)
    sent: int = 0
    # Closed once the handlers are through, or by the error handler before it speaks.
    open: bool = True
    # The handlers failed on a busy database: the update is handled again later.
    retry: bool = False
    # How many more times a busy database may put this update off (see bot/intake.py).
    tries_left: int = 0
    # This update was put off before (the person was told once that it would be answered).
    put_off_before: bool = False

    def applies(self, endpoint: str) -> bool:
        return self.open and is_seen(endpoint) and asyncio.current_task() is self.task

    async def next_send(self) -> bool:
        """Count a send; False when an earlier run sent it (skip), else store it first."""
        self.sent += 1
        if self.sent <= self.skip:
            return False
        try:
            await self.store(self.update_id, self.sent)
        except Exception as error:  # the database is failing: a reply is better than none
            logger.warning(
                "update %s: send %d not journaled (%s)",
                self.update_id,
                self.sent,
                type(error).__name__,
            )
        return True

    def close(self, *, retry: bool = False) -> None:
        """Sends from here on are not the update's (an error message, say)."""
        self.open = False
        self.retry = self.retry or retry


JOURNAL: ContextVar[SendJournal | None] = ContextVar("send_journal", default=None)


def stand_in(endpoint: str, data: dict[str, Any]) -> Any:
    """What Telegram answered the first time, as far as a handler needs it."""
    if endpoint.startswith(("send", "copy", "forward")) and endpoint != "sendMediaGroup":
        if endpoint == "copyMessage":
            return {"message_id": 0}
        chat = data.get("chat_id")
        chat_id = chat if isinstance(chat, int) else 0
        chat_data = {"id": chat_id, "type": "private"}
        return {"message_id": 0, "date": int(time.time()), "chat": chat_data}
    if endpoint == "sendMediaGroup":
        return []
    return True  # edits, deletions: done


def journaled(
    callback: Callable[..., Awaitable[Any]], endpoint: str, data: dict[str, Any]
) -> Callable[..., Awaitable[Any]]:
    """`callback` (one Bot API request), counted in the running update's journal.

    The decision is taken once per request, so a retried request is not counted twice.
    """
    journal = JOURNAL.get()
    if journal is None or not journal.applies(endpoint):
        return callback
    decision: list[bool] = []

    async def counted(*args: Any, **kwargs: Any) -> Any:
        if not decision:
            decision.append(await journal.next_send())
        if not decision[0]:
            return stand_in(endpoint, data)
        return await callback(*args, **kwargs)

    async def send(*args: Any, **kwargs: Any) -> Any:
        # Once counted, a send goes out even if its handler is cut short by a stop: a count
        # stored for a message never sent would lose that message for good.
        unit = asyncio.ensure_future(counted(*args, **kwargs))
        _units.add(unit)
        unit.add_done_callback(_units.discard)
        return await asyncio.shield(unit)

    return send


# Sends under way, so a stop can let them finish before the HTTP client closes.
_units: set[asyncio.Future[Any]] = set()


async def drain(seconds: float) -> int:
    """Wait up to `seconds` for sends under way (a stop); how many were still going."""
    if not _units:
        return 0
    _, pending = await asyncio.wait(set(_units), timeout=seconds)
    for unit in pending:
        unit.cancel()
    return len(pending)
