"""Telegram's limits, honoured, replies first: a priority pace under the global limit.

Telegram lets a bot send about 30 messages a second in all (`MESSAGES_PER_SECOND`). During a
broadcast of reminders every one of those slots is wanted, so who gets the next one matters.
Every request with a chat id takes a slot of one pace (`Pace`), given to the most urgent
request waiting, by its lane:

1. `Lane.REPLY`, the default: replies to people, a hold's start and its Release.
2. `Lane.COUNTDOWN`: a hold's repeating countdown edits, best effort. When others are
   waiting they get at most `COUNTDOWN_SHARE` of the slots, and one not given a slot within
   `COUNTDOWN_WAIT` is dropped (`Dropped`), never sent late. With nothing else waiting they
   take any free slot.
3. `Lane.BROADCAST`: reminders, with whatever the others leave (the fan-out's own ceiling is
   `REMINDERS_PER_SECOND`).

A request says its lane with `sending_as(lane)` around the call (a context variable, so
python-telegram-bot's own methods carry it), or `rate_limit_args=lane` where the limiter is
called directly (`bot.transport.post_prebuilt`). Requests without a chat id (answering a
button's spinner, the bot's profile) take no slot, as in PTB's AIORateLimiter.

The rest is as PTB's AIORateLimiter (read from its source) does it: a paid broadcast
(`allow_paid_broadcast`) is not held to the 30/s but to `PAID_MESSAGES_PER_SECOND`; a group
chat gets at most 20 messages a minute; a 429 halts every request for its retry_after + 0.1 s
and is retried, up to `RETRY_AFTER_RETRIES` times (here a halt never ends early and never
ends in a burst: the pace gives no slot before it ends). A countdown edit refused with 429 is
dropped, not retried. On top, a 5xx answer or a connection never made is retried after a
backoff (`SERVER_ERROR_BACKOFF`); a request that may have been carried out never is.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import aiohttp
import httpx
from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import BaseRateLimiter

from bot.journal import journaled
from bot.transport import PoolTimeout

logger = logging.getLogger(__name__)

# Telegram's limits (python-telegram-bot's constants.FloodLimit says the same).
MESSAGES_PER_SECOND = 30
PAID_MESSAGES_PER_SECOND = 1000
MESSAGES_PER_MINUTE_PER_GROUP = 20
# Slots the pace may give at once: two, so a slot the event loop gives a little late is made
# up with the next one, and requests never leave bunched (arriving, they may bunch a little
# more: Telegram allows a short burst).
BURST = 2
# While others wait, countdown edits get at most this share of the slots (6 of 30 a second:
# every 5-s countdown of 30 people holding), and wait at most this long for one.
COUNTDOWN_SHARE = 0.2
COUNTDOWN_WAIT = 0.5
# A 429 storm of retry_after 5 s lasting 20 s needs four retries; a few more leave room.
RETRY_AFTER_RETRIES = 8
# Waits before retrying a 5xx or a refused connection: about 7 s in all, then give up.
SERVER_ERROR_BACKOFF = (0.5, 1.5, 5.0)
# Group limiters kept before the idle ones are forgotten (as PTB's AIORateLimiter).
GROUP_LIMITERS_KEPT = 512


class Lane(IntEnum):
    """How urgent a request is: a lower lane gets the next slot first."""

    REPLY = 0
    COUNTDOWN = 1
    BROADCAST = 2


class Dropped(TelegramError):
    """A best-effort request (a countdown edit) was not sent: the budget was short."""


_lane: ContextVar[Lane] = ContextVar("send_lane", default=Lane.REPLY)


@contextlib.contextmanager
def sending_as(lane: Lane) -> Iterator[None]:
    """Requests made inside this block (in this task) go in `lane`."""
    token = _lane.set(lane)
    try:
        yield
    finally:
        _lane.reset(token)


@dataclass(order=True)
class _Waiter:
    lane: int
    order: int
    deadline: float | None = field(compare=False)
    granted: asyncio.Future[bool] = field(compare=False)


class Pace:
    """Slots at `rate` a second, at most `burst` at once, each to the most urgent waiter.

    A slot is free once the last one is `1 / rate` old, counting `burst - 1` slots of credit
    (the generic cell rate algorithm), and never while paused. Waiters are served by lane,
    then in arrival order. `clock` (seconds) and `sleep` are injectable: a test runs the pace
    on a fake clock. Only the dispatcher, one task while anyone waits, ever sleeps.
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a pace needs a rate above 0 and a burst of 1 or more")
        self.interval = 1.0 / rate
        self._credit = (burst - 1) * self.interval
        self._clock = clock
        self._sleep = sleep
        # One interval after the last slot given, in the algorithm's terms.
        self._theoretical = -math.inf
        self.paused_until = -math.inf
        self._waiting: list[_Waiter] = []
        self._order = itertools.count()
        self._dispatcher: asyncio.Task[None] | None = None

    def now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def free_at(self) -> float:
        """When the next slot is free (it may be in the past)."""
        return max(self._theoretical - self._credit, self.paused_until)

    def contended(self) -> bool:
        """Whether anyone is waiting for a slot."""
        return any(not waiter.granted.done() for waiter in self._waiting)

    def try_take(self, now: float | None = None) -> bool:
        """Take a slot if one is free now and nobody is waiting; never waits."""
        now = self.now() if now is None else now
        if self.contended() or now < self.free_at():
            return False
        self._use(now)
        return True

    def pause(self, until: float) -> None:
        """No slot before `until` (a 429's retry_after); a later pause extends it."""
        self.paused_until = max(self.paused_until, until)

    async def take(self, lane: int, *, deadline: float | None = None) -> bool:
        """Wait for a slot in `lane`; False (nothing taken) if `deadline` comes first."""
        now = self.now()
        if self.try_take(now):
            return True
        if deadline is not None and deadline < self.free_at():
            return False
        granted = asyncio.get_running_loop().create_future()
        waiter = _Waiter(lane, next(self._order), deadline, granted)
        heapq.heappush(self._waiting, waiter)
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name="send-pace")
        try:
            return await waiter.granted
        except asyncio.CancelledError:
            waiter.granted.cancel()
            raise

    def close(self) -> None:
        """Stop giving slots: whoever still waits gets NetworkError (nothing was sent)."""
        if self._dispatcher is not None:
            self._dispatcher.cancel()
        for waiter in self._waiting:
            if not waiter.granted.done():
                waiter.granted.set_exception(NetworkError("the bot is shutting down"))
        self._waiting = []

    def _use(self, now: float) -> None:
        self._theoretical = max(self._theoretical, now) + self.interval

    async def _dispatch(self) -> None:
        while self._waiting:
            now = self.now()
            self._expire(now)
            if not self._waiting:
                return
            free = self.free_at()
            if now >= free:
                waiter = heapq.heappop(self._waiting)
                self._use(now)
                waiter.granted.set_result(True)
                continue
            deadlines = [w.deadline for w in self._waiting if w.deadline is not None]
            await self._sleep(min([free, *deadlines]) - now)

    def _expire(self, now: float) -> None:
        """Forget waiters that gave up (cancelled) and answer those past their deadline."""
        kept = []
        for waiter in self._waiting:
            if waiter.granted.done():
                continue
            if waiter.deadline is not None and waiter.deadline <= now:
                waiter.granted.set_result(False)
                continue
            kept.append(waiter)
        if len(kept) != len(self._waiting):
            heapq.heapify(kept)
            self._waiting = kept


