"""Consent before health data, /privacy, /export, /delete, and groups that store nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot import texts
from bot.emulator.server import BotApiEmulator
from bot.storage.database import create_engine
from bot.storage.models import Base
from bot.storage.repository import Repository
from tests.e2e.helpers import do_exercise, onboard

pytestmark = pytest.mark.e2e


async def _rows_about(database_url: str, user_id: int) -> dict[str, int]:
    """How many rows of each table mention the person (by user id, or session of theirs)."""
    engine = create_engine(database_url)
    counts: dict[str, int] = {}
    async with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            column = table.c.get("user_id")
            if column is None:
                column = table.c.get("person_id")  # the update inbox: whose words it holds
            if table.name == "users":
                column = table.c.id
            if column is None:
                counts[table.name] = (
                    await connection.execute(select(func.count()).select_from(table))
                ).scalar_one()
                continue
            counts[table.name] = (
                await connection.execute(
                    select(func.count()).select_from(table).where(column == user_id)
                )
            ).scalar_one()
    await engine.dispose()
    return counts


async def test_no_health_data_without_consent(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=1101)
    await user.send_text("/start")
    await user.wait_for_message("quick safety check")
    await user.press(texts.NO_NONE_APPLY)
    await user.wait_for_message("do any of these apply")
    await user.press(texts.NO_NONE_APPLY)
    question = await user.wait_for_message("keep some health information")
    assert "/export" in question.text and "/delete" in question.text
    await user.press(texts.CONSENT_NO)
    await user.wait_for_message("Without it I can't coach you")
    # A pain score typed now is not taken, let alone stored.
    await user.send_text("6")
    await user.wait_for_message(texts.CONSENT_NEEDED)
    repo = Repository(create_engine(database_url))
    assert await repo.pain_reports(1101) == []
    row = await repo.get_user(1101)
    await repo.close()
    assert row.consented_at is None and row.onboarding_step == "consent"
    # Changing their mind later works.
    await user.send_text("/start")
    again = await user.wait_for_message("keep some health information")
    await user.press(texts.CONSENT_YES, message_id=again.message_id)
    await user.wait_for_message("How much does your back hurt")


async def test_privacy_export_and_delete_leave_nothing(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    user = emulator.user(user_id=1102)
    other = emulator.user(user_id=1103)
    await onboard(other)
    await onboard(user)
    await user.send_text("/privacy")
    await user.wait_for_message("What I keep, and why")
    await user.send_text("/session")
    await do_exercise(user, "hurts", pain=4)
    await user.wait_for_message("2 of 4")
    await user.send_text("stop")
    await user.wait_for_message("Session ended")

    await user.send_text("/export")
    exported = await user.wait_for_message(texts.EXPORT_CAPTION)
    assert exported.kind == "document"
    sent = emulator.requests_for("sendDocument", chat_id=1102)[-1]
    stored = emulator.state.files[sent.result["document"]["file_id"]]
    data = json.loads(stored.content)
    assert data["user"][0]["id"] == 1102 and data["user"][0]["timezone"] == "Europe/Berlin"
    assert [r["pain"] for r in data["pain_reports"]] == [2, 4]
    assert data["exercise_results"][0]["exercise_id"] == "cat"
    assert len(data["training_sessions"]) == 1

    await user.send_text("/delete")
    await user.wait_for_message("It can't be undone")
    await user.press(texts.DELETE_NO)
    await user.wait_for_message(texts.DELETE_CANCELLED)
    assert (await _rows_about(database_url, 1102))["users"] == 1
    await user.send_text("/delete")
    question = await user.wait_for_message("It can't be undone")
    await user.press(texts.DELETE_YES, message_id=question.message_id)
    await user.wait_for_message("everything I kept about you is erased")
    counts = await _rows_about(database_url, 1102)
    assert {name: n for name, n in counts.items() if name != "media_cache"} == dict.fromkeys(
        [name for name in counts if name != "media_cache"], 0
    )
    # Nobody else lost anything.
    assert (await _rows_about(database_url, 1103))["pain_reports"] == 1
    await user.send_text("/export")
    await user.wait_for_message(texts.NOTHING_KEPT)


async def test_groups_get_a_pointer_and_nothing_is_stored(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    member = emulator.user(user_id=1104)
    group = emulator.group(chat_id=-100200)
    await group.send_text(member, "/start")
    pointer = await group.wait_for_message("only work in a private chat")
    assert "https://t.me/" in pointer.text
    await group.send_text(member, "my back hurts and I have numbness in my groin")
    await group.wait_idle()
    assert len([m for m in group.transcript if "private chat" in m.text]) == 1
    counts = await _rows_about(database_url, 1104)
    assert counts["users"] == 0
