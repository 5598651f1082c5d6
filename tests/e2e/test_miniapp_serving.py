"""Where the Mini App is served: beside the webhook (same server), on MINI_APP_PORT in polling
mode, and nowhere without MINI_APP_URL; production never serves the stand-in script."""

from __future__ import annotations

import io
import json
import logging
import re
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import i18n, texts
from bot.app import build_application, running
from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.demo import run_demo
from bot.domain.gates import RedFlagHold
from bot.emulator.server import BotApiEmulator
from bot.handlers.common import SERVICES_KEY
from bot.miniapp.api import TELEGRAM_SCRIPT
from bot.miniapp.server import serve_beside_polling
from bot.webhook import webhook_running
from tests.e2e.helpers import onboard, repository
from tests.e2e.miniapp_helpers import MINI_APP_URL, page_api, signed

pytestmark = pytest.mark.e2e

SECRET = "e2e-Webhook_secret-0123456789"


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """The emulator, taking a plain-http loopback webhook as a local Bot API server does."""
    async with BotApiEmulator(allow_insecure_webhook=True) as emu:
        yield emu


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _with(settings: Settings, **changes: object) -> Settings:
    return load_settings(env_file=None, **{**settings.model_dump(), **changes})


def _webhook(settings: Settings, **changes: object) -> Settings:
    port = _free_port()
    return _with(
        settings,
        webhook_listen="127.0.0.1",
        port=port,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_secret=SECRET,
        reminder_tick_seconds=60,
        **changes,
    )


async def test_the_webhook_server_serves_the_page_and_its_api(
    settings: Settings, clock: FakeClock
) -> None:
    config = _webhook(settings, mini_app_url=MINI_APP_URL)
    application = build_application(config, clock=clock)
    base = f"http://127.0.0.1:{config.port}/miniapp/"
    async with (
        webhook_running(application, config),
        httpx.AsyncClient(base_url=base, trust_env=False, timeout=20) as http,
    ):
        page = await http.get("")
        assert page.status_code == 200
        assert f'<script src="{TELEGRAM_SCRIPT}"></script>' in page.text
        assert "script-src 'self' https://telegram.org" in page.headers["Content-Security-Policy"]
        # The stand-in signs initData: production never serves it.
        assert (await http.get("dev/telegram-web-app.js")).status_code == 404
        assert (await http.get("static/app.js")).status_code == 200
        assert (await http.get("api/session")).status_code == 401
        answer = await http.get("api/session", headers=signed(config, 901, clock))
        assert answer.status_code == 200 and answer.json()["session"] is None
        figure = await http.get("figure/cat.png")
        assert figure.status_code == 200 and figure.content.startswith(b"\x89PNG")
        assert (await http.get("figure/nothing.png")).status_code == 404
        # The webhook and the health check are still where they were.
        assert (await http.get(f"http://127.0.0.1:{config.port}/healthz")).status_code == 200


async def test_without_mini_app_url_there_is_no_page(settings: Settings, clock: FakeClock) -> None:
    config = _webhook(settings)
    application = build_application(config, clock=clock)
    async with (
        webhook_running(application, config),
        httpx.AsyncClient(trust_env=False, timeout=10) as http,
    ):
        response = await http.get(f"http://127.0.0.1:{config.port}/miniapp/")
        assert response.status_code == 404


async def test_polling_mode_serves_it_on_mini_app_port(
    settings: Settings, clock: FakeClock
) -> None:
    port = _free_port()
    config = _with(
        settings, mini_app_url=MINI_APP_URL, mini_app_port=port, webhook_listen="127.0.0.1"
    )
    application = build_application(config, clock=clock)
    serve_beside_polling(application, config)
    url = f"http://127.0.0.1:{port}/miniapp/"
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        async with running(application, poll_timeout=1):
            assert (await http.get(url)).status_code == 200
            assert (await http.get(url + "api/session")).status_code == 401
        # Stopped with the bot.
        with pytest.raises(httpx.ConnectError):
            await http.get(url)


