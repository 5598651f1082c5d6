"""The update processor: people run concurrently, each person's own updates in order."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.updates import PerUserUpdateProcessor


def _update(update_id: int, user_id: int) -> Update:
    user = User(user_id, "someone", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, None, chat, from_user=user, text="hi")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_one_person_in_order_others_not_held_up() -> None:
    processor = PerUserUpdateProcessor(max_concurrent_updates=64)
    log: list[tuple[str, int]] = []
    slow_started = asyncio.Event()

    async def handle(update_id: int, user_id: int, delay: float) -> None:
        if delay:
            slow_started.set()
        log.append(("start", update_id))
        await asyncio.sleep(delay)
        log.append(("end", update_id))

    tasks = [
        asyncio.create_task(processor.process_update(_update(1, 7), handle(1, 7, 0.2))),
        asyncio.create_task(processor.process_update(_update(2, 7), handle(2, 7, 0))),
        asyncio.create_task(processor.process_update(_update(3, 8), handle(3, 8, 0))),
    ]
    await asyncio.gather(*tasks)
    # Person 8 finished while person 7's slow first update was still running...
    assert log.index(("end", 3)) < log.index(("end", 1))
    # ...and person 7's second update waited for their first.
    assert log.index(("end", 1)) < log.index(("start", 2))
    # Locks of people with nothing in flight are forgotten.
    assert processor._locks == {} and processor._users == {}


async def test_many_updates_of_one_person_keep_their_order() -> None:
    processor = PerUserUpdateProcessor()
    seen: list[int] = []

    async def handle(n: int) -> None:
        await asyncio.sleep(0.001 * (n % 3))
        seen.append(n)

    await asyncio.gather(*(processor.process_update(_update(n, 9), handle(n)) for n in range(50)))
    assert seen == list(range(50))
