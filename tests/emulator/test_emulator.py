"""The Bot API emulator speaks well enough to the real python-telegram-bot stack."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import json
import queue
import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as TornadoApplication
from tornado.web import RequestHandler

from bot.emulator import BotApiEmulator, ScriptedUser
from bot.emulator.terminal import chat_in_terminal
from bot.emulator.webhook import SECRET_HEADER, update_type
from tests.emulator.conftest import png

USER_ID = 4242
KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Done", callback_data="done"),
            InlineKeyboardButton("Hurts", callback_data="hurts"),
        ]
    ]
)


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(
        "Hello! <b>Ready?</b>", parse_mode="HTML", reply_markup=KEYBOARD
    )


async def _button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"You chose {query.data}")


async def _where(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    markup = ReplyKeyboardMarkup([[KeyboardButton("Share location", request_location=True)]])
    await update.message.reply_text("Where are you?", reply_markup=markup)


async def _located(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.location is not None
    loc = update.message.location
    await update.message.reply_text(f"at {loc.latitude:.2f},{loc.longitude:.2f}")


async def _group_echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.effective_user is not None
    await update.message.reply_text(
        f"{update.effective_user.first_name} said {update.message.text}"
    )


@pytest.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[Application]:
    application = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CommandHandler("where", _where))
    application.add_handler(CallbackQueryHandler(_button))
    application.add_handler(MessageHandler(filters.LOCATION, _located))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.TEXT, _group_echo))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


# --- raw Bot API ------------------------------------------------------------------------------


async def test_get_me_is_parsed_by_ptb(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.username == "backcoach_bot"
    assert me.id == 123456
    assert me.is_bot


async def test_send_edit_and_not_modified(
    bot: Bot, user: ScriptedUser, emu: BotApiEmulator
) -> None:
    sent = await bot.send_message(USER_ID, "Day 1", reply_markup=KEYBOARD)
    assert isinstance(sent, Message)
    assert sent.chat.type == "private"
    assert sent.reply_markup == KEYBOARD
    edited = await bot.edit_message_text("Day 1 done", chat_id=USER_ID, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.reply_markup is None  # omitting reply_markup removes the keyboard, as on Telegram
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Day 1 done", chat_id=USER_ID, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=999)
    await bot.edit_message_reply_markup(USER_ID, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER_ID, sent.message_id, reply_markup=KEYBOARD)
    assert user.transcript[0].edits == ["Day 1 done", "Day 1 done"]
    assert user.last_message is not None and user.last_message.buttons == [["Done", "Hurts"]]
    assert [r.status for r in emu.requests_for("editMessageText")] == [200, 400, 400]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"chat_id": USER_ID, "text": ""}, "message text is empty"),
        ({"chat_id": USER_ID, "text": "x" * 4097}, "message is too long"),
        ({"chat_id": 777, "text": "hi"}, "chat not found"),
        ({"chat_id": USER_ID, "text": "1 < 2", "parse_mode": "HTML"}, "can't parse entities"),
        ({"chat_id": USER_ID, "text": "<b>open", "parse_mode": "HTML"}, "can't parse entities"),
        ({"chat_id": USER_ID, "text": "Done.", "parse_mode": "MarkdownV2"}, "reserved"),
        (
            {
                "chat_id": USER_ID,
                "text": "hi",
                "reply_markup": InlineKeyboardMarkup(
                    [[InlineKeyboardButton("x", callback_data="d" * 65)]]
                ),
            },
            "BUTTON_DATA_INVALID",
        ),
    ],
)
async def test_send_message_validation(
    bot: Bot, user: ScriptedUser, kwargs: dict, error: str
) -> None:
    with pytest.raises(BadRequest, match=rf"(?i){error}"):
        await bot.send_message(**kwargs)
    assert user.transcript == []


async def test_html_is_rendered_to_plain_text(bot: Bot, user: ScriptedUser) -> None:
    await bot.send_message(USER_ID, "<b>Cat</b> &amp; cow &lt;3", parse_mode="HTML")
    assert (await user.wait_for_message()).text == "Cat & cow <3"


async def test_raw_http_forms_json_and_errors(emu: BotApiEmulator, user: ScriptedUser) -> None:
    url = f"{emu.base_url}{emu.token}"
    async with httpx.AsyncClient() as client:
        form = await client.post(f"{url}/sendMessage", data={"chat_id": str(USER_ID), "text": "42"})
        assert form.json()["result"]["text"] == "42"  # a numeric-looking text stays a string
        body = {
            "chat_id": USER_ID,
            "text": "json",
            "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
        }
        sent = await client.post(f"{url}/sendMessage", json=body)
        assert sent.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
        bad = await client.post(
            f"{url}/sendMessage", data={"chat_id": USER_ID, "text": "x", "reply_markup": "{nope"}
        )
        assert bad.status_code == 400
        assert bad.json() == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: can't parse reply keyboard markup JSON object",
        }
        missing = await client.post(f"{url}/sendMessage", data={"text": "x"})
        assert missing.json()["description"] == "Bad Request: chat_id is empty"
        unknown = await client.post(f"{url}/fooBar")
        assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")
        wrong = await client.get(f"{emu.base_url}1:WRONG/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert emu.requests[0].params == {"chat_id": USER_ID, "text": "42"}


async def test_unknown_method_and_wrong_token_raise(bot: Bot, emu: BotApiEmulator) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar")
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=emu.base_url):  # initialize() calls getMe
            pass


async def test_long_poll_returns_promptly_and_offset_confirms(bot: Bot, user: ScriptedUser) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    await user.send_text("/start now")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1.5
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None and message.from_user is not None
    assert message.text == "/start now" and message.from_user.first_name == "Dana"
    assert message.entities[0].type == "bot_command"
    assert await bot.get_updates(timeout=0) == updates  # not yet confirmed
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_photo_upload_then_resend_by_file_id(
    bot: Bot, user: ScriptedUser, emu: BotApiEmulator
) -> None:
    payload = png(640, 480)
    first = await bot.send_photo(USER_ID, payload, caption="Cat pose")
    file_id = first.photo[-1].file_id
    second = await bot.send_photo(USER_ID, file_id)
    assert second.photo[-1].file_id == file_id
    uploads = [r.uploads for r in emu.requests_for("sendPhoto")]
    assert uploads == [{"photo": len(payload)}, {}]
    downloaded = await (await bot.get_file(file_id)).download_as_bytearray()
    assert bytes(downloaded) == payload
    doc = await bot.send_document(USER_ID, io.BytesIO(b"pdf"), filename="plan.pdf")
    assert doc.document is not None and doc.document.file_name == "plan.pdf"
    gif = await bot.send_animation(USER_ID, b"GIF89a", caption="demo")
    assert gif.animation is not None and gif.caption == "demo"
    assert [m.kind for m in user.transcript] == ["photo", "photo", "document", "animation"]
    assert user.transcript[0].caption == "Cat pose"
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(USER_ID, "no-such-file-id")


async def test_commands_webhook_and_callback_errors(bot: Bot, emu: BotApiEmulator) -> None:
    await bot.set_my_commands([("start", "Begin"), ("today", "Today's routine")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "today"]
    assert emu.commands[1] == {"command": "today", "description": "Today's routine"}
    await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    await bot.delete_webhook()
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("nope")


# --- faults --------------------------------------------------------------------------------


async def test_fault_429(
    bot: Bot, user: ScriptedUser, emu: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # avoid the int-retry_after deprecation warning
    emu.inject_fault("429", method="sendMessage", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER_ID, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(USER_ID, "hi")  # consumed after one use
    assert [r.status for r in emu.requests_for("sendMessage")] == [429, 200]
    assert len(user.transcript) == 1


async def test_fault_403_matches_chat_and_count(bot: Bot, emu: BotApiEmulator) -> None:
    emu.user(1)
    emu.user(2)
    emu.inject_fault("403", chat_id=1, count=2)
    await bot.send_message(2, "other chat unaffected")
    for _ in range(2):
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(1, "hi")
    await bot.send_message(1, "hi")


async def test_fault_500_and_clear(bot: Bot, user: ScriptedUser, emu: BotApiEmulator) -> None:
    emu.inject_fault("500", count=5)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(USER_ID, "hi")
    emu.clear_faults()
    await bot.send_message(USER_ID, "hi")


async def test_fault_slow(bot: Bot, user: ScriptedUser, emu: BotApiEmulator) -> None:
    emu.inject_fault("slow", method="sendMessage", delay=0.3)
    started = time.monotonic()
    await bot.send_message(USER_ID, "slowly")
    assert time.monotonic() - started >= 0.3
    with pytest.raises(ValueError, match="unknown fault kind"):
        emu.inject_fault("boom")


async def test_blocked_user_gets_403(bot: Bot, user: ScriptedUser) -> None:
    user.block_bot()
    with pytest.raises(Forbidden):
        await bot.send_message(USER_ID, "hi")


# --- full Application over polling ------------------------------------------------------------


async def test_start_button_and_callback_answer(
    app: Application, user: ScriptedUser, emu: BotApiEmulator
) -> None:
    await user.send_text("/start")
    hello = await user.wait_for_message("Hello")
    assert hello.text == "Hello! Ready?"
    assert hello.callback_data == {"Done": "done", "Hurts": "hurts"}
    await user.press("hurts")  # case-insensitive unique substring
    edited = await user.wait_for_edit(hello.message_id, contains="You chose")
    assert edited.text == "You chose hurts" and edited.buttons == []
    await user.wait_idle(quiet=0.1)
    assert user.callback_answers == ["got hurts"]
    answers = emu.requests_for("answerCallbackQuery")
    assert answers[0].params["text"] == "got hurts" and answers[0].chat_id == USER_ID
    with pytest.raises(AssertionError, match="no button 'Done'"):
        await user.press("Done")  # the edit removed the keyboard
    await user.press_stale(hello.message_id, "Done")  # an out-of-date client still shows it
    await user.wait_for_edit(hello.message_id, contains="You chose done")
    await user.press_data(hello.message_id, "forged")
    await user.wait_for_edit(hello.message_id, contains="You chose forged")
    assert user.callback_answers == ["got hurts", "got done", "got forged"]
    # Each press was answered well within Telegram's 15 s, and the emulator timed it.
    assert len(emu.callback_answer_latencies) == 3
    assert all(0 <= latency < 5 for latency in emu.callback_answer_latencies)


async def test_reply_keyboard_location_and_group(
    app: Application, user: ScriptedUser, emu: BotApiEmulator
) -> None:
    await user.send_text("/where")
    asked = await user.wait_for_message("Where")
    assert asked.reply_keyboard == asked.buttons == [["Share location"]]
    assert asked.inline_buttons == [] and asked.callback_data == {}
    assert user.keyboard == ["Share location"]
    await user.press("Share location", location=(48.14, 11.58))
    assert (await user.wait_for_message("at ")).text == "at 48.14,11.58"
    group = emu.group(-100, "Club")
    await group.send_text(user, "hello all")
    assert (await group.wait_for_message()).text == "Dana said hello all"


async def test_no_reply_and_timeout_report(app: Application, user: ScriptedUser) -> None:
    await user.send_text("just chatting")  # no handler matches private plain text
    await user.wait_idle(quiet=0.1)
    assert user.transcript == []
    with pytest.raises(AssertionError, match="no new bot message containing 'x'"):
        await user.wait_for_message("x", timeout=0.05)


async def test_terminal_front_end(app: Application, user: ScriptedUser) -> None:
    lines: queue.Queue[str] = queue.Queue()

    class FeedStdin:
        def readline(self) -> str:
            return lines.get(timeout=5)

    out = io.StringIO()
    session = asyncio.create_task(chat_in_terminal(user, stdin=FeedStdin(), stdout=out, settle=0))  # type: ignore[arg-type]
    try:
        lines.put("/start\n")
        hello = await user.wait_for_message("Hello")
        lines.put("2\n")  # a plain number is a message, as in Telegram
        lines.put("#2\n")  # the second button
        await user.wait_for_edit(hello.message_id, contains="You chose hurts")
        lines.put("/where\n")
        await user.wait_for_message("Where")
        lines.put("#k1\n")  # the reply keyboard's share-location button
        await user.wait_for_message("at 52.52")
        lines.put("loc 1.5 2.5\n")
        await user.wait_for_message("at 1.50,2.50")
    finally:
        lines.put("/quit\n")  # also frees the reader thread if an assertion failed
        await asyncio.wait_for(session, 2)
    text = out.getvalue()
    assert "bot (2): Hello! Ready?\n     [#2.1] Done  [#2.2] Hurts\n" in text
    assert "  (edited 2) You chose hurts" in text
    assert "keyboard: [#k1] Share location" in text
    assert [m for m in user.state.messages[user.chat_id] if m.text == "2"], "2 was sent as text"


async def test_terminal_with_piped_input_waits_for_the_bot(
    app: Application, user: ScriptedUser
) -> None:
    out = io.StringIO()
    script = io.StringIO("/start\nloc x y\n#9\n#2\n#1\n")  # ends with EOF instead of /quit
    # The last #1 finds no buttons and waits for the bot to be quiet 2 s: none are coming.
    await asyncio.wait_for(chat_in_terminal(user, stdin=script, stdout=out, settle=0.05), 6)
    text = out.getvalue()
    assert "you: #2\n  you pressed [Hurts]\n" in text
    assert "  (edited 2) You chose hurts" in text and "  (toast) got hurts" in text
    assert "usage: loc LATITUDE LONGITUDE" in text
    assert "no button #9; buttons are #1..#2" in text
    assert "you: #1\n  no new buttons since your last message; there are none" in text


async def test_replies_keyboard_removal_and_limit(bot: Bot, user: ScriptedUser) -> None:
    first = await bot.send_message(USER_ID, "Q?", reply_markup=ReplyKeyboardMarkup([["Yes", "No"]]))
    assert user.keyboard == ["Yes", "No"]
    reply = await bot.send_message(
        USER_ID, "ok", reply_to_message_id=first.message_id, reply_markup=ReplyKeyboardRemove()
    )
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "Q?"
    assert user.keyboard == []
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(USER_ID, "x", reply_parameters=ReplyParameters(999))
    update = await user.send_text("answer", reply_to=first.message_id)
    assert update["message"]["reply_to_message"]["message_id"] == first.message_id
    await user.share_location()
    await user.send_text("/start")
    assert len(await bot.get_updates(limit=2)) == 2
    assert len(await bot.get_updates()) == 3


async def test_press_builds_a_callback_update_ptb_parses(bot: Bot, user: ScriptedUser) -> None:
    sent = await bot.send_message(USER_ID, "Pick", reply_markup=KEYBOARD)
    update = Update.de_json(await user.press("Done"), bot)
    assert update.callback_query is not None and update.callback_query.data == "done"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id
    assert update.effective_user is not None and update.effective_user.id == USER_ID
    with pytest.raises(AssertionError, match=r"visible: #1: \[Done\] \[Hurts\]"):
        await user.press("Skip")


# --- webhooks ------------------------------------------------------------------------------

SECRET = "s3cret_TOKEN-1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Receiver(RequestHandler):
    """A stand-in webhook: records every POST, answers 500 while `failures` lasts."""

    def initialize(self, log: list[tuple[int, dict, str | None]], failures: list[int]) -> None:
        self.log, self.failures = log, failures

    def post(self) -> None:
        status = 500 if self.failures[0] > 0 else 200
        self.failures[0] -= status == 500
        secret = self.request.headers.get(SECRET_HEADER)
        self.log.append((status, json.loads(self.request.body), secret))
        self.set_status(status)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[tuple[int, dict, str | None]], list[int]]]:
    """URL of a loopback webhook, what it received (status, update, secret), failures to fake."""
    log: list[tuple[int, dict, str | None]] = []
    failures = [0]
    app = TornadoApplication([(r"/hook", _Receiver, {"log": log, "failures": failures})])
    sockets = bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
    server = HTTPServer(app)
    server.add_sockets(sockets)
    yield f"http://127.0.0.1:{sockets[0].getsockname()[1]}/hook", log, failures
    server.stop()
    await server.close_all_connections()


def _texts(log: list[tuple[int, dict, str | None]], chat_id: int) -> list[str]:
    """Texts delivered (status 200) for one chat, in arrival order."""
    return [
        update["message"]["text"]
        for status, update, _ in log
        if status == 200 and update.get("message", {}).get("chat", {}).get("id") == chat_id
    ]


async def test_webhook_drives_ptb_with_the_secret(emu: BotApiEmulator, user: ScriptedUser) -> None:
    """PTB's own webhook server, set up as the bot does, gets the user's updates by POST."""
    port = _free_port()
    emu.allow_insecure_webhook = True  # http on loopback: only a local Bot API server takes it
    application = (
        ApplicationBuilder()
        .token(emu.token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_button))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    url = f"http://127.0.0.1:{port}/hook"
    await application.updater.start_webhook(
        listen="127.0.0.1", port=port, url_path="hook", webhook_url=url, secret_token=SECRET
    )
    try:
        assert emu.webhook_url == url and emu.state.webhook_secret == SECRET
        await user.send_text("/start")
        greeting = await user.wait_for_message("Hello!")
        await user.press("Hurts", message_id=greeting.message_id)
        await user.wait_for_edit(greeting.message_id, contains="You chose hurts")
        assert user.callback_answers == ["got hurts"]
        await user.wait_idle()
        assert [d.status for d in emu.deliveries] == [200, 200]
        assert emu.requests_for("getUpdates") == []
        info = await application.bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        assert SECRET not in json.dumps(emu.requests_for("getWebhookInfo")[-1].result)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def test_get_updates_conflicts_while_a_webhook_is_set(
    bot: Bot, user: ScriptedUser, emu: BotApiEmulator
) -> None:
    await user.send_text("waiting")
    # Not a loopback URL: the emulator never calls it, so the update stays pending.
    await bot.set_webhook("https://bot.example.invalid/hook", secret_token=SECRET)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    info = await emu.state.wait_for(lambda: emu.state.webhook.get("last_error_message"), 2)
    assert info is not None and "loopback" in info
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.delete_webhook()
    updates = await bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["waiting"]
    assert all(d.status == 0 for d in emu.deliveries)


async def test_webhook_retries_with_backoff_in_order_per_chat(
    bot: Bot, emu: BotApiEmulator, receiver: tuple[str, list, list[int]]
) -> None:
    url, log, failures = receiver
    emu.allow_insecure_webhook = True  # http on loopback: only a local Bot API server takes it
    failures[0] = 3  # the bot's server is "down" for the first three POSTs
    await bot.set_webhook(url, secret_token=SECRET)
    ann, ben = emu.user(701, "Ann"), emu.user(702, "Ben")
    for n in range(3):
        await ann.send_text(f"ann {n}")
        await ben.send_text(f"ben {n}")
    assert await emu.state.wait_for(lambda: len(_texts(log, 701) + _texts(log, 702)) == 6, 5)
    assert _texts(log, 701) == ["ann 0", "ann 1", "ann 2"]
    assert _texts(log, 702) == ["ben 0", "ben 1", "ben 2"]
    assert {secret for _, _, secret in log} == {SECRET}
    failed = [d for d in emu.deliveries if d.status == 500]
    assert len(failed) == 3
    # A failed update is retried (after a pause) before anything later from that chat.
    for chat_id in (701, 702):
        ids = [d.update_id for d in emu.deliveries if d.chat_id == chat_id and d.status == 200]
        assert ids == sorted(ids)
    retried = [d for d in emu.deliveries if d.update_id == failed[0].update_id]
    assert retried[-1].status == 200 and retried[1].timestamp - retried[0].timestamp >= 0.04
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    await ann.wait_idle()


async def test_set_webhook_drops_pending_and_filters_updates(
    bot: Bot, user: ScriptedUser, emu: BotApiEmulator, receiver: tuple[str, list, list[int]]
) -> None:
    url, log, _ = receiver
    emu.allow_insecure_webhook = True  # http on loopback: only a local Bot API server takes it
    await user.send_text("before the webhook")
    with pytest.raises(BadRequest, match=r"(?i)secret token"):
        await bot.set_webhook(url, secret_token="no spaces allowed")
    await bot.set_webhook(url, drop_pending_updates=True, allowed_updates=["callback_query"])
    assert (await bot.get_webhook_info()).allowed_updates == ("callback_query",)
    sent = await bot.send_message(USER_ID, "Pick", reply_markup=KEYBOARD)
    await user.send_text("a message is filtered out")
    await user.press("Done", message_id=sent.message_id)
    await user.wait_idle()
    assert [update_type(update) for _, update, _ in log] == ["callback_query"]
    assert [secret for _, _, secret in log] == [None]  # no secret_token: no header
    assert emu.state.pending == []


async def test_update_ids_can_start_where_a_previous_run_left_off() -> None:
    """The demo keeps its database across runs; its updates must never reuse an old id."""
    async with BotApiEmulator(first_update_id=1_700_000_000) as emulator:
        user = emulator.user(user_id=4242)
        first = await user.send_text("hello")
        second = await user.send_text("again")
    assert (first["update_id"], second["update_id"]) == (1_700_000_000, 1_700_000_001)
