"""A person in each shipped language, end to end: nothing they see is left in English.

Parametrized over bot.i18n.SHIPPED minus English, so each language runs here as its catalog
ships. Until one has, it runs for a pseudo-language ("eo", every msgid with its letters
accented and wrapped in ⟦…⟧, placeholders kept), so the harness itself is proven: onboarding,
a whole session, a reminder, a pain report and a red flag, pressing buttons and typing, then
every text, caption, edit, button label and toast the person received is checked for English.

Typed replies in a language depend on the domain's parsers: PHRASES holds them per language;
a language without an entry types the English ones (red flags are matched in every language).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from bot import i18n, texts
from bot.app import build_application, running
from bot.clock import FakeClock
from bot.config import Settings
from bot.demo import run_demo
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import ScriptedUser
from bot.storage.database import create_engine
from bot.storage.models import User

pytestmark = pytest.mark.e2e

PSEUDO = "eo"
SHIPPED = [language for language in i18n.SHIPPED if language != i18n.SOURCE]
LANGUAGES = SHIPPED or [PSEUDO]

# Telegram's language_code for each language, as a phone sends it.
TELEGRAM_CODES = {"pt_BR": "pt-br", "es": "es-419", "de": "de-AT", PSEUDO: "eo"}

# What a person types, per language (the hook for the parsing helper's words): the answers
# the scenario types instead of pressing a button. Missing: the English phrase.
PHRASES: dict[str, dict[str, str]] = {
    "en": {"red_flag": "I suddenly have numbness between my legs", "done": "done"},
    "es": {"red_flag": "tengo entumecimiento en la entrepierna", "done": "hecho"},
    "pt_BR": {"red_flag": "estou com dormência na virilha", "done": "feito"},
    "ru": {"red_flag": "у меня онемение в паху", "done": "готово"},
    "de": {"red_flag": "ich habe plötzlich Taubheit im Schritt", "done": "fertig"},
    "uk": {"red_flag": "у мене оніміння в паху", "done": "готово"},
    "id": {"red_flag": "saya mati rasa di selangkangan", "done": "selesai"},
}
# Text the person may see in English in any language: neutral, not wording (IANA zone names,
# GeoNames place names, numbers). Each entry needs its reason.
ALLOWED: set[str] = set()
# English fragments shorter than this are too likely to be shared by another language.
MIN_FRAGMENT = 12

_KEEP = re.compile(r"(\{[^{}]*\}|</?[a-z]+>|/[a-z_]+|&[a-z]+;|\n)")
_ACCENTS = str.maketrans("aeiouyAEIOUYcnsCNS", "áéíóúýÁÉÍÓÚÝçñšÇÑŠ")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|</?[a-z]+>")


def pseudo(text: str) -> str:
    """A stand-in translation: letters accented, placeholders, tags and /commands kept."""
    parts = _KEEP.split(text)
    return "⟦" + "".join(p if i % 2 else p.translate(_ACCENTS) for i, p in enumerate(parts)) + "⟧"


def _template() -> list[str | tuple[str, str]]:
    with i18n.POT_PATH.open("rb") as fh:
        return [m.id for m in read_po(fh) if m.id]


def pseudo_catalog() -> i18n.Translations:
    """The pseudo-language's catalog: every msgid of the .pot."""
    messages, plurals = {}, {}
    for msgid in _template():
        if isinstance(msgid, tuple):
            plurals[msgid] = (pseudo(msgid[0]), pseudo(msgid[1]))
        else:
            messages[msgid] = pseudo(msgid)
    return i18n.Translations(messages, plurals)


