"""Serving the Mini App: beside the webhook (same server), or its own small server in polling.

In webhook mode `bot/webhook.py` adds `api.routes` to the server that takes updates. In
polling mode MINI_APP_PORT starts a small tornado server of its own, on WEBHOOK_LISTEN, with
the bot; MINI_APP_URL is the public https address a proxy in front of it answers on.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import tornado.netutil
import tornado.web
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from bot.config import Settings
from bot.miniapp.api import MAX_BODY_BYTES, StandIn, routes

logger = logging.getLogger(__name__)


class _NotFound(tornado.web.RequestHandler):
    def prepare(self) -> None:
        self.set_status(404)
        self.finish()


@asynccontextmanager
async def mini_app_serving(
    application: Application,
    *,
    port: int,
    listen: str = "127.0.0.1",
    stand_in: StandIn | None = None,
) -> AsyncIterator[int]:
    """Serve the page and its API on `listen:port` (0: any free port); yields the port."""
    web = tornado.web.Application([*routes(application, stand_in), (r"/.*", _NotFound)])
    server = HTTPServer(web, max_body_size=MAX_BODY_BYTES, xheaders=True)
    sockets = tornado.netutil.bind_sockets(port, listen)
    server.add_sockets(sockets)
    bound = sockets[0].getsockname()[1]
    logger.info("mini app served on %s:%s", listen, bound)
    try:
        yield bound
    finally:
        server.stop()
        await server.close_all_connections()


def serve_beside_polling(application: Application, settings: Settings) -> None:
    """Polling mode with MINI_APP_PORT: start the page's server with the bot, stop it after."""
    if settings.mini_app_port is None:
        return
    inner_init, inner_shutdown = application.post_init, application.post_shutdown
    serving = mini_app_serving(
        application, port=settings.mini_app_port, listen=settings.webhook_listen
    )

    async def post_init(app: Application) -> None:
        if inner_init is not None:
            await inner_init(app)
        await serving.__aenter__()

    async def post_shutdown(app: Application) -> None:
        await serving.__aexit__(None, None, None)
        if inner_shutdown is not None:
            await inner_shutdown(app)

    application.post_init = post_init
    application.post_shutdown = post_shutdown
