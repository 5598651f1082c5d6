"""The HTTP client under python-telegram-bot: aiohttp by default, PTB's own httpx by a setting.

PTB's documented extension point for its transport is `telegram.request.BaseRequest`:
`AiohttpRequest` is one on aiohttp, which costs about a quarter of httpx's CPU per request
and does not slow down as more requests are in flight (httpcore walks every pooled
connection on each request). It raises what PTB's `HTTPXRequest` raises in the same
situations, so `bot.ratelimit` (what is retried, what "may have arrived") holds on both:

- Telegram's own answers (400, 403, 404, 409, 429 with retry_after, 5xx) are turned into
  PTB's exceptions by `BaseRequest` itself, from the status and body returned here.
- A timeout is `TimedOut` raised from the timeout behind it; a pool with no free connection
  within `pool_timeout` is `TimedOut` raised from `PoolTimeout` (the request never left).
- Any other transport failure is `NetworkError("aiohttp.<Error>: ...")` raised from the
  aiohttp error: a connection never made (`ClientConnectorError`) proves nothing was sent,
  a connection lost after the request was written (`ServerDisconnectedError`, a reset) does
  not.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Sequence
from typing import Any, Literal

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.ext import ExtBot
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter
from yarl import URL

logger = logging.getLogger(__name__)

HttpClient = Literal["aiohttp", "httpx"]
HTTP_CLIENTS: tuple[HttpClient, ...] = ("aiohttp", "httpx")

# PTB's HTTPXRequest says exactly this for a pool timeout; the same words here.
POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* "
    "sent to Telegram. Consider adjusting the connection pool size or the pool timeout."
)


class PoolTimeout(TimeoutError):
    """No connection of the pool came free in time: the request was never sent."""


class AiohttpRequest(BaseRequest):
    """`BaseRequest` on one aiohttp `ClientSession` (keep-alive), with HTTPXRequest's API.

    Timeouts mean what they mean for HTTPXRequest: `connect_timeout` for making a new
    connection, `read_timeout` for each wait on the answer, `pool_timeout` for a free one of
    the `connection_pool_size` connections. aiohttp has no write timeout of its own: the
    whole request is bounded by connect + write + read (when all three are set), so a peer
    that never takes the request still times out. aiohttp speaks HTTP/1.1 only; an
    `http_version` of "2" is accepted and served over HTTP/1.1, which Telegram also speaks.
    """

    __slots__ = (
        "_connection_pool_size",
        "_http_version",
        "_session",
        "_slots",
        "_timeouts",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        http_version: str = "1.1",
        media_write_timeout: float | None = 20.0,
    ) -> None:
        if http_version not in ("1.1", "2", "2.0"):
            raise ValueError("`http_version` must be either '1.1', '2.0' or '2'.")
        if http_version != "1.1":
            logger.info("aiohttp speaks HTTP/1.1 only: http_version %s is ignored", http_version)
        self._http_version = http_version
        self._connection_pool_size = connection_pool_size
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
            "media_write": media_write_timeout,
        }
        self._session: aiohttp.ClientSession | None = None
        # The proxy for each origin (scheme, host, port) requests went to: see `_proxy`.
        self._proxies: dict[
            tuple[str, str | None, int | None], tuple[URL | None, aiohttp.BasicAuth | None]
        ] = {}
        # The pool's limit is kept here rather than in aiohttp's connector, so that waiting
        # for a free connection (nothing sent) is told apart from connecting (nothing sent
        # either, but a different timeout) and from everything after.
        self._slots = asyncio.Semaphore(connection_pool_size)

    @property
    def http_version(self) -> str:
        return self._http_version

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=0, limit_per_host=0, keepalive_timeout=30, enable_cleanup_closed=False
            )
            # Proxies from the environment as httpx's default reads them (HTTPS_PROXY,
            # ALL_PROXY, NO_PROXY), looked up once per origin here (`_proxy`): aiohttp's own
            # trust_env looks up the proxy and ~/.netrc in a worker thread on every request,
            # two thread hops a send (5% of a typed message's CPU in bench B1).
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=False,
                headers={"User-Agent": self.USER_AGENT},
                # Telegram's JSON is read by PTB from the bytes; aiohttp never parses it.
                auto_decompress=True,
            )

    async def shutdown(self) -> None:
        if self._session is None or self._session.closed:
            logger.debug("This AiohttpRequest is already shut down. Returning.")
            return
        await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        read = self._timeouts["read"] if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._timeouts["connect"]
            if isinstance(connect_timeout, DefaultValue)
            else connect_timeout
        )
        pool = self._timeouts["pool"] if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write = self._timeouts["media_write" if files else "write"]
        else:
            write = write_timeout
        timeout = _timeout(connect, write, read, bool(files))
        body: Any = _body(request_data, files)
        await self._take_slot(pool)
        try:
            proxy, proxy_auth = self._proxy(url)
            async with session.request(
                method, url, data=body, timeout=timeout, proxy=proxy, proxy_auth=proxy_auth
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            # aiohttp's connect, read and total timeouts are all TimeoutErrors.
            raise TimedOut from error
        except (aiohttp.ClientError, OSError) as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        finally:
            self._slots.release()

    def _proxy(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The environment's proxy for `url`'s origin (None: none), read once per origin."""
        target = URL(url)
        origin = (target.scheme, target.host, target.port)
        found = self._proxies.get(origin)
        if found is None:
            try:
                found = get_env_proxy_for_url(target)
            except LookupError:  # no proxy for it, or NO_PROXY names it
                found = (None, None)
            self._proxies[origin] = found
        return found

    async def _take_slot(self, pool_timeout: float | None) -> None:
        """A free connection of the pool, within `pool_timeout`, else TimedOut (nothing sent)."""
        if not self._slots.locked():
            await self._slots.acquire()  # free: no timer needed
            return
        try:
            async with asyncio.timeout(pool_timeout):
                await self._slots.acquire()
        except TimeoutError as error:
            raise TimedOut(POOL_TIMEOUT_MESSAGE) from PoolTimeout(str(error))


