"""Bot API method implementations operating on EmulatorState."""

from __future__ import annotations

import io
import ipaddress
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from PIL import Image

from bot.emulator.formatting import render, utf16_len
from bot.emulator.state import EmulatorState, StoredFile, StoredMessage
from bot.emulator.wire import ApiError, bad_request


@dataclass
class Upload:
    """One multipart file part."""

    filename: str
    content_type: str
    body: bytes


Params = dict[str, Any]
Uploads = dict[str, Upload]
Method = Callable[[EmulatorState, Params, Uploads], Awaitable[Any]]
METHODS: dict[str, Method] = {}  # keyed by lower-case name: Telegram ignores method case

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_INLINE_ACTIONS = frozenset(
    {"callback_data", "url", "web_app", "login_url", "switch_inline_query", "copy_text",
     "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game",
     "pay"}
)  # fmt: skip
_MEDIA_KINDS = ("photo", "document", "animation")
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")  # setMyCommands' rule for a command
# sendChatAction's documented actions.
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)  # fmt: skip
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # any multipart file: Telegram answers 413 above it
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDES = 10_000  # width + height
MAX_PHOTO_RATIO = 20
PHOTO_SIDE_KEPT = 1280  # Telegram scales a photo's largest size down to this
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]*")  # setWebhook's rule for secret_token
WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})


def api_method(name: str) -> Callable[[Method], Method]:
    """Register a coroutine as the implementation of Bot API method `name`."""

    def register(func: Method) -> Method:
        METHODS[name.lower()] = func
        return func

    return register


# --- shared validation -------------------------------------------------------------------


def _chat_id(state: EmulatorState, params: Params) -> int:
    chat_id = params.get("chat_id")
    if chat_id in (None, ""):
        raise bad_request("chat_id is empty")
    if not isinstance(chat_id, int) or chat_id not in state.chats:
        raise bad_request("chat not found")
    if chat_id in state.blocked_chats:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    return chat_id


def _shown_text(params: Params, key: str, limit: int) -> tuple[str, list[dict[str, Any]]]:
    """The text (or caption) as Telegram stores it, trimmed, with its formatting entities."""
    raw = params.get(key)
    shown, entities = render(raw, params.get("parse_mode")) if isinstance(raw, str) else ("", [])
    if key == "text" and not shown:
        raise bad_request("message text is empty")
    if utf16_len(shown) > limit:
        raise bad_request("message is too long" if key == "text" else "message caption is too long")
    return shown, entities


def _with_text(body: Params, key: str, shown: str, entities: list[dict[str, Any]]) -> Params:
    """Add a text or caption and its entities to a Message body (nothing for no caption)."""
    if shown:
        body[key] = shown
    if entities:
        body["entities" if key == "text" else "caption_entities"] = entities
    return body


