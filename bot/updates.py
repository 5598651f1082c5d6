"""Updates from different people run concurrently; one person's updates run in order.

Each update's end is reported (`finished`), so the inbox can mark it done; and a stop is
bounded: once the Application stops, an update not yet started is left for the next start,
and one being handled gets `STOP_GRACE_SECONDS` to finish before it is cancelled (and left
for the next start too).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.journal import JOURNAL, SendJournal, drain

logger = logging.getLogger(__name__)

# What handlers being run when the bot stops get to finish: well inside the 10 s platforms
# (Docker, Heroku) leave between SIGTERM and SIGKILL, with room for the rest of the stop.
STOP_GRACE_SECONDS = 3.0
# What sends already counted in an update's journal get to finish after that.
DRAIN_SECONDS = 1.5


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """One lock per person: a slow reply (a PDF being drawn) delays only its own chat.

    PTB starts a task per update in arrival order and asyncio's locks are first-come,
    first-served, so each person's updates are handled in the order they were sent.
    `finished(update)` is awaited after an update's handlers are through (also when one
    failed: the error handler had it), never for one skipped or cancelled by a stop, nor for
    one the error handler put off (`retry_later`: the database was busy). `begin(update)`
    gives each run its send journal (bot/journal.py).
    """

    def __init__(
        self,
        max_concurrent_updates: int = 256,
        *,
        finished: Callable[[object], Awaitable[None]] | None = None,
        begin: Callable[[object], SendJournal | None] | None = None,
        retry_later: Callable[[object, SendJournal], bool] | None = None,
        stop_grace: float = STOP_GRACE_SECONDS,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self._finished = finished
        self._begin = begin
        self._retry_later = retry_later
        self._stop_grace = stop_grace
        self._deadline: float | None = None  # loop time at which running handlers are cut
        self._running: set[asyncio.Timeout] = set()

    @property
    def stopping(self) -> bool:
        return self._deadline is not None

    def stop_soon(self) -> None:
        """Start no more updates; cancel those running after the grace period."""
        if self._deadline is not None:
            return
        self._deadline = asyncio.get_running_loop().time() + self._stop_grace
        for scope in self._running:
            scope.reschedule(self._deadline)
        if self._running:
            logger.info(
                "stopping: %d updates being handled get %.0f s to finish",
                len(self._running),
                self._stop_grace,
            )

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = person_of(update)
        if key is None:
            await self._handle(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await self._handle(update, coroutine)
        finally:
            # Forget the lock once nobody is waiting on it, so memory stays flat.
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self._deadline is not None:
            # Stopping: never started, so it is left as it is (in the inbox) for the next start.
            if isinstance(coroutine, Coroutine):
                coroutine.close()
            return
        scope: asyncio.Timeout | None = None
        journal = self._begin(update) if self._begin is not None else None
        token = JOURNAL.set(journal)
        try:
            async with asyncio.timeout(None) as scope:
                self._running.add(scope)
                try:
                    await coroutine
                finally:
                    self._running.discard(scope)
                    JOURNAL.reset(token)
                    if journal is not None:
                        journal.close()
        except TimeoutError:
            if scope is None or not scope.expired():
                raise
            # Cut short by the stop: not finished, so it is handled again at the next start.
            logger.warning(
                "stopping: update %s cut short after %.0f s; it is handled at the next start",
                getattr(update, "update_id", "?"),
                self._stop_grace,
            )
            return
        put_off = journal is not None and journal.retry and self._retry_later is not None
        if put_off and self._retry_later(update, journal):  # type: ignore[misc, arg-type]
            return  # the database was busy: it stays in the inbox, handled again soon
        if self._finished is not None:
            await self._finished(update)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class StoppingApplication(Application):  # type: ignore[type-arg]
    """PTB's Application, whose stop leaves updates not yet handled instead of handling them.

    PTB's `stop` handles every update already taken before it returns (300 queued replies
    took 19 s, past a platform's SIGKILL). Ours tells the update processor first, so the
    queue drains at once: what is left stays in the inbox for the next start.
    """

    # Set by the command line (not in tests): seconds after a stop begins when the process
    # exits whatever is still waiting (a platform sends SIGKILL ~10 s after SIGTERM anyway).
    stop_deadline: float | None = None

    async def stop(self) -> None:
        if self.stop_deadline is not None:
            _exit_after(self.stop_deadline)
        processor = self.update_processor
        if isinstance(processor, PerUserUpdateProcessor):
            processor.stop_soon()
        await super().stop()
        # Sends already counted in an update's journal go out before the HTTP client closes.
        if left := await drain(DRAIN_SECONDS):
            logger.warning("stopping: %d counted sends did not finish", left)


def _exit_after(seconds: float) -> None:
    """Exit the process if a stop is not done in time (the database down: every write waits
    out its timeout). Nothing acknowledged is lost: unfinished updates stay in the inbox and
    unsettled reminders are sent again after their claim lease."""

    def give_up() -> None:
        logger.error("stopping took over %g s; exiting, unfinished work left for the next start",
                     seconds)  # fmt: skip
        logging.shutdown()
        os._exit(0)

    timer = threading.Timer(seconds, give_up)
    timer.daemon = True
    timer.start()


def person_of(update: object) -> int | None:
    """Whose update this is: the sender, else the chat; None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None
