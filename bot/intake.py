"""Updates in: read one by one, so one that python-telegram-bot cannot read stops no one.

PTB parses a whole getUpdates batch with `Update.de_list`; one update it cannot read (a
sender without `first_name`, say) makes the whole batch fail, and the Updater fetches the
same batch again at once, forever, logging it each time ("Received data was ...": other
people's messages). Here each update is read on its own first: one that fails is logged by
its `update_id` and the exception's type only, and replaced by a bare `{"update_id": n}`,
which PTB reads as an empty Update that no handler takes. The Updater then confirms it like
any other (the offset moves past it) and everyone else's updates are handled.

`UpdatesRequest` does this for polling (PTB's documented hook: a custom `BaseRequest` for
getUpdates); the webhook handler (bot/webhook.py) reads each POST with `read_update`.

The inbox (`Inbox`) keeps every readable update in the database before Telegram is told it
arrived: a getUpdates batch is stored before PTB sees it (the offset that confirms it is only
sent with the next getUpdates), a webhook POST before its 200. An update already stored (sent
again after a crash, or twice) is handed to PTB bare, so it is confirmed and no handler takes
it. The update processor marks each update done once its handlers are through; at start the
updates left unfinished are handled first, oldest first. See README, "Durable inbox".
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from telegram import Bot, Update
from telegram.error import NetworkError
from telegram.ext import Application, ContextTypes, ExtBot
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.journal import SendJournal
from bot.storage.inbox import InboxRepository, StoredUpdate
from bot.updates import person_of

logger = logging.getLogger(__name__)

INBOX_KEY = "inbox"
# How often a process renews its claim on its unfinished updates, takes over those a dead
# process left, and prunes; and after how long without renewal a claim counts as dead.
INBOX_TICK_SECONDS = 5.0
INBOX_LEASE = timedelta(seconds=15)
# Handled updates are kept this long (they are a person's own words), then deleted.
INBOX_RETENTION = timedelta(days=1)
# How long a stop waits to hand unfinished updates to the next process.
RELEASE_SECONDS = 1.0
# An update whose handlers found the database busy is handled again after these waits
# (at the inbox's next tick after each), then given up with an apology.
RETRY_WAITS = (timedelta(seconds=5), timedelta(seconds=15), timedelta(seconds=40))


def update_id_of(data: object) -> int | None:
    """The update's id, if it has a usable one (nothing else of it is ever logged)."""
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if isinstance(update_id, int) and not isinstance(update_id, bool):
        return update_id
    return None


def read_update(data: object, bot: Bot | None) -> Update | None:
    """The update PTB makes of `data`, or None (logged by id) when it cannot read it."""
    try:
        update = Update.de_json(data, bot)  # type: ignore[arg-type]
    except Exception as error:  # whatever PTB raises on it, the update is skipped
        update_id = update_id_of(data)
        # The type only: PTB's messages can quote the data.
        logger.warning(
            "skipped update %s: python-telegram-bot cannot read it (%s)",
            update_id if update_id is not None else "without an update_id",
            type(error).__name__,
        )
        return None
    return update


def readable_updates(batch: list[Any]) -> list[Any]:
    """`batch` with each update PTB cannot read replaced by a bare one with its update_id."""
    readable = []
    for data in batch:
        if read_update(data, None) is not None:
            readable.append(data)
            continue
        update_id = update_id_of(data)
        if update_id is not None:  # Telegram always sends one; without it, nothing to confirm
            readable.append({"update_id": update_id})
    return readable


def is_bare(update: object) -> bool:
    """True for an Update with nothing but its id (unreadable, or already in the inbox)."""
    return isinstance(update, Update) and all(
        getattr(update, kind, None) is None for kind in Update.ALL_TYPES
    )


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _answers_json(answers: dict[int, Any] | None) -> str | None:
    """The journal's answers by send number, as stored (None: leave the stored ones)."""
    if answers is None:
        return None
    by_number = {str(number): kept for number, kept in answers.items()}
    return json.dumps(by_number, separators=(",", ":"))


