"""The send journal: a second run of an update skips what the first one sent, nothing else."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.journal import JOURNAL, SendJournal, drain, is_seen, journaled


def test_only_what_a_person_sees_counts() -> None:
    assert is_seen("sendMessage") and is_seen("editMessageText") and is_seen("deleteMessage")
    assert is_seen("sendPhoto") and is_seen("copyMessage")
    assert not is_seen("answerCallbackQuery") and not is_seen("sendChatAction")
    assert not is_seen("getUpdates") and not is_seen("setMyCommands")


async def _run(skip: int, endpoints: list[str]) -> tuple[list[Any], list[str], list[int]]:
    """Send `endpoints` in one update's run; (results, requests made, counts stored)."""
    stored: list[int] = []
    made: list[str] = []

    async def store(update_id: int, sends: int) -> None:
        stored.append(sends)

    journal = SendJournal(7, skip, store)
    token = JOURNAL.set(journal)
    results = []
    try:
        for endpoint in endpoints:

            async def request(endpoint: str = endpoint) -> Any:
                made.append(endpoint)
                return {"sent": endpoint}

            results.append(await journaled(request, endpoint, {"chat_id": 5})())
    finally:
        JOURNAL.reset(token)
    return results, made, stored


async def test_a_first_run_stores_each_count_before_it_sends() -> None:
    _, made, stored = await _run(0, ["sendMessage", "answerCallbackQuery", "sendMessage"])
    assert made == ["sendMessage", "answerCallbackQuery", "sendMessage"]
    assert stored == [1, 2]


async def test_a_second_run_skips_what_the_first_sent_and_sends_the_rest() -> None:
    results, made, stored = await _run(2, ["sendMessage", "editMessageText", "sendMessage"])
    assert made == ["sendMessage"]
    assert stored == [3]
    assert results[0]["message_id"] == 0 and results[0]["chat"]["id"] == 5
    assert results[1] is True


async def test_sends_from_another_task_are_not_the_updates() -> None:
    stored: list[int] = []

    async def store(update_id: int, sends: int) -> None:
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

    async def store(update_id: int, sends: int) -> None:
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