def english_fragments(language: str) -> set[str]:
    """Pieces of English (between placeholders) that must not reach a person in `language`:
    those of every msgid its catalog translates to something else."""
    found = set()
    with i18n.using(language):
        for msgid in _template():
            forms = msgid if isinstance(msgid, tuple) else (msgid,)
            translated = (
                i18n.ngettext(forms[0], forms[1], 5) if len(forms) == 2 else i18n.gettext(forms[0])
            )
            if translated == forms[-1]:
                continue
            for form in forms:
                for piece in _PLACEHOLDER.split(form):
                    for line in piece.split("\n"):
                        if len(line.strip()) >= MIN_FRAGMENT and line.strip() not in ALLOWED:
                            found.add(line.strip())
    return found


def seen_by(user: ScriptedUser) -> list[str]:
    """Everything the person was shown: texts, captions, every edit, buttons and toasts."""
    seen = []
    for message in user.transcript:
        seen += [message.text, message.caption or "", *message.edits]
        seen += [label for row in message.buttons for label in row]
    return seen + user.callback_answers


def english_texts(language: str) -> set[str]:
    """Whole English msgids (any length: "Skip", "Release.") that `language` translates."""
    found = set()
    with i18n.using(language):
        for msgid in _template():
            if isinstance(msgid, str) and "{" not in msgid and i18n.gettext(msgid) != msgid:
                found.add(msgid)
    return found - ALLOWED


def leaks(user: ScriptedUser, language: str) -> list[tuple[str, str]]:
    """English the person saw: a fragment of a translated msgid inside anything shown, or a
    whole one (a button, a toast, a short message) left as it is."""
    fragments, whole = english_fragments(language), english_texts(language)
    seen = seen_by(user)
    found = [(f, s) for s in seen for f in fragments if f in s]
    return found + [(s, s) for s in seen if s in whole]


