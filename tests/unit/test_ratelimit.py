"""The rate limiter repeats only what cannot have been carried out, and shrugs at late answers."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot import ratelimit
from bot.ratelimit import Dropped, Lane, PatientRateLimiter

T = TypeVar("T")


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


# The priority pace, on a fake clock ------------------------------------------------------


class FakeTime:
    """Virtual time: the clock moves on to the next sleeper's instant once everyone waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        woken = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + max(seconds, 0.0), next(self._order), woken))
        await woken

    async def until(self, instant: float) -> None:
        await self.sleep(instant - self.now)

    async def run(self, *coroutines: Coroutine[Any, Any, T]) -> list[T]:
        """Run the coroutines to their end; whenever all of them wait, time moves on."""
        tasks = [asyncio.ensure_future(c) for c in coroutines]
        while not all(task.done() for task in tasks):
            for _ in range(20):  # let everyone who can run do so first
                await asyncio.sleep(0)
            if all(task.done() for task in tasks):
                break
            assert self._timers, "everyone waits and no clock is running: a deadlock"
            at, _, woken = heapq.heappop(self._timers)
            self.now = max(self.now, at)
            woken.set_result(None)
        return [task.result() for task in tasks]


def _paced(time: FakeTime, rate: float = 10, burst: int = 1) -> PatientRateLimiter:
    return PatientRateLimiter(rate, burst=burst, clock=time.clock, sleep=time.sleep)


async def _send(
    limiter: PatientRateLimiter,
    time: FakeTime,
    name: str,
    lane: Lane,
    log: list[tuple[str, float]],
    *,
    chat_id: int | None = 1,
    paid: bool = False,
    fail_first: Exception | None = None,
) -> str:
    """One request in `lane`; `log` gets (name, fake time) when it really goes out."""
    failures = [fail_first] if fail_first else []

    async def callback() -> bool:
        if failures:
            raise failures.pop()
        log.append((name, time.now))
        return True

    data: dict[str, object] = {"chat_id": chat_id}
    if paid:
        data["allow_paid_broadcast"] = True
    try:
        await limiter.process_request(callback, (), {}, "sendMessage", data, lane)
    except Dropped:
        return "dropped"
    return "sent"


async def test_replies_go_before_reminders_already_waiting() -> None:
    time = FakeTime()
    limiter = _paced(time)
    log: list[tuple[str, float]] = []
    sends = [_send(limiter, time, f"reminder {n}", Lane.BROADCAST, log) for n in range(5)]
    sends += [_send(limiter, time, f"reply {n}", Lane.REPLY, log) for n in range(2)]
    await time.run(*sends)
    # The first reminder found the pace free; the replies came after the other four were
    # queued, and still went next, in the order they asked.
    assert [name for name, _ in log] == [
        "reminder 0",
        "reply 0",
        "reply 1",
        "reminder 1",
        "reminder 2",
        "reminder 3",
        "reminder 4",
    ]
    # One slot each 0.1 s (10/s, no burst): nobody went early.
    assert [round(at, 6) for _, at in log] == [round(n * 0.1, 6) for n in range(7)]


async def test_reminders_take_what_replies_leave_and_never_exceed_the_limit() -> None:
    time = FakeTime()
    limiter = _paced(time, rate=10, burst=3)
    log: list[tuple[str, float]] = []

    async def broadcast() -> None:
        await asyncio.gather(
            *(_send(limiter, time, "reminder", Lane.BROADCAST, log) for _ in range(100))
        )

    async def chatting() -> None:
        # A reply wanted every half second while the broadcast goes on.
        for n in range(16):
            await time.until(n * 0.5)
            await _send(limiter, time, "reply", Lane.REPLY, log)

    await time.run(broadcast(), chatting())
    replies = [at for name, at in log if name == "reply"]
    # Each reply went within one slot of being asked for, whatever was queued.
    assert all(at - n * 0.5 <= 0.1 + 1e-9 for n, at in enumerate(replies))
    # Reminders got every other slot: 100 reminders and 16 replies at 10/s, in 11.6 s.
    instants = [at for _, at in log]
    assert len(instants) == 116
    assert max(instants) == pytest.approx(11.6 - 0.1 * 3, abs=0.11)
    # Never more than 10 in any second, beyond the 3-slot burst at the start.
    for start in instants:
        assert sum(1 for at in instants if start <= at < start + 1) <= 10 + 2


