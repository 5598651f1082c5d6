"""Webhook mode: python-telegram-bot's webhook server, with our own update route and a health check.

`python -m bot --webhook` runs `serve_webhook`; tests use `webhook_running` inside their own
event loop. Telegram POSTs updates to WEBHOOK_URL, which reaches PTB's tornado server on
WEBHOOK_LISTEN:PORT at /WEBHOOK_PATH. The route there is ours (`UpdateHandler`), not PTB's:
PTB's handler reads the whole body (tornado allows 100 MB) before it looks at the secret, so
a few large POSTs from anyone would take gigabytes. Ours answers from the request's head: 403
without the right `X-Telegram-Bot-Api-Secret-Token` header (WEBHOOK_SECRET, compared in
constant time), 413 for a body over 1 MB (no update comes near it), and only then reads the
body, at most 1 MB of it. A body that is not a JSON object gets 400; an update PTB cannot read
gets 200 and is skipped, logged by its update_id only (bot/intake.py), as in polling. A
readable update is stored in the inbox before its 200 (one already stored gets 200 and is not
handled again); if the database does not answer, 503, and Telegram sends it again later. GET
/healthz answers 200 "ok" while the bot runs, its database answers on a connection of the
check's own within 2 s (a pool busy with slow queries is not a dead bot) and, after a write
failed, takes a probe write; else 503. Any other path gets 404 without its body being read.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import tornado.web
from telegram.ext import Application, ExtBot
from tornado.http1connection import HTTP1Connection
from tornado.httpserver import HTTPServer

from bot.app import lifecycle
from bot.config import HEALTH_PATH, Settings
from bot.handlers.common import SERVICES_KEY, Services
from bot.intake import INBOX_KEY, Inbox, read_update
from bot.miniapp import api as miniapp

logger = logging.getLogger(__name__)

# Well inside a platform's probe timeout, even when the database hangs instead of refusing.
DATABASE_CHECK_SECONDS = 2.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Far above any update (a message is at most 4096 characters), far below what hurts.
MAX_BODY_BYTES = 1024 * 1024
# Tornado's own body limit, lifted on the connections our streaming handlers answer: they
# enforce theirs and answer 413 where tornado would answer 400, or, for a request refused
# from its head, nothing more at all (tornado closes the connection once the refusal is out,
# and drops whatever still arrives).
NO_TORNADO_LIMIT = 2**62


def _lift_tornado_limit(handler: tornado.web.RequestHandler) -> None:
    connection = handler.request.connection
    if isinstance(connection, HTTP1Connection):
        connection.set_max_body_size(NO_TORNADO_LIMIT)


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """POST /WEBHOOK_PATH: refused from the head unless it is Telegram's; at most 1 MB read."""

    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(
        self,
        bot: ExtBot[Any],
        update_queue: asyncio.Queue[object],
        secret: str,
        inbox: Inbox | None = None,
    ) -> None:
        self.bot = bot
        self.update_queue = update_queue
        self.inbox = inbox
        self.secret = secret.encode()
        self.chunks: list[bytes] = []
        self.received = 0
        self.answered = False

    def prepare(self) -> None:
        _lift_tornado_limit(self)
        # Tornado decodes headers as latin-1, so any header value encodes back.
        given = self.request.headers.get(SECRET_HEADER, "").encode("latin-1", "replace")
        if not hmac.compare_digest(given, self.secret):
            self._answer(403)
            return
        declared = self.request.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            self._answer(413)

    def data_received(self, chunk: bytes) -> None:
        if self.answered:
            return
        self.received += len(chunk)
        if self.received > MAX_BODY_BYTES:  # a chunked body: no length was announced
            self.chunks.clear()
            self._answer(413)
            return
        self.chunks.append(chunk)

    async def post(self) -> None:
        if self.answered:
            return
        body, self.chunks = b"".join(self.chunks), []
        try:
            data = json.loads(body)
        except ValueError:  # not JSON, or not UTF-8
            data = None
        if not isinstance(data, dict):
            # Telegram never sends this; what it was is not logged (it may be anyone's).
            logger.warning("webhook: a POST with the secret was not a JSON object; answered 400")
            self._answer(400)
            return
        update = read_update(data, self.bot)
        if update is None:
            self._answer(200)  # an update PTB cannot read is skipped, as in polling
            return
        if self.inbox is not None:
            try:
                new = await self.inbox.store(data, update)
            except Exception as error:
                # Not acknowledged, so not lost: Telegram delivers it again later.
                logger.warning(
                    "webhook: update %s not stored (%s); answered 503",
                    update.update_id,
                    type(error).__name__,
                )
                self._answer(503)
                return
            if not new:  # delivered before: handled (or being handled) already
                self._answer(200)
                return
        self.bot.insert_callback_data(update)
        await self.update_queue.put(update)
        self._answer(200)

    def _answer(self, status: int) -> None:
        """Answer with an empty body; before the body is read, tornado then hangs up."""
        self.answered = True
        self.set_status(status)
        self.finish()


