"""The emulator refuses what Telegram refuses, with Telegram's status and description."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    MenuButtonDefault,
    MenuButtonWebApp,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    WebAppInfo,
)
from telegram.error import BadRequest

from bot.emulator import BotApiEmulator, ScriptedUser
from tests.emulator.conftest import USER_ID, png

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="done")]])
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


async def _call(emu: BotApiEmulator, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """One raw Bot API call as JSON: the HTTP status and the decoded answer."""
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(f"{emu.base_url}{emu.token}/{method}", json=params)
    return response.status_code, response.json()


def _refused(description: str, status: int = 400) -> tuple[int, dict[str, Any]]:
    return status, {"ok": False, "error_code": status, "description": description}


# --- HTML parse mode, as tdlib's parse_html ---------------------------------------------------

# Error cases from tdlib's own tests (test/message_entities.cpp): text, then the message after
# "Bad Request: can't parse entities: ". Offsets are in bytes of the UTF-8 source.
HTML_ERRORS = [
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("x <b", "Unclosed start tag at byte offset 2"),
    ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
    ("Hi <br> there", 'Unsupported start tag "br" at byte offset 3'),
    ("<p>para</p>", 'Unsupported start tag "p" at byte offset 0'),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ('<span class="bold">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
    (
        "🏟 🏟&lt;<i    aba>",
        'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13',
    ),
    ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
    ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
    ('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"),
    ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
    ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
    ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
    ("🏟 🏟&lt;<i>a</em   >", 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"'),
    ("<B>x</B>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</B>"'),
    ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ('<tg-emoji emoji-id="abc">👍</tg-emoji>', "Invalid custom emoji identifier specified"),
    (
        "&#xDFDF;",
        "Text contains invalid Unicode characters after decoding HTML entities, check for "
        "unmatched surrogate code units",
    ),
]


@pytest.mark.parametrize(("text", "error"), HTML_ERRORS)
async def test_html_that_tdlib_refuses_is_refused(
    emu: BotApiEmulator, user: ScriptedUser, text: str, error: str
) -> None:
    answer = await _call(emu, "sendMessage", chat_id=USER_ID, text=text, parse_mode="HTML")
    assert answer == _refused(f"Bad Request: can't parse entities: {error}")
    assert user.transcript == []


HTML_ACCEPTED = [
    ("<b>b</b><strong>s</strong>", "bs", [("bold", 0, 1), ("bold", 1, 1)]),
    ("<i>i</i><em>e</em>", "ie", [("italic", 0, 1), ("italic", 1, 1)]),
    ("<u>u</u><ins>n</ins>", "un", [("underline", 0, 1), ("underline", 1, 1)]),
    ("<s>s</s><strike>t</strike><del>d</del>", "std", [("strikethrough", i, 1) for i in range(3)]),
    ('<tg-spoiler>a</tg-spoiler><span class="tg-spoiler">b</span>', "ab",
     [("spoiler", 0, 1), ("spoiler", 1, 1)]),
    ('<a href="https://example.com/x">link</a>', "link", [("text_link", 0, 4)]),
    ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", [("custom_emoji", 0, 2)]),
    ("<code>c</code>", "c", [("code", 0, 1)]),
    ('<pre><code class="language-python">x = 1</code></pre>', "x = 1", [("pre", 0, 5)]),
    ("<blockquote>q</blockquote>", "q", [("blockquote", 0, 1)]),
    ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
    ("&lt;&gt;&amp;&quot;&#60;&#x3C;&nbsp;", '<>&"<<&nbsp;', []),
    ("🏟 <b>🏟</b>", "🏟 🏟", [("bold", 3, 2)]),  # offsets count UTF-16 code units
    ("<i>a</>", "a", [("italic", 0, 1)]),  # tdlib accepts an anonymous end tag
    ("  <b> padded </b>\n", "padded", [("bold", 0, 6)]),  # trimmed, as Telegram does
]  # fmt: skip


@pytest.mark.parametrize(("text", "shown", "entities"), HTML_ACCEPTED)
async def test_html_that_tdlib_accepts_is_shown_with_its_entities(
    bot: Bot, user: ScriptedUser, text: str, shown: str, entities: list[tuple[str, int, int]]
) -> None:
    sent = await bot.send_message(USER_ID, text, parse_mode="HTML")
    assert sent.text == shown
    assert [(e.type, e.offset, e.length) for e in sent.entities] == entities
    assert user.transcript[-1].text == shown


async def test_link_and_code_language_details(bot: Bot, user: ScriptedUser) -> None:
    sent = await bot.send_message(
        USER_ID,
        '<a href="example.com">x</a> <pre><code class="language-py">y</code></pre>',
        parse_mode="HTML",
    )
    link, pre = sent.entities
    assert link.url == "http://example.com/" and pre.language == "py"


# --- edits ------------------------------------------------------------------------------------


async def test_edit_differing_only_by_surrounding_whitespace_is_not_modified(
    emu: BotApiEmulator, bot: Bot, user: ScriptedUser
) -> None:
    sent = await bot.send_message(USER_ID, "Hold 5 s", reply_markup=KEYBOARD)
    markup = KEYBOARD.to_dict()
    for text in ("Hold 5 s", "Hold 5 s\n", "  Hold 5 s ", "\nHold 5 s\n\n"):
        answer = await _call(
            emu, "editMessageText", chat_id=USER_ID, message_id=sent.message_id, text=text,
            reply_markup=markup,
        )  # fmt: skip
        assert answer == _refused(NOT_MODIFIED), repr(text)
    html = await _call(
        emu, "editMessageText", chat_id=USER_ID, message_id=sent.message_id,
        text=" Hold 5 s ", parse_mode="HTML", reply_markup=markup,
    )  # fmt: skip
    assert html == _refused(NOT_MODIFIED)
    assert user.transcript[0].edits == []


async def test_edit_changing_only_formatting_or_markup_is_an_edit(
    bot: Bot, user: ScriptedUser
) -> None:
    sent = await bot.send_message(USER_ID, "Hold 5 s", reply_markup=KEYBOARD)
    bold = await bot.edit_message_text(
        "<b>Hold 5 s</b>", USER_ID, sent.message_id, parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert isinstance(bold, type(sent)) and bold.entities[0].type == "bold"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "<b>Hold 5 s</b> ", USER_ID, sent.message_id, parse_mode="HTML", reply_markup=KEYBOARD
        )
    await bot.edit_message_text("Hold 5 s", USER_ID, sent.message_id)  # drops bold and keyboard
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Hold 5 s", USER_ID, sent.message_id)
    assert user.transcript[0].edits == ["Hold 5 s", "Hold 5 s"]


@pytest.mark.parametrize(
    "markup",
    [ReplyKeyboardMarkup([["Yes", "No"]]), ReplyKeyboardRemove(), ForceReply()],
    ids=["keyboard", "remove", "force_reply"],
)
async def test_edits_take_only_inline_keyboards(
    emu: BotApiEmulator, bot: Bot, user: ScriptedUser, markup: Any
) -> None:
    sent = await bot.send_message(USER_ID, "Question?", reply_markup=KEYBOARD)
    for method, extra in (
        ("editMessageText", {"text": "Changed"}),
        ("editMessageReplyMarkup", {}),
    ):
        answer = await _call(
            emu, method, chat_id=USER_ID, message_id=sent.message_id,
            reply_markup=markup.to_dict(), **extra,
        )  # fmt: skip
        assert answer == _refused("Bad Request: inline keyboard expected"), method
    photo = await bot.send_photo(USER_ID, png(4, 4), caption="c")
    with pytest.raises(BadRequest, match=r"(?i)inline keyboard expected"):
        await bot.edit_message_caption(USER_ID, photo.message_id, caption="d", reply_markup=markup)
    assert user.transcript[0].edits == []


# --- callback queries -------------------------------------------------------------------------


async def test_callback_answer_text_over_200_characters(
    emu: BotApiEmulator, bot: Bot, user: ScriptedUser
) -> None:
    sent = await bot.send_message(USER_ID, "Pick", reply_markup=KEYBOARD)
    query_id = (await user.press("Done", message_id=sent.message_id))["callback_query"]["id"]
    answer = await _call(emu, "answerCallbackQuery", callback_query_id=query_id, text="x" * 201)
    assert answer == _refused("Bad Request: MESSAGE_TOO_LONG")
    assert await bot.answer_callback_query(query_id, text="y" * 200)
    assert user.callback_answers == ["y" * 200]


async def test_callback_queries_expire_and_answers_are_timed(
    emu: BotApiEmulator, bot: Bot, user: ScriptedUser
) -> None:
    assert emu.callback_timeout == 15.0  # Telegram's
    emu.callback_timeout = 0.3
    sent = await bot.send_message(USER_ID, "Pick", reply_markup=KEYBOARD)
    prompt = (await user.press("Done", message_id=sent.message_id))["callback_query"]["id"]
    late = (await user.press("Done", message_id=sent.message_id))["callback_query"]["id"]
    assert await bot.answer_callback_query(prompt)
    await asyncio.sleep(0.35)
    assert await _call(emu, "answerCallbackQuery", callback_query_id=late) == _refused(TOO_OLD)
    assert await _call(emu, "answerCallbackQuery", callback_query_id=prompt) == _refused(TOO_OLD)
    assert await _call(emu, "answerCallbackQuery", callback_query_id="42") == _refused(TOO_OLD)
    assert len(emu.callback_answer_latencies) == 1
    assert 0 <= emu.callback_answer_latencies[0] < 0.3
    assert emu.state.callbacks[prompt].answer_latency == emu.callback_answer_latencies[0]
    assert emu.state.callbacks[late].answer_latency is None
    assert user.callback_answers == [""]


async def test_callback_timeout_is_a_constructor_argument() -> None:
    async with BotApiEmulator(callback_timeout=2.5) as emu:
        assert emu.callback_timeout == 2.5 == emu.state.callback_timeout


# --- setMyCommands and sendChatAction --------------------------------------------------------


def _command(name: str, description: str = "Does a thing") -> dict[str, str]:
    return {"command": name, "description": description}


@pytest.mark.parametrize(
    ("commands", "error"),
    [
        ([_command(f"c{n}") for n in range(101)], "BOT_COMMANDS_TOO_MUCH"),
        ([_command("")], "BOT_COMMAND_INVALID"),
        ([_command("x" * 33)], "BOT_COMMAND_INVALID"),
        ([_command("Start")], "BOT_COMMAND_INVALID"),
        ([_command("/start")], "BOT_COMMAND_INVALID"),
        ([_command("set-time")], "BOT_COMMAND_INVALID"),
        ([_command("día")], "BOT_COMMAND_INVALID"),
        ([_command("start", "")], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([_command("start", "   ")], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([_command("start", "d" * 257)], "BOT_COMMAND_DESCRIPTION_INVALID"),
    ],
    ids=["101", "empty", "33-chars", "upper", "slash", "hyphen", "non-ascii", "no-description",
         "blank-description", "long-description"],
)  # fmt: skip
async def test_set_my_commands_limits(
    emu: BotApiEmulator, commands: list[dict[str, str]], error: str
) -> None:
    answer = await _call(emu, "setMyCommands", commands=commands)
    assert answer == _refused(f"Bad Request: {error}")
    assert emu.commands == []


async def test_set_my_commands_at_the_limits(bot: Bot, emu: BotApiEmulator) -> None:
    commands = [(f"c_{n}", "d" * 256) for n in range(99)] + [("x" * 32, "d"), ("123", "digits")]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMANDS_TOO_MUCH"):
        await bot.set_my_commands(commands)
    assert await bot.set_my_commands(commands[1:])
    assert len(emu.commands) == 100


@pytest.mark.parametrize("action", ["dancing", "TYPING", "", "upload_audio_now"])
async def test_unknown_chat_action(emu: BotApiEmulator, user: ScriptedUser, action: str) -> None:
    answer = await _call(emu, "sendChatAction", chat_id=USER_ID, action=action)
    assert answer == _refused("Bad Request: wrong parameter action in request")


async def test_every_documented_chat_action(bot: Bot, user: ScriptedUser) -> None:
    from telegram.constants import ChatAction

    for action in ChatAction:
        assert await bot.send_chat_action(USER_ID, action)


# --- files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("photo", "error"),
    [
        (png(6000, 4001), "PHOTO_INVALID_DIMENSIONS"),  # width + height over 10000
        (png(2100, 100), "PHOTO_INVALID_DIMENSIONS"),  # aspect ratio over 20
        (png(100, 2001), "PHOTO_INVALID_DIMENSIONS"),
        (b"\x89PNG but not really an image", "IMAGE_PROCESS_FAILED"),
        (b"\0" * (10 * 1024 * 1024 + 1), "PHOTO_SAVE_FILE_INVALID"),  # over 10 MB
    ],
    ids=["sides", "wide", "tall", "not-an-image", "over-10-MB"],
)
async def test_photos_telegram_refuses(
    emu: BotApiEmulator, user: ScriptedUser, photo: bytes, error: str
) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        response = await client.post(
            f"{emu.base_url}{emu.token}/sendPhoto",
            data={"chat_id": str(USER_ID)},
            files={"photo": ("p.png", photo, "image/png")},
        )
    assert (response.status_code, response.json()) == _refused(f"Bad Request: {error}")
    assert user.transcript == []


async def test_photos_at_the_limits_are_kept_at_most_1280_pixels(
    bot: Bot, user: ScriptedUser
) -> None:
    sides = await bot.send_photo(USER_ID, png(6000, 4000))
    assert (sides.photo[-1].width, sides.photo[-1].height) == (1280, 853)
    ratio = await bot.send_photo(USER_ID, png(2000, 100))
    assert (ratio.photo[-1].width, ratio.photo[-1].height) == (1280, 64)
    small = await bot.send_photo(USER_ID, png(300, 200))
    assert (small.photo[-1].width, small.photo[-1].height) == (300, 200)
    again = await bot.send_photo(USER_ID, small.photo[-1].file_id)
    assert (again.photo[-1].width, again.photo[-1].height) == (300, 200)


@pytest.mark.parametrize("method", ["sendDocument", "sendAnimation", "sendPhoto"])
async def test_uploads_over_50_mb_are_too_large(
    emu: BotApiEmulator, user: ScriptedUser, method: str
) -> None:
    field = method.removeprefix("send").lower()
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        response = await client.post(
            f"{emu.base_url}{emu.token}/{method}",
            data={"chat_id": str(USER_ID)},
            files={field: ("big.bin", b"\0" * (50 * 1024 * 1024 + 1), "application/pdf")},
        )
    assert (response.status_code, response.json()) == _refused("Request Entity Too Large", 413)
    assert user.transcript == []


async def test_a_document_of_exactly_50_mb_goes_through(bot: Bot, user: ScriptedUser) -> None:
    sent = await bot.send_document(USER_ID, b"%" * (50 * 1024 * 1024), filename="big.pdf")
    assert sent.document is not None and sent.document.file_size == 50 * 1024 * 1024


# --- setWebhook ---------------------------------------------------------------------------------

HTTPS_ONLY = "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
PORTS = "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"


@pytest.mark.parametrize(
    ("url", "description"),
    [
        ("http://bot.example.com/hook", HTTPS_ONLY),
        ("http://127.0.0.1:8080/hook", HTTPS_ONLY),
        ("https://bot.example.com:8080/hook", PORTS),
        ("https://bot.example.com:8444/hook", PORTS),
        ("bot.example.com:8080/hook", PORTS),  # no scheme: taken as https
        ("https://127.0.0.1/hook", "Bad Request: bad webhook: IP address 127.0.0.1 is reserved"),
        ("https://localhost:8443/", "Bad Request: bad webhook: IP address 127.0.0.1 is reserved"),
        ("https://10.1.2.3:88/hook", "Bad Request: bad webhook: IP address 10.1.2.3 is reserved"),
        ("ftp://bot.example.com/hook", "Bad Request: invalid webhook URL specified"),
        ("https://bot.example.com:99999/", "Bad Request: invalid webhook URL specified"),
    ],
)
async def test_webhook_urls_telegram_refuses(
    emu: BotApiEmulator, url: str, description: str
) -> None:
    assert await _call(emu, "setWebhook", url=url) == _refused(description)
    assert emu.webhook_url == ""


@pytest.mark.parametrize(
    "url",
    [
        "https://bot.example.com/hook",
        "https://bot.example.com:443/hook",
        "https://bot.example.com:8443/hook",
        "https://bot.example.com:88/hook",
        "https://bot.example.com:80/hook",
        "https://8.8.8.8/hook",
        "bot.example.com/hook",
    ],
)
async def test_webhook_urls_telegram_accepts(bot: Bot, emu: BotApiEmulator, url: str) -> None:
    assert await bot.set_webhook(url)
    assert emu.webhook_url == url


async def test_insecure_webhooks_only_when_the_emulator_allows_them(bot: Bot) -> None:
    loopback = "http://127.0.0.1:8080/hook"
    async with (
        BotApiEmulator(allow_insecure_webhook=True) as lenient,
        Bot(lenient.token, base_url=lenient.base_url) as local_bot,
    ):
        assert await local_bot.set_webhook(loopback)
        assert lenient.webhook_url == loopback and lenient.allow_insecure_webhook
        with pytest.raises(BadRequest, match=r"(?i)invalid webhook URL"):
            await local_bot.set_webhook("ftp://127.0.0.1/hook")
    with pytest.raises(BadRequest, match=r"(?i)HTTPS URL must be provided"):
        await bot.set_webhook(loopback)


async def test_webhook_secret_token_and_max_connections(bot: Bot, emu: BotApiEmulator) -> None:
    url = "https://bot.example.com/hook"
    long_secret = await _call(emu, "setWebhook", url=url, secret_token="s" * 257)
    assert long_secret == _refused("Bad Request: secret token is too long")
    bad_secret = await _call(emu, "setWebhook", url=url, secret_token="no spaces")
    assert bad_secret == _refused("Bad Request: secret token contains unallowed characters")
    assert await bot.set_webhook(url, secret_token="s" * 256)
    # Telegram clamps max_connections into 1..100 rather than refusing it.
    for asked, kept in ((0, 1), (101, 100), (-5, 1), (55, 55)):
        assert await bot.set_webhook(url, max_connections=asked)
        assert (await bot.get_webhook_info()).max_connections == kept


# --- the bot's profile: descriptions and command scopes ---------------------------------------


@pytest.mark.parametrize(
    ("method", "key", "limit"),
    [("setMyDescription", "description", 512), ("setMyShortDescription", "short_description", 120)],
)
async def test_descriptions_have_telegrams_limits(
    emu: BotApiEmulator, method: str, key: str, limit: int
) -> None:
    # Characters, not bytes: 512 two-byte letters fit.
    assert await _call(emu, method, **{key: "é" * limit}) == (200, {"ok": True, "result": True})
    too_long = await _call(emu, method, **{key: "x" * (limit + 1)})
    assert too_long == _refused(f"Bad Request: {key.replace('_', ' ')} is too long")
    getter = "g" + method[1:]
    assert await _call(emu, getter) == (200, {"ok": True, "result": {key: "é" * limit}})
    assert await _call(emu, getter, language_code="de") == (
        200, {"ok": True, "result": {key: "é" * limit}},
    ), "a language without its own text gets the default one"  # fmt: skip
    assert await _call(emu, method, **{key: ""}) == (200, {"ok": True, "result": True})
    assert await _call(emu, getter) == (200, {"ok": True, "result": {key: ""}})
    assert await _call(emu, method, language_code="english", **{key: "x"}) == _refused(
        "Bad Request: invalid language code specified"
    )


async def test_descriptions_through_ptb(bot: Bot, emu: BotApiEmulator) -> None:
    assert await bot.set_my_description("Shown in the empty chat")
    assert await bot.set_my_short_description("On the profile")
    assert (await bot.get_my_description()).description == emu.description
    assert emu.description == "Shown in the empty chat"
    assert (await bot.get_my_short_description()).short_description == "On the profile"


async def test_commands_are_kept_per_scope(
    bot: Bot, emu: BotApiEmulator, user: ScriptedUser
) -> None:
    from telegram import BotCommandScopeAllPrivateChats, BotCommandScopeChat

    private = BotCommandScopeAllPrivateChats()
    assert await bot.set_my_commands([("session", "Today's exercises")], scope=private)
    assert emu.commands == [], "the default scope is a list of its own"
    assert emu.commands_for({"type": "all_private_chats"}) == [
        {"command": "session", "description": "Today's exercises"}
    ]
    assert [c.command for c in await bot.get_my_commands(scope=private)] == ["session"]
    assert await bot.set_my_commands([("help", "Help")], scope=BotCommandScopeChat(USER_ID))
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_my_commands([("help", "Help")], scope=BotCommandScopeChat(999))
    answer = await _call(emu, "setMyCommands", commands=[], scope={"type": "everyone"})
    assert answer == _refused("Bad Request: can't parse BotCommandScope JSON object")
    assert await bot.delete_my_commands(scope=private)
    assert emu.commands_for({"type": "all_private_chats"}) == []


# --- Mini App buttons -------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://app.example/", "app.example/", "", "https:///x"])
async def test_web_app_buttons_need_an_https_url(
    emu: BotApiEmulator, user: ScriptedUser, url: str
) -> None:
    button = {"text": "Open", "web_app": {"url": url}}
    status, answer = await _call(
        emu, "sendMessage", chat_id=USER_ID, text="x", reply_markup={"inline_keyboard": [[button]]}
    )
    assert status == 400 and not answer["ok"]
    assert "URL" in answer["description"] or "url" in answer["description"]


async def test_a_button_has_exactly_one_kind(emu: BotApiEmulator, user: ScriptedUser) -> None:
    both = {"text": "Open", "callback_data": "x", "web_app": {"url": "https://app.example/"}}
    status, _ = await _call(
        emu, "sendMessage", chat_id=USER_ID, text="x", reply_markup={"inline_keyboard": [[both]]}
    )
    assert status == 400


async def test_web_app_buttons_and_the_menu_button(bot: Bot, user: ScriptedUser) -> None:
    app = WebAppInfo("https://app.example/miniapp/")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Open", web_app=app)]])
    sent = await bot.send_message(USER_ID, "x", reply_markup=markup)
    assert sent.reply_markup == markup
    assert await bot.get_chat_menu_button() == MenuButtonCommands()
    assert await bot.set_chat_menu_button(menu_button=MenuButtonWebApp("Timer", app))
    assert await bot.get_chat_menu_button(USER_ID) == MenuButtonWebApp("Timer", app)
    with pytest.raises(BadRequest, match=r"(?i)only https links are allowed"):
        await bot.set_chat_menu_button(
            menu_button=MenuButtonWebApp("Timer", WebAppInfo("http://app.example/"))
        )
    with pytest.raises(BadRequest, match=r"(?i)menu button text is empty"):
        await bot.set_chat_menu_button(menu_button=MenuButtonWebApp(" ", app))
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.set_chat_menu_button(chat_id=999_999, menu_button=MenuButtonDefault())
    assert await bot.set_chat_menu_button(menu_button=MenuButtonDefault())
    assert await bot.get_chat_menu_button(USER_ID) == MenuButtonCommands()
