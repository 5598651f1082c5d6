"""Webhook mode end to end: the emulator POSTs updates to the real bot's webhook server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
import uuid
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


# Limits: refused before the body is read, at most 1 MB read, 400 for what is not an update.

MAX_BODY_BYTES = 1024 * 1024


def _head(settings: Settings, *, secret: str | None, length: int | None) -> bytes:
    """A POST's request line and headers; without `length`, the body is chunked."""
    lines = [
        f"POST /{settings.webhook_path} HTTP/1.1",
        f"Host: 127.0.0.1:{settings.port}",
        "Content-Type: application/json",
        *([f"{SECRET_HEADER}: {secret}"] if secret is not None else []),
        f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _status_line(settings: Settings, data: bytes, timeout: float = 5) -> bytes:  # noqa: ASYNC109
    """Send `data` on a fresh connection and stop sending: the first line of the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", settings.port)
    try:
        writer.write(data)
        await writer.drain()
        async with asyncio.timeout(timeout):
            return await reader.readline()
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_refused_from_the_head_before_the_body_is_read(
    webhook_bot: Application, webhook_settings: Settings
) -> None:
    # Only the head of a 60 MB POST goes out: the answer must not wait for the body.
    for secret in (None, "not-the-secret", SECRET[:-1], SECRET + "x"):
        head = _head(webhook_settings, secret=secret, length=60 * 2**20)
        status = await _status_line(webhook_settings, head)
        assert status.startswith(b"HTTP/1.1 403 "), (secret, status)
    # Another path is no way round it.
    other = _head(webhook_settings, secret=None, length=60 * 2**20).replace(
        f"/{webhook_settings.webhook_path} ".encode(), b"/elsewhere "
    )
    assert (await _status_line(webhook_settings, other)).startswith(b"HTTP/1.1 404 ")


async def test_a_body_over_1_mb_with_the_secret_gets_413(
    emulator: BotApiEmulator, webhook_bot: Application, webhook_settings: Settings
) -> None:
    # Announced in Content-Length: answered from the head alone.
    head = _head(webhook_settings, secret=SECRET, length=MAX_BODY_BYTES + 1)
    assert (await _status_line(webhook_settings, head)).startswith(b"HTTP/1.1 413 ")
    # Chunked, no length announced: refused once the bytes read pass 1 MB.
    piece = b" " * 65536
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(17))  # 1.06 MB
    chunked = _head(webhook_settings, secret=SECRET, length=None) + chunks
    assert (await _status_line(webhook_settings, chunked)).startswith(b"HTTP/1.1 413 ")
    # The bot goes on answering people.
    user = emulator.user(user_id=606)
    await user.send_text("/start")
    await user.wait_for_message("I'm backcoach")


async def test_what_is_not_json_with_the_secret_gets_400(
    emulator: BotApiEmulator,
    webhook_bot: Application,
    webhook_settings: Settings,
    http: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    url = _local(webhook_settings, webhook_settings.webhook_path)
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    marker = f"notjson{uuid.uuid4().hex}"
    for body in (f'{{"text": "{marker}"'.encode(), b"\xff\xfe{}", b"[1, 2]", b'"text"', b""):
        response = await http.post(url, content=body, headers=headers)
        assert response.status_code == 400, body
    assert marker not in caplog.text
    user = emulator.user(user_id=607)
    await user.send_text("/start")
    await user.wait_for_message("I'm backcoach")


async def test_an_update_ptb_cannot_read_is_skipped_and_not_logged(
    emulator: BotApiEmulator,
    webhook_bot: Application,
    webhook_settings: Settings,
    http: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = f"unreadable{uuid.uuid4().hex}"
    update = {
        "update_id": 900_002,
        "message": {
            "message_id": 1,
            "from": {"id": 608, "is_bot": False, "last_name": marker},  # no first_name
            "chat": {"id": 608, "type": "private"},
            "date": int(time.time()),
            "text": marker,
        },
    }
    url = _local(webhook_settings, webhook_settings.webhook_path)
    response = await http.post(url, json=update, headers={SECRET_HEADER: SECRET})
    # Skipped, as in polling: answered 200 so Telegram does not send it again and again.
    assert response.status_code == 200
    assert "skipped update 900002" in caplog.text
    leaks = [r.name for r in caplog.records if marker in r.getMessage() + (r.exc_text or "")]
    assert not leaks, leaks
    user = emulator.user(user_id=609)
    await user.send_text("/start")
    await user.wait_for_message("I'm backcoach")
