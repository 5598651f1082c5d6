"""The webhook refuses before it reads: a flood of huge unauthenticated POSTs costs no memory.

`python -m bot --webhook` runs as a real process against the emulator. Sixteen connections
each announce and start sending a 60 MB body without the secret header, all at once, on
loopback. The bot's resident memory (VmRSS in /proc/<pid>/status) must stay under 200 MB
throughout, and the bot must still answer a person afterwards. Every loop is bounded: a
sender stops after its 60 MB, when the bot closes the connection, or as soon as the memory
limit is crossed (so a failing run does not eat the machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.emulator.server import BotApiEmulator
from tests.process.harness import DEFAULTS, REPO_ROOT, SETTINGS

SECRET = "process-Webhook_secret-0123456789"
SENDERS = 16
BODY_BYTES = 60 * 1024 * 1024
CHUNK = b" " * (64 * 1024)
RSS_LIMIT_MB = 200.0
READY_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    """The process's resident set size in MB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class WebhookBot:
    process: asyncio.subprocess.Process
    port: int
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
async def webhook_process(emulator: BotApiEmulator, tmp_path: Path) -> AsyncIterator[WebhookBot]:
    """`python -m bot --webhook` on a free loopback port, healthy; killed at teardown."""
    emulator.allow_insecure_webhook = True  # http on loopback, as a local Bot API server takes
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS}
    env.update(DEFAULTS)
    env.update(
        TELEGRAM_BOT_TOKEN=emulator.token,
        TELEGRAM_API_BASE_URL=emulator.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        WEBHOOK_LISTEN="127.0.0.1",
        PORT=str(port),
        WEBHOOK_PATH="telegram",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_SECRET=SECRET,
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--webhook",
            cwd=tmp_path, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=log, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    bot = WebhookBot(process, port, log_path)
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            deadline = time.monotonic() + READY_TIMEOUT
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get(bot.url("healthz"))).status_code == 200:
                        break
                assert process.returncode is None, f"the bot exited\n{bot.log()}"
                assert time.monotonic() < deadline, f"not healthy in time\n{bot.log()}"
                await asyncio.sleep(0.1)
        yield bot
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, 9)  # its render workers
        print(bot.log()[-5000:])  # noqa: T201 - shown by pytest when the test failed


async def _huge_unauthenticated_post(port: int, stop: asyncio.Event) -> tuple[int, bytes]:
    """Announce and send a 60 MB body without the secret; bytes sent and the status line."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /telegram HTTP/1.1\r\n"
        + f"Host: 127.0.0.1:{port}\r\n".encode()
        + b"Content-Type: application/json\r\n"
        + f"Content-Length: {BODY_BYTES}\r\n\r\n".encode()
    )
    sent = 0
    status = b""
    try:
        for _ in range(BODY_BYTES // len(CHUNK)):
            if stop.is_set():
                break
            writer.write(CHUNK)
            await writer.drain()
            sent += len(CHUNK)
        status = await asyncio.wait_for(reader.readline(), 10)
    except (ConnectionError, TimeoutError):
        pass  # the bot hung up on us: exactly what it should do
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    return sent, status


async def test_huge_posts_without_the_secret_cost_no_memory(
    emulator: BotApiEmulator, webhook_process: WebhookBot
) -> None:
    pid = webhook_process.pid
    before = rss_mb(pid)
    over_limit = asyncio.Event()
    senders = [
        asyncio.create_task(_huge_unauthenticated_post(webhook_process.port, over_limit))
        for _ in range(SENDERS)
    ]
    peak = before
    for _ in range(int(120 / 0.02)):  # at most two minutes
        peak = max(peak, rss_mb(pid))
        if peak > RSS_LIMIT_MB:
            over_limit.set()
        if all(sender.done() for sender in senders):
            break
        await asyncio.sleep(0.02)
    else:
        over_limit.set()
    results = await asyncio.gather(*senders)
    peak = max(peak, rss_mb(pid))
    sent_mb = sum(sent for sent, _ in results) / 2**20
    print(f"RSS {before:.0f} MB, peak {peak:.0f} MB; {sent_mb:.0f} MB sent before hang-ups")  # noqa: T201
    assert peak < RSS_LIMIT_MB, (
        f"RSS {before:.0f} MB -> {peak:.0f} MB while {sent_mb:.0f} MB were sent"
    )
    # Whatever answer made it back before the bot hung up is a refusal.
    statuses = {status.split(b" ")[1] for _, status in results if status}
    assert statuses <= {b"403"}, statuses
    assert webhook_process.process.returncode is None, "the bot died"

    # And it goes on serving: Telegram's own deliveries (with the secret) are answered.
    user = emulator.user(user_id=701)
    await user.send_text("/start")
    await user.wait_for_message("I'm backcoach", timeout=15)
