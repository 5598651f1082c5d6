"""The aiohttp transport raises what PTB's HTTPXRequest raises, in each situation.

Every case runs the same call through both request classes, against the Bot API emulator or
a bare socket server scripted to answer (or not) in one way, and compares what PTB raised:
its type, its message and retry_after where Telegram gave them, and whether the rate
limiter counts the request as possibly delivered (`may_have_arrived`, which decides between
a retry and "counted as sent").
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.config import load_settings
from bot.emulator import BotApiEmulator
from bot.ratelimit import PatientRateLimiter, may_have_arrived
from bot.transport import AiohttpRequest, make_request

CLASSES = [HTTPXRequest, AiohttpRequest]
TOKEN = "123456:TEST-token"


@dataclass(frozen=True)
class Raised:
    """What a call raised, as far as callers can tell."""

    type: type[BaseException]
    message: str | None
    retry_after: object
    may_have_arrived: bool
    from_transport: bool


async def _raised(call: Awaitable[Any]) -> Raised:
    try:
        await call
    except TelegramError as error:
        cause = error.__cause__
        from_transport = isinstance(cause, httpx.HTTPError | aiohttp.ClientError | TimeoutError)
        return Raised(
            type=type(error),
            # A transport's own words name its library ("httpx.ReadError"); Telegram's, and
            # PTB's own ("Timed out", "Pool timeout: ..."), are the same whichever client.
            message=None if type(error) is NetworkError and from_transport else str(error),
            retry_after=getattr(error, "retry_after", None),
            may_have_arrived=may_have_arrived(error),
            from_transport=from_transport,
        )
    raise AssertionError("nothing was raised")


async def _both(
    scenario: Callable[[BaseRequest], Awaitable[Any]], **kwargs: Any
) -> dict[str, Raised]:
    """What `scenario` raised with each request class (each initialized and shut down)."""
    seen = {}
    for cls in CLASSES:
        request = cls(**kwargs)
        await request.initialize()
        try:
            seen[cls.__name__] = await _raised(scenario(request))
        finally:
            await request.shutdown()
    return seen


def _same(seen: dict[str, Raised]) -> Raised:
    httpx_raised, aiohttp_raised = seen["HTTPXRequest"], seen["AiohttpRequest"]
    assert aiohttp_raised == httpx_raised
    return aiohttp_raised


# Against the emulator: Telegram's answers -------------------------------------------------


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN) as emu:
        yield emu


def _bot(emulator: BotApiEmulator, request: BaseRequest, token: str = TOKEN) -> Bot:
    return Bot(token, base_url=emulator.base_url, base_file_url=emulator.base_file_url,
               request=request, get_updates_request=request)  # fmt: skip


async def test_400_bad_request(emulator: BotApiEmulator) -> None:
    raised = _same(await _both(lambda r: _bot(emulator, r).send_message(424242, "hi")))
    assert raised.type is BadRequest and "chat not found" in (raised.message or "").lower()
    assert not raised.may_have_arrived


async def test_403_forbidden(emulator: BotApiEmulator) -> None:
    chat = emulator.user(first_name="Ana").chat_id

    async def send(request: BaseRequest) -> None:
        emulator.inject_fault("403", method="sendMessage")
        await _bot(emulator, request).send_message(chat, "hi")

    raised = _same(await _both(send))
    assert raised.type is Forbidden and raised.message == "Forbidden: bot was blocked by the user"


async def test_401_unknown_token(emulator: BotApiEmulator) -> None:
    raised = _same(await _both(lambda r: _bot(emulator, r, "999:WRONG").get_me()))
    assert raised.type is InvalidToken


async def test_429_with_retry_after(emulator: BotApiEmulator) -> None:
    chat = emulator.user(first_name="Ana").chat_id

    async def send(request: BaseRequest) -> None:
        emulator.inject_fault("429", method="sendMessage", retry_after=7)
        await _bot(emulator, request).send_message(chat, "hi")

    raised = _same(await _both(send))
    assert raised.type is RetryAfter and raised.retry_after == RetryAfter(7).retry_after
    assert not raised.may_have_arrived


async def test_500_is_a_network_error_safe_to_repeat(emulator: BotApiEmulator) -> None:
    chat = emulator.user(first_name="Ana").chat_id

    async def send(request: BaseRequest) -> None:
        emulator.inject_fault("500", method="sendMessage")
        await _bot(emulator, request).send_message(chat, "hi")

    raised = _same(await _both(send))
    assert raised.type is NetworkError and raised.message == "Internal Server Error"
    assert not raised.may_have_arrived and not raised.from_transport


async def test_a_slow_answer_times_out_and_may_have_arrived(emulator: BotApiEmulator) -> None:
    chat = emulator.user(first_name="Ana").chat_id

    async def send(request: BaseRequest) -> None:
        emulator.inject_fault("slow", method="sendMessage", delay=0.5)
        await _bot(emulator, request).send_message(chat, "hi", read_timeout=0.1)

    raised = _same(await _both(send))
    assert raised.type is TimedOut and raised.from_transport and raised.may_have_arrived


@pytest.mark.parametrize("cls", CLASSES)
async def test_uploads_and_downloads_carry_the_bytes(
    emulator: BotApiEmulator, cls: type[BaseRequest]
) -> None:
    """Photos, documents and animations go up as multipart, byte for byte, and come back."""
    user = emulator.user(first_name="Ana")
    png = _png()
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"  # noqa: E501
    async with cls() as request:
        bot = _bot(emulator, request)
        photo = await bot.send_photo(user.chat_id, png, caption="a figure")
        document = await bot.send_document(user.chat_id, pdf, filename="summary é.pdf")
        animation = await bot.send_animation(user.chat_id, gif, filename="pose.gif")
        assert document.document is not None and document.document.file_name == "summary é.pdf"
        for file_id, sent in (
            (photo.photo[-1].file_id, png),
            (document.document.file_id, pdf),
            (animation.animation.file_id if animation.animation else "", gif),
        ):
            got = await (await bot.get_file(file_id)).download_as_bytearray()
            assert bytes(got) == sent
    texts = [message.caption for message in user.transcript if message.caption]
    assert texts == ["a figure"]


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


# Against a bare server: what the emulator never does --------------------------------------


@contextlib.contextmanager
def _server(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A loopback HTTP server that reads each request, then lets `answer` act on the socket."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    open_sockets: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            open_sockets.append(conn)
            threading.Thread(target=_read_then, args=(conn, answer), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/bot{TOKEN}/sendMessage"
    finally:
        stop.set()
        thread.join()
        listener.close()
        for conn in open_sockets:
            conn.close()


def _read_then(conn: socket.socket, answer: Callable[[socket.socket], None]) -> None:
    data = b""
    with contextlib.suppress(OSError):
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk
        answer(conn)


def _reply(status: int, body: bytes) -> Callable[[socket.socket], None]:
    def answer(conn: socket.socket) -> None:
        conn.sendall(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        conn.close()

    return answer


def _post(url: str, **timeouts: float) -> Callable[[BaseRequest], Awaitable[Any]]:
    data = RequestData(
        [RequestParameter.from_input("chat_id", 1), RequestParameter.from_input("text", "hi")]
    )
    return lambda request: request.post(url, data, **timeouts)


@pytest.mark.parametrize(
    ("status", "body", "expected", "arrived"),
    [
        (409, b'{"ok":false,"error_code":409,"description":"Conflict: terminated by other '
         b'getUpdates request"}', Conflict, False),
        (400, b'{"ok":false,"error_code":400,"description":"Bad Request: group chat was '
         b'upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-100123}}',
         ChatMigrated, False),
        (404, b'{"ok":false,"error_code":404,"description":"Not Found"}', InvalidToken, False),
        (502, b"<html>Bad Gateway</html>", NetworkError, False),
        (503, b'{"ok":false,"error_code":503,"description":"Service Unavailable"}',
         NetworkError, False),
        # Telegram said 200, so it was carried out, but PTB cannot read the answer.
        (200, b"not json", TelegramError, True),
    ],
)  # fmt: skip
async def test_telegram_answers_become_the_same_errors(
    status: int, body: bytes, expected: type[TelegramError], arrived: bool
) -> None:
    with _server(_reply(status, body)) as url:
        raised = _same(await _both(_post(url)))
    assert raised.type is expected and raised.may_have_arrived is arrived
    assert raised.message and not raised.from_transport


async def test_a_connection_dropped_after_the_request_may_have_arrived() -> None:
    def drop(conn: socket.socket) -> None:
        conn.shutdown(socket.SHUT_RDWR)
        conn.close()

    with _server(drop) as url:
        raised = _same(await _both(_post(url)))
    assert raised.type is NetworkError and raised.from_transport and raised.may_have_arrived


async def test_no_answer_is_a_read_timeout_that_may_have_arrived() -> None:
    with _server(lambda conn: None) as url:
        raised = _same(await _both(_post(url, read_timeout=0.2)))
    assert raised.type is TimedOut and raised.may_have_arrived


async def test_a_refused_connection_was_never_sent() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage"  # nothing listens there now
    raised = _same(await _both(_post(url)))
    assert raised.type is NetworkError and raised.from_transport and not raised.may_have_arrived


async def test_a_connect_timeout_was_never_sent() -> None:
    # A listener whose accept queue is full: Linux drops further SYNs, so connect() hangs.
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
        port = listener.getsockname()[1]
        filling = [socket.socket() for _ in range(3)]
        for sock in filling:
            sock.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                sock.connect(("127.0.0.1", port))
        await asyncio.sleep(0.1)
        url = f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage"
        try:
            raised = _same(await _both(_post(url, connect_timeout=0.3)))
        finally:
            for sock in filling:
                sock.close()
    assert raised.type is TimedOut and not raised.may_have_arrived


async def test_no_free_connection_in_the_pool_was_never_sent() -> None:
    async def second_waits(request: BaseRequest, url: str) -> None:
        first = asyncio.create_task(_post(url, read_timeout=2)(request))
        await asyncio.sleep(0.2)  # the only connection is taken
        try:
            await _post(url, pool_timeout=0.1)(request)
        finally:
            first.cancel()
            with contextlib.suppress(BaseException):
                await first

    with _server(lambda conn: None) as url:
        seen = {}
        for cls in CLASSES:
            async with cls(connection_pool_size=1) as request:
                seen[cls.__name__] = await _raised(second_waits(request, url))
    raised = _same(seen)
    assert raised.type is TimedOut and raised.message and "Pool timeout" in raised.message
    assert not raised.may_have_arrived


async def test_a_peer_that_never_reads_the_upload_times_out() -> None:
    """A write that cannot finish ends in TimedOut (httpx: the write timeout; aiohttp: the
    request's bound, connect + write + read)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/bot{TOKEN}/sendDocument"
    big = b"x" * (64 * 1024 * 1024)  # far more than the socket buffers take
    from telegram import InputFile

    data = RequestData(
        [
            RequestParameter.from_input("chat_id", 1),
            RequestParameter.from_input("document", InputFile(big, filename="big.bin")),
        ]
    )
    try:
        seen = await _both(
            lambda r: r.post(url, data, write_timeout=0.3, read_timeout=0.3, connect_timeout=0.3)
        )
    finally:
        listener.close()
    raised = _same(seen)
    assert raised.type is TimedOut and raised.may_have_arrived


# The setting, and the rate limiter on aiohttp -------------------------------------------


def test_http_client_setting() -> None:
    assert load_settings(env_file=None).http_client == "aiohttp"
    assert load_settings(env_file=None, http_client=" HTTPX ").http_client == "httpx"
    assert isinstance(make_request("httpx"), HTTPXRequest)
    assert isinstance(make_request("aiohttp", connection_pool_size=1), AiohttpRequest)


async def test_the_rate_limiter_repeats_a_refused_connection_on_aiohttp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Never sent: tried again after the backoff; a dropped answer is not repeated."""
    from bot import ratelimit

    monkeypatch.setattr(ratelimit, "SERVER_ERROR_BACKOFF", (0.0, 0.0, 0.0))
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    refused = f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage"
    dropped_count = 0

    def drop(conn: socket.socket) -> None:
        nonlocal dropped_count
        dropped_count += 1
        conn.close()

    limiter = PatientRateLimiter()
    await limiter.initialize()
    try:
        async with AiohttpRequest() as request:
            calls = 0

            async def call(url: str) -> Any:
                nonlocal calls
                calls += 1
                return await _post(url)(request)

            with pytest.raises(NetworkError):
                await limiter.process_request(call, (refused,), {}, "sendMessage", {}, None)
            assert calls == 4
            with _server(drop) as dropping, pytest.raises(NetworkError):
                await limiter.process_request(call, (dropping,), {}, "sendMessage", {}, None)
            assert dropped_count == 1
    finally:
        await limiter.shutdown()


@pytest.mark.parametrize("request_class", CLASSES)
async def test_a_proxy_from_the_environment_carries_the_requests(
    request_class: type[BaseRequest],
    emulator: BotApiEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HTTP(S)_PROXY is honoured as httpx honours it; NO_PROXY leaves a host out of it."""
    seen: list[str] = []

    async def forward(request: web.Request) -> web.StreamResponse:
        seen.append(str(request.url))  # a proxy gets the absolute URL
        async with aiohttp.ClientSession() as upstream:
            target = str(request.url).replace(
                "http://telegram.invalid", emulator.base_url[: -len("/bot")]
            )
            async with upstream.post(
                target,
                data=await request.read(),
                headers={"Content-Type": request.headers.get("Content-Type", "application/json")},
            ) as answer:
                return web.Response(
                    body=await answer.read(), status=answer.status, content_type="application/json"
                )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    try:
        through_proxy = Bot(TOKEN, base_url="http://telegram.invalid/bot", request=request_class())
        direct = Bot(TOKEN, base_url=emulator.base_url, request=request_class())
        async with through_proxy, direct:
            assert (await through_proxy.get_me()).is_bot
            assert len(seen) >= 1 and seen[0].startswith("http://telegram.invalid/bot")
            count = len(seen)
            assert (await direct.get_me()).is_bot
            assert len(seen) == count  # NO_PROXY: straight to 127.0.0.1
    finally:
        await runner.cleanup()
