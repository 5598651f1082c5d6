"""Shared by the Mini App's end-to-end tests: its address, initData signed as Telegram would
sign it, the page's API on a server of its own, and the steps a person takes in the page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from bot.clock import FakeClock
from bot.config import Settings
from bot.miniapp.auth import init_data_for
from bot.miniapp.server import mini_app_serving

MINI_APP_URL = "https://backcoach.example/miniapp/"
PHONE = {"width": 360, "height": 740}


def signed(settings: Settings, user_id: int, at: FakeClock | int) -> dict[str, str]:
    """The page's Authorization header: initData signed for `user_id` at `at` (a clock's now,
    or a Unix time)."""
    now = at if isinstance(at, int) else int(at.now().timestamp())
    return {"Authorization": f"tma {init_data_for(user_id, 'Alex', settings.token, now)}"}


@asynccontextmanager
async def page_api(bot: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The page's server beside the running bot (as in polling mode) and a client for it."""
    async with (
        mini_app_serving(bot, port=0) as port,
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}/miniapp/", trust_env=False, timeout=20
        ) as http,
    ):
        yield http


# In the browser (Playwright) ----------------------------------------------------------------


async def open_page(browser: Any, url: str, *, theme: str = "light") -> Any:
    """The page at `url` on a 360x740 touch phone in Telegram's light or dark theme."""
    context = await browser.new_context(
        viewport=PHONE, device_scale_factor=1, color_scheme=theme, has_touch=True
    )
    page = await context.new_page()
    await page.goto(url)
    return page


async def start_in_page(page: Any) -> None:
    """Start (or go on with) today's session from the page's opening message."""
    await page.wait_for_selector("main[data-view='message'] #message-action")
    await page.click("#message-action")


async def wait_for_position(page: Any, position: str) -> None:
    """Until the page shows the card at `position` ("3 of 4")."""
    await page.wait_for_function(
        f"() => document.getElementById('position').textContent === '{position}'"
    )


async def timed_answer(page: Any, answer: str, pain: int | None = None) -> None:
    """Ready, sit through get-ready and the hold in the page, then answer."""
    await page.wait_for_selector("main[data-step='card'] #ready")
    await page.click("#ready")
    await page.wait_for_selector("main[data-step='answer'] #done")
    if answer == "done":
        await page.click("#done")
    elif answer == "skip":
        await page.click("#skip")
    else:
        await page.click("#hurts")
        await page.wait_for_selector("main[data-step='pain']")
        await page.click(f"#pain button[data-pain='{pain}']")