async def test_countdown_edits_thin_out_when_others_wait_and_are_never_sent_late() -> None:
    time = FakeTime()
    limiter = _paced(time, rate=10)
    log: list[tuple[str, float]] = []
    outcomes: list[str] = []

    async def countdowns(start: float = 0.0) -> None:
        # 5 edits a second for 10 s, each by itself (as each hold's job sends its own).
        edits = []
        for n in range(50):
            await time.until(start + n * 0.2)
            asked = time.now
            edits.append(
                asyncio.create_task(_send(limiter, time, f"edit {asked}", Lane.COUNTDOWN, log))
            )
        outcomes.extend(await asyncio.gather(*edits))

    broadcast = [_send(limiter, time, "reminder", Lane.BROADCAST, log) for _ in range(100)]
    await time.run(countdowns(), *broadcast)
    sent = [(float(name.split()[1]), at) for name, at in log if name.startswith("edit")]
    # While reminders waited, countdown edits got their share (a fifth of 10/s: 2/s, and a
    # burst of one), not the 5/s asked for: the rest were dropped, none queued.
    assert outcomes.count("sent") == len(sent)
    assert 16 <= len(sent) <= 24, len(sent)
    assert outcomes.count("dropped") == 50 - len(sent)
    # Those sent went ahead of the reminders waiting: within a slot of being asked.
    assert all(at - asked <= 0.1 + 1e-9 for asked, at in sent)
    # With nothing else waiting, every countdown edit goes.
    outcomes.clear()
    await time.run(countdowns(start=20.0))
    assert outcomes == ["sent"] * 50


async def test_a_countdown_edit_crowded_out_by_replies_is_dropped_at_its_wait() -> None:
    time = FakeTime()
    limiter = _paced(time, rate=10)
    log: list[tuple[str, float]] = []
    replies = [_send(limiter, time, "reply", Lane.REPLY, log) for _ in range(20)]
    results = await time.run(
        *replies[:1], _send(limiter, time, "edit", Lane.COUNTDOWN, log), *replies[1:]
    )
    assert results[1] == "dropped"
    assert [name for name, _ in log] == ["reply"] * 20
    assert limiter.dropped == 1


async def test_a_429_halts_every_lane_for_retry_after_and_is_retried() -> None:
    time = FakeTime()
    limiter = _paced(time, rate=10)
    log: list[tuple[str, float]] = []
    results = await time.run(
        _send(limiter, time, "reminder", Lane.BROADCAST, log, fail_first=RetryAfter(2)),
        _send(limiter, time, "reply", Lane.REPLY, log),
        _send(limiter, time, "no chat", Lane.REPLY, log, chat_id=None),
    )
    # Nothing goes during the 2.1 s halt the 429 asked for, not even a request that takes no
    # slot; then the reply first, and the refused reminder is sent again.
    assert results == ["sent"] * 3
    assert log == [("no chat", 2.1), ("reply", 2.1), ("reminder", pytest.approx(2.2))]
    assert limiter.dropped == 0


async def test_a_countdown_edit_refused_with_429_is_dropped_not_retried() -> None:
    time = FakeTime()
    limiter = _paced(time, rate=10)
    log: list[tuple[str, float]] = []
    results = await time.run(
        _send(limiter, time, "edit", Lane.COUNTDOWN, log, fail_first=RetryAfter(3)),
        _send(limiter, time, "reply", Lane.REPLY, log),
    )
    assert results == ["dropped", "sent"]
    assert log == [("reply", 3.1)]
    assert limiter.dropped == 1


async def test_paid_broadcasts_are_not_held_to_the_pace() -> None:
    time = FakeTime()
    limiter = _paced(time, rate=10)
    log: list[tuple[str, float]] = []
    await time.run(
        *(_send(limiter, time, "reminder", Lane.BROADCAST, log) for _ in range(5)),
        *(_send(limiter, time, "paid", Lane.BROADCAST, log, paid=True) for _ in range(50)),
    )
    paid = [at for name, at in log if name == "paid"]
    assert paid == [0.0] * 50
    assert limiter.sent["paid"] == 50 and limiter.sent["broadcast"] == 5
