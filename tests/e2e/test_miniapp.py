"""The Mini App timer in a real headless browser (Debian's chromium via Playwright) against the
real bot and the emulator: a session run in the page ends with the same database rows and the
same chat summary as the same answers given in chat; the timer's drift; the screenshots.

Chromium missing: skipped with the reason outside CI; under CI=true that is a failure (.ci/run
installs it), so the browser tests are never silently left out.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from sqlalchemy import select

from bot import i18n, texts
from bot.app import build_application, running
from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.emulator.server import BotApiEmulator
from bot.miniapp.auth import init_data_for
from bot.miniapp.server import mini_app_serving
from bot.miniapp.stand_in import stand_in
from bot.storage.models import StreakDay, TrainingSession
from tests.conftest import TICK_SECONDS
from tests.e2e.helpers import hold_and_answer, onboard, repository
from tests.e2e.miniapp_helpers import (
    MINI_APP_URL,
    PHONE,
    open_page,
    signed,
    start_in_page,
    timed_answer,
    wait_for_position,
)

pytestmark = pytest.mark.e2e
logger = logging.getLogger(__name__)

DOCS = Path(__file__).resolve().parents[2] / "docs"
# Done, Hurts 6, Skip, Done: the level-1 routine's four exercises.
ANSWERS = (("done", None), ("hurts", 6), ("skip", None), ("done", None))


def chromium_path() -> str:
    """Debian's chromium; skipped without it, except under CI, where it must be there."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        reason = "chromium or playwright missing: apt-get install chromium; pip install -e .[dev]"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (.ci/run installs them; CI must run the browser tests)")
        pytest.skip(reason)
    return path


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    executable = chromium_path()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable,
            # As root (CI) chromium's sandbox cannot start; the page is our own.
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )
        try:
            yield launched
        finally:
            await launched.close()


def _settings(emulator: BotApiEmulator, database_url: str, scale: float) -> Settings:
    return load_settings(
        env_file=None,
        telegram_bot_token=emulator.token,
        telegram_api_base_url=emulator.base_url,
        database_url=database_url,
        hold_time_scale=scale,
        reminder_tick_seconds=TICK_SECONDS,
        mini_app_url=MINI_APP_URL,
    )


@pytest.fixture
def settings(emulator: BotApiEmulator, database_url: str) -> Settings:
    return _settings(emulator, database_url, 0.02)


@pytest.fixture
async def page_url(bot: Any, settings: Settings, clock: FakeClock) -> AsyncIterator[str]:
    """The page on the Mini App's own server (as in polling mode), with the stand-in script."""
    script = stand_in(settings.token, clock, user_id=0)
    async with mini_app_serving(bot, port=0, stand_in=script) as port:
        yield f"http://127.0.0.1:{port}/miniapp/"


async def _rows(database_url: str, user_id: int) -> dict[str, Any]:
    """What the database holds of a person's session: answers, progress and streak days."""
    async with repository(database_url) as repo:
        sessions = await repo.finished_count(user_id)
        state = await repo.active_session(user_id)
        async with repo._sessions() as session:
            days = (
                await session.scalars(select(StreakDay).where(StreakDay.user_id == user_id))
            ).all()
            frozen = sorted((day.local_date, day.kind) for day in days)
        async with repo._sessions() as session:
            last = await session.scalar(
                select(TrainingSession)
                .where(TrainingSession.user_id == user_id)
                .order_by(TrainingSession.id.desc())
                .limit(1)
            )
            assert last is not None
            answers = [(a.exercise_id, a.answer, a.pain) for a in await repo.answers(last.id)]
            status = last.status
        progress = {
            key: dataclasses.replace(value)
            for key, value in (await repo.load_progress(user_id)).items()
        }
        return {
            "finished": sessions,
            "active": state,
            "status": status,
            "answers": answers,
            "progress": progress,
            "frozen": frozen,
        }