def _check_inline(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton expected")
    for button in (b for row in rows for b in row):
        if not isinstance(button, dict) or not str(button.get("text", "")).strip():
            raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
        actions = _INLINE_ACTIONS & button.keys()
        if not actions:
            raise bad_request("text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:  # "Exactly one of the optional fields must be used"
            raise bad_request("can't parse inline keyboard button: more than one button type")
        if "web_app" in button:
            _check_web_app(button["web_app"], "inline keyboard button Web App URL")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")


def _check_web_app(web_app: Any, what: str) -> None:
    """A WebAppInfo: an https URL, as Telegram opens only those in a Mini App."""
    url = web_app.get("url") if isinstance(web_app, dict) else None
    if not isinstance(url, str) or not url:
        raise bad_request("can't parse WebAppInfo: url is required")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise bad_request(f"{what} '{url}' is invalid: Only HTTPS links are allowed")


def _markup(params: Params) -> dict[str, Any] | None:
    """Validate reply_markup and return it (None when absent)."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in markup:
        _check_inline(markup["inline_keyboard"])
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse keyboard button: KeyboardButton expected")
    elif not markup.get("remove_keyboard") and not markup.get("force_reply"):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _edit_markup(params: Params) -> dict[str, Any] | None:
    """reply_markup of an edit: only an inline keyboard (or none) may come with one."""
    markup = _markup(params)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The markup Telegram echoes inside a Message: only non-empty inline keyboards."""
    if markup and markup.get("inline_keyboard"):
        return {"inline_keyboard": markup["inline_keyboard"]}
    return None


def _label(button: Any) -> str:
    return button if isinstance(button, str) else str(button.get("text", ""))


def _reply_to(state: EmulatorState, chat_id: int, params: Params) -> dict[str, Any] | None:
    reply = params.get("reply_parameters") or {}
    target_id = params.get("reply_to_message_id") or reply.get("message_id")
    if target_id is None:
        return None
    target = state.find_message(chat_id, int(target_id))
    if target is None:
        if params.get("allow_sending_without_reply") or reply.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return {k: v for k, v in target.data.items() if k != "reply_to_message"}


def _post(
    state: EmulatorState, chat_id: int, params: Params, body: Params, kind: str, text: str
) -> dict[str, Any]:
    """Store a bot message with markup/reply handling and return its JSON."""
    markup = _markup(params)
    reply = _reply_to(state, chat_id, params)
    if reply:
        body["reply_to_message"] = reply
    if inline := _inline_only(markup):
        body["reply_markup"] = inline
    stored = state.add_message(chat_id, body, from_bot=True, kind=kind, text=text)
    if markup and "keyboard" in markup:
        # Reply keyboards are never echoed in the Message but stay visible in the chat.
        stored.reply_keyboard = [[_label(b) for b in row] for row in markup["keyboard"]]
        state.reply_keyboards[chat_id] = markup
    elif markup and markup.get("remove_keyboard"):
        state.reply_keyboards[chat_id] = None
    return stored.data


def _editable(state: EmulatorState, params: Params) -> StoredMessage:
    if params.get("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    chat_id = _chat_id(state, params)
    message_id = params.get("message_id")
    if not isinstance(message_id, int):
        raise bad_request("message identifier is not specified")
    message = state.find_message(chat_id, message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _apply_edit(
    state: EmulatorState, message: StoredMessage, field_name: str | None,
    new: tuple[str, list[dict[str, Any]]] | None, markup: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    """Apply an edit or raise Telegram's 'not modified' error when nothing changes.

    Telegram compares what it would store: the trimmed text, its entities and the inline
    keyboard, so an edit that only adds or drops surrounding whitespace changes nothing.
    `new` is None when only the keyboard is edited.
    """
    inline = _inline_only(markup)
    entities_key = "entities" if message.kind == "text" else "caption_entities"
    new_text, new_entities = new or (message.text, message.data.get(entities_key) or [])
    if (
        new_text == message.text
        and new_entities == (message.data.get(entities_key) or [])
        and inline == message.data.get("reply_markup")
    ):
        raise bad_request(NOT_MODIFIED)
    message.markups.append(message.data.get("reply_markup"))
    if field_name:
        message.data.pop(field_name, None)
        message.data.pop(entities_key, None)
        _with_text(message.data, field_name, new_text, new_entities)
    message.data.pop("reply_markup", None)
    if inline:
        message.data["reply_markup"] = inline
    message.data["edit_date"] = int(state.clock())
    message.versions.append(new_text)
    state.notify()
    return message.data


# --- updates and bot info ------------------------------------------------------------------


@api_method("getMe")
async def get_me(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Describe the bot account."""
    return {**state.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False}  # fmt: skip


@api_method("getUpdates")
async def get_updates(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Confirm updates below offset, then long-poll for up to `timeout` seconds."""
    if state.webhook["url"]:
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                       "use deleteWebhook to delete the webhook first")  # fmt: skip
    offset = params.get("offset")
    if isinstance(offset, int) and offset > 0:
        state.pending = [p for p in state.pending if p[1]["update_id"] >= offset]
    elif isinstance(offset, int) and offset < 0:
        state.pending = state.pending[offset:]
    limit = min(max(int(params.get("limit") or 100), 1), 100)
    timeout = max(float(params.get("timeout") or 0), 0.0)
    if not state.pending and timeout:
        await state.wait_for(lambda: bool(state.pending), timeout)
    batch = state.pending[:limit]
    for chat_id, update in batch:
        state.touch(chat_id)
        state.max_delivered_update_id = max(state.max_delivered_update_id, update["update_id"])
    return [update for _, update in batch]


@api_method("deleteWebhook")
async def delete_webhook(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Remove the webhook (getUpdates works again), optionally dropping pending updates."""
    _clear_webhook(state)
    if params.get("drop_pending_updates"):
        state.pending.clear()
    state.notify()
    return True


@api_method("setWebhook")
async def set_webhook(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Store the webhook; from then on pending updates are POSTed to it (see webhook.py)."""
    url = str(params.get("url") or "").strip()
    secret = params.get("secret_token")
    allowed = params.get("allowed_updates")
    if url:
        _check_webhook_url(url, insecure_ok=state.allow_insecure_webhook)
    if secret is not None and len(str(secret)) > 256:
        raise bad_request("secret token is too long")
    if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    if allowed is not None and not (
        isinstance(allowed, list) and all(isinstance(kind, str) for kind in allowed)
    ):
        raise bad_request("can't parse allowed updates")
    if not url:
        _clear_webhook(state)  # an empty URL removes the webhook, as deleteWebhook does
    else:
        if url != state.webhook["url"]:
            state.webhook = {"url": url, "has_custom_certificate": False}  # no old errors
        state.webhook_secret = str(secret) if secret else None
        # Like every integer argument of the Bot API, max_connections is clamped, not refused.
        connections = params.get("max_connections")
        connections = connections if isinstance(connections, int) else 40
        state.webhook["max_connections"] = min(max(connections, 1), 100)
    if allowed is not None:  # omitted: the previous setting stays, as in Telegram
        state.allowed_updates = allowed or None
    if params.get("drop_pending_updates"):
        state.pending.clear()
    state.notify()
    return True


def _check_webhook_url(url: str, *, insecure_ok: bool) -> None:
    """Refuse a webhook URL as Telegram does; `insecure_ok` is a local Bot API server's leniency.

    A URL without a scheme is taken as https, as Telegram takes it.
    """
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        port = -1
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or port < 0:
        raise bad_request("invalid webhook URL specified")
    if insecure_ok:
        return
    if parts.scheme.lower() != "https":
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if port not in WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    host = parts.hostname
    try:
        address = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError:
        return  # a name: Telegram would resolve it; the emulator never calls it anyway
    if not address.is_global:
        raise bad_request(f"bad webhook: IP address {address} is reserved")


def _clear_webhook(state: EmulatorState) -> None:
    state.webhook = {"url": "", "has_custom_certificate": False}
    state.webhook_secret = None


@api_method("getWebhookInfo")
async def get_webhook_info(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Report the webhook (never its secret), the pending count and the last delivery error."""
    info = {**state.webhook, "pending_update_count": len(state.pending)}
    if state.webhook["url"] and state.allowed_updates:
        info["allowed_updates"] = state.allowed_updates
    return info


@api_method("setMyCommands")
async def set_my_commands(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Store the command list for a scope/language pair."""
    _check_scope(state, params.get("scope"))
    _check_language(params)
    commands = params.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("BotCommand expected")
        if not COMMAND_NAME.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(command.get("description", ""))
        if not description.strip() or len(description) > 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    state.commands[commands_key(params)] = commands
    return True


@api_method("getMyCommands")
async def get_my_commands(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Return the command list stored for a scope/language pair."""
    _check_scope(state, params.get("scope"))
    _check_language(params)
    return state.commands.get(commands_key(params), [])


@api_method("deleteMyCommands")
async def delete_my_commands(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Forget the command list for a scope/language pair."""
    _check_scope(state, params.get("scope"))
    _check_language(params)
    state.commands.pop(commands_key(params), None)
    return True


# BotCommandScope types; the chat ones name a chat (and chat_member a user in it).
SCOPE_TYPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
     "chat_administrators", "chat_member"}
)  # fmt: skip
LANGUAGE_CODE = re.compile(r"[a-z]{2}")  # "a two-letter ISO 639-1 language code", or empty
MAX_DESCRIPTION = 512  # setMyDescription: "0-512 characters"
MAX_SHORT_DESCRIPTION = 120  # setMyShortDescription: "0-120 characters"


def _check_scope(state: EmulatorState, scope: Any) -> None:
    """A BotCommandScope as Telegram takes it (None: the default scope)."""
    if scope is None:
        return
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    if scope["type"] in ("chat", "chat_administrators", "chat_member"):
        if scope.get("chat_id") not in state.chats:
            raise bad_request("chat not found")
        if scope["type"] == "chat_member" and scope.get("user_id") not in state.users:
            raise bad_request("user not found")


def _check_language(params: Params) -> str:
    code = params.get("language_code") or ""
    if code and not LANGUAGE_CODE.fullmatch(str(code)):
        raise bad_request("invalid language code specified")
    return str(code)


def _profile_text(params: Params, key: str, limit: int) -> str:
    """A description: plain text (no entities) of 0-`limit` characters; empty removes it."""
    value = params.get(key)
    text = "" if value is None else str(value)
    if len(text) > limit:  # Telegram counts characters here, not bytes
        raise bad_request(f"{key.replace('_', ' ')} is too long")
    return text


@api_method("setMyDescription")
async def set_my_description(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """The text shown in an empty chat with the bot, per language ("" or omitted: removed)."""
    language = _check_language(params)
    state.descriptions[language] = _profile_text(params, "description", MAX_DESCRIPTION)
    return True


@api_method("getMyDescription")
async def get_my_description(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """BotDescription for a language: its own, else the default one."""
    language = _check_language(params)
    text = state.descriptions.get(language) or state.descriptions.get("", "")
    return {"description": text}


@api_method("setMyShortDescription")
async def set_my_short_description(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """The text on the bot's profile page and with a shared link, per language."""
    language = _check_language(params)
    text = _profile_text(params, "short_description", MAX_SHORT_DESCRIPTION)
    state.short_descriptions[language] = text
    return True


@api_method("getMyShortDescription")
async def get_my_short_description(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """BotShortDescription for a language: its own, else the default one."""
    language = _check_language(params)
    text = state.short_descriptions.get(language) or state.short_descriptions.get("", "")
    return {"short_description": text}


MENU_BUTTON_TYPES = frozenset({"commands", "web_app", "default"})


@api_method("setChatMenuButton")
async def set_chat_menu_button(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """The button beside a private chat's message field (no chat_id: the bot's default one)."""
    chat_id = params.get("chat_id")
    if chat_id is not None:
        if not isinstance(chat_id, int) or chat_id not in state.chats:
            raise bad_request("chat not found")
        if state.chats[chat_id].get("type") != "private":
            raise bad_request("BUTTON_TYPE_INVALID")  # menu buttons are for private chats
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in MENU_BUTTON_TYPES:
        raise bad_request("can't parse menu button JSON object")
    if button["type"] == "web_app":
        text = str(button.get("text", ""))
        if not text.strip():
            raise bad_request("menu button text is empty")
        _check_web_app(button.get("web_app"), "menu button Web App URL")
        button = {"type": "web_app", "text": text, "web_app": {"url": button["web_app"]["url"]}}
    else:
        button = {"type": button["type"]}
    if button["type"] == "default":
        state.menu_buttons.pop(chat_id, None)  # back to the bot's default (or Telegram's)
    else:
        state.menu_buttons[chat_id] = button
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """The chat's menu button, else the bot's default, else Telegram's: the command list."""
    chat_id = params.get("chat_id")
    if chat_id is not None and (not isinstance(chat_id, int) or chat_id not in state.chats):
        raise bad_request("chat not found")
    return state.menu_buttons.get(chat_id) or state.menu_buttons.get(None) or {"type": "commands"}


def commands_key(params: Params) -> str:
    """Storage key for a command list: its scope and language."""
    scope = params.get("scope") or {"type": "default"}
    return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)


@api_method("close")
async def close(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Accept close (no-op)."""
    return True


@api_method("logOut")
async def log_out(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Accept logOut (no-op)."""
    return True


# --- messages ------------------------------------------------------------------------------


@api_method("sendMessage")
async def send_message(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Post a text message to a chat."""
    chat_id = _chat_id(state, params)
    text, entities = _shown_text(params, "text", 4096)
    return _post(state, chat_id, params, _with_text({}, "text", text, entities), "text", text)


@api_method("sendChatAction")
async def send_chat_action(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Accept one of Telegram's chat actions, such as "typing"."""
    _chat_id(state, params)
    if params.get("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


@api_method("editMessageText")
async def edit_message_text(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Replace a text message's text; omitting reply_markup removes the inline keyboard."""
    message = _editable(state, params)
    if message.kind != "text":
        raise bad_request("there is no text in the message to edit")
    new = _shown_text(params, "text", 4096)
    return _apply_edit(state, message, "text", new, _edit_markup(params))


@api_method("editMessageCaption")
async def edit_message_caption(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Replace a media message's caption."""
    message = _editable(state, params)
    if message.kind not in _MEDIA_KINDS:
        raise bad_request("there is no caption in the message to edit")
    new = _shown_text(params, "caption", 1024)
    return _apply_edit(state, message, "caption", new, _edit_markup(params))


@api_method("editMessageReplyMarkup")
async def edit_message_reply_markup(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Replace (or, when omitted, remove) a message's inline keyboard."""
    message = _editable(state, params)
    return _apply_edit(state, message, None, None, _edit_markup(params))


@api_method("deleteMessage")
async def delete_message(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Delete a message from a chat."""
    chat_id = _chat_id(state, params)
    message = state.find_message(chat_id, int(params.get("message_id") or 0))
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    state.notify()
    return True


@api_method("answerCallbackQuery")
async def answer_callback_query(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Record the answer to a callback query and how long after the press it came.

    Unknown or already answered ids, and answers later than `state.callback_timeout`
    seconds after the press, are refused as Telegram refuses them.
    """
    record = state.callbacks.get(str(params.get("callback_query_id")))
    text = params.get("text")
    if text is not None and utf16_len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    latency = time.monotonic() - record.pressed_at if record is not None else 0.0
    if record is None or record.answered or latency > state.callback_timeout:
        raise bad_request(QUERY_TOO_OLD)
    record.answered = True
    record.answer_latency = latency
    state.callback_answer_latencies.append(latency)
    record.answer_text = params.get("text")
    record.show_alert = bool(params.get("show_alert"))
    state.notify()
    return True


# --- files ---------------------------------------------------------------------------------


def _resolve_file(state: EmulatorState, params: Params, files: Uploads, kind: str) -> StoredFile:
    """Find the file for a send: a multipart upload, a known file_id, or a URL."""
    value = params.get(kind)
    part_name = value[len("attach://") :] if str(value).startswith("attach://") else kind
    if part_name in files:
        upload = files[part_name]
        if not upload.body:
            raise bad_request("file must be non-empty")
        if len(upload.body) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        file_id = state.next_id(f"{kind.upper()}-")
        stored = StoredFile(file_id, f"U{file_id}", kind, len(upload.body), upload.body,
                            upload.filename, upload.content_type)  # fmt: skip
        if kind == "photo":
            stored.width, stored.height = _photo_size(upload.body)
    elif isinstance(value, str) and value in state.files:
        return state.files[value]
    elif isinstance(value, str) and value.startswith(("http://", "https://")):
        # Never fetch: tests must stay offline. Pretend Telegram downloaded it.
        file_id = state.next_id(f"{kind.upper()}-")
        stored = StoredFile(file_id, f"U{file_id}", kind, 0, None, value.rsplit("/", 1)[-1])
    elif value:
        raise bad_request("wrong file identifier/HTTP URL specified")
    else:
        raise bad_request(f"there is no {kind} in the request")
    state.files[stored.file_id] = stored
    return stored


def _photo_size(body: bytes) -> tuple[int, int]:
    """The size Telegram keeps of an uploaded photo, refusing what Telegram refuses."""
    if len(body) > MAX_PHOTO_BYTES:
        raise bad_request("PHOTO_SAVE_FILE_INVALID")
    try:
        with Image.open(io.BytesIO(body)) as image:
            width, height = image.size
            image.verify()
    except Image.DecompressionBombError as exc:  # far beyond 10000 pixels in total
        raise bad_request("PHOTO_INVALID_DIMENSIONS") from exc
    except Exception as exc:  # not an image Pillow (or Telegram) can read
        raise bad_request("IMAGE_PROCESS_FAILED") from exc
    long_side, short_side = max(width, height), min(width, height)
    if width + height > MAX_PHOTO_SIDES or long_side > MAX_PHOTO_RATIO * short_side:
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    scale = min(1.0, PHOTO_SIDE_KEPT / long_side)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _file_json(stored: StoredFile, params: Params) -> dict[str, Any]:
    """The file's JSON; like Telegram, fields with no value are left out, never null."""
    base: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.size:  # unknown (0) for a file sent by URL, which the emulator never fetches
        base["file_size"] = stored.size
    if stored.kind == "photo":
        return {**base, "width": stored.width, "height": stored.height}
    named = {**base, "file_name": stored.file_name or "file"}
    if stored.mime_type:
        named["mime_type"] = stored.mime_type
    if stored.kind == "animation":
        dims = {
            k: params.get(k) or d for k, d in (("width", 320), ("height", 320), ("duration", 1))
        }
        return {**named, **dims}
    return named


async def _send_media(state: EmulatorState, params: Params, files: Uploads, kind: str) -> Any:
    chat_id = _chat_id(state, params)
    stored = _resolve_file(state, params, files, kind)
    caption, entities = _shown_text(params, "caption", 1024)
    file_json = _file_json(stored, params)
    body: Params = {"photo": [file_json]} if kind == "photo" else {kind: file_json}
    if kind == "animation":
        # Telegram also exposes animations as documents for older clients.
        dims = ("width", "height", "duration")
        body["document"] = {k: v for k, v in file_json.items() if k not in dims}
    _with_text(body, "caption", caption, entities)
    return _post(state, chat_id, params, body, kind, caption)


@api_method("sendPhoto")
async def send_photo(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Send a photo by upload, file_id or URL."""
    return await _send_media(state, params, files, "photo")


@api_method("sendDocument")
async def send_document(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Send a document by upload, file_id or URL."""
    return await _send_media(state, params, files, "document")


@api_method("sendAnimation")
async def send_animation(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Send an animation (GIF/MP4) by upload, file_id or URL."""
    return await _send_media(state, params, files, "animation")


@api_method("getFile")
async def get_file(state: EmulatorState, params: Params, files: Uploads) -> Any:
    """Describe a stored file with a path under base_file_url."""
    stored = state.files.get(str(params.get("file_id")))
    if stored is None:
        raise bad_request("invalid file_id")
    described = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                 "file_path": f"{stored.kind}s/{stored.file_id}"}  # fmt: skip
    if stored.size:
        described["file_size"] = stored.size
    return described
