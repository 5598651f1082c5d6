"""The send journal: what an update's handlers sent, so a second run never sends it again.

An update handled when the process died (kill -9, power) is handled again at the next
start, from the inbox. Its first run may already have sent some of its messages. Before each
message it sends, the handler's run stores how many it has sent (`update_inbox.sends`); a
second run skips that many sends, handing its handler a stand-in answer, and sends the rest.
A send stored but cut off by the crash before it left is then lost rather than doubled: a
missing message is better than a repeated one, and the window is the moment between storing
the count and writing the request. A stop (SIGTERM) never opens that window: a counted send
is finished even when the stop cuts its handler short.

The stand-in for a skipped send is the message Telegram answered the first run with (its
id, date and chat: a handler edits or deletes what it sent by that id). Those answers ride
with the next count a run stores (`update_inbox.sent_messages`), so they cost no write of
their own; the answer to the last send before a crash never reached the database, and its
stand-in says so: `message_id` is `UNKNOWN_MESSAGE_ID` (`is_known` is False), and a handler
that would edit it sends a new message instead. An update put off in the process (a busy
database) keeps every answer in memory.

Only what a person sees counts (new messages, edits, deletions); answering a button's
spinner or showing "typing…" does not. Only the handler's own task counts: a job it
schedules (a hold's countdown) is not part of the update.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

# The id of a message sent by an earlier run whose answer the journal never got (no
# message has it: Telegram's ids start at 1).
UNKNOWN_MESSAGE_ID = 0

logger = logging.getLogger(__name__)

# Methods whose effect a person sees and that must not happen twice.
_NOT_SEEN = frozenset({"sendChatAction", "answerCallbackQuery"})
_SEEN_PREFIXES = ("send", "edit", "delete", "copy", "forward", "stop")


def is_seen(endpoint: str) -> bool:
    """Whether a Bot API method puts something in front of the person."""
    return endpoint not in _NOT_SEEN and endpoint.startswith(_SEEN_PREFIXES)


def _makes_messages(endpoint: str) -> bool:
    """Whether Telegram answers this method with the message(s) it made."""
    return endpoint.startswith(("send", "copy", "forward"))


def is_known(message_id: int) -> bool:
    """False for a message an earlier run sent whose id the journal never got."""
    return message_id != UNKNOWN_MESSAGE_ID


def _kept(answer: Any) -> Any:
    """What the journal keeps of Telegram's answer to a send: the message's id, date and chat
    (never its words); a list for an album; None when it is no message."""
    if isinstance(answer, list):
        kept = [_kept(item) for item in answer]
        return kept if all(item is not None for item in kept) else None
    if not isinstance(answer, dict) or not isinstance(answer.get("message_id"), int):
        return None
    message: dict[str, Any] = {"message_id": answer["message_id"]}
    if isinstance(answer.get("date"), int):
        message["date"] = answer["date"]
    chat = answer.get("chat")
    if isinstance(chat, dict):
        message["chat"] = {"id": chat.get("id"), "type": chat.get("type")}
    return message


@dataclass(eq=False)
class SendJournal:
    """One run of one update's handlers: its sends, counted and stored before each."""

    update_id: int
    # How many sends an earlier run of this update stored: these are skipped.
    skip: int
    # Stores (update_id, sends so far, the messages Telegram answered by send number, or
    # None when no answer came since the last store).
    store: Callable[[int, int, dict[int, Any] | None], Awaitable[None]]
    # What Telegram answered the earlier run's sends, by send number (as `_kept`).
    earlier: dict[int, Any] = field(default_factory=dict)
    # This update's handlers ran before (a crash or a stop, or a busy database, cut them off).
    again: bool = False
    task: asyncio.Task[Any] | None = field(default_factory=asyncio.current_task)
    sent: int = 0
    # The answers known, the earlier run's and this one's, by send number.
    answers: dict[int, Any] = field(init=False)
    # An answer came that no store has carried yet.
    _fresh: bool = field(default=False, init=False)
    # Closed once the handlers are through, or by the error handler before it speaks.
    open: bool = True
    # The handlers failed on a busy database: the update is handled again later.
    retry: bool = False
    # How many more times a busy database may put this update off (see bot/intake.py).
    tries_left: int = 0
    # This update was put off before (the person was told once that it would be answered).
    put_off_before: bool = False

    def __post_init__(self) -> None:
        self.answers = dict(self.earlier)

    def applies(self, endpoint: str) -> bool:
        return self.open and is_seen(endpoint) and asyncio.current_task() is self.task

    async def next_send(self) -> int:
        """Count a send and return its number; stored first unless an earlier run sent it."""
        self.sent += 1
        number = self.sent
        if number <= self.skip:
            return number
        answers = dict(self.answers) if self._fresh else None
        self._fresh = False
        try:
            await self.store(self.update_id, number, answers)
        except Exception as error:  # the database is failing: a reply is better than none
            self._fresh = self._fresh or answers is not None
            logger.warning(
                "update %s: send %d not journaled (%s)",
                self.update_id,
                number,
                type(error).__name__,
            )
        return number

    def skips(self, number: int) -> bool:
        """Whether send `number` was sent by an earlier run."""
        return number <= self.skip

    def answered(self, number: int, endpoint: str, answer: Any) -> None:
        """Keep what Telegram answered send `number`, for the next store to carry."""
        if not _makes_messages(endpoint):
            return
        kept = _kept(answer)
        if kept is not None:
            self.answers[number] = kept
            self._fresh = True

    def close(self, *, retry: bool = False) -> None:
        """Sends from here on are not the update's (an error message, say)."""
        self.open = False
        self.retry = self.retry or retry


JOURNAL: ContextVar[SendJournal | None] = ContextVar("send_journal", default=None)


def handled_again() -> bool:
    """Whether the update being handled ran before (a crash, a stop or a busy database cut
    its handlers off): what its first run did may be half done."""
    journal = JOURNAL.get()
    return journal is not None and journal.again


def stand_in(endpoint: str, data: dict[str, Any], earlier: Any = None) -> Any:
    """What Telegram answered the first time, as far as a handler needs it: `earlier` (the
    message kept in the journal) when known, else a message whose id is unknown."""
    if earlier is not None and _makes_messages(endpoint):
        return copy.deepcopy(earlier)
    if _makes_messages(endpoint) and endpoint != "sendMediaGroup":
        if endpoint == "copyMessage":
            return {"message_id": UNKNOWN_MESSAGE_ID}
        chat = data.get("chat_id")
        chat_id = chat if isinstance(chat, int) else 0
        chat_data = {"id": chat_id, "type": "private"}
        return {"message_id": UNKNOWN_MESSAGE_ID, "date": int(time.time()), "chat": chat_data}
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
    decision: list[int] = []

    async def counted(*args: Any, **kwargs: Any) -> Any:
        if not decision:
            decision.append(await journal.next_send())
        number = decision[0]
        if journal.skips(number):
            return stand_in(endpoint, data, journal.earlier.get(number))
        answer = await callback(*args, **kwargs)
        journal.answered(number, endpoint, answer)
        return answer

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