async def test_a_session_in_the_page_ends_as_in_chat(
    emulator: BotApiEmulator, bot: Any, page_url: str, browser: Any, database_url: str
) -> None:
    in_chat, in_page = emulator.user(user_id=811), emulator.user(user_id=812)
    await onboard(in_chat)
    await onboard(in_page)
    menu = emulator.state.menu_buttons.get(None)
    assert menu == {"type": "web_app", "text": texts.MENU_TIMER, "web_app": {"url": MINI_APP_URL}}

    # The same answers in chat: Done, Hurts 6, Skip, Done.
    await in_chat.press(texts.START_SESSION)
    for position, (answer, pain) in enumerate(ANSWERS, start=1):
        # "… for the rest of today" has " of " too: wait for this very card.
        await in_chat.wait_for_message(f"{position} of 4")
        await hold_and_answer(in_chat, answer, pain)
    chat_summary = await in_chat.wait_for_message("Session complete")

    page = await open_page(browser, f"{page_url}?user=812")
    await page.wait_for_selector("main[data-view='message'] #message-action")
    assert "4 exercises" in await page.text_content("#message-text")
    await page.click("#message-action")
    # Started in the page, the chat has the intro and the first card too, with the timer.
    card = await in_page.wait_for_message("1 of 4")
    assert texts.OPEN_TIMER in [label for row in card.inline_buttons for label in row]
    await page.wait_for_selector("main[data-view='exercise']")
    assert await page.text_content("#name") == card.text.split("·")[1].split("\n")[0].strip()
    # The chat card's drawing, served by the bot (drawn once, in a worker process).
    await page.wait_for_function(
        "() => { const img = document.getElementById('figure');"
        " return img.complete && img.naturalWidth === 800; }",
        timeout=20_000,
    )
    for answer, pain in ANSWERS:
        await timed_answer(page, answer, pain)
    await page.wait_for_selector("main[data-view='message']")
    assert texts.MINI_APP_FINISHED in await page.text_content("#message-text")
    page_summary = await in_page.wait_for_message("Session complete")

    # The chat's summary and every row are the same whichever way the person trained.
    assert page_summary.text == chat_summary.text
    chat_rows, page_rows = await _rows(database_url, 811), await _rows(database_url, 812)
    assert page_rows == chat_rows
    assert page_rows["status"] == "finished" and page_rows["active"] is None
    assert [a[1:] for a in page_rows["answers"]] == [
        ("done", None),
        ("hurts", 6),
        ("skipped", None),
        ("done", None),
    ]

    # Each hold began and ended with a beep and a haptic tap.
    events = await page.evaluate("window.backcoach.events")
    kinds = [e["type"] for e in events]
    assert kinds.count("hold-start") == 4 and kinds.count("hold-end") == 4
    taps = await page.evaluate("window.__telegramEvents.map(e => e.name + ':' + e.value)")
    assert taps.count("impact:heavy") == 4 and taps.count("notification:success") >= 4
    await page.context.close()


def _tampered(token: str, user_id: int, now: int) -> dict[str, str]:
    """initData Telegram never signed, each way it can be wrong."""
    good = init_data_for(user_id, "Alex", token, now)
    fields = dict(parse_qsl(good))
    changed = {**fields, "user": fields["user"].replace(str(user_id), str(user_id + 1))}
    unsigned = {key: value for key, value in fields.items() if key != "hash"}
    return {
        "a changed field": urlencode(changed),
        "another bot's token": init_data_for(user_id, "Alex", "654321:OTHER-BOT", now),
        "older than a day": init_data_for(user_id, "Alex", token, now - 24 * 3600 - 1),
        "no hash": urlencode(unsigned),
        "nothing": "",
    }


