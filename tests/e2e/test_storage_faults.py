"""Storage faults in the running bot (issue 13, point 8), deterministic: a repository call is
made to fail the way a full disk or a database that went away makes it fail.

- A Done that could not be stored is told as not saved, and pressing it again works.
- A hold's end (the move to the next side, then to the question) and the rest between sides
  are tried again, later, until the database answers; nothing is lost and nothing sleeps.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import exc as sa_exc

from bot import texts
from bot.domain.progression import ExerciseProgress
from bot.emulator.server import BotApiEmulator
from bot.handlers.common import SERVICES_KEY
from bot.intake import INBOX_KEY
from bot.storage.database import create_engine
from bot.storage.repository import Repository
from tests.e2e.helpers import hold, onboard

NOT_SAVED = "couldn't save that just now, so it isn't recorded"
SAVED_CLAIM = "Everything you've told me is saved"
LEVEL_1 = ("cat", "cow", "knee_to_chest", "partial_cobra")


def _disk_full() -> sa_exc.OperationalError:
    return sa_exc.OperationalError(
        "COMMIT", None, sqlite3.OperationalError("database or disk is full")
    )


def _failing(
    method: Callable[..., Any], times: int, caller: str | None = None
) -> Callable[..., Any]:
    """`method`, failing its next `times` calls (only those made from `caller`, if given)."""
    left = [times]

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        if left[0] and (caller is None or sys._getframe(1).f_code.co_name == caller):
            left[0] -= 1
            raise _disk_full()
        return await method(*args, **kwargs)

    wrapper.left = left  # type: ignore[attr-defined]
    return wrapper


async def test_a_done_that_could_not_be_stored_is_told_not_saved_and_can_be_pressed_again(
    emulator: BotApiEmulator, bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = emulator.user(user_id=881)
    await onboard(user)
    await user.send_text("/session")
    await user.wait_for_message("1 of ")
    await hold(user)
    repository = bot.bot_data[SERVICES_KEY].repository
    failing = _failing(repository.record_answer, 1)
    monkeypatch.setattr(repository, "record_answer", failing)
    await user.press(texts.DONE)
    told = await user.wait_for_message(NOT_SAVED)
    assert "Please try again in a few minutes" in told.text
    assert failing.left == [0]
    await user.press(texts.DONE)
    await user.wait_for_message("2 of ")
    assert not [m for m in user.transcript if SAVED_CLAIM in m.text]


async def test_a_hold_end_and_a_rest_are_tried_again_until_the_database_answers(
    emulator: BotApiEmulator,
    bot,
    database_url: str,
    clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = emulator.user(user_id=882)
    await onboard(user)
    # Level 2 with the level-1 exercises resting: exercises held on each side in turn.
    repo = Repository(create_engine(database_url))
    try:
        await repo.update_user(882, level=2)
        rest = {"removed": True, "sessions_until_return": 5, "target_hold": 15}
        items = {k: ExerciseProgress(exercise_id=k, **rest) for k in LEVEL_1}
        await repo.save_progress(882, items, dict.fromkeys(items, 10), clock.now())
    finally:
        await repo.close()
    repository = bot.bot_data[SERVICES_KEY].repository
    await user.send_text("/session")
    await user.wait_for_message("Today's session")
    while True:
        card = await user.wait_for_message(" of 3")
        if "Bird dog" in card.text or "Hip flexor" in card.text:
            break
        await hold(user)
        await user.press(texts.DONE)

    # Each hold's end fails twice; the rest between sides fails twice.
    move = _failing(repository.move, 4, caller="_record_release")
    get_session = _failing(repository.get_session, 2, caller="_after_rest")
    monkeypatch.setattr(repository, "move", move)
    monkeypatch.setattr(repository, "get_session", get_session)
    with caplog.at_level("WARNING"):
        await user.press(texts.READY)
        first = await user.wait_for_message("Get ready")
        assert first.text.startswith("Left ")
        await user.wait_for_message("Right ", timeout=15)
        await user.wait_for_message("How did", timeout=15)
    assert move.left == [0] and get_session.left == [0]
    retries = [r for r in caplog.records if "trying again" in r.getMessage()]
    assert len(retries) == 6
    # The backoff starts short and doubles.
    assert "in 0.5 s" in retries[0].getMessage() and "in 1.0 s" in retries[1].getMessage()
    await user.press(texts.DONE)
    await user.wait_for_message(" next time")
    assert not [m for m in user.transcript if NOT_SAVED in m.text or SAVED_CLAIM in m.text]


def _pool_busy(method: Callable[..., Any], times: int) -> Callable[..., Any]:
    """`method`, finding no free pooled connection for its next `times` calls."""
    left = [times]

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        if left[0]:
            left[0] -= 1
            raise sa_exc.TimeoutError("QueuePool limit reached, connection timed out")
        return await method(*args, **kwargs)

    wrapper.left = left  # type: ignore[attr-defined]
    return wrapper


@pytest.mark.parametrize("busy_times", [1, 2])
async def test_a_message_that_found_the_database_busy_is_answered_later_without_resending(
    emulator: BotApiEmulator, bot, monkeypatch: pytest.MonkeyPatch, busy_times: int
) -> None:
    """The update stays in the inbox and is handled again: the person is told so once, and
    gets the one answer when the database has room, without sending it again."""
    user = emulator.user(user_id=884 + busy_times)
    await onboard(user)
    repository = bot.bot_data[SERVICES_KEY].repository
    busy = _pool_busy(repository.streak_days, busy_times)
    monkeypatch.setattr(repository, "streak_days", busy)
    await user.send_text("/stats")
    await user.wait_for_message(texts.BUSY_WILL_ANSWER)
    # Handled again at the inbox's next ticks (every 5 s), once per try.
    await user.wait_for_message("Your progress", timeout=15 + 10 * busy_times)
    assert busy.left == [0]
    assert sum(texts.BUSY_WILL_ANSWER in m.text for m in user.transcript) == 1
    assert sum("Your progress" in m.text for m in user.transcript) == 1
    inbox = bot.bot_data[INBOX_KEY].repository
    for _ in range(50):  # marked done just after the reply went out
        if not await inbox.undone():
            break
        await asyncio.sleep(0.1)
    assert await inbox.undone() == []
