"""The update inbox: stored once by update_id, claimed by one process, done, released, pruned.

Against both backends (the SQL differs: ON CONFLICT and claims with SKIP LOCKED on
PostgreSQL). The processes that use the inbox are tested in tests/process/test_inbox.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram import Chat, Message, Update, User

from bot.intake import Inbox, is_bare
from bot.journal import JOURNAL, UNKNOWN_MESSAGE_ID, SendJournal, journaled
from bot.storage.database import create_engine, migrate
from bot.storage.direct import Statements
from bot.storage.inbox import InboxRepository, StoredUpdate
from bot.updates import PerUserUpdateProcessor

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def _stored(update_id: int, person: int = 7) -> StoredUpdate:
    return StoredUpdate(update_id, person, json.dumps({"update_id": update_id}))


@pytest.fixture(params=["driver", "engine"])
async def inbox(
    database_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[InboxRepository]:
    """The repository with its hot writes on the driver (as the bot runs it) or the engine."""
    await migrate(database_url)
    engine = create_engine(database_url)
    direct = (
        Statements(engine, pool_size=2, pool_timeout=5.0) if request.param == "driver" else None
    )
    lock = asyncio.Lock() if database_url.startswith("sqlite") else None
    yield InboxRepository(engine, lock, direct=direct)
    if direct is not None:
        await direct.close()
    await engine.dispose()


async def test_an_update_stored_twice_is_new_once(inbox: InboxRepository) -> None:
    assert await inbox.add([_stored(1), _stored(2), _stored(2)], "a", NOW) == {1, 2}
    assert await inbox.add([_stored(2), _stored(3)], "b", NOW) == {3}
    assert await inbox.undone() == [1, 2, 3]


async def test_done_rows_are_not_claimed_and_are_pruned_after_a_day(
    inbox: InboxRepository,
) -> None:
    await inbox.add([_stored(1), _stored(2)], "dead", NOW)
    await inbox.finish([1], NOW)
    await inbox.finish([1], NOW + timedelta(hours=1))  # twice: the first time counts
    taken = await inbox.claim("new", NOW, stale_before=None)
    assert [row.update_id for row in taken] == [2]
    assert await inbox.prune(NOW - timedelta(seconds=1)) == 0
    assert await inbox.prune(NOW + timedelta(seconds=1)) == 1
    assert await inbox.undone() == [2]


async def test_a_live_claim_is_left_alone_until_its_lease_lapses(inbox: InboxRepository) -> None:
    await inbox.add([_stored(3), _stored(1), _stored(2)], "other", NOW)
    lease = timedelta(seconds=15)
    later = NOW + timedelta(seconds=10)
    # Renewed by its (live) owner: nothing to take.
    await inbox.renew("other", later)
    assert await inbox.claim("me", later, stale_before=later - lease) == []
    # Its owner stopped renewing: taken, oldest first, and then it is ours.
    much_later = later + lease + timedelta(seconds=1)
    taken = await inbox.claim("me", much_later, stale_before=much_later - lease)
    assert [row.update_id for row in taken] == [1, 2, 3]
    assert taken[0].person_id == 7 and json.loads(taken[0].payload) == {"update_id": 1}
    assert await inbox.claim("third", much_later, stale_before=much_later - lease) == []


async def test_released_rows_go_to_the_next_process_at_once(inbox: InboxRepository) -> None:
    await inbox.add([_stored(1), _stored(2)], "stopping", NOW)
    await inbox.finish([2], NOW)
    assert await inbox.release("stopping") == 1
    taken = await inbox.claim("next", NOW, stale_before=NOW - timedelta(seconds=15))
    assert [row.update_id for row in taken] == [1]


async def test_forget_deletes_only_that_persons_rows(inbox: InboxRepository) -> None:
    await inbox.add([_stored(1, person=7), _stored(2, person=8), _stored(3, person=7)], "a", NOW)
    await inbox.finish([1], NOW)
    await inbox.forget(7)
    assert await inbox.undone() == [2]
    assert await inbox.prune(NOW + timedelta(days=2)) == 0


def _message(update_id: int, user_id: int, text: str = "hi") -> dict:
    user = User(user_id, "someone", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, NOW, chat, from_user=user, text=text)
    return Update(update_id, message=message).to_dict()


async def test_a_batch_hands_on_new_updates_and_bare_ones_for_the_rest(
    inbox: InboxRepository,
) -> None:
    runtime = Inbox(inbox, now=lambda: NOW)
    unreadable = {"update_id": 3, "message": {"message_id": 1, "from": {"id": 9}}}
    first = await runtime.store_batch([_message(1, 7), _message(2, 8), unreadable])
    assert [data for data, _ in first] == [_message(1, 7), _message(2, 8), {"update_id": 3}]
    assert [update.update_id for _, update in first] == [1, 2, 3]
    assert [is_bare(update) for _, update in first] == [False, False, True]
    assert first[0][1].message is not None and first[0][1].message.text == "hi"
    # Fetched again (the offset was never confirmed): confirmed, not handled again.
    again = await runtime.store_batch([_message(2, 8), _message(4, 7)])
    assert [data for data, _ in again] == [{"update_id": 2}, _message(4, 7)]
    assert await inbox.undone() == [1, 2, 4]  # an unreadable update is not kept
    assert is_bare(again[0][1])
    assert not is_bare(again[1][1])
    # Marked done when handled; a bare one never marks anything.
    await runtime.finished(again[0][1])
    await runtime.finished(first[0][1])
    assert await inbox.undone() == [2, 4]


async def test_a_stop_leaves_what_was_not_started_and_cuts_what_runs_too_long() -> None:
    finished: list[int] = []

    async def mark(update: object) -> None:
        assert isinstance(update, Update)
        finished.append(update.update_id)

    processor = PerUserUpdateProcessor(finished=mark, stop_grace=0.2)
    quick_started, slow_started = asyncio.Event(), asyncio.Event()
    ran: list[int] = []

    async def handle(update_id: int, seconds: float, started: asyncio.Event | None) -> None:
        if started:
            started.set()
        await asyncio.sleep(seconds)
        ran.append(update_id)

    def update(update_id: int, person: int) -> Update:
        return Update.de_json(_message(update_id, person), None)

    tasks = [
        # Person 7: one that finishes within the grace, then one not started by the stop.
        asyncio.create_task(processor.process_update(update(1, 7), handle(1, 0.1, quick_started))),
        asyncio.create_task(processor.process_update(update(2, 7), handle(2, 0, None))),
        # Person 8: one that would take far longer than the grace.
        asyncio.create_task(processor.process_update(update(3, 8), handle(3, 30, slow_started))),
    ]
    await quick_started.wait()
    await slow_started.wait()
    processor.stop_soon()
    async with asyncio.timeout(2):
        await asyncio.gather(*tasks)
    assert ran == [1] and finished == [1]
    # After the stop nothing new starts.
    await processor.process_update(update(4, 9), handle(4, 0, None))
    assert ran == [1] and finished == [1]


async def test_updates_posted_at_once_are_stored_together_and_a_duplicate_is_new_once(
    inbox: InboxRepository,
) -> None:
    runtime = Inbox(inbox, now=lambda: NOW)
    writes: list[int] = []
    add = inbox.add

    async def counted(updates: list[StoredUpdate], owner: str, now: datetime) -> set[int]:
        writes.append(len(updates))
        return await add(updates, owner, now)

    inbox.add = counted  # type: ignore[method-assign]
    updates = [Update.de_json(_message(n, 7 + n), None) for n in (1, 2, 3, 2)]
    new = await asyncio.gather(*(runtime.store(u.to_dict(), u) for u in updates))
    assert new == [True, True, True, False]  # the second POST of update 2 is not handled
    assert writes == [4]  # one transaction
    await asyncio.gather(*(runtime.finished(u) for u in updates[:3]))
    assert await inbox.undone() == []


async def test_sends_keep_the_messages_telegram_answered_and_a_count_never_goes_down(
    inbox: InboxRepository,
) -> None:
    await inbox.add([_stored(1), _stored(2)], "dead", NOW)
    first = '{"1":{"message_id":41}}'
    # One group write: update 1's run stored counts 1 to 3, the answer riding with count 2.
    await inbox.record_sends([(1, 1, None), (2, 1, None), (1, 2, first), (1, 3, None)])
    await inbox.record_sends([(1, 2, '{"stale":1}')])  # late and lower: ignored
    taken = {row.update_id: row for row in await inbox.claim("new", NOW, stale_before=None)}
    assert (taken[1].sends, taken[1].sent_messages) == (3, first)
    assert (taken[2].sends, taken[2].sent_messages) == (1, None)


class _Application:
    """What `Inbox.replay` uses of PTB's Application: the bot and the update queue."""

    class _Bot:
        def insert_callback_data(self, update: Update) -> None:
            return None

    def __init__(self) -> None:
        self.bot = self._Bot()
        self.update_queue: asyncio.Queue[Update] = asyncio.Queue()


