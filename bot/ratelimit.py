"""Telegram's limits, honoured: PTB's rate limiter, plus retries of server errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
import httpx
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import AIORateLimiter

from bot.journal import journaled
from bot.transport import PoolTimeout

logger = logging.getLogger(__name__)

# A 429 storm of retry_after 5 s lasting 20 s needs four retries; a few more leave room.
RETRY_AFTER_RETRIES = 8
# Waits before retrying a 5xx or a refused connection: about 7 s in all, then give up.
SERVER_ERROR_BACKOFF = (0.5, 1.5, 5.0)


class PatientRateLimiter(AIORateLimiter):
    """AIORateLimiter (30 messages/s, 429s retried after retry_after), and 5xx retried.

    PTB raises a plain NetworkError for a 5xx answer or a failed connection; those requests
    were not carried out, so they are safe to repeat. A timeout, or a connection lost after
    the request was written, is not retried: the message may have arrived, and a duplicate
    is worse than a missing one (see `may_have_arrived`).
    """

    def __init__(self) -> None:
        super().__init__(max_retries=RETRY_AFTER_RETRIES)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        # Counted in the update's send journal once the limits let it go (bot/journal.py).
        callback = journaled(callback, endpoint, data)
        for wait in (*SERVER_ERROR_BACKOFF, None):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest as exc:
                if endpoint == "answerCallbackQuery" and _expired(exc):
                    # Pressed while we were down, or answered late: the press itself is
                    # still carried out; only the spinner's answer is lost.
                    logger.info("callback query expired before it was answered")
                    return True
                raise
            except TimedOut:
                raise
            except NetworkError as exc:
                # A 5xx answer or a connection never made: safe to repeat. A connection lost
                # after the request was written may have been carried out: never repeated.
                if wait is None or may_have_arrived(exc):
                    raise
                name = type(exc).__name__
                logger.warning("%s failed (%s); retrying in %s s", endpoint, name, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")


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
    or timed-out connection, or no free connection in the pool.
    """
    cause = exc.__cause__
    if isinstance(cause, _NEVER_SENT):
        return False
    if isinstance(exc, TimedOut):
        return True
    return cause is not None and not isinstance(cause, TelegramError)
