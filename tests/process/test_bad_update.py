"""One update python-telegram-bot cannot read never stops everyone, and never reaches the log.

The bot runs as `python -m bot` (polling) against the emulator. Three updates are queued at
once, so they arrive in one getUpdates batch: a good /start from one person, a message whose
sender has no `first_name` (PTB's `Update.de_json` raises on it), and a good /start from
another person. Both people must be answered, the offset must move past the bad update, the
log must stay short, and the bad update's text must not be in it.
"""

from __future__ import annotations

import copy
import time
import uuid

from bot.emulator.server import BotApiEmulator
from bot.emulator.users import ScriptedUser
from tests.process.harness import Bots, eventually

WELCOME = "I'm backcoach"


def _queue_start(emulator: BotApiEmulator, user: ScriptedUser) -> int:
    """Queue a /start from `user` without yielding to the event loop; its update_id."""
    body = {"text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
    stored = emulator.state.add_message(
        user.chat_id, {"from": user.user, **body}, from_bot=False, kind="text", text="/start"
    )
    update = emulator.state.enqueue(user.chat_id, {"message": copy.deepcopy(stored.data)})
    return update["update_id"]


async def test_an_unreadable_update_is_skipped_and_everyone_else_answered(
    emulator: BotApiEmulator, database_url: str, bots: Bots
) -> None:
    bot = await bots.start(emulator, database_url)
    ready_lines = len(bot.log().splitlines())
    marker = f"private-words-{uuid.uuid4().hex}"
    first, stranger, second = emulator.user(801), emulator.user(802), emulator.user(803)

    # No await in between: one batch.
    _queue_start(emulator, first)
    bad_id = emulator.state.enqueue(
        stranger.chat_id,
        {
            "message": {
                "message_id": 1,
                "from": {"id": 802, "is_bot": False, "last_name": f"{marker}-name"},
                "chat": {"id": 802, "type": "private"},
                "date": int(time.time()),
                "text": marker,
            }
        },
    )["update_id"]
    _queue_start(emulator, second)

    await first.wait_for_message(WELCOME, timeout=15)
    await second.wait_for_message(WELCOME, timeout=15)
    await eventually(
        lambda: any(
            int(request.params.get("offset") or 0) > bad_id
            for request in emulator.requests_for("getUpdates")
        ),
        10,
        "a getUpdates with an offset past the unreadable update",
        bots=bots,
    )
    assert emulator.requests_for(chat_id=802) == []  # nobody answers what cannot be read

    log = bot.log()
    new_lines = log.splitlines()[ready_lines:]
    assert len(new_lines) < 100, f"{len(new_lines)} log lines:\n" + "\n".join(new_lines[:20])
    assert marker not in log, next(line for line in log.splitlines() if marker in line)
    assert f"update {bad_id}" in log, "\n".join(new_lines)
