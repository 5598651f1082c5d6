"""Pictures and documents end to end: figures on cards, the chart, the PDF and the summary."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
from PIL import Image
from pypdf import PdfReader

from bot import texts
from bot.emulator.server import BotApiEmulator
from tests.e2e.helpers import do_exercise, onboard

pytestmark = pytest.mark.e2e

# The first drawing starts the worker processes, which takes a moment on a busy machine.
FIRST_DRAWING = 20


def _file(emulator: BotApiEmulator, message_data: dict, kind: str) -> bytes:
    sent = message_data[kind][-1] if kind == "photo" else message_data[kind]
    stored = emulator.state.files[sent["file_id"]]
    assert stored.content is not None
    return stored.content


async def test_cards_show_figures_uploaded_once_then_by_file_id(
    emulator: BotApiEmulator, bot, clock
) -> None:
    user = emulator.user(user_id=901)
    await onboard(user)
    for _ in range(2):
        await user.send_text("/session")
        card = await user.wait_for_message("1 of 4", timeout=FIRST_DRAWING)
        # Cat moves: its card is an animation with the card as caption and the Ready button.
        assert card.kind == "animation"
        assert "Cat stretch" in card.text and [texts.READY] in card.buttons
        await user.send_text("stop")
        await user.wait_for_message("Session ended")
        clock.advance(timedelta(hours=1))
    sends = emulator.requests_for("sendAnimation", chat_id=901)
    assert len(sends) == 2
    # The first send uploaded the GIF; the second reused Telegram's file_id.
    assert sends[0].uploads.get("animation", 0) > 1000
    assert not sends[1].uploads and sends[1].params["animation"].startswith("ANIMATION-")
    stored = emulator.state.find_message(901, card.message_id)
    assert stored is not None
    gif = Image.open(io.BytesIO(_file(emulator, stored.data, "animation")))
    assert gif.format == "GIF" and gif.n_frames > 1


async def test_progress_chart_after_a_session(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=902)
    await onboard(user)
    await user.send_text("/session")
    for answer in ("done", "done", "hurts", "skip"):
        await do_exercise(user, answer, pain=4)
    await user.wait_for_message("Session complete", timeout=FIRST_DRAWING)
    await user.send_text("/progress")
    chart = await user.wait_for_message("Your progress", timeout=FIRST_DRAWING)
    assert chart.kind == "photo" and "Streak: 1" in chart.text
    sent = emulator.requests_for("sendPhoto", chat_id=902)[-1]
    image = Image.open(io.BytesIO(_file(emulator, sent.result, "photo")))
    assert image.size == (1000, 1300)


async def test_pdf_lists_the_routine_with_own_holds(emulator: BotApiEmulator, bot) -> None:
    user = emulator.user(user_id=903)
    await onboard(user)
    await user.send_text("/pdf")
    document = await user.wait_for_message("Your routine to print", timeout=FIRST_DRAWING)
    assert document.kind == "document"
    sent = emulator.requests_for("sendDocument", chat_id=903)[-1]
    assert sent.params.get("document") or sent.uploads
    stored = emulator.state.files[sent.result["document"]["file_id"]]
    assert stored.file_name is not None and stored.file_name.endswith(".pdf")
    pdf = PdfReader(io.BytesIO(_file(emulator, sent.result, "document")))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for name in ("Cat stretch", "Cow stretch", "Knees to chest", "Glute bridge"):
        assert name in text
    assert "Hold: 30 s" in text and "Hold: 15 s" in text


async def test_a_pdf_being_drawn_does_not_hold_up_another_reply(
    emulator: BotApiEmulator, bot
) -> None:
    first, second = emulator.user(user_id=904), emulator.user(user_id=905)
    await onboard(first)
    await first.send_text("/pdf")
    loop = asyncio.get_running_loop()
    asked = loop.time()
    await second.send_text("/help")
    await second.wait_for_message("I coach a short daily routine")
    answered = loop.time()
    await first.wait_for_message("Your routine to print", timeout=FIRST_DRAWING)
    delivered = loop.time()
    assert answered - asked < 1.0
    assert answered < delivered


async def test_summary_for_a_clinician(emulator: BotApiEmulator, bot, clock) -> None:
    user = emulator.user(user_id=906)
    await onboard(user)
    await user.send_text("/summary")
    empty = await user.wait_for_message("Back exercise summary")
    assert "In the programme: 1 day (first week)\nDays with a session: 0\n" in empty.text
    assert "no exercises done yet" in empty.text
    await user.send_text("/session")
    for answer in ("done", "done", "hurts", "done"):
        await do_exercise(user, answer, pain=5)
    await user.wait_for_message("Session complete", timeout=FIRST_DRAWING)
    clock.advance(timedelta(days=8))
    await user.send_text("/summary")
    summary = await user.wait_for_message("Back exercise summary")
    length_and_days = "In the programme: 1 week and 2 days\nDays with a session: 1 (by week: 1, 0)"
    assert length_and_days in summary.text
    assert "Pain during exercises: 5.0/10, –" in summary.text
    assert "Knees to chest (1×, up to 5/10)" in summary.text
    assert "• Glute bridge: 30 s (30 s)" in summary.text
    assert "not a diagnosis" in summary.text