@functools.lru_cache(maxsize=64)
def _timeout(
    connect: float | None, write: float | None, read: float | None, upload: bool
) -> aiohttp.ClientTimeout:
    """aiohttp's timeouts for PTB's four (a handful of combinations, built once each).

    aiohttp has no write timeout: an upload gets a total of connect + write + read. Other
    bodies are a few hundred bytes, which the socket's buffer takes at once, so they get
    none: a total costs two timers a request (3% of a reminder's CPU in bench B2).
    """
    total = None
    if upload and None not in (connect, write, read):
        total = connect + write + read  # type: ignore[operator]
    return aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)


def _body(request_data: RequestData | None, files: dict[str, Any]) -> Any:
    """The request's body: the parameters as JSON, or multipart when there are files."""
    if request_data is None:
        return None
    if not files:
        # PTB's own JSON payload (each value as HTTPXRequest would put it in the form), which
        # the Bot API takes as it takes a form. json.dumps costs a seventh of urlencode, and a
        # dict given to aiohttp would build a multipart writer (with an os.urandom boundary)
        # for every request before finding it needs none.
        return _Json(request_data.json_payload)
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in files.items():
        # PTB gives (filename, content, mimetype); content is bytes or an open file.
        filename, content, mimetype = part
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


class _Json(aiohttp.BytesPayload):
    """A JSON body, as bytes already."""

    def __init__(self, value: bytes) -> None:
        super().__init__(value, content_type="application/json")


def make_request(client: HttpClient, **kwargs: Any) -> BaseRequest:
    """PTB's request object on the chosen HTTP client, with HTTPXRequest's keywords."""
    if client == "httpx":
        return HTTPXRequest(**kwargs)
    return AiohttpRequest(**kwargs)


def use_uvloop() -> bool:
    """Run asyncio on uvloop when it is installed (an optional dependency); True if so."""
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


async def post_prebuilt(
    bot: ExtBot,
    endpoint: str,
    data: RequestData,
    chat_id: int,
    *,
    rate_limit_args: Any = None,
    paid: bool = False,
) -> Any:
    """Call `endpoint` with a request built beforehand, through the bot's own request object
    and rate limiter: what `bot.send_message` does, without building Telegram objects for
    the call or parsing the answer into one (the answer is returned as JSON).

    `rate_limit_args` go to the rate limiter as a bot method's would (bot.ratelimit: the
    lane); `paid` tells it the request carries `allow_paid_broadcast` (`prebuilt_message`).
    Raises exactly what the bot's methods raise (the same request object and limiter).
    """
    url = f"{bot.base_url}/{endpoint}"
    request = bot.request

    async def call() -> Any:
        return await request.post(url, data)

    limiter = bot.rate_limiter
    if limiter is None:
        return await call()
    return await limiter.process_request(
        callback=call,
        args=(),
        kwargs={},
        endpoint=endpoint,
        data={"chat_id": chat_id, "allow_paid_broadcast": True} if paid else {"chat_id": chat_id},
        rate_limit_args=rate_limit_args,
    )


def prebuilt_message(
    chat_id: int, text: str, reply_markup_json: str | None = None, *, paid: bool = False
) -> RequestData:
    """sendMessage's parameters, encoded once: `reply_markup_json` is the keyboard's JSON;
    `paid` sends it as a paid broadcast (`allow_paid_broadcast`: up to 1,000 messages a
    second, for Telegram Stars from the bot's balance)."""
    parameters = [
        RequestParameter("chat_id", chat_id, None),
        RequestParameter("text", text, None),
    ]
    if reply_markup_json is not None:
        parameters.append(RequestParameter("reply_markup", reply_markup_json, None))
    if paid:
        parameters.append(RequestParameter("allow_paid_broadcast", True, None))
    return RequestData(parameters)


def inline_keyboard_json(rows: Sequence[Sequence[tuple[str, str]]]) -> str:
    """The JSON of an inline keyboard from rows of (label, callback data), as PTB sends it."""
    return _keyboard_json(tuple(tuple(row) for row in rows))


@functools.lru_cache(maxsize=256)
def _keyboard_json(rows: tuple[tuple[tuple[str, str], ...], ...]) -> str:
    # A broadcast sends the same few keyboards (per language and day) thousands of times.
    return json.dumps(
        {
            "inline_keyboard": [
                [{"text": label, "callback_data": data} for label, data in row] for row in rows
            ]
        }
    )
