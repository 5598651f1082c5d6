"""Every result the emulator sends is one python-telegram-bot parses, field for field.

Each method the emulator implements is called over raw HTTP (so nothing PTB does to a result
hides what came on the wire), and the `result` goes through the PTB class Telegram documents
for that method. A field PTB does not know ends up in `api_kwargs`, and a field it reads
differently changes `to_dict()`, so either way the emulator cannot drift from the real API
unnoticed.
"""

from __future__ import annotations

import datetime as dtm
import json
from typing import Any

import httpx
from telegram import (
    Bot,
    BotCommand,
    BotDescription,
    BotShortDescription,
    File,
    MenuButton,
    MenuButtonWebApp,
    Message,
    TelegramObject,
    Update,
    User,
    WebhookInfo,
)

from bot.emulator import BotApiEmulator, ScriptedUser
from bot.emulator.methods import METHODS
from tests.emulator.conftest import USER_ID, png

GROUP_ID = -100
INLINE = {"inline_keyboard": [[{"text": "Done", "callback_data": "done"}]]}


def _unknown_fields(obj: Any, path: str = "result") -> list[str]:
    """Paths of every field PTB did not recognise anywhere inside `obj`."""
    found: list[str] = []
    if isinstance(obj, TelegramObject):
        found += [f"{path}.{key}" for key in obj.api_kwargs]
        names = {name for cls in type(obj).__mro__ for name in getattr(cls, "__slots__", ())}
        for name in sorted(names):
            if not name.startswith("_"):
                found += _unknown_fields(getattr(obj, name, None), f"{path}.{name}")
    elif isinstance(obj, list | tuple):
        for index, item in enumerate(obj):
            found += _unknown_fields(item, f"{path}[{index}]")
    return found


def _without_default_flags(value: Any, raw: Any) -> Any:
    """PTB's dict minus the False flags it fills in (Telegram only sends flags that are True)."""
    if isinstance(value, dict) and isinstance(raw, dict):
        return {
            key: _without_default_flags(item, raw.get(key))
            for key, item in value.items()
            if not (item is False and key not in raw)
        }
    if isinstance(value, list) and isinstance(raw, list) and len(value) == len(raw):
        return [_without_default_flags(a, b) for a, b in zip(value, raw, strict=True)]
    return value


def _same_json(parsed: TelegramObject, raw: dict[str, Any]) -> None:
    """PTB's own serialisation of what it parsed is exactly what the emulator sent."""
    again = _without_default_flags(parsed.to_dict(recursive=True), raw)
    assert again == raw, (again, raw)


class _Client:
    """Raw Bot API calls that keep each result for parsing."""

    def __init__(self, emu: BotApiEmulator, http: httpx.AsyncClient) -> None:
        self.url = f"{emu.base_url}{emu.token}"
        self.http = http
        self.called: set[str] = set()

    async def __call__(
        self, method: str, files: dict[str, Any] | None = None, **params: Any
    ) -> Any:
        if files:
            form = {k: v if isinstance(v, str) else _json(v) for k, v in params.items()}
            response = await self.http.post(f"{self.url}/{method}", data=form, files=files)
        else:
            response = await self.http.post(f"{self.url}/{method}", json=params)
        body = response.json()
        assert response.status_code == 200 and body["ok"] is True, (method, body)
        self.called.add(method.lower())
        return body["result"]


def _json(value: Any) -> str:
    return json.dumps(value)