class PatientRateLimiter(BaseRateLimiter[Lane]):
    """Telegram's limits with replies first (see the module), 429s and 5xx retried.

    PTB raises a plain NetworkError for a 5xx answer or a failed connection; those requests
    were not carried out, so they are safe to repeat. A timeout, or a connection lost after
    the request was written, is not retried: the message may have arrived, and a duplicate
    is worse than a missing one (see `may_have_arrived`).
    """

    def __init__(
        self,
        rate: float | None = None,
        *,
        burst: int = BURST,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        rate = MESSAGES_PER_SECOND if rate is None else rate
        self.pace = Pace(rate, burst, clock=clock, sleep=sleep)
        # The countdown's share while others wait: its own pace, never waited for.
        self.countdown_share = Pace(rate * COUNTDOWN_SHARE, clock=clock, sleep=sleep)
        self._sleep = sleep
        self._paid = AsyncLimiter(PAID_MESSAGES_PER_SECOND, 1)
        self._groups: dict[int | str, AsyncLimiter] = {}
        # What went out in each lane, and how many countdown edits were dropped.
        self.sent: Counter[str] = Counter()
        self.dropped = 0

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        self.pace.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Lane | None,
    ) -> Any:
        lane = rate_limit_args if isinstance(rate_limit_args, Lane) else _lane.get()
        # Counted in the update's send journal once the limits let it go (bot/journal.py).
        callback = journaled(callback, endpoint, data)
        for wait in (*SERVER_ERROR_BACKOFF, None):
            try:
                return await self._within_limits(callback, args, kwargs, data, lane)
            except BadRequest as exc:
                if endpoint == "answerCallbackQuery" and _expired(exc):
                    # Pressed while we were down, or answered late: the press itself is
                    # still carried out; only the spinner's answer is lost.
                    logger.info("callback query expired before it was answered")
                    return True
                raise
            except (TimedOut, Dropped):
                raise
            except NetworkError as exc:
                # A 5xx answer or a connection never made: safe to repeat. A connection lost
                # after the request was written may have been carried out: never repeated.
                if wait is None or may_have_arrived(exc):
                    raise
                name = type(exc).__name__
                logger.warning("%s failed (%s); retrying in %s s", endpoint, name, wait)
                await self._sleep(wait)
        raise AssertionError("unreachable")

    async def _within_limits(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        data: dict[str, Any],
        lane: Lane,
    ) -> Any:
        """The request within Telegram's limits; a 429 halts all and is retried (as PTB)."""
        for attempt in range(RETRY_AFTER_RETRIES + 1):
            try:
                return await self._run(callback, args, kwargs, data, lane)
            except RetryAfter as exc:
                wait = _seconds(exc) + 0.1
                self.pace.pause(self.pace.now() + wait)
                if lane is Lane.COUNTDOWN:
                    self.dropped += 1
                    raise Dropped("a countdown edit refused with 429 is not retried") from exc
                if attempt == RETRY_AFTER_RETRIES:
                    # PTB's AIORateLimiter's words, which the operator may already search for.
                    logger.exception(
                        "Rate limit hit after maximum of %d retries",
                        RETRY_AFTER_RETRIES,
                        exc_info=exc,
                    )
                    raise
                logger.info("Rate limit hit. Retrying after %f seconds", wait)
        raise AssertionError("unreachable")

    async def _run(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        data: dict[str, Any],
        lane: Lane,
    ) -> Any:
        chat_id = _chat_id(data.get("chat_id"))
        if chat_id is None:
            await self._pause_over()
            return await callback(*args, **kwargs)
        if data.get("allow_paid_broadcast"):
            # Not held to the 30/s; Telegram still refuses more than PAID_MESSAGES_PER_SECOND.
            await self._pause_over()
            async with self._paid:
                await self._pause_over()
                self.sent["paid"] += 1
                return await callback(*args, **kwargs)
        group = self._group(chat_id) if _is_group(chat_id) else contextlib.nullcontext()
        async with group:
            if not await self._slot(lane):
                self.dropped += 1
                raise Dropped("a countdown edit was dropped: the budget was short")
            self.sent[lane.name.lower()] += 1
            return await callback(*args, **kwargs)

    async def _slot(self, lane: Lane) -> bool:
        """A slot of the pace for `lane`; False: a countdown edit that did not get one."""
        if lane is not Lane.COUNTDOWN:
            return await self.pace.take(lane)
        now = self.pace.now()
        if self.pace.try_take(now):
            self.countdown_share.try_take(now)  # counted against the share, never refused
            return True
        # Others are waiting: the budget is short, so countdown edits thin out first.
        if not self.countdown_share.try_take(now):
            return False
        return await self.pace.take(lane, deadline=now + COUNTDOWN_WAIT)

    async def _pause_over(self) -> None:
        """Wait out a 429's halt (requests that take no slot of the pace)."""
        while (left := self.pace.paused_until - self.pace.now()) > 0:
            await self._sleep(left)

    def _group(self, chat_id: int | str) -> AsyncLimiter:
        if len(self._groups) > GROUP_LIMITERS_KEPT:
            for key, limiter in list(self._groups.items()):
                if key != chat_id and limiter.has_capacity(limiter.max_rate):
                    del self._groups[key]
        limiter = self._groups.get(chat_id)
        if limiter is None:
            limiter = self._groups[chat_id] = AsyncLimiter(MESSAGES_PER_MINUTE_PER_GROUP, 60)
        return limiter


