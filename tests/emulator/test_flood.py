"""The emulator's opt-in flood limit answers 429 as Telegram does, and counts paid messages.

Off by default (every other test sends as fast as it likes). On, it refuses what Telegram
refuses: past ~30 messages a second in all or ~1 a second in one chat (after a short burst),
with 429 and retry_after. A send with allow_paid_broadcast goes past the 30 a second (up to
1,000) for 0.1 Stars, and is still held to the limit per chat.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest
from telegram import Bot
from telegram.error import RetryAfter

from bot.emulator import BotApiEmulator, FloodLimit

PEOPLE = range(1_000, 1_100)


async def _send(
    client: httpx.AsyncClient, emu: BotApiEmulator, chat_id: int, **extra: Any
) -> tuple[int, dict[str, Any]]:
    response = await client.post(
        f"{emu.base_url}{emu.token}/sendMessage", json={"chat_id": chat_id, "text": "hi", **extra}
    )
    return response.status_code, response.json()


@pytest.fixture
async def strict() -> Any:
    async with BotApiEmulator(flood_limit=FloodLimit()) as emu:
        for chat_id in PEOPLE:
            emu.user(chat_id)
        yield emu


async def test_without_the_opt_in_nothing_is_refused() -> None:
    async with BotApiEmulator() as emu, httpx.AsyncClient(trust_env=False) as client:
        for chat_id in PEOPLE:
            emu.user(chat_id)
        answers = await asyncio.gather(*(_send(client, emu, chat_id) for chat_id in PEOPLE))
    assert {status for status, _ in answers} == {200}


async def test_a_broadcast_fired_at_once_is_refused_past_the_burst(strict: BotApiEmulator) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        answers = await asyncio.gather(*(_send(client, strict, chat_id) for chat_id in PEOPLE))
    refused = [body for status, body in answers if status == 429]
    # A burst of 10 goes, and 30 a second after it; the rest are refused, as Telegram does.
    arrivals = [r.timestamp for r in strict.requests_for("sendMessage")]
    allowed = 10 + 30 * (max(arrivals) - min(arrivals))
    let_through = sum(1 for status, _ in answers if status == 200)
    assert 10 <= let_through <= allowed + 1, (let_through, allowed)
    assert len(refused) == 100 - let_through
    assert refused[0]["description"].startswith("Too Many Requests: retry after ")
    assert refused[0]["parameters"]["retry_after"] >= 1
    # What the chats hold: only the messages let through.
    delivered = sum(len(strict.state.messages.get(chat_id, [])) for chat_id in PEOPLE)
    assert delivered == let_through


async def test_paced_at_30_a_second_everything_goes(strict: BotApiEmulator) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        for n, chat_id in enumerate(PEOPLE[:45]):
            status, _ = await _send(client, strict, chat_id)
            assert status == 200, n
            await asyncio.sleep(1 / 29)


async def test_one_chat_gets_a_burst_then_about_one_a_second(strict: BotApiEmulator) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        answers = [await _send(client, strict, PEOPLE[0]) for _ in range(7)]
        assert [status for status, _ in answers] == [200] * 5 + [429] * 2
        await asyncio.sleep(1.05)
        assert (await _send(client, strict, PEOPLE[0]))[0] == 200
        # Another chat was never held back by this one.
        assert (await _send(client, strict, PEOPLE[1]))[0] == 200


async def test_paid_broadcasts_go_past_30_a_second_and_cost_a_tenth_of_a_star(
    strict: BotApiEmulator,
) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        paid = await asyncio.gather(
            *(_send(client, strict, chat_id, allow_paid_broadcast=True) for chat_id in PEOPLE)
        )
        assert {status for status, _ in paid} == {200}
        assert strict.paid_messages == 100 and strict.stars_charged == Decimal("10.0")
        # They did not use the free budget, and the limit per chat still holds for them.
        assert (await _send(client, strict, PEOPLE[0]))[0] == 200
        again = [
            await _send(client, strict, PEOPLE[1], allow_paid_broadcast=True) for _ in range(6)
        ]
        assert [status for status, _ in again][-1] == 429
    # Free messages cost nothing.
    assert strict.paid_messages == 100 + 4


async def test_ptb_sends_allow_paid_broadcast_and_reads_the_429(strict: BotApiEmulator) -> None:
    async with Bot(strict.token, base_url=strict.base_url) as bot:
        await bot.send_message(PEOPLE[0], "paid", allow_paid_broadcast=True)
        assert strict.paid_messages == 1
        with pytest.raises(RetryAfter):
            for _ in range(10):
                await bot.send_message(PEOPLE[1], "free")
    sent = strict.requests_for("sendMessage", chat_id=PEOPLE[0])
    assert sent[0].params["allow_paid_broadcast"] is True