@pytest.fixture
def logging_kept() -> Iterator[None]:
    """The demo configures logging for a terminal; the tests after it get theirs back."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


async def test_the_demo_serves_the_page_and_prints_its_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, logging_kept: None
) -> None:
    """`python -m bot demo`: the page on loopback, its address printed, and the stand-in there
    signing initData for the demo's person, so the API answers the page."""
    monkeypatch.chdir(tmp_path)  # the demo's database and files go here
    out = io.StringIO()
    seen: dict[str, object] = {}

    class Typed(io.StringIO):
        """What the person types: nothing, once the page has been fetched (in readline's thread)."""

        def readline(self, *args: object) -> str:
            if not seen:
                url = re.search(r"http://127\.0\.0\.1:\d+/miniapp/", out.getvalue())
                assert url is not None, out.getvalue()
                with httpx.Client(base_url=url.group(0), trust_env=False, timeout=20) as http:
                    seen["page"] = http.get("").text
                    script = http.get("dev/telegram-web-app.js").text
                    init_data = json.loads(re.search(r"initData: (\"[^\"]*\")", script).group(1))
                    headers = {"Authorization": f"tma {init_data}"}
                    seen["api"] = http.get("api/session", headers=headers).status_code
            return ""

    assert await run_demo(stdin=Typed(), stdout=out) == 0
    assert "dev/telegram-web-app.js" in str(seen["page"])  # the stand-in, not Telegram's
    assert seen["api"] == 200


async def test_the_page_speaks_the_persons_language(
    emulator: BotApiEmulator, bot: Any, settings: Settings, clock: FakeClock, database_url: str
) -> None:
    """Labels, the plan, the exercise and the answer's line come in the person's language (as
    the chat's do): the one stored, else their Telegram language_code in initData."""
    user = emulator.user(user_id=911)
    await onboard(user)
    async with repository(database_url) as repo:
        await repo.update_user(911, language="es")
    async with page_api(bot) as http:
        headers = signed(settings, 911, clock)
        shown = (await http.get("api/session", headers=headers)).json()
        started = (await http.post("api/session", headers=headers)).json()
        body = {"session": started["session"]["id"], "position": 0, "answer": "done"}
        answered = (await http.post("api/answer", headers=headers, json=body)).json()
    catalog = bot.bot_data[SERVICES_KEY].catalog
    with i18n.using("es"):
        done, hold, cat = texts.DONE, texts.MINI_APP_GET_READY, catalog.get("cat").name
        intro = texts.MINI_APP_INTRO.format(exercises=texts.exercises(4), minutes=texts.minutes(5))
    assert (shown["labels"]["done"], shown["labels"]["getReady"]) == (done, hold)
    assert done != "✅ Done" and hold != "Get ready"  # Spanish, not English left as it was
    assert shown["intro"] == intro
    assert started["session"]["exercise"]["name"] == cat != "Cat stretch"
    assert answered["line"].startswith(cat)
    # The chat's card, sent by the page's Start, is in Spanish too.
    await user.wait_for_message(cat)


async def test_the_pages_start_keeps_the_chats_red_flag_gates(
    emulator: BotApiEmulator, bot: Any, settings: Settings, clock: FakeClock, database_url: str
) -> None:
    """Urgent signs hold every session: Start in the page starts none, the chat says why."""
    user = emulator.user(user_id=921)
    await onboard(user)
    async with repository(database_url) as repo:
        await repo.update_user(921, red_flag_hold=RedFlagHold.URGENT, now=clock.now())
    async with page_api(bot) as http:
        started = (await http.post("api/session", headers=signed(settings, 921, clock))).json()
    assert started["session"] is None and started["note"] == texts.MINI_APP_SEE_CHAT
    held = await user.wait_for_message("on hold until a doctor has checked")
    assert held.text == texts.SESSION_HELD_URGENT
    async with repository(database_url) as repo:
        assert await repo.active_session(921) is None
