"""The rate limiter repeats only what cannot have been carried out, and shrugs at late answers."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import BadRequest, NetworkError

from bot import ratelimit
from bot.ratelimit import PatientRateLimiter


async def _run(limiter: PatientRateLimiter, error: Exception, endpoint: str = "sendMessage"):
    calls = 0

    async def callback(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        raise error

    try:
        return await limiter.process_request(
            callback, (), {}, endpoint, {"chat_id": 1}, None
        ), calls
    except Exception as raised:
        return raised, calls


def _from(error: Exception, cause: Exception) -> Exception:
    error.__cause__ = cause
    return error


@pytest.fixture
async def limiter(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ratelimit, "SERVER_ERROR_BACKOFF", (0.0, 0.0, 0.0))
    limiter = PatientRateLimiter()
    await limiter.initialize()
    yield limiter
    await limiter.shutdown()


async def test_a_connection_never_made_is_tried_again(limiter: PatientRateLimiter) -> None:
    error = _from(NetworkError("refused"), httpx.ConnectError("refused"))
    result, calls = await _run(limiter, error)
    assert isinstance(result, NetworkError) and calls == 4


async def test_a_5xx_answer_is_tried_again(limiter: PatientRateLimiter) -> None:
    result, calls = await _run(limiter, NetworkError("Bad Gateway"))
    assert isinstance(result, NetworkError) and calls == 4


async def test_a_connection_lost_after_sending_is_never_repeated(
    limiter: PatientRateLimiter,
) -> None:
    # The request was written; Telegram may have delivered it before the connection dropped.
    error = _from(NetworkError("read"), httpx.ReadError("connection reset"))
    result, calls = await _run(limiter, error)
    assert isinstance(result, NetworkError) and calls == 1


async def test_an_expired_callback_query_is_not_an_error(limiter: PatientRateLimiter) -> None:
    error = BadRequest("Query is too old and response timeout expired or query ID is invalid")
    result, calls = await _run(limiter, error, endpoint="answerCallbackQuery")
    assert result is True and calls == 1
    result, _ = await _run(limiter, error, endpoint="sendMessage")
    assert isinstance(result, BadRequest)
