"""Webhook mode: python-telegram-bot's webhook server, with a health check on the same port.

`python -m bot --webhook` runs `serve_webhook`; tests use `webhook_running` inside their own
event loop. Telegram POSTs updates to WEBHOOK_URL, which reaches PTB's tornado server on
WEBHOOK_LISTEN:PORT at /WEBHOOK_PATH. PTB answers any POST without the right
`X-Telegram-Bot-Api-Secret-Token` header (WEBHOOK_SECRET) with 403 and drops it unread
(`TelegramHandler._validate_post` in telegram/ext/_utils/webhookhandler.py). GET /healthz
answers 200 "ok" while the bot runs and its database answers a trivial query, else 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import tornado.web
from telegram.ext import Application

from bot.app import lifecycle
from bot.config import HEALTH_PATH, Settings
from bot.handlers.common import SERVICES_KEY, Services

logger = logging.getLogger(__name__)

# Well inside a platform's probe timeout, even when the database hangs instead of refusing.
DATABASE_CHECK_SECONDS = 3.0


async def is_healthy(application: Application) -> bool:
    """True while the bot takes updates and its database answers `SELECT 1`."""
    updater = application.updater
    if not (application.running and updater is not None and updater.running):
        return False
    services: Services = application.bot_data[SERVICES_KEY]
    try:
        async with asyncio.timeout(DATABASE_CHECK_SECONDS):
            await services.repository.ping()
    except Exception as error:  # any failure means "not healthy", never a 500
        # The type only: a driver's message may name hosts or users.
        logger.warning("health check: database unreachable (%s)", type(error).__name__)
        return False
    return True


class HealthHandler(tornado.web.RequestHandler):
    """GET /healthz: 200 "ok", or 503 "unavailable"."""

    def initialize(self, bot_application: Application) -> None:
        self.bot_application = bot_application

    async def get(self) -> None:
        healthy = await is_healthy(self.bot_application)
        self.set_status(200 if healthy else 503)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish("ok" if healthy else "unavailable")


def _add_health_route(application: Application) -> None:
    """Serve /healthz from the tornado Application that PTB's webhook server runs.

    PTB's built-in server has no API for extra routes; its maintainers point to a custom web
    server instead (python-telegram-bot issue #1438, the customwebhookbot examples). That would
    mean re-implementing the webhook handler and its secret-token check, which PTB already does,
    so we keep PTB's server and add one route with tornado's public `Application.add_handlers`
    (it is tried before PTB's own route and falls through to it for any other path). Reaching
    that tornado Application takes PTB-private attributes (`Updater._httpd._http_server`), used
    only here: if a PTB upgrade changes them, start-up fails with the message below, and so does
    tests/e2e/test_webhook.py.
    """
    server = getattr(application.updater, "_httpd", None)
    tornado_app = getattr(getattr(server, "_http_server", None), "request_callback", None)
    if not isinstance(tornado_app, tornado.web.Application):
        raise RuntimeError(
            f"cannot add /{HEALTH_PATH} to python-telegram-bot's webhook server: "
            "check bot/webhook.py against the installed python-telegram-bot"
        )
    route = (rf"/{HEALTH_PATH}", HealthHandler, {"bot_application": application})
    tornado_app.add_handlers(r".*", [route])


@asynccontextmanager
async def webhook_running(application: Application, settings: Settings) -> AsyncIterator[None]:
    """Run the bot in webhook mode inside an existing event loop (the CLI and tests).

    The same lifecycle as `bot.app.running`, with `Updater.start_webhook` (which also calls
    setWebhook with the URL and secret) in place of polling.
    """
    webhook_url, secret = settings.require_webhook()
    if not urlsplit(webhook_url).path.rstrip("/").endswith(f"/{settings.webhook_path}"):
        # Legitimate behind a proxy that rewrites paths; otherwise every update would 404.
        logger.warning("WEBHOOK_URL does not end in /%s (WEBHOOK_PATH)", settings.webhook_path)

    async def start_webhook() -> None:
        assert application.updater is not None
        await application.updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.port,
            url_path=settings.webhook_path,
            webhook_url=webhook_url,
            secret_token=secret,
            allowed_updates=None,  # as in polling: Telegram keeps its setting (default: all we use)
        )
        _add_health_route(application)

    async with lifecycle(application, start_webhook):
        logger.info(
            "webhook server on %s:%s, updates at /%s, health at /%s",
            settings.webhook_listen,
            settings.port,
            settings.webhook_path,
            HEALTH_PATH,
        )
        yield


async def serve_webhook(application: Application, settings: Settings) -> None:
    """Serve until SIGTERM (how platforms stop a web process) or SIGINT (Ctrl-C).

    PTB's `Application.run_webhook` would do the same, but gives no moment between starting
    its server and serving in which to add /healthz; this is its documented manual form.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl-C still interrupts
            loop.add_signal_handler(number, stop.set)
    async with webhook_running(application, settings):
        await stop.wait()
    logger.info("stopped")