@tornado.web.stream_request_body
class NotFoundHandler(tornado.web.RequestHandler):
    """Any other path: 404 from the head, its body never read."""

    def prepare(self) -> None:
        _lift_tornado_limit(self)
        self.set_status(404)
        self.finish()

    def data_received(self, chunk: bytes) -> None:
        """Never called: the answer is sent before any body is read."""


async def is_healthy(application: Application) -> bool:
    """True while the bot takes updates and its database answers and takes writes."""
    updater = application.updater
    if not (application.running and updater is not None and updater.running):
        return False
    services: Services = application.bot_data[SERVICES_KEY]
    try:
        await services.repository.check_health(timeout=DATABASE_CHECK_SECONDS)
    except Exception as error:  # any failure means "not healthy", never a 500
        # The type only: a driver's message may name hosts or users.
        logger.warning("health check: database failing (%s)", type(error).__name__)
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


def _install_routes(application: Application, settings: Settings, secret: str) -> None:
    """Put our routes in front of PTB's in the tornado Application its webhook server runs.

    PTB's built-in server has no API for its routes; its maintainers point to a custom web
    server instead (python-telegram-bot issue #1438, the customwebhookbot examples). We keep
    PTB's server, so the Updater, setWebhook and shutdown stay PTB's, and add our routes with
    tornado's public `Application.add_handlers` (tried before PTB's own route, which is then
    never reached). Reaching that tornado Application takes PTB-private attributes
    (`Updater._httpd._http_server`), used only here: if a PTB upgrade changes them, start-up
    fails with the message below, and so does tests/e2e/test_webhook.py.

    This runs right after `start_webhook` returns, with no await in between: the server
    starts listening in that same step of the event loop, so no request is ever routed to
    PTB's handler. Tornado's own body limit (for a non-streaming handler, should one ever be
    added) goes down to 1 MB too.
    """
    server = getattr(application.updater, "_httpd", None)
    http_server = getattr(server, "_http_server", None)
    tornado_app = getattr(http_server, "request_callback", None)
    if not isinstance(http_server, HTTPServer) or not isinstance(
        tornado_app, tornado.web.Application
    ):
        raise RuntimeError(
            "cannot install the webhook routes in python-telegram-bot's webhook server: "
            "check bot/webhook.py against the installed python-telegram-bot"
        )
    if not secret:  # require_webhook insists on one; an empty one would let anyone in
        raise RuntimeError("the webhook needs WEBHOOK_SECRET")
    http_server.conn_params.max_body_size = MAX_BODY_BYTES
    update_route = {
        "bot": application.bot,
        "update_queue": application.update_queue,
        "secret": secret,
        "inbox": application.bot_data.get(INBOX_KEY),
    }
    # The Mini App's page and API share this server when it has a public address.
    mini_app = miniapp.routes(application) if settings.mini_app_url else []
    tornado_app.add_handlers(
        r".*",
        [
            (rf"/{HEALTH_PATH}", HealthHandler, {"bot_application": application}),
            (rf"/{re.escape(settings.webhook_path)}/?", UpdateHandler, update_route),
            *mini_app,
            (r"/.*", NotFoundHandler),
        ],
    )


@asynccontextmanager
async def webhook_running(application: Application, settings: Settings) -> AsyncIterator[None]:
    """Run the bot in webhook mode inside an existing event loop (the CLI and tests).

    The same lifecycle as `bot.app.running`, with `Updater.start_webhook` (which also calls
    setWebhook with the URL and secret) in place of polling.
    """
    webhook_url, secret = settings.require_webhook()
    inbox = application.bot_data.get(INBOX_KEY)
    if isinstance(inbox, Inbox):
        # Other instances may share the database: take over only what they left (lease).
        inbox.takes_over = False
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
        _install_routes(application, settings, secret)

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
