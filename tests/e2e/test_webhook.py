"""Webhook mode end to end: the emulator POSTs updates to the real bot's webhook server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from telegram.ext import Application

from bot.app import build_application
from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.emulator.server import BotApiEmulator
from bot.emulator.webhook import SECRET_HEADER
from bot.handlers.common import SERVICES_KEY, Services
from bot.storage.database import create_engine
from bot.storage.repository import Repository
from bot.webhook import webhook_running
from tests.e2e.helpers import answer_safety_screen

pytestmark = pytest.mark.e2e

SECRET = "e2e-Webhook_secret-0123456789"


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """The emulator, told to take the bot's webhook on plain http at 127.0.0.1 and any port.

    Telegram refuses such a URL (and so does the emulator by default); a local Bot API server
    accepts it, which is what this opt-in stands for.
    """
    async with BotApiEmulator(allow_insecure_webhook=True) as emu:
        yield emu


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def webhook_settings(settings: Settings) -> Settings:
    """The usual test settings, plus a webhook on a free loopback port."""
    port = _free_port()
    return load_settings(
        env_file=None,
        **{
            **settings.model_dump(),
            "webhook_listen": "127.0.0.1",
            "port": port,
            "webhook_path": "telegram",
            "webhook_url": f"http://127.0.0.1:{port}/telegram",
            "webhook_secret": SECRET,
            # No reminders are due here; a slow tick keeps the lost-database test quiet.
            "reminder_tick_seconds": 60,
        },
    )


@pytest.fixture
async def webhook_bot(webhook_settings: Settings, clock: FakeClock) -> AsyncIterator[Application]:
    """The real Application in webhook mode, as `python -m bot --webhook` runs it."""
    application = build_application(webhook_settings, clock=clock)
    async with webhook_running(application, webhook_settings):
        yield application


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        yield client


def _local(settings: Settings | dict[str, str], path: str) -> str:
    port = settings["PORT"] if isinstance(settings, dict) else settings.port
    return f"http://127.0.0.1:{port}/{path}"


async def _user_exists(database_url: str, user_id: int) -> bool:
    repo = Repository(create_engine(database_url))
    try:
        return await repo.get_user(user_id) is not None
    finally:
        await repo.close()


async def test_onboarding_over_the_webhook(
    emulator: BotApiEmulator, webhook_bot: Application, webhook_settings: Settings
) -> None:
    assert emulator.webhook_url == webhook_settings.webhook_url
    assert emulator.state.webhook_secret == SECRET
    user = emulator.user(user_id=601)
    await answer_safety_screen(user)
    await user.wait_idle()
    assert emulator.deliveries and all(d.status == 200 for d in emulator.deliveries)
    assert emulator.requests_for("getUpdates") == []  # never polled


async def test_posts_without_the_secret_are_refused(
    emulator: BotApiEmulator,
    webhook_bot: Application,
    webhook_settings: Settings,
    database_url: str,
    http: httpx.AsyncClient,
) -> None:
    forged_user = emulator.user(user_id=602, first_name="Mallory")  # a reply would show
    update = {
        "update_id": 900_001,
        "message": {
            "message_id": 1,
            "from": forged_user.user,
            "chat": {"id": 602, "type": "private", "first_name": "Mallory"},
            "date": int(time.time()),
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    url = _local(webhook_settings, webhook_settings.webhook_path)

    for headers in ({}, {SECRET_HEADER: "not-the-secret"}, {SECRET_HEADER: SECRET[:-1]}):
        response = await http.post(url, json=update, headers=headers)
        assert response.status_code == 403, headers

    # The bot is busy with someone else meanwhile and answers them; the forgeries got nothing.
    honest = emulator.user(user_id=603)
    await honest.send_text("/start")
    await honest.wait_for_message("I'm backcoach")
    await forged_user.wait_idle()
    assert forged_user.transcript == []
    assert emulator.requests_for(chat_id=602) == []
    assert not await _user_exists(database_url, 602)

    # The very same POST with the secret is processed: only the header made the difference.
    response = await http.post(url, json=update, headers={SECRET_HEADER: SECRET})
    assert response.status_code == 200
    await forged_user.wait_for_message("I'm backcoach")
    assert await _user_exists(database_url, 602)


async def test_health_check(
    webhook_bot: Application,
    webhook_settings: Settings,
    database_url: str,
    http: httpx.AsyncClient,
    request: pytest.FixtureRequest,
) -> None:
    health = _local(webhook_settings, "healthz")
    response = await http.get(health)
    assert (response.status_code, response.text) == (200, "ok")
    # Only POSTs carry updates, and they need the secret; the health route changes neither.
    assert (await http.get(_local(webhook_settings, "telegram"))).status_code == 405
    assert (await http.post(health, json={})).status_code == 405

    await _lose_the_database(webhook_bot, database_url, request)
    response = await http.get(health)
    assert (response.status_code, response.text) == (503, "unavailable")


async def test_cli_serves_the_webhook_until_sigterm(
    emulator: BotApiEmulator, tmp_path: Path, http: httpx.AsyncClient
) -> None:
    """`python -m bot --webhook` for real: healthy, answers a person, stops cleanly on SIGTERM."""
    port = _free_port()
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "PORT": str(port),
        "WEBHOOK_PATH": "telegram",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_SECRET": SECRET,
        "RENDER_WORKERS": "1",
        "LOG_LEVEL": "INFO",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--webhook",
        cwd=tmp_path, env=environment,  # no .env in tmp_path
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        health = _local(environment, "healthz")
        async with asyncio.timeout(60):
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(health)).status_code == 200:
                        break
                assert process.returncode is None, "the bot exited before it was healthy"
                await asyncio.sleep(0.1)
        user = emulator.user(user_id=605)
        await user.send_text("/start")
        await user.wait_for_message("I'm backcoach", timeout=10)
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = (stdout + stderr).decode()
    assert process.returncode == 0, output
    assert f"webhook server on 127.0.0.1:{port}" in output
    assert SECRET not in output and emulator.token not in output


async def _lose_the_database(
    application: Application, database_url: str, request: pytest.FixtureRequest
) -> None:
    """Make the bot's database unreachable for real, whatever the backend."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        # Dropped, with the bot's connections cut off (WITH (FORCE)).
        server = request.getfixturevalue("postgres_server")
        await asyncio.to_thread(server.drop_database, url.database)
        return
    # SQLite: a directory where the file was (unopenable even as root), then a fresh pool so
    # no connection opened earlier keeps the old file alive.
    _replace_with_directory(Path(str(url.database)))
    services: Services = application.bot_data[SERVICES_KEY]
    await services.repository.engine.dispose()


def _replace_with_directory(path: Path) -> None:
    for leftover in path.parent.glob(path.name + "*"):  # the file, -wal and -shm
        leftover.unlink()
    path.mkdir()
