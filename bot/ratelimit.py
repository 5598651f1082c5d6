"""Telegram's limits, honoured: PTB's rate limiter, plus retries of server errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)

# A 429 storm of retry_after 5 s lasting 20 s needs four retries; a few more leave room.
RETRY_AFTER_RETRIES = 8
# Waits before retrying a 5xx or a refused connection: about 7 s in all, then give up.
SERVER_ERROR_BACKOFF = (0.5, 1.5, 5.0)


class PatientRateLimiter(AIORateLimiter):
    """AIORateLimiter (30 messages/s, 429s retried after retry_after), and 5xx retried.

    PTB raises a plain NetworkError for a 5xx answer or a failed connection; those requests
    were not carried out, so they are safe to repeat. A timeout is not retried: the message
    may have arrived, and a duplicate is worse than a late resend by the reminder lease.
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
        for wait in (*SERVER_ERROR_BACKOFF, None):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except (BadRequest, TimedOut):
                raise
            except NetworkError as exc:
                if wait is None:
                    raise
                name = type(exc).__name__
                logger.warning("%s failed (%s); retrying in %s s", endpoint, name, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")
