"""A start-up failure is one line that names the problem, never the token, and a non-zero exit.

`python -m bot` (polling and webhook) is pointed at a stub Bot API on 127.0.0.1 that answers
every call as Telegram does for a rejected token (401) or a wrong API path (404). The bot's
stdout and stderr together must hold no traceback, not the token, and not even 10 characters
in a row of its secret part.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import tornado.web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from tests.process.harness import REPO_ROOT, SETTINGS

# Shaped like a real token (bot id, colon, 35 characters), unique per run.
TOKEN = f"7{uuid.uuid4().int % 10**9:09d}:AAH{uuid.uuid4().hex}"
SECRET = TOKEN.split(":", 1)[1]
# Telegram's answers: a well-formed token it does not know, and a path it has no bot at.
ANSWERS = {
    401: {"ok": False, "error_code": 401, "description": "Unauthorized"},
    404: {"ok": False, "error_code": 404, "description": "Not Found"},
}
EXIT_TIMEOUT = 60.0


class _Refuse(tornado.web.RequestHandler):
    def initialize(self, status: int, seen: list[str]) -> None:
        self.status = status
        self.seen = seen

    def _answer(self) -> None:
        self.seen.append(self.request.path)
        self.set_status(self.status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(ANSWERS[self.status]))

    get = post = _answer


@pytest.fixture(params=[401, 404])
async def refusing_api(request: pytest.FixtureRequest) -> AsyncIterator[tuple[str, list[str]]]:
    """A stub Bot API on 127.0.0.1 answering every call with 401 (or 404); its base URL."""
    seen: list[str] = []
    app = tornado.web.Application(
        [(r"/.*", _Refuse, {"status": request.param, "seen": seen})],
        log_function=lambda handler: None,
    )
    sockets = bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
    server = HTTPServer(app)
    server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/bot", seen
    finally:
        server.stop()
        await server.close_all_connections()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(base_url: str, tmp_path: Path) -> dict[str, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        LOG_LEVEL="DEBUG",  # the most the bot ever says
        RENDER_WORKERS="1",
        WEBHOOK_LISTEN="127.0.0.1",
        PORT=str(port),
        WEBHOOK_PATH="telegram",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_SECRET="startup-test-secret-0123456789",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    return env


def _secret_pieces(length: int = 10) -> set[str]:
    return {SECRET[i : i + length] for i in range(len(SECRET) - length + 1)}


@pytest.mark.parametrize("mode", [[], ["--webhook"]], ids=["polling", "webhook"])
async def test_a_refused_token_is_one_line_without_the_token(
    refusing_api: tuple[str, list[str]], mode: list[str], tmp_path: Path
) -> None:
    base_url, seen = refusing_api
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *mode,
        cwd=tmp_path, env=_environment(base_url, tmp_path),  # no .env in tmp_path
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with asyncio.timeout(EXIT_TIMEOUT):
            stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = (stdout + stderr).decode(errors="replace")
    assert seen, "the bot never called the (stub) Bot API"
    assert process.returncode not in (0, None), output
    assert TOKEN not in output
    leaked = sorted(piece for piece in _secret_pieces() if piece in output)
    assert not leaked, f"token characters in the output: {leaked[:3]}\n{output}"
    assert "Traceback" not in output, output
    failure_lines = [line for line in stderr.decode().splitlines() if line.startswith("backcoach:")]
    assert len(failure_lines) == 1, output
    assert "TELEGRAM_BOT_TOKEN" in failure_lines[0]


async def test_an_unreachable_telegram_is_one_line_without_the_token(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{_free_port()}/bot"  # nothing listens there
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot",
        cwd=tmp_path, env=_environment(closed, tmp_path),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with asyncio.timeout(EXIT_TIMEOUT):
            stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = (stdout + stderr).decode(errors="replace")
    assert process.returncode == 1, output
    assert not [piece for piece in _secret_pieces() if piece in output], output
    assert "Traceback" not in output, output  # PTB's retries say what failed in one line each
    failure_lines = [line for line in stderr.decode().splitlines() if line.startswith("backcoach:")]
    assert len(failure_lines) == 1, output
    assert "NetworkError" in failure_lines[0]