def _answers_of(stored: str | None) -> dict[int, Any]:
    """Answers as stored, by send number; none when unreadable (its sends are then unknown)."""
    if not stored:
        return {}
    try:
        answers = json.loads(stored)
        return {int(number): kept for number, kept in answers.items()}
    except (ValueError, AttributeError, TypeError):
        logger.warning("inbox: a stored update's sent messages are unreadable; taken as unknown")
        return {}


T = TypeVar("T")
R = TypeVar("R")


class GroupWrite(Generic[T, R]):
    """Writes submitted while one is under way go together in the next (group commit).

    300 updates arriving at once are then a handful of transactions, not 300 queued behind
    each other (SQLite's one writer, PostgreSQL's connection pool). `write` gets the items in
    the order submitted and returns one result per item; each `submit` returns its own, or
    raises what the write raised.
    """

    def __init__(self, write: Callable[[list[T]], Awaitable[list[R]]]) -> None:
        self._write = write
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="inbox-write")
        return await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                results = await self._write([item for item, _ in batch])
            except Exception as error:  # each caller decides what a failed write means
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)


class Inbox:
    """Every update kept in the database from before it is acknowledged until it is handled.

    One per process; `owner` names this process's claims. `takes_over`: at start, take every
    unfinished update, also those another process claimed (polling: Telegram lets only one
    process poll a bot, so none can be alive). Webhook mode shares the database with other
    instances, so it takes only those released by a clean stop or left by a process that has
    not renewed its claim within `INBOX_LEASE`.
    """

    def __init__(
        self,
        repository: InboxRepository,
        *,
        takes_over: bool = True,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.repository = repository
        self.owner = uuid.uuid4().hex
        self.takes_over = takes_over
        self._now = now
        self._stores = GroupWrite(self._store_many)
        self._finishes = GroupWrite(self._finish_many)
        self._sends = GroupWrite(self._sends_many)
        # Updates put in the queue again (replays, retries): how many sends an earlier run
        # made, and what Telegram answered them by send number (see bot/journal.py).
        self._earlier: dict[int, tuple[int, dict[int, Any]]] = {}
        # Updates waiting to be handled again (the database was busy): when, and tries left.
        self._retries: dict[int, tuple[Update, datetime, int]] = {}

    async def store_batch(
        self, batch: list[Any], bot: Bot | None = None
    ) -> list[tuple[dict[str, Any], Update]]:
        """A getUpdates batch, stored; each update as handed to PTB, data and Update read
        with `bot`: the new ones as they came, all others bare.

        Raises when the database does not answer: the batch is then fetched again.
        """
        readable: dict[int, tuple[Any, Update]] = {}
        for data in batch:
            update = read_update(data, bot)
            if update is not None:
                readable[update.update_id] = (data, update)
        new: set[int] = set()
        if readable:  # an empty batch (a long poll that timed out, a stop) needs no write
            stored = [
                StoredUpdate(update_id, person_of(update), json.dumps(data))
                for update_id, (data, update) in readable.items()
            ]
            new = await self.repository.add(stored, self.owner, self._now())
        handed: list[tuple[dict[str, Any], Update]] = []
        for data in batch:
            update_id = update_id_of(data)
            if update_id is not None and update_id in new:
                handed.append(readable[update_id])
                new.discard(update_id)  # the same id twice in one batch: once
            elif update_id is not None:  # unreadable, or already stored: confirmed, not handled
                handed.append(({"update_id": update_id}, Update(update_id)))
        return handed

    async def store(self, data: dict[str, Any], update: Update) -> bool:
        """Store one update (a webhook POST); False when it was stored before."""
        stored = StoredUpdate(update.update_id, person_of(update), json.dumps(data))
        return await self._stores.submit(stored)

    async def _store_many(self, updates: Sequence[StoredUpdate]) -> list[bool]:
        new = await self.repository.add(updates, self.owner, self._now())
        results = []
        for stored in updates:  # the same update POSTed twice at once: new once
            results.append(stored.update_id in new)
            new.discard(stored.update_id)
        return results

    async def _finish_many(self, update_ids: Sequence[int]) -> list[None]:
        await self.repository.finish(update_ids, self._now())
        return [None] * len(update_ids)

    async def _sends_many(self, counts: Sequence[tuple[int, int, str | None]]) -> list[None]:
        await self.repository.record_sends(counts)
        return [None] * len(counts)

    async def _store_sends(
        self, update_id: int, sends: int, answers: dict[int, Any] | None
    ) -> None:
        await self._sends.submit((update_id, sends, _answers_json(answers)))

    def begin(self, update: object) -> SendJournal | None:
        """The send journal for one run of an update's handlers (none for bare ones)."""
        if not isinstance(update, Update) or is_bare(update):
            return None
        earlier = self._earlier.pop(update.update_id, None)
        skip, answers = earlier if earlier is not None else (0, {})
        journal = SendJournal(
            update.update_id, skip, self._store_sends, earlier=answers, again=earlier is not None
        )
        journal.tries_left = self.tries_left(update)
        journal.put_off_before = update.update_id in self._retries
        return journal

    def retry_later(self, update: object, journal: SendJournal) -> bool:
        """Keep an update whose handlers found the database busy, to handle it again.

        False when its tries are used up: it is then finished like any other.
        """
        if not isinstance(update, Update):
            return False
        _, _, tries = self._retries.get(update.update_id, (update, self._now(), 0))
        if tries >= len(RETRY_WAITS):
            self._retries.pop(update.update_id, None)
            return False
        self._earlier[update.update_id] = (journal.sent, dict(journal.answers))
        self._retries[update.update_id] = (update, self._now() + RETRY_WAITS[tries], tries + 1)
        return True

    def tries_left(self, update: object) -> int:
        """How many more times a busy database may put this update off."""
        if not isinstance(update, Update) or update.update_id not in self._retries:
            return len(RETRY_WAITS)
        return len(RETRY_WAITS) - self._retries[update.update_id][2]

    async def _retry_due(self, application: Application) -> int:
        """Put the updates whose wait is over back in the queue, oldest first."""
        now = self._now()
        due = sorted(uid for uid, (_, at, _) in self._retries.items() if at <= now)
        for update_id in due:
            update, _, tries = self._retries[update_id]
            # Kept until it is handled (or given up), so a failing try counts its tries.
            self._retries[update_id] = (update, datetime.max.replace(tzinfo=UTC), tries)
            await application.update_queue.put(update)
        return len(due)

    async def finished(self, update: object) -> None:
        """The update's handlers are through: mark it done (bare ones were never ours)."""
        if not isinstance(update, Update) or is_bare(update):
            return
        self._retries.pop(update.update_id, None)
        try:
            await self._finishes.submit(update.update_id)
        except Exception as error:  # the reply went out; at worst it is handled again
            logger.warning(
                "inbox: update %s handled but not marked done (%s)",
                update.update_id,
                type(error).__name__,
            )

    async def replay(self, application: Application, *, stale_only: bool = False) -> int:
        """Put the unfinished updates this process may take in the update queue, oldest first."""
        stale_before = self._now() - INBOX_LEASE if stale_only or not self.takes_over else None
        count = 0
        while rows := await self.repository.claim(
            self.owner, self._now(), stale_before=stale_before
        ):
            for row in rows:
                update = read_update(json.loads(row.payload), application.bot)
                if update is None:  # stored by a version that could read it
                    await self.repository.finish([row.update_id], self._now())
                    continue
                application.bot.insert_callback_data(update)  # type: ignore[attr-defined]
                self._earlier[row.update_id] = (row.sends, _answers_of(row.sent_messages))
                await application.update_queue.put(update)
                count += 1
        if count:
            logger.info("inbox: %d unfinished updates are handled now, oldest first", count)
        return count

    async def tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The repeating job: renew our claims, take dead processes' updates, prune."""
        application = context.application
        if not application.running:
            return
        try:
            await self.repository.renew(self.owner, self._now())
            await self.replay(application, stale_only=True)
            await self._retry_due(application)
            pruned = await self.repository.prune(self._now() - INBOX_RETENTION)
            if pruned:
                logger.debug("inbox: %d handled updates older than a day deleted", pruned)
        except Exception as error:  # the next tick tries again
            logger.warning("inbox: tick failed (%s)", type(error).__name__)

    async def release(self) -> None:
        """At the end of a stop: our unfinished updates go to the next process at once."""
        try:
            # Briefly: a platform kills the process soon after SIGTERM, and with the database
            # down the claims lapse after the lease anyway.
            left = await asyncio.wait_for(self.repository.release(self.owner), RELEASE_SECONDS)
        except Exception as error:  # claims lapse after the lease anyway
            logger.warning("inbox: could not release unfinished updates (%s)", type(error).__name__)
            return
        if left:
            logger.info("inbox: %d unfinished updates left for the next start", left)

    async def forget(self, person_id: int) -> None:
        """/delete: the person's updates go too."""
        await self.repository.forget(person_id)


class UpdatesRequest(BaseRequest):
    """PTB's HTTP client for getUpdates, handing PTB only updates it can read, stored first.

    The HTTP work is done by `transport` (bot/transport.py: aiohttp or httpx); without one,
    by PTB's HTTPXRequest built from the keywords. With `bot` set (by `IntakeBot`), the
    updates read while storing them go to the bot as they are, and PTB gets an empty batch to
    read: each update is read once.
    """

    def __init__(
        self,
        *args: Any,
        inbox: Inbox | None = None,
        transport: BaseRequest | None = None,
        **kwargs: Any,
    ) -> None:
        self.transport = transport or HTTPXRequest(*args, **kwargs)
        self.inbox = inbox
        self.bot: Bot | None = None
        self._read: list[Update] = []

    @property
    def read_timeout(self) -> float | None:
        return self.transport.read_timeout

    async def initialize(self) -> None:
        await self.transport.initialize()

    async def shutdown(self) -> None:
        await self.transport.shutdown()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return await self.transport.do_request(*args, **kwargs)

    def take_read(self) -> list[Update]:
        """The updates of the last batch, read; each is handed out once."""
        read, self._read = self._read, []
        return read

    async def post(self, url: str, request_data: RequestData | None = None, **timeouts: Any) -> Any:
        result = await super().post(url, request_data, **timeouts)
        if not (url.endswith("/getUpdates") and isinstance(result, list)):
            return result
        if self.inbox is None:
            return readable_updates(result)
        try:
            handed = await self.inbox.store_batch(result, self.bot)
        except Exception as error:
            # Nothing is confirmed to Telegram: PTB's polling asks again for the same batch.
            logger.warning(
                "inbox: could not store %d updates (%s); fetching them again",
                len(result),
                type(error).__name__,
            )
            raise NetworkError("the update inbox is unavailable") from None
        if self.bot is None:
            return [data for data, _ in handed]
        self._read = [update for _, update in handed]
        return []


class IntakeBot(ExtBot):
    """PTB's ExtBot whose getUpdates hands over the updates `UpdatesRequest` read and stored.

    PTB's own `get_updates` reads the batch `post` returns; that is empty here, and the
    updates read once already (python-telegram-bot parsing an update costs about a tenth of
    handling one) are handed on in its place.
    """

    def __init__(self, *args: Any, get_updates_request: UpdatesRequest, **kwargs: Any) -> None:
        super().__init__(*args, get_updates_request=get_updates_request, **kwargs)
        self._intake = get_updates_request
        get_updates_request.bot = self

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates = await super().get_updates(*args, **kwargs)
        read = self._intake.take_read()
        for update in read:
            self.insert_callback_data(update)
        return (*updates, *read)