async def _sends(journal: SendJournal, answer_ids: list[int]) -> list[Any]:
    """sendMessage once per id in one run of the update's handlers; what each returned."""
    token = JOURNAL.set(journal)
    results = []
    try:
        for message_id in answer_ids:

            async def request(message_id: int = message_id) -> dict[str, Any]:
                return {"message_id": message_id, "date": 1, "chat": {"id": 7, "type": "private"}}

            results.append(await journaled(request, "sendMessage", {"chat_id": 7})())
    finally:
        JOURNAL.reset(token)
    return results


async def test_an_update_handled_again_after_a_crash_gets_the_messages_its_first_run_sent(
    inbox: InboxRepository,
) -> None:
    first = Inbox(inbox, now=lambda: NOW)
    update = Update.de_json(_message(1, 7), None)
    assert await first.store(update.to_dict(), update)
    journal = first.begin(update)
    assert journal is not None and not journal.again
    # The first run sends two messages, then the process dies: never marked done.
    await _sends(journal, [41, 42])

    second = Inbox(inbox, now=lambda: NOW + timedelta(minutes=1))
    application = _Application()
    assert await second.replay(application) == 1  # type: ignore[arg-type]
    again = second.begin(application.update_queue.get_nowait())
    assert again is not None and again.again and again.skip == 2
    results = await _sends(again, [0, 0, 43])
    # Message 41's id rode with the count before the second send; 42's answer came after
    # the last write, so its id is unknown; the third send goes out.
    assert [result["message_id"] for result in results] == [41, UNKNOWN_MESSAGE_ID, 43]
    assert results[0]["chat"] == {"id": 7, "type": "private"}


async def test_an_update_put_off_by_a_busy_database_keeps_every_message_it_sent(
    inbox: InboxRepository,
) -> None:
    runtime = Inbox(inbox, now=lambda: NOW)
    update = Update.de_json(_message(1, 7), None)
    await runtime.store(update.to_dict(), update)
    journal = runtime.begin(update)
    assert journal is not None
    await _sends(journal, [41, 42])
    assert runtime.retry_later(update, journal)
    again = runtime.begin(update)
    assert again is not None and again.again
    # Handled again in the same process: the last message's id is known too.
    assert [r["message_id"] for r in await _sends(again, [0, 0, 43])] == [41, 42, 43]
