"""Scripted steps shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot import texts
from bot.emulator.users import ChatMessage, ScriptedUser
from bot.storage.database import create_engine
from bot.storage.repository import Repository


async def answer_safety_screen(user: ScriptedUser) -> None:
    """/start, the welcome with its one disclaimer, "none of these" twice, and consent."""
    await user.send_text("/start")
    welcome = await user.wait_for_message("I'm backcoach")
    assert "not a diagnosis" in welcome.text
    await user.wait_for_message("quick safety check")
    await user.press(texts.NO_NONE_APPLY)
    await user.wait_for_message("do any of these apply")
    await user.press(texts.NO_NONE_APPLY)
    await user.wait_for_message("keep some health information")
    await user.press(texts.CONSENT_YES)
    await user.wait_for_message("How much does your back hurt")


async def onboard(user: ScriptedUser, *, zone: str = "Berlin", at: str = "7:30") -> None:
    """Go through onboarding with no red flags and pain 2."""
    await answer_safety_screen(user)
    await user.press("2")
    await user.wait_for_message("Which time zone")
    await user.send_text(zone)
    await user.wait_for_message("What time")
    await user.send_text(at)
    await user.wait_for_message("You're all set")


async def hold(user: ScriptedUser) -> ChatMessage:
    """Press Ready on the current card, sit through the countdown, return the question."""
    await user.press(texts.READY)
    question = await user.wait_for_message("How did")
    return question


async def hold_and_answer(user: ScriptedUser, answer: str, pain: int | None = None) -> None:
    """Ready on the current card, the countdown, then the answer by button: done, skip, or
    hurts with its `pain` score."""
    await hold(user)
    if answer == "hurts":
        await user.press(texts.HURTS)
        await user.wait_for_message("How much did it hurt")
        await user.press(str(pain), message_id=user.last_message.message_id)
    else:
        await user.press({"done": texts.DONE, "skip": texts.SKIP}[answer])


async def do_exercise(user: ScriptedUser, answer: str, pain: int | None = None) -> str:
    """Wait for the next card, hold, answer; return the card's text."""
    card = await user.wait_for_message(" of ")
    await hold_and_answer(user, answer, pain)
    return card.text


@asynccontextmanager
async def repository(database_url: str) -> AsyncIterator[Repository]:
    """The test's own Repository over the bot's database, closed after the block."""
    repo = Repository(create_engine(database_url))
    try:
        yield repo
    finally:
        await repo.close()
