"""`python -m bot healthcheck`: a container's health check, exit status 0 when healthy.

In webhook mode (WEBHOOK_URL set) it asks the running bot's own `GET /healthz` on
127.0.0.1:PORT, which checks the bot and its database. In polling mode there is no port to
ask: the bot is the container's main process (if it dies the container stops), so the check is
that the database it uses answers. On failure one line says why, without the URL or password.
"""

from __future__ import annotations

import asyncio
import sys
import urllib.request

from sqlalchemy import text

from bot.config import SettingsError, load_settings
from bot.storage.database import create_engine

TIMEOUT_SECONDS = 5.0


def check() -> int:
    """0 when healthy, 1 otherwise: Docker reserves status 2, so a setting that does not
    load is 1 here too (with its one line)."""
    try:
        settings = load_settings()
    except SettingsError as error:
        _say(str(error))
        return 1
    if settings.webhook_url:
        return _check_webhook(settings.port)
    try:
        asyncio.run(asyncio.wait_for(_database_answers(settings.database_url), TIMEOUT_SECONDS))
    except Exception as error:  # any failure means unhealthy; the type only (no URL, no password)
        _say(f"the database does not answer ({type(error).__name__})")
        return 1
    return 0


def _check_webhook(port: int) -> int:
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        # Straight to the bot: an HTTP(S)_PROXY in the environment must not answer for it.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(url, timeout=TIMEOUT_SECONDS) as response:
            healthy = response.status == 200
    except Exception as error:  # 503 raises HTTPError; a refused connection URLError
        _say(f"{url} answered {error}")
        return 1
    return 0 if healthy else 1


def _say(problem: str) -> None:
    sys.stderr.write(f"backcoach: unhealthy, {problem}\n")


async def _database_answers(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
