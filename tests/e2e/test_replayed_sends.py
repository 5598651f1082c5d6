"""An update handled again after a crash: what its first run sent is not sent twice, and what
the handler does with those messages still works (bot/journal.py). And a hold's countdown
whose message is gone goes on in a new message.

The crash is made in the process, deterministically: the first bot's hold jobs and the write
that marks the update done die with it, as they do under kill -9; the row stays unfinished in
the inbox with its journaled sends, and the next bot on the same database handles it again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot import texts
from bot.app import build_application, running
from bot.clock import FakeClock
from bot.config import Settings
from bot.emulator.server import BotApiEmulator
from bot.handlers import holds
from bot.intake import INBOX_KEY
from tests.e2e.helpers import onboard

EDITS = ("editMessageText", "editMessageCaption", "editMessageReplyMarkup")


def _failed_edits(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    return [
        f"{r.method} {r.params.get('message_id')}: {r.description}"
        for method in EDITS
        for r in emulator.requests_for(method, chat_id)
        if r.status != 200
    ]


async def test_ready_handled_again_after_a_crash_counts_the_hold_down_and_releases(
    emulator: BotApiEmulator, settings: Settings, clock: FakeClock
) -> None:
    user = emulator.user(user_id=1701)
    first = build_application(settings, clock=clock)
    async with running(first, poll_timeout=1):
        await onboard(user)
        await user.send_text("/session")
        await user.wait_for_message("1 of ")
        inbox = first.bot_data[INBOX_KEY]

        def lost(*args: Any, **kwargs: Any) -> None:
            return None

        async def never(*args: Any, **kwargs: Any) -> None:
            return None

        with pytest.MonkeyPatch.context() as crash:
            # The process dies right after "Get ready… 3" went out: its hold never ticks
            # and the update is never marked done.
            crash.setattr(holds, "_after", lost)
            crash.setattr(inbox.repository, "finish", never)
            await user.press(texts.READY)
            await user.wait_for_message("Get ready")
            await user.wait_idle()
            assert await inbox.repository.undone(), "the crash came too late"
    stuck = user.last_message
    assert stuck is not None and stuck.text.endswith("Get ready… 3")

    second = build_application(settings, clock=clock)
    async with running(second, poll_timeout=1):
        # Handled again: the hold counts down and ends with Release, then the question.
        await user.wait_for_message("How did", timeout=10)
        await user.wait_idle()
        assert await second.bot_data[INBOX_KEY].repository.undone() == []
    shown = user.transcript
    countdowns = [
        m
        for m in shown
        if m.message_id > stuck.message_id
        and any("Get ready" in text or "Hold…" in text for text in [m.text, *m.edits])
    ]
    # The first run's message cannot be named (its id never reached the journal), so the
    # countdown goes on in one new message, edited through the hold to Release.
    assert len(countdowns) == 1, user.render_transcript()
    countdown = countdowns[0]
    assert [edit for edit in countdown.edits if "Hold…" in edit] != [], countdown.edits
    assert countdown.text == texts.HOLD_RELEASE.format(side=""), user.render_transcript()
    assert _failed_edits(emulator, user.chat_id) == []
    # Nothing else came twice: one card, one question.
    assert sum(m.text.startswith("How did") for m in shown) == 1
    assert sum("1 of 4" in (m.caption or m.text) for m in shown) == 1


async def test_a_countdown_whose_message_was_deleted_goes_on_in_a_new_one(
    emulator: BotApiEmulator, bot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same fallback when a message that was there is gone: the person deleted it."""
    user = emulator.user(user_id=1702)
    await onboard(user)
    await user.send_text("/session")
    await user.wait_for_message("1 of ")
    held: list[tuple[Any, ...]] = []
    schedule = holds._after

    def hold_first_step(*args: Any, **kwargs: Any) -> None:
        if held:
            schedule(*args, **kwargs)
        else:
            held.append((args, kwargs))

    monkeypatch.setattr(holds, "_after", hold_first_step)
    await user.press(texts.READY)
    first = await user.wait_for_message("Get ready")
    for _ in range(500):
        if held:
            break
        await asyncio.sleep(0.01)
    # Deleted before the first "Get ready" edit; then the hold runs on.
    message = emulator.state.find_message(user.chat_id, first.message_id)
    assert message is not None
    message.deleted = True
    args, kwargs = held[0]
    schedule(*args, **kwargs)
    await user.wait_for_message("How did", timeout=10)
    shown = user.transcript
    later = [m for m in shown if m.message_id > first.message_id and not m.deleted]
    countdowns = [m for m in later if any("Hold…" in edit for edit in m.edits)]
    assert len(countdowns) == 1, user.render_transcript()
    countdown = countdowns[0]
    assert countdown.text == texts.HOLD_RELEASE.format(side=""), user.render_transcript()
    # Telegram refused the one edit of the deleted message; none after it.
    assert [f.split(": ", 1)[1] for f in _failed_edits(emulator, user.chat_id)] == [
        "Bad Request: message to edit not found"
    ]
