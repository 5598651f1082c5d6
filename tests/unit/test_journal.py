"""The send journal: a second run of an update skips what the first one sent, nothing else."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.journal import (
    JOURNAL,
    UNKNOWN_MESSAGE_ID,
    SendJournal,
    drain,
    handled_again,
    is_known,
    is_seen,
    journaled,
)


def test_only_what_a_person_sees_counts() -> None:
    assert is_seen("sendMessage") and is_seen("editMessageText") and is_seen("deleteMessage")
    assert is_seen("sendPhoto") and is_seen("copyMessage")
    assert not is_seen("answerCallbackQuery") and not is_seen("sendChatAction")
    assert not is_seen("getUpdates") and not is_seen("setMyCommands")


def _answer(endpoint: str, message_id: int) -> Any:
    """What Telegram answers `endpoint` with: a message for a send, True for an edit."""
    if endpoint.startswith("send") and endpoint != "sendChatAction":
        return {"message_id": message_id, "date": 1_700_000_000 + message_id,
                "chat": {"id": 5, "type": "private"}, "text": "words of theirs"}  # fmt: skip
    return True


async def _run(
    skip: int, endpoints: list[str], earlier: dict[int, Any] | None = None
) -> tuple[list[Any], list[str], list[tuple[int, dict[int, Any] | None]]]:
    """Send `endpoints` in one update's run; (results, requests made, writes: count and the
    messages Telegram answered so far, None when no new one)."""
    stored: list[tuple[int, dict[int, Any] | None]] = []
    made: list[str] = []

    async def store(update_id: int, sends: int, answers: dict[int, Any] | None) -> None:
        stored.append((sends, answers))

    journal = SendJournal(7, skip, store, earlier=earlier or {})
    token = JOURNAL.set(journal)
    results = []
    try:
        for endpoint in endpoints:

            async def request(endpoint: str = endpoint) -> Any:
                made.append(endpoint)
                return _answer(endpoint, 10 + len(made))

            results.append(await journaled(request, endpoint, {"chat_id": 5})())
    finally:
        JOURNAL.reset(token)
    return results, made, stored


async def test_a_first_run_stores_each_count_before_it_sends() -> None:
    _, made, stored = await _run(0, ["sendMessage", "answerCallbackQuery", "sendMessage"])
    assert made == ["sendMessage", "answerCallbackQuery", "sendMessage"]
    assert [sends for sends, _ in stored] == [1, 2]


async def test_a_second_run_skips_what_the_first_sent_and_sends_the_rest() -> None:
    results, made, stored = await _run(2, ["sendMessage", "editMessageText", "sendMessage"])
    assert made == ["sendMessage"]
    assert [sends for sends, _ in stored] == [3]
    assert results[0]["message_id"] == UNKNOWN_MESSAGE_ID and results[0]["chat"]["id"] == 5
    assert results[1] is True


async def test_what_telegram_answered_a_send_is_stored_with_the_next_count() -> None:
    endpoints = ["sendMessage", "editMessageText", "sendPhoto", "sendMessage"]
    _, _, stored = await _run(0, endpoints)
    first = {"message_id": 11, "date": 1_700_000_011, "chat": {"id": 5, "type": "private"}}
    third = {"message_id": 13, "date": 1_700_000_013, "chat": {"id": 5, "type": "private"}}
    # Each write carries the messages answered since the last one (an edit answers none):
    # no write of its own, and never the message's text.
    assert stored == [(1, None), (2, {1: first}), (3, None), (4, {1: first, 3: third})]


async def test_a_second_run_is_handed_the_messages_the_first_one_sent() -> None:
    first = {"message_id": 11, "date": 1_700_000_011, "chat": {"id": 5, "type": "private"}}
    endpoints = ["sendMessage", "editMessageText", "sendMessage", "sendMessage"]
    results, made, stored = await _run(3, endpoints, earlier={1: first})
    assert made == ["sendMessage"]
    # The first send: the message Telegram answered the first run, as it was.
    assert results[0] == first
    # The third: its answer never reached the journal (the crash came first): unknown.
    assert results[2]["message_id"] == UNKNOWN_MESSAGE_ID and results[2]["chat"]["id"] == 5
    assert not is_known(results[2]["message_id"]) and is_known(results[0]["message_id"])
    assert results[3]["message_id"] == 11  # sent now (the fake answers count from 11)
    assert stored == [(4, None)]  # what the first run stored stays; nothing new yet


async def test_sends_from_another_task_are_not_the_updates() -> None:
    stored: list[int] = []

    async def store(update_id: int, sends: int, answers: dict[int, Any] | None) -> None:
        stored.append(sends)

    journal = SendJournal(7, 5, store)
    JOURNAL.set(journal)

    async def request() -> str:
        return "sent"

    # A job the handler scheduled runs in its own task, with a copy of the context.
    async def job() -> str:
        return await journaled(request, "sendMessage", {})()

    result = await asyncio.create_task(job())
    assert result == "sent" and stored == []
    journal.close()
    assert await journaled(request, "sendMessage", {})() == "sent"  # after the handlers: not
    assert stored == []


async def test_a_counted_send_finishes_even_when_its_handler_is_cancelled() -> None:
    arrived: list[str] = []
    go = asyncio.Event()

    async def store(update_id: int, sends: int, answers: dict[int, Any] | None) -> None:
        return None

    async def request() -> str:
        await go.wait()
        arrived.append("sendMessage")
        return "sent"

    async def handler() -> None:
        JOURNAL.set(SendJournal(7, 0, store))
        await journaled(request, "sendMessage", {})()

    task = asyncio.create_task(handler())
    await asyncio.sleep(0.01)
    task.cancel()
    go.set()
    assert await drain(1.0) == 0
    assert arrived == ["sendMessage"]


async def test_a_handler_can_tell_its_update_is_handled_again() -> None:
    async def store(update_id: int, sends: int, answers: dict[int, Any] | None) -> None:
        return None

    assert not handled_again()  # outside any update
    token = JOURNAL.set(SendJournal(7, 0, store))
    assert not handled_again()
    JOURNAL.reset(token)
    token = JOURNAL.set(SendJournal(7, 0, store, again=True))
    assert handled_again()
    JOURNAL.reset(token)


SENDS = ["sendMessage", "sendPhoto", "editMessageText", "deleteMessage", "answerCallbackQuery"]


@settings(max_examples=200, deadline=None)
@given(endpoints=st.lists(st.sampled_from(SENDS), max_size=8), crash=st.integers(0, 8))
def test_a_replayed_send_gets_its_message_unless_the_crash_came_before_the_next_write(
    endpoints: list[str], crash: int
) -> None:
    """Whatever the handler sends, and whichever write the crash follows: nothing seen is
    sent twice or left out, and each skipped send is handed the message its first run got,
    unless it was the last send before the crash (no write came after its answer)."""

    async def both_runs() -> None:
        _, first_made, writes = await _run(0, endpoints)
        assert first_made == endpoints
        # The database after the crash: the count and messages of the writes before it.
        kept = writes[: min(crash, len(writes))]
        skip = kept[-1][0] if kept else 0
        earlier: dict[int, Any] = {}
        for _, answers in kept:
            earlier = answers if answers is not None else earlier
        results, made, _ = await _run(skip, endpoints, earlier=earlier)
        number = 0
        expected_made = []
        for position, (endpoint, result) in enumerate(zip(endpoints, results, strict=True)):
            if is_seen(endpoint):
                number += 1
            if not is_seen(endpoint) or number > skip:
                expected_made.append(endpoint)
                continue
            if endpoint.startswith("send"):
                # The first run's answer ids count from 11, one per request, in order.
                real = 11 + position
                assert result["message_id"] == (real if number < skip else UNKNOWN_MESSAGE_ID)
            else:
                assert result is True
        assert made == expected_made

    asyncio.run(both_runs())