@pytest.fixture
def languages(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Ship the pseudo-language while no real one has shipped (before the bot starts)."""
    if not SHIPPED:
        monkeypatch.setattr(i18n, "SHIPPED", (*i18n.SHIPPED, PSEUDO))
        monkeypatch.setitem(i18n.LANGUAGES, PSEUDO, "Pseŭdo")
        i18n.install(PSEUDO, pseudo_catalog())
    yield
    i18n.uninstall(PSEUDO)


@pytest.fixture
async def bot(languages, settings: Settings, clock: FakeClock) -> AsyncIterator[object]:
    """The real Application, started once the languages are in place."""
    async with running(build_application(settings, clock=clock), poll_timeout=1) as app:
        yield app


def t(lang: str, name: str, **values: object) -> str:
    """A text of bot.texts as the person reads it, filled with `values`."""
    with i18n.using(lang):
        text = getattr(texts, name)
        return text.format(**values) if values else text


def head(language: str, name: str) -> str:
    """The start of a text, up to its first placeholder: enough to wait for it."""
    shown = re.sub(r"</?[a-z]+>", "", t(language, name))  # HTML as the person sees it
    return re.split(r"\{", shown, maxsplit=1)[0][:40]


def phrase(language: str, key: str) -> str:
    return PHRASES.get(language, {}).get(key) or PHRASES["en"][key]


async def _onboard(user: ScriptedUser, language: str) -> None:
    await user.send_text("/start")
    await user.wait_for_message(head(language, "WELCOME"))
    await user.wait_for_message(head(language, "RED_FLAG_QUESTION"))
    await user.press(t(language, "NO_NONE_APPLY"))
    await user.wait_for_message(head(language, "SEE_DOCTOR_QUESTION"))
    await user.press(t(language, "NO_NONE_APPLY"))
    await user.wait_for_message(head(language, "CONSENT_QUESTION"))
    await user.press(t(language, "CONSENT_YES"))
    await user.wait_for_message(head(language, "PAIN_QUESTION"))
    await user.press("2")
    await user.wait_for_message(head(language, "TIMEZONE_QUESTION"))
    await user.send_text("Berlin")
    await user.wait_for_message(head(language, "REMINDER_QUESTION"))
    await user.send_text("7:30")
    await user.wait_for_message(head(language, "ONBOARDING_DONE"))


async def _session(user: ScriptedUser, language: str) -> None:
    await user.press(t(language, "START_SESSION"))
    await user.wait_for_message(head(language, "SESSION_INTRO"))
    for number in range(4):
        ready = t(language, "READY")
        await user.wait_for_message(timeout=10, predicate=lambda m, r=ready: [r] in m.buttons)
        await user.press(t(language, "READY"))
        await user.wait_for_message(head(language, "ANSWER_QUESTION"), timeout=15)
        if number == 1:
            await user.press(t(language, "HURTS"))
            await user.wait_for_message(head(language, "PAIN_IN_SESSION"))
            await user.press("3", message_id=user.last_message.message_id)
        elif number == 2:
            await user.send_text(phrase(language, "done"))
        else:
            await user.press(t(language, "DONE"))
    await user.wait_for_message(t(language, "SESSION_FINISHED_TITLE"), timeout=10)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_person_sees_only_their_language(
    emulator: BotApiEmulator, bot, clock: FakeClock, language: str
) -> None:
    # What Telegram shows before the chat, set at start for each shipped language.
    code = language.split("_")[0]
    menu = emulator.commands_for({"type": "all_private_chats"}, code)
    described = dict(t(language, "COMMANDS"))
    assert menu == [{"command": n, "description": described[n]} for n in texts.MENU_COMMANDS]
    assert emulator.state.descriptions[code] == t(language, "BOT_DESCRIPTION")
    assert emulator.state.short_descriptions[code] == t(language, "BOT_SHORT_DESCRIPTION")
    assert emulator.description == texts.BOT_DESCRIPTION  # the default stays English

    user = emulator.user(user_id=9_101, language_code=TELEGRAM_CODES.get(language, language))
    await _onboard(user, language)
    await _session(user, language)
    await user.send_text("/stats")
    await user.wait_for_message(head(language, "STATS"))
    await user.send_text("/routine")
    await user.wait_for_message(head(language, "ROUTINE_TODAY"))
    await user.send_text("/help")
    await user.wait_for_message(t(language, "HELP_INTRO"))

    # The next morning's reminder (07:30 in Berlin), then "It hurts" from it: a pain report.
    clock.advance(timedelta(hours=22, minutes=30))
    # Something hurt in the session: the morning check may come first.
    check, reminder = t(language, "BACK_CHECK")["morning"], head(language, "REMINDER")
    first = await user.wait_for_message(
        timeout=10, predicate=lambda m: check in m.text or reminder in m.text
    )
    if check in first.text:
        await user.press(t(language, "SAME"))
        await user.wait_for_message(reminder, timeout=10)
    await user.press(t(language, "IT_HURTS"))
    await user.wait_for_message(head(language, "REPORT_PAIN"))
    await user.press("4", message_id=user.last_message.message_id)
    await user.wait_for_message(head(language, "REPORT_WHICH"))
    await user.press(t(language, "NOT_SURE"))
    await user.wait_for_message(t(language, "PAIN_REPORTED", pain=4))

    # A red flag, typed: the safety advice first, in their language.
    await user.send_text(phrase(language, "red_flag"))
    await user.wait_for_message(head(language, "SAFETY_URGENT"))
    await user.wait_idle()

    assert leaks(user, language) == [], user.render_transcript(40)
    # The language came from Telegram's language_code at first contact and was kept.
    shown = "\n".join(seen_by(user))
    assert t(language, "WELCOME") in shown


async def _stored_language(database_url: str, user_id: int) -> str | None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(select(User.language).where(User.id == user_id))
    finally:
        await engine.dispose()


async def test_language_command_changes_it_and_a_restart_keeps_it(
    emulator: BotApiEmulator, languages, settings: Settings, clock: FakeClock, database_url: str
) -> None:
    other = LANGUAGES[0]
    user = emulator.user(user_id=9_201, language_code="en")
    async with running(build_application(settings, clock=clock), poll_timeout=1):
        await user.send_text("/language")
        shown = await user.wait_for_message(texts.LANGUAGE_CURRENT.format(language="English"))
        labels = [label for row in shown.buttons for label in row]
        assert labels == [i18n.language_name(code) for code in i18n.SHIPPED]
        await user.press(i18n.language_name(other))
        await user.wait_for_message(t(other, "LANGUAGE_SET", language=i18n.language_name(other)))
        await user.send_text("/help")
        await user.wait_for_message(t(other, "HELP_INTRO"))
        # Onboarding after the choice is in the chosen language too.
        await user.send_text("/start")
        await user.wait_for_message(head(other, "WELCOME"))
    assert await _stored_language(database_url, user.user_id) == other

    async with running(build_application(settings, clock=clock), poll_timeout=1):
        await user.send_text("/help")
        await user.wait_for_message(t(other, "HELP_INTRO"))
        await user.send_text("/language")
        await user.wait_for_message(
            t(other, "LANGUAGE_CURRENT", language=i18n.language_name(other))
        )
        await user.press("English")
        await user.wait_for_message(texts.LANGUAGE_SET.format(language="English"))
        await user.send_text("/help")
        await user.wait_for_message(texts.HELP_INTRO)
    assert await _stored_language(database_url, user.user_id) == "en"


async def test_a_language_shipped_later_finds_the_person_and_their_reminders(
    emulator: BotApiEmulator,
    languages,
    settings: Settings,
    clock: FakeClock,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    language = LANGUAGES[0]
    shipped = i18n.SHIPPED
    user = emulator.user(user_id=9_401, language_code=TELEGRAM_CODES.get(language, language))
    monkeypatch.setattr(i18n, "SHIPPED", ("en",))  # not shipped yet when they first came
    async with running(build_application(settings, clock=clock), poll_timeout=1):
        await _onboard(user, "en")
    assert await _stored_language(database_url, user.user_id) is None

    monkeypatch.setattr(i18n, "SHIPPED", shipped)  # a release later, it has shipped
    async with running(build_application(settings, clock=clock), poll_timeout=1):
        await user.send_text("/help")
        await user.wait_for_message(t(language, "HELP_INTRO"))
        assert await _stored_language(database_url, user.user_id) == language
        clock.advance(timedelta(hours=22, minutes=30))  # the next reminder, 07:30 in Berlin
        await user.wait_for_message(head(language, "REMINDER"), timeout=10)


async def test_right_to_left_and_unknown_languages_get_english(
    emulator: BotApiEmulator, bot, database_url: str
) -> None:
    for user_id, code in ((9_301, "fa"), (9_302, "ar"), (9_303, None)):
        user = emulator.user(user_id=user_id, language_code=code)
        await user.send_text("/start")
        welcome = await user.wait_for_message("Hi, I'm backcoach")
        assert welcome.text == texts.WELCOME
        await user.wait_for_message(texts.RED_FLAG_QUESTION)
        assert not any("⟦" in text for text in seen_by(user))
        # Nothing stored: a right-to-left catalog shipped later still finds them.
        assert await _stored_language(database_url, user_id) is None


async def test_the_demo_speaks_the_language_it_is_given(
    languages, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m bot demo --language CODE`: the demo person's Telegram language picks it."""
    language = LANGUAGES[0]
    monkeypatch.chdir(tmp_path)  # the demo's database and files go here
    # The demo sets up logging for a terminal: put it back for the tests that follow.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    out = io.StringIO()
    try:
        code = TELEGRAM_CODES.get(language, language)
        typed = io.StringIO("/start\n/quit\n")
        assert await run_demo(language_code=code, stdin=typed, stdout=out) == 0
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name in logging.root.manager.loggerDict:
            logging.getLogger(name).setLevel(levels.get(name, logging.NOTSET))
    shown = out.getvalue()
    assert t(language, "WELCOME").split("\n")[0][:60] in shown, shown
    assert texts.WELCOME[:40] not in shown