async def test_every_method_answers_what_ptb_parses(
    emu: BotApiEmulator, bot: Bot, user: ScriptedUser
) -> None:
    group = emu.group(GROUP_ID)
    parsed: list[tuple[str, TelegramObject]] = []

    def parse(method: str, cls: type[TelegramObject], raw: dict[str, Any]) -> Any:
        obj = cls.de_json(raw, bot)
        assert obj is not None, method
        assert _unknown_fields(obj) == [], (method, _unknown_fields(obj))
        _same_json(obj, raw)
        parsed.append((method, obj))
        return obj

    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        call = _Client(emu, http)
        me = parse("getMe", User, await call("getMe"))
        assert me.is_bot and me.can_join_groups is not None

        # Updates of every kind the scripted users produce.
        await user.send_text("/start")
        await user.send_text("plain text")
        await user.share_location()
        await group.send_text(user, "hello group")
        sent = parse(
            "sendMessage",
            Message,
            await call(
                "sendMessage", chat_id=USER_ID, text="<b>Pick</b> one", parse_mode="HTML",
                reply_markup=INLINE,
            ),
        )  # fmt: skip
        await user.press("Done", message_id=sent.message_id)
        await user.send_text("a reply", reply_to=sent.message_id)
        updates = await call("getUpdates", timeout=0)
        assert len(updates) == 6
        kinds = [parse("getUpdates", Update, raw).effective_message is not None for raw in updates]
        assert all(kinds)
        callback = Update.de_json(updates[4], bot)
        assert callback is not None and callback.callback_query is not None
        query_id = callback.callback_query.id
        assert await call("getUpdates", offset=updates[-1]["update_id"] + 1, timeout=0) == []

        keyboard = {"keyboard": [[{"text": "Share", "request_location": True}]]}
        parse(
            "sendMessage",
            Message,
            await call("sendMessage", chat_id=USER_ID, text="Where?", reply_markup=keyboard),
        )
        parse(
            "sendMessage",
            Message,
            await call(
                "sendMessage", chat_id=USER_ID, text="ok",
                reply_parameters={"message_id": sent.message_id},
                reply_markup={"remove_keyboard": True},
            ),
        )  # fmt: skip
        parse("sendMessage", Message, await call("sendMessage", chat_id=GROUP_ID, text="hi all"))
        assert await call("sendChatAction", chat_id=USER_ID, action="typing") is True
        edited = parse(
            "editMessageText",
            Message,
            await call(
                "editMessageText", chat_id=USER_ID, message_id=sent.message_id,
                text="Picked <i>Done</i>", parse_mode="HTML", reply_markup=INLINE,
            ),
        )  # fmt: skip
        assert edited.edit_date is not None
        parse(
            "editMessageReplyMarkup",
            Message,
            await call("editMessageReplyMarkup", chat_id=USER_ID, message_id=sent.message_id),
        )
        assert await call("answerCallbackQuery", callback_query_id=query_id, text="ok") is True

        photo = parse(
            "sendPhoto",
            Message,
            await call(
                "sendPhoto", chat_id=USER_ID, caption="<b>Cat</b> pose", parse_mode="HTML",
                reply_markup=INLINE, files={"photo": ("cat.png", png(800, 600), "image/png")},
            ),
        )  # fmt: skip
        parse(
            "sendPhoto",
            Message,
            await call("sendPhoto", chat_id=USER_ID, photo=photo.photo[-1].file_id),
        )
        parse(
            "editMessageCaption",
            Message,
            await call(
                "editMessageCaption", chat_id=USER_ID, message_id=photo.message_id,
                caption="Cow pose",
            ),
        )  # fmt: skip
        document = parse(
            "sendDocument",
            Message,
            await call(
                "sendDocument", chat_id=USER_ID, caption="Your plan",
                files={"document": ("plan.pdf", b"%PDF-1.4 plan", "application/pdf")},
            ),
        )  # fmt: skip
        parse(
            "sendAnimation",
            Message,
            await call(
                "sendAnimation", chat_id=USER_ID, width=64, height=48, duration=2,
                files={"animation": ("hold.gif", b"GIF89a...", "image/gif")},
            ),
        )  # fmt: skip
        parse(
            "sendAnimation",
            Message,
            await call("sendAnimation", chat_id=USER_ID, animation="https://example.com/a.gif"),
        )
        assert document.document is not None
        file = parse("getFile", File, await call("getFile", file_id=document.document.file_id))
        assert file.file_path

        commands = [{"command": "start", "description": "Begin"}]
        assert await call("setMyCommands", commands=commands) is True
        for raw in await call("getMyCommands"):
            parse("getMyCommands", BotCommand, raw)
        assert await call("deleteMyCommands") is True
        assert await call("getMyCommands") == []
        assert await call("setMyDescription", description="What I do") is True
        parse("getMyDescription", BotDescription, await call("getMyDescription"))
        assert await call("setMyShortDescription", short_description="Short") is True
        parse("getMyShortDescription", BotShortDescription, await call("getMyShortDescription"))
        timer = {"type": "web_app", "text": "Timer", "web_app": {"url": "https://a.example/"}}
        assert await call("setChatMenuButton", menu_button=timer) is True
        menu = parse("getChatMenuButton", MenuButton, await call("getChatMenuButton"))
        assert isinstance(menu, MenuButtonWebApp) and menu.web_app.url == "https://a.example/"
        assert await call("setChatMenuButton", chat_id=USER_ID) is True  # back to the default

        assert await call("setWebhook", url="https://bot.example.com/hook") is True
        await user.send_text("while the webhook is set")  # never delivered: not loopback
        info = await emu.state.wait_for(lambda: emu.state.webhook.get("last_error_date"), 2)
        assert info is not None
        webhook = parse("getWebhookInfo", WebhookInfo, await call("getWebhookInfo"))
        assert webhook.pending_update_count == 1 and webhook.last_error_message
        assert isinstance(webhook.last_error_date, dtm.datetime)
        assert await call("deleteWebhook", drop_pending_updates=True) is True
        parse("getWebhookInfo", WebhookInfo, await call("getWebhookInfo"))

        assert await call("deleteMessage", chat_id=USER_ID, message_id=sent.message_id) is True
        assert await call("logOut") is True
        assert await call("close") is True

    assert call.called == set(METHODS), set(METHODS) - call.called