def _chat_id(value: Any) -> int | str | None:
    """The chat a request is for (an int, or a channel's @name), None for none."""
    if value is None:
        return None
    with contextlib.suppress(ValueError, TypeError):
        return int(value)
    return str(value)


def _is_group(chat_id: int | str) -> bool:
    # A negative id, or an @name (only channels and supergroups have one), as PTB tells them.
    return isinstance(chat_id, str) or chat_id < 0


def _seconds(exc: RetryAfter) -> float:
    """retry_after in seconds. Read as PTB's AIORateLimiter reads it (a timedelta since PTB
    22.2; the public attribute warns that its type will change)."""
    wait = getattr(exc, "_retry_after", None)
    if wait is None:
        wait = exc.retry_after
    return wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)


def _expired(error: BadRequest) -> bool:
    """Telegram's answer to a callback query answered too late, or twice."""
    reason = str(error).lower()
    return "query is too old" in reason or "query id is invalid" in reason


# Transport failures that prove the request never left: no connection could be made, or
# none was free in the pool (httpx's, and aiohttp's under bot.transport.AiohttpRequest).
_NEVER_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    PoolTimeout,
)


def may_have_arrived(exc: TelegramError) -> bool:
    """Whether a send that raised `exc` may still have been delivered.

    PTB raises an error of Telegram's own answer (400, 403, 409, 429 as RetryAfter, a 5xx as
    a plain NetworkError) with no cause, or from a failure to parse that answer: Telegram
    answered that it did not carry the request out, so it is safe to send again. A
    transport failure is raised from the httpx or aiohttp error behind it (bot.transport):
    TimedOut from a timeout, NetworkError from the client's other errors. Then no answer
    came, and the request may have been written and carried out (a read timeout, a
    connection dropped before the answer), unless the error proves it never left: a refused
    or timed-out connection, or no free connection in the pool. A request the limiter
    dropped (`Dropped`) never left.
    """
    cause = exc.__cause__
    if isinstance(exc, Dropped) or isinstance(cause, _NEVER_SENT):
        return False
    if isinstance(exc, TimedOut):
        return True
    return cause is not None and not isinstance(cause, TelegramError)