async def test_unsigned_requests_change_nothing(
    emulator: BotApiEmulator,
    bot: Any,
    page_url: str,
    settings: Settings,
    clock: FakeClock,
    database_url: str,
) -> None:
    user = emulator.user(user_id=821)
    await onboard(user)
    await user.press(texts.START_SESSION)
    await user.wait_for_message("1 of 4")
    before = await _rows(database_url, 821)
    now = int(clock.now().timestamp())
    async with httpx.AsyncClient(base_url=page_url) as client:
        state = (await client.get("api/session", headers=signed(settings, 821, now))).json()
        answer = {"session": state["session"]["id"], "position": 0, "answer": "done"}
        for why, init_data in _tampered(settings.token, 821, now).items():
            headers = {"Authorization": f"tma {init_data}".strip()}
            for method, path, body in (
                ("GET", "api/session", None),
                ("POST", "api/session", {}),
                ("POST", "api/answer", answer),
            ):
                response = await client.request(method, path, headers=headers, json=body)
                expected = 403 if why == "older than a day" else 401
                assert response.status_code == expected, (why, path)
                assert "session" not in response.json(), why
        assert await _rows(database_url, 821) == before
        # The same request, signed, goes through: the refusals above were the signature's.
        response = await client.post("api/answer", headers=signed(settings, 821, now), json=answer)
        assert response.status_code == 200
        assert response.json()["session"]["position"] == 1
    assert (await _rows(database_url, 821))["answers"] == [("cat", "done", None)]


async def test_a_session_moves_between_chat_and_page(
    emulator: BotApiEmulator, bot: Any, page_url: str, browser: Any, database_url: str
) -> None:
    """Started in chat and finished in the page, or the other way round: one session."""
    chat_first, page_first = emulator.user(user_id=851), emulator.user(user_id=852)
    await onboard(chat_first)
    await onboard(page_first)
    first, *rest = ANSWERS

    await chat_first.press(texts.START_SESSION)
    await chat_first.wait_for_message("1 of 4")
    await hold_and_answer(chat_first, *first)
    await chat_first.wait_for_message("2 of 4")
    page = await open_page(browser, f"{page_url}?user=851")
    await page.wait_for_selector("main[data-step='card']")
    assert await page.text_content("#position") == "2 of 4"
    hurts, _, done = rest
    await timed_answer(page, *hurts)
    # Skip during the hold, as Skip during a chat countdown: stored as skipped all the same.
    await wait_for_position(page, "3 of 4")
    await page.evaluate("window.backcoach.clock.setRate(0.1)")  # the 0.6 s hold takes 6 s
    await page.click("#ready")
    await page.wait_for_selector("main[data-step='timing'] #skip-timing")
    await page.click("#skip-timing")
    await page.evaluate("window.backcoach.clock.setRate(1)")
    events = await page.evaluate(
        "window.backcoach.events.map(e => e.type + ':' + (e.answer || ''))"
    )
    skipped = events.index("answer:skip")
    assert events[skipped - 1] in ("ready-cancelled:", "hold-cancelled:")
    await timed_answer(page, *done)
    await page.wait_for_selector("main[data-view='message']")
    chat_first_summary = await chat_first.wait_for_message("Session complete")
    await page.context.close()

    page = await open_page(browser, f"{page_url}?user=852")
    await start_in_page(page)
    await timed_answer(page, *first)
    await wait_for_position(page, "2 of 4")
    await page_first.send_text("/session")
    await page_first.wait_for_message("session in progress")
    await page_first.press(texts.CONTINUE)
    for position, (answer, pain) in enumerate(rest, start=2):
        await page_first.wait_for_message(f"{position} of 4")
        await hold_and_answer(page_first, answer, pain)
    page_first_summary = await page_first.wait_for_message("Session complete")
    # The page, opened again, has no session to go on with.
    await page.reload()
    await page.wait_for_selector("main[data-view='message']")
    await page.context.close()

    assert chat_first_summary.text == page_first_summary.text
    assert await _rows(database_url, 851) == await _rows(database_url, 852)
    answers = (await _rows(database_url, 852))["answers"]
    assert [a[1:] for a in answers] == [
        ("done", None),
        ("hurts", 6),
        ("skipped", None),
        ("done", None),
    ]


# The page's clock and the screenshots do not depend on the database: SQLite only.
SQLITE_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("sqlite", marks=pytest.mark.sqlite, id="sqlite")], indirect=True
)


# The page's clock runs this many times faster than real time in the drift test: a 30 s
# hold takes 15 s. Every lateness the page has shows twice as large in its own time.
RATE = 2


