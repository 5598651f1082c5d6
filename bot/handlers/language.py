"""The person's language: set for every update before any handler runs; /language changes it.

At first contact Telegram's `language_code` picks a shipped language (bot.i18n.choose); a
choice made with /language is stored in users.language. Most updates need no database read to
know it: recently seen people's languages are kept in a small in-process cache, updated when
they choose (another webhook instance sees a change within CACHE_SECONDS).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    TypeHandler,
    filters,
)

from bot import i18n, texts
from bot.handlers import callback_data as cd
from bot.handlers.common import inline_keyboard, services, show_choice
from bot.storage.database import storage_fault

logger = logging.getLogger(__name__)

PREFIX = cd.LANGUAGE
CHOOSE = "set"
CACHE_KEY = "languages"
CACHE_SIZE = 10_000
# Short: another webhook instance serving the same person sees a /language choice made on
# this one within this long. A typed message's read of it costs ~0.15 ms on the driver
# (bot/storage/direct.py), so a person in a session is read about once in 30 s instead of
# at every message.
CACHE_SECONDS = 30.0


class LanguageCache:
    """The languages of the people seen lately, oldest forgotten first, each for `ttl` s."""

    def __init__(
        self,
        size: int = CACHE_SIZE,
        ttl: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._size, self._ttl, self._clock = size, ttl, clock
        self._entries: OrderedDict[int, tuple[str, float]] = OrderedDict()

    def get(self, person: int) -> str | None:
        entry = self._entries.get(person)
        if entry is None or entry[1] < self._clock():
            return None
        return entry[0]

    def put(self, person: int, language: str) -> None:
        self._entries[person] = (language, self._clock() + self._ttl)
        self._entries.move_to_end(person)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def forget(self, person: int) -> None:
        self._entries.pop(person, None)

    def __len__(self) -> int:
        return len(self._entries)


def cache(context: ContextTypes.DEFAULT_TYPE) -> LanguageCache:
    """The application's language cache."""
    found = context.bot_data.get(CACHE_KEY)
    if found is None:
        found = context.bot_data[CACHE_KEY] = LanguageCache()
    return found


def first_contact(language_code: str | None) -> str | None:
    """What users.language gets when the person's row is made: their Telegram language when it
    is shipped; else nothing, so they read English now and a language shipped later finds them
    (`language_of` stores it at their next message).
    """
    chosen = i18n.choose(language_code)
    return None if chosen == i18n.SOURCE else chosen


async def language_of(
    context: ContextTypes.DEFAULT_TYPE, person: int, language_code: str | None
) -> str:
    """The person's language: stored, else from Telegram's language_code; cached."""
    memo = cache(context)
    found = memo.get(person)
    if found is not None:
        return found
    repository = services(context).repository
    try:
        known, stored = await repository.language_of(person)
        found = stored if stored in i18n.SHIPPED else i18n.choose(language_code)
        if known and stored is None and found != i18n.SOURCE:
            # Met before their language shipped: it is theirs from now on, reminders too.
            await repository.adopt_language(person, found)
    except Exception as error:
        if storage_fault(error) is None:
            raise
        # The database is down: the handlers will say so; in the person's language if we can.
        return i18n.choose(language_code)
    memo.put(person, found)
    return found


async def speak_their_language(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Make the sender's language the current one for every handler of this update."""
    user = update.effective_user if isinstance(update, Update) else None
    if user is None:
        i18n.activate(i18n.SOURCE)
        return
    i18n.activate(await language_of(context, user.id, user.language_code))


def _keyboard():
    return inline_keyboard(
        [[(i18n.language_name(code), cd.pack(PREFIX, CHOOSE, code))] for code in i18n.SHIPPED]
    )


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language: the language now, and a button for each shipped one, in its own name."""
    assert update.effective_message
    await update.effective_message.reply_text(
        texts.LANGUAGE_CURRENT.format(language=i18n.language_name(i18n.current())),
        reply_markup=_keyboard(),
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A language chosen: stored, and confirmed in that language."""
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    _, action, value = cd.unpack(query.data)
    if action != CHOOSE or value not in i18n.SHIPPED:
        await query.answer(texts.STALE_BUTTON)
        return
    await query.answer()
    if not await show_choice(query):
        return  # a second tap of the same button
    svc = services(context)
    person = update.effective_user.id
    _, created = await svc.repository.ensure_user(
        person, update.effective_chat.id, svc.clock.now(), language=value
    )
    if not created:
        await svc.repository.update_user(person, language=value)
    cache(context).put(person, value)
    i18n.activate(value)
    await context.bot.send_message(
        update.effective_chat.id, texts.LANGUAGE_SET.format(language=i18n.language_name(value))
    )
    await label_menu_button(context, update.effective_chat.id)


async def label_menu_button(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """The Mini App's menu button in this chat, labelled in the current language.

    setChatMenuButton has no language_code: the bot-wide button (bot/app.py) is English, so
    a chat in another language gets its own, and English goes back to the bot-wide one. Only
    with MINI_APP_URL; a failure costs only the label, never the person's flow.
    """
    url = services(context).settings.mini_app_url
    if not url:
        return
    try:
        if i18n.current() == i18n.SOURCE:
            await context.bot.set_chat_menu_button(chat_id=chat_id)
        else:
            button = MenuButtonWebApp(texts.MENU_TIMER, WebAppInfo(url))
            await context.bot.set_chat_menu_button(chat_id=chat_id, menu_button=button)
    except TelegramError as error:
        logger.warning("menu button not labelled (%s)", type(error).__name__)


def early() -> list:
    """The handler that sets the language, for a group before every other."""
    return [TypeHandler(Update, speak_their_language)]


def handlers() -> list:
    """/language and its buttons."""
    return [
        CommandHandler("language", language_command, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(button, pattern=cd.pattern(PREFIX)),
    ]


def telegram_code(language: str) -> str:
    """Telegram's two-letter code for a shipped language (profile texts): "pt_BR" -> "pt"."""
    return language.split("_", 1)[0]


def menu() -> list[BotCommand]:
    """The private chats' menu, in the current language."""
    described = dict(texts.COMMANDS)
    return [BotCommand(name, described[name]) for name in texts.MENU_COMMANDS]


async def set_profiles(bot: Bot) -> None:
    """Each shipped language's description, short description (each only when it changed:
    Telegram limits how often) and private-chat menu, under its language_code; people whose
    Telegram is in another language get the default (English) ones."""
    for language in i18n.SHIPPED:
        if language == i18n.SOURCE:
            continue
        code = telegram_code(language)
        with i18n.using(language):
            description = texts.BOT_DESCRIPTION
            if (await bot.get_my_description(language_code=code)).description != description:
                await bot.set_my_description(description, language_code=code)
            short = texts.BOT_SHORT_DESCRIPTION
            got = await bot.get_my_short_description(language_code=code)
            if got.short_description != short:
                await bot.set_my_short_description(short, language_code=code)
            await bot.set_my_commands(
                menu(), scope=BotCommandScopeAllPrivateChats(), language_code=code
            )
