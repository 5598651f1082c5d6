"""Tornado HTTP server speaking the Telegram Bot API to a real PTB bot.

It is as strict as Telegram: what Telegram refuses (malformed HTML, an edit that changes
nothing, a late callback answer, an oversized photo, an http webhook, ...) gets Telegram's
status and description, so a test catches the bot sending it. Two keywords of
`BotApiEmulator` bend this on purpose and visibly: `callback_timeout` (15 s, as Telegram) and
`allow_insecure_webhook` (off; on for tests whose webhook is plain http on 127.0.0.1). One
makes it stricter, opt-in: `flood_limit` (bot/emulator/flood.py) answers 429 past ~30
messages/s or 1/s per chat, as Telegram does; messages sent with `allow_paid_broadcast` go
past the 30/s (up to 1,000/s) and are counted in `paid_messages` and `stars_charged`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from tornado.httpserver import HTTPServer
from tornado.httputil import HTTPServerRequest
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from bot.emulator.flood import STARS_PER_PAID_MESSAGE, FloodControl, FloodLimit, counted, is_paid
from bot.emulator.methods import METHODS, Upload, commands_key
from bot.emulator.state import ApiRequest, EmulatorState, Fault, WebhookDelivery
from bot.emulator.users import ScriptedGroup, ScriptedUser
from bot.emulator.webhook import WebhookPusher
from bot.emulator.wire import ApiError, decode_params, ok_payload, parse_json_body

log = logging.getLogger(__name__)

FAULT_KINDS = ("429", "403", "500", "slow")
_UNAUTHORIZED = ApiError(401, "Unauthorized")
_NOT_FOUND = ApiError(404, "Not Found")


class _ApiHandler(RequestHandler):
    """Routes /bot<token>/<method> to the emulator."""

    def initialize(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator

    async def get(self, token: str, method: str) -> None:
        status, payload = await self.emulator.handle(token, method, self.request)
        stream = self.request.connection.stream  # type: ignore[union-attr]
        if stream.closed():
            return  # client gave up (e.g. PTB cancelled a long poll on shutdown)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(payload))

    post = get


class _FileHandler(RequestHandler):
    """Serves uploaded bytes at base_file_url + file_path, as getFile describes."""

    def initialize(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator

    def get(self, token: str, path: str) -> None:
        stored = self.emulator.state.files.get(path.rsplit("/", 1)[-1])
        if token != self.emulator.token or stored is None or stored.content is None:
            self.set_status(404)
            self.finish(json.dumps(_NOT_FOUND.payload()))
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.finish(stored.content)


class BotApiEmulator:
    """A local Telegram Bot API server with scripted users for end-to-end tests."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "backcoach_bot",
        callback_timeout: float = 15.0,
        allow_insecure_webhook: bool = False,
        first_update_id: int = 1,
        flood_limit: FloodLimit | None = None,
    ) -> None:
        """Strict as Telegram by default; two keywords relax that on purpose.

        `callback_timeout`: real seconds after a button press within which the bot must answer
        the callback query; a later answerCallbackQuery gets Telegram's 400.
        `allow_insecure_webhook`: let setWebhook take a plain http URL, any port and a loopback
        or private address, as a local Bot API server (`telegram-bot-api --local`) does. Tests
        that run the bot's webhook on 127.0.0.1 need it; Telegram itself refuses such URLs.
        `first_update_id`: Telegram's update ids go on rising across a bot's restarts; a bot
        whose database outlives this emulator (the demo) must not see an old id again.
        `flood_limit`: answer 429 with retry_after past these limits, as Telegram does
        (None, the default: no flood limit at all).
        """
        self.token = token
        self.host = host
        self.port = port
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user: dict[str, Any] = {
            "id": bot_id, "is_bot": True, "first_name": "BackCoach", "username": bot_username,
        }  # fmt: skip
        self.state = EmulatorState(self.bot_user)
        self.state.callback_timeout = callback_timeout
        self.state.allow_insecure_webhook = allow_insecure_webhook
        self.state.next_update_id = first_update_id
        self.requests: list[ApiRequest] = []
        self.faults: list[Fault] = []
        self.flood: FloodControl | None = None if flood_limit is None else FloodControl(flood_limit)
        # Messages delivered as paid broadcasts (allow_paid_broadcast), each 0.1 Stars.
        self.paid_messages = 0
        self._users: dict[int, ScriptedUser] = {}
        self._groups: dict[int, ScriptedGroup] = {}
        self._server: HTTPServer | None = None
        self._pusher = WebhookPusher(self.state)  # delivers updates while a webhook is set
        self._in_flight = 0
        self._drained = asyncio.Event()  # set whenever no request is being answered

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind 127.0.0.1 and start serving on the running event loop."""
        app = Application(
            [
                (r"/bot([^/]+)/([^/]+)", _ApiHandler, {"emulator": self}),
                (r"/file/bot([^/]+)/(.+)", _FileHandler, {"emulator": self}),
            ],
            log_function=lambda handler: None,  # access logs would drown the demo output
        )
        sockets = bind_sockets(self.port, self.host, family=socket.AF_INET)
        self.port = sockets[0].getsockname()[1]
        self._server = HTTPServer(app)
        self._server.add_sockets(sockets)
        self.state.closing = False
        self._pusher.start()

    async def stop(self) -> None:
        """Release pending long polls and close the server."""
        self.state.closing = True
        self.state.notify()
        await self._pusher.stop()
        if self._server is not None:
            self._server.stop()
            # Let released long polls (and slow faults) answer instead of being cut off.
            if self._in_flight:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._drained.wait(), 1.0)
            await asyncio.sleep(0)  # one more turn so the last answer is flushed
            await self._server.close_all_connections()
            self._server = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Value for ApplicationBuilder.base_url / Bot(base_url=...)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ApplicationBuilder.base_file_url / Bot(base_file_url=...)."""
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def webhook_url(self) -> str:
        """The URL the bot set with setWebhook ("" while it polls)."""
        return str(self.state.webhook["url"])

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        """Every POST of an update to the bot's webhook, failed ones included, in order."""
        return self.state.deliveries

    @property
    def callback_timeout(self) -> float:
        """Seconds after a press within which answerCallbackQuery is accepted (default 15)."""
        return self.state.callback_timeout

    @callback_timeout.setter
    def callback_timeout(self, seconds: float) -> None:
        self.state.callback_timeout = seconds

    @property
    def allow_insecure_webhook(self) -> bool:
        """Whether setWebhook accepts http, any port and private addresses (see __init__)."""
        return self.state.allow_insecure_webhook

    @allow_insecure_webhook.setter
    def allow_insecure_webhook(self, allowed: bool) -> None:
        self.state.allow_insecure_webhook = allowed

    @property
    def stars_charged(self) -> Decimal:
        """Telegram Stars the paid broadcasts cost the bot so far (0.1 a message)."""
        return self.paid_messages * STARS_PER_PAID_MESSAGE

    @property
    def callback_answer_latencies(self) -> list[float]:
        """Seconds from each answered press to its answerCallbackQuery, in answer order."""
        return self.state.callback_answer_latencies

    @property
    def commands(self) -> list[dict[str, Any]]:
        """Commands the bot registered with setMyCommands for the default scope."""
        return self.state.commands.get(commands_key({}), [])

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Commands the bot registered for this scope (e.g. {"type": "all_private_chats"})."""
        key = commands_key({"scope": scope, "language_code": language_code})
        return self.state.commands.get(key, [])

    @property
    def description(self) -> str:
        """What setMyDescription set for all languages: the text shown in an empty chat."""
        return self.state.descriptions.get("", "")

    @property
    def short_description(self) -> str:
        """What setMyShortDescription set for all languages: the profile page's text."""
        return self.state.short_descriptions.get("", "")

    # --- scripted participants ----------------------------------------------------------------

    def user(
        self, user_id: int | None = None, first_name: str = "Alex", language_code: str = "en"
    ) -> ScriptedUser:
        """Return the scripted user with this id (created on first use; chat id == user id)."""
        if user_id is None:
            user_id = 10_001 + len(self._users)
        if user_id not in self._users:
            user = {"id": user_id, "is_bot": False, "first_name": first_name,
                    "language_code": language_code}  # fmt: skip
            self.state.users[user_id] = user
            self.state.chats[user_id] = {"id": user_id, "type": "private",
                                         "first_name": first_name}  # fmt: skip
            self._users[user_id] = ScriptedUser(self.state, user)
        return self._users[user_id]

    def group(self, chat_id: int, title: str = "Back pain club") -> ScriptedGroup:
        """Create (or reuse) a basic group chat the bot is a member of."""
        if chat_id not in self._groups:
            self.state.chats[chat_id] = {"id": chat_id, "type": "group", "title": title}
            self._groups[chat_id] = ScriptedGroup(self.state, chat_id)
        return self._groups[chat_id]

    # --- fault injection ----------------------------------------------------------------------

    def inject_fault(
        self,
        kind: str,
        *,
        method: str | None = None,
        chat_id: int | None = None,
        count: int = 1,
        retry_after: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next `count` matching requests fail (429/403/500) or answer late (slow)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        self.faults.append(Fault(kind, method, chat_id, count, retry_after, delay))

    def clear_faults(self) -> None:
        """Drop all pending faults."""
        self.faults.clear()

    def _take_fault(self, method: str, chat_id: int | None) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, chat_id):
                fault.remaining -= 1
                return fault
        return None

    # --- request handling ---------------------------------------------------------------------

    def requests_for(
        self, method: str | None = None, chat_id: int | None = None
    ) -> list[ApiRequest]:
        """Recorded requests filtered by method name (case-insensitive) and/or chat."""
        return [
            r
            for r in self.requests
            if (method is None or r.method.lower() == method.lower())
            and (chat_id is None or r.chat_id == chat_id)
        ]

    def _chat_of(self, params: dict[str, Any]) -> int | None:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int):
            return chat_id
        callback = self.state.callbacks.get(str(params.get("callback_query_id")))
        return callback.chat_id if callback else None

    @staticmethod
    def _read(request: HTTPServerRequest) -> tuple[dict[str, Any], dict[str, Upload]]:
        raw: dict[str, Any] = {}
        for key, values in request.query_arguments.items():
            raw[key] = values[-1].decode(errors="replace")
        if request.headers.get("Content-Type", "").startswith("application/json"):
            raw.update(parse_json_body(request.body))
        else:
            for key, values in request.body_arguments.items():
                raw[key] = values[-1].decode(errors="replace")
        uploads = {
            name: Upload(parts[0].filename, parts[0].content_type, parts[0].body)
            for name, parts in request.files.items()
        }
        return decode_params(raw), uploads

    async def handle(
        self, token: str, method: str, request: HTTPServerRequest
    ) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call, applying auth, faults and recording."""
        self._in_flight += 1
        self._drained.clear()
        try:
            return await self._answer(token, method, request)
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._drained.set()

    async def _answer(
        self, token: str, method: str, request: HTTPServerRequest
    ) -> tuple[int, dict[str, Any]]:
        record = ApiRequest(method, {}, time.monotonic())
        try:
            if token != self.token:
                raise _UNAUTHORIZED
            record.params, uploads = self._read(request)
            record.chat_id = self._chat_of(record.params)
            record.uploads = {name: len(u.body) for name, u in uploads.items()}
            implementation = METHODS.get(method.lower())
            if implementation is None:
                raise _NOT_FOUND
            self.state.touch(record.chat_id)
            fault = self._take_fault(method, record.chat_id)
            if fault is not None:
                await self._apply_fault(fault)
            paid = is_paid(method, record.params)
            if self.flood is not None and counted(method):
                wait = self.flood.admit(record.chat_id, paid=paid)
                if wait:
                    raise ApiError(
                        429, f"Too Many Requests: retry after {wait}", {"retry_after": wait}
                    )
            record.result = await implementation(self.state, record.params, uploads)
            if paid:
                self.paid_messages += 1
            payload = ok_payload(record.result)
        except ApiError as err:
            record.status, record.description = err.status, err.description
            payload = err.payload()
        except Exception as exc:  # a bug here must surface as a 500, not a hung request
            log.exception("emulator failed on %s", method)
            record.status, record.description = 500, f"Internal Server Error: {exc!r}"
            payload = ApiError(500, record.description).payload()
        self.requests.append(record)
        self.state.touch(record.chat_id)
        self.state.notify()
        return record.status, payload

    @staticmethod
    async def _apply_fault(fault: Fault) -> None:
        if fault.kind == "slow":
            await asyncio.sleep(fault.delay)
        elif fault.kind == "429":
            raise ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
        elif fault.kind == "403":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        else:
            raise ApiError(500, "Internal Server Error")