@SQLITE_ONLY
async def test_the_timer_keeps_time_over_a_30_s_hold(
    emulator: BotApiEmulator, browser: Any, clock: FakeClock, database_url: str
) -> None:
    """A 30 s hold (HOLD_TIME_SCALE=1) ends within 100 ms of its end instant; every second is
    shown, none early, none skipped, and lateness never adds up."""
    settings = _settings(emulator, database_url, 1.0)
    application = build_application(settings, clock=clock)
    script = stand_in(settings.token, clock, user_id=0)
    async with (
        running(application, poll_timeout=1),
        mini_app_serving(application, port=0, stand_in=script) as port,
    ):
        user = emulator.user(user_id=831)
        await onboard(user)
        page = await open_page(browser, f"http://127.0.0.1:{port}/miniapp/?user=831")
        await start_in_page(page)
        # Cat and cow (15 s) skipped from their cards: knees to chest holds 30 s.
        for position in ("1 of 4", "2 of 4"):
            await wait_for_position(page, position)
            await page.click("#skip-card")
        await wait_for_position(page, "3 of 4")
        assert await page.text_content("#hold-text") == "Hold 30 s"
        await page.evaluate(f"window.backcoach.clock.setRate({RATE})")
        await page.click("#ready")
        await page.wait_for_selector("main[data-step='answer']", timeout=30_000)
        events = await page.evaluate("window.backcoach.events")
        await page.context.close()

    (end,) = [e for e in events if e["type"] == "hold-end"]
    late = end["at"] - end["planned"]
    length = end["at"] - end["start"]
    shown = [e for e in events if e["type"] == "shown" and e.get("kind") == "hold"]
    lateness = [e["at"] - e["due"] for e in shown]
    logger.info(
        f"hold of {length:.1f} ms (page time), ended {late:.1f} ms after its end instant; "
        f"seconds shown at most {max(lateness):.1f} ms late"
    )
    assert 0 <= late < 100
    assert abs(length - 30_000) < 100
    assert [e["value"] for e in shown] == list(range(30, -1, -1))
    # Each second comes at its own instant, never early; a busy machine may hold one callback
    # back now and then (twice as long in page time here), but nothing adds up over the hold.
    assert all(-1 < delay < 250 for delay in lateness), lateness
    assert sorted(lateness)[len(lateness) // 2] < 50, lateness


@SQLITE_ONLY
async def test_screenshots_at_360_by_740_light_and_dark(
    emulator: BotApiEmulator, bot: Any, page_url: str, browser: Any, tmp_path: Path
) -> None:
    """The card and the running timer at 360x740 in Telegram's light and dark themes; fits the
    width, follows the theme. BACKCOACH_WRITE_DOCS=1 writes them to docs/ for the README."""
    from PIL import Image

    user = emulator.user(user_id=841)
    await onboard(user)
    shots: dict[str, Path] = {}
    for theme, background in (("light", (255, 255, 255)), ("dark", (23, 33, 43))):
        page = await open_page(browser, f"{page_url}?user=841&theme={theme}", theme=theme)
        if theme == "light":  # then the session goes on at its first card
            await start_in_page(page)
        await page.wait_for_selector("main[data-step='card']")
        await page.wait_for_function(
            "() => { const img = document.getElementById('figure');"
            " return img.complete && img.naturalWidth > 0; }",
            timeout=20_000,
        )
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shots[f"card-{theme}"] = tmp_path / f"miniapp-card-{theme}.png"
        await page.screenshot(path=shots[f"card-{theme}"])
        # The timer caught a third of the way through the cat's 15 s hold, then held still.
        await page.evaluate("window.backcoach.clock.setRate(0.05)")
        await page.click("#ready")
        await page.wait_for_function(
            "() => Number(document.getElementById('seconds').textContent) <= 10"
            " && window.backcoach.state.timing && window.backcoach.state.timing.kind === 'hold'",
            timeout=30_000,
        )
        await page.evaluate("window.backcoach.clock.setRate(1e-9)")
        await page.wait_for_timeout(100)
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shots[f"timer-{theme}"] = tmp_path / f"miniapp-timer-{theme}.png"
        await page.screenshot(path=shots[f"timer-{theme}"])
        await page.context.close()
        for kind in ("card", "timer"):
            with Image.open(shots[f"{kind}-{theme}"]) as image:
                assert image.size == (PHONE["width"], PHONE["height"])
                assert image.convert("RGB").getpixel((4, PHONE["height"] - 4)) == background
    if os.environ.get("BACKCOACH_WRITE_DOCS") == "1":
        for path in shots.values():
            shutil.copyfile(path, DOCS / path.name)


async def test_sides_in_turn_with_the_rest_between(
    emulator: BotApiEmulator, bot: Any, page_url: str, browser: Any, database_url: str
) -> None:
    """Level 2's hip flexor stretch: left knee down, the rest, right knee down, the question."""
    user = emulator.user(user_id=861)
    await onboard(user)
    async with repository(database_url) as repo:
        await repo.update_user(861, level=2)
    page = await open_page(browser, f"{page_url}?user=861")
    await start_in_page(page)
    for position in range(1, 4):  # cat, cow, partial cobra
        await wait_for_position(page, f"{position} of 7")
        await page.click("#skip-card")
    await wait_for_position(page, "4 of 7")
    assert await page.text_content("#hold-text") == "Hold 10 s each side"
    await timed_answer(page, "done")
    await wait_for_position(page, "5 of 7")
    events = await page.evaluate("window.backcoach.events")
    has_wake_lock = await page.evaluate("'wakeLock' in navigator")
    await page.context.close()
    timed = [(e["type"], e["label"]) for e in events if e["type"].endswith("-start")]
    assert timed == [
        ("ready-start", "Left knee down: Get ready"),
        ("hold-start", "Left knee down: Hold"),
        ("rest-start", "Rest, then the other side: Right knee down"),
        ("ready-start", "Right knee down: Get ready"),
        ("hold-start", "Right knee down: Hold"),
    ]
    # The screen stays awake from the first get-ready to the last hold's end, then may sleep.
    kinds = [e["type"] for e in events]
    assert has_wake_lock  # chromium has it on a secure (https or loopback) page
    assert kinds.count("wake-lock") == kinds.count("wake-release") == 1
    assert kinds.index("wake-lock") < kinds.index("hold-end")
    assert kinds.index("wake-release") > len(kinds) - 1 - kinds[::-1].index("hold-end")
    (rest,) = [e for e in events if e["type"] == "rest-start"]
    assert rest["seconds"] == 10  # the catalog's rest between sides for this stretch
    answers = (await _rows(database_url, 861))["answers"]
    assert answers[-1] == ("hip_flexor_stretch", "done", None)


async def test_the_menu_button_speaks_the_persons_language(
    emulator: BotApiEmulator, bot: Any
) -> None:
    """setChatMenuButton has no language: a chat in another language gets its own label."""
    russian = emulator.user(user_id=821, language_code="ru")
    english = emulator.user(user_id=822)
    await russian.send_text("/start")
    await english.send_text("/start")
    with i18n.using("ru"):
        label = texts.MENU_TIMER
    await russian.wait_for_message()
    await english.wait_for_message()
    assert label != texts.MENU_TIMER
    timer = {"type": "web_app", "text": label, "web_app": {"url": MINI_APP_URL}}
    buttons = emulator.state.menu_buttons
    assert await emulator.state.wait_for(lambda: buttons.get(821), 5) == timer
    assert 822 not in emulator.state.menu_buttons  # English: the bot-wide button
    assert emulator.state.menu_buttons.get(None)["text"] == texts.MENU_TIMER  # type: ignore[index]

    # Back to English with /language: the chat's own button goes, the bot-wide one shows.
    await russian.send_text("/language")
    english_name = i18n.language_name("en")
    await russian.wait_for_message(
        predicate=lambda message: any(english_name in row for row in message.buttons)
    )
    await russian.press(english_name)
    await russian.wait_for_message(texts.LANGUAGE_SET.format(language=i18n.language_name("en")))
    assert await emulator.state.wait_for(lambda: 821 not in buttons, 5)
