"""The person's language: shipped catalogs, the current language, gettext and Babel locales.

English is the source: every msgid is the English text, and a string a catalog lacks (missing,
empty or fuzzy) is shown in English, never an error. Catalogs are read once per process from
bot/locales/<lang>/LC_MESSAGES/messages.po, so a lookup is a dict hit.

Developer workflow (README, "Languages"): `python -m bot.i18n extract` writes
bot/locales/messages.pot from bot/ and catalog/*.toml, `update` merges it into every .po
(keeping translations), `init <lang>` starts a new one, `check` fails on anything stale or
incomplete in a shipped language.
"""

from __future__ import annotations

import gettext as _gettext
import re
import sys
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale

SOURCE = "en"
# Every language with a catalog in bot/locales, by its own name (the /language buttons).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "ru": "Русский",
    "de": "Deutsch",
    "uk": "Українська",
    "id": "Bahasa Indonesia",
}
# Languages a person can get: a catalog joins only once it is complete (test_i18n checks
# every shipped catalog for missing strings and placeholders). Translators extend this.
SHIPPED: tuple[str, ...] = ("en", "es", "pt_BR", "ru", "de", "uk", "id")
# gettext's classic Plural-Forms (Babel's newer CLDR data gives es and pt a third form for
# millions, which no sentence here needs and translators would have to fill).
PLURAL_FORMS: dict[str, str] = {
    "es": "nplurals=2; plural=(n != 1);",
    # Not gettext's (n > 1): Brazilian Portuguese puts zero in the plural ("0 dias").
    "pt_BR": "nplurals=2; plural=(n != 1);",
    "ru": (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);"
    ),
    "de": "nplurals=2; plural=(n != 1);",
    "uk": (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);"
    ),
    "id": "nplurals=1; plural=0;",
}
# Telegram's language_code values that name a shipped language another way.
_ALIASES = {"in": "id", "pt": "pt_BR"}

LOCALES_DIR = Path(__file__).with_name("locales")
POT_PATH = LOCALES_DIR / "messages.pot"
ROOT = Path(__file__).resolve().parent.parent
# The TOML files whose words are shown to people (exercise names, steps, purposes, cautions).
CATALOG_TOML = ("catalog/exercises.toml",)
# Keys of catalog/exercises.toml whose values (strings or lists of strings) are translated.
TOML_TEXT_KEYS = ("name", "start_position", "steps", "purpose", "caution", "side_labels")
KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "N_": None,
    "ngettext": (1, 2),
    "NP_": (1, 2),
    "pgettext": ((1, "c"), 2),
}

_current: ContextVar[str] = ContextVar("language", default=SOURCE)


class Msg(str):
    """An English source text marked for translation; bot.texts translates it on access."""

    __slots__ = ()


class PluralMsg(tuple):
    """An English (singular, plural) pair marked for translation; use with ngettext."""

    __slots__ = ()


class Lazy:
    """A text built from others when read (bot.texts' HELP), so it is in the current language."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], Any]) -> None:
        self.build = build


def N_(text: str) -> Msg:
    """Mark a text for extraction; it is translated where it is read."""
    return Msg(text)


def NP_(singular: str, plural: str) -> PluralMsg:
    """Mark a (singular, plural) pair for extraction; ngettext picks the form."""
    return PluralMsg((singular, plural))


class Translations:
    """One language's messages: msgid -> text, and (singular, plural) -> forms."""

    __slots__ = ("messages", "plural", "plurals")

    def __init__(
        self,
        messages: Mapping[str, str] | None = None,
        plurals: Mapping[tuple[str, str], tuple[str, ...]] | None = None,
        plural: Callable[[int], int] | None = None,
    ) -> None:
        self.messages = dict(messages or {})
        self.plurals = dict(plurals or {})
        self.plural = plural or (lambda n: int(n != 1))


def read_catalog(path: Path) -> Translations:
    """A .po file's usable translations: fuzzy, empty and partly empty entries are left out."""
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        catalog = read_po(fh)
    messages: dict[str, str] = {}
    plurals: dict[tuple[str, str], tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            forms = tuple(message.string or ())
            if forms and all(forms):
                plurals[(message.id[0], message.id[1])] = forms
        elif message.string:
            messages[message.id] = message.string
    return Translations(messages, plurals, _gettext.c2py(catalog.plural_expr))


def _po_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def _load(language: str) -> Translations:
    path = _po_path(language)
    if language == SOURCE or not path.exists():
        return Translations()
    return read_catalog(path)


_translations: dict[str, Translations] = {}


def translations(language: str) -> Translations:
    """The language's catalog, read once per process."""
    found = _translations.get(language)
    if found is None:
        found = _translations[language] = _load(language)
    return found


def install(language: str, catalog: Translations) -> None:
    """Use this catalog for a language (tests fake a language with it)."""
    _translations[language] = catalog


def uninstall(language: str) -> None:
    """Forget a catalog installed by `install`, so the language's .po is read again."""
    _translations.pop(language, None)


# The current language ------------------------------------------------------------------


def current() -> str:
    """The language of the person being answered now (English outside any update)."""
    return _current.get()


def activate(language: str | None) -> str:
    """Make `language` the current one for this task (English when it is not shipped)."""
    chosen = language if language in SHIPPED else SOURCE
    _current.set(chosen)
    return chosen


class using:
    """Speak `language` inside the block and the previous one after it (jobs, the reminder tick)."""

    __slots__ = ("_language", "_token")

    def __init__(self, language: str | None) -> None:
        self._language = language

    def __enter__(self) -> str:
        chosen = self._language if self._language in SHIPPED else SOURCE
        self._token = _current.set(chosen)
        return chosen

    def __exit__(self, *exc: object) -> None:
        _current.reset(self._token)


def choose(language_code: str | None) -> str:
    """The shipped language for Telegram's IETF `language_code` ("pt-br", "de-AT", "in"...).

    English when there is none: a language not shipped (yet), or right-to-left ones (fa, ar)
    until they are complete.
    """
    if not language_code:
        return SOURCE
    code = language_code.strip().replace("_", "-").lower()
    by_lower = {lang.replace("_", "-").lower(): lang for lang in SHIPPED}
    if code in by_lower:
        return by_lower[code]
    primary = code.split("-", 1)[0]
    primary = _ALIASES.get(primary, primary)
    if primary in SHIPPED:
        return primary
    return next((lang for lang in SHIPPED if lang.split("_")[0].lower() == primary), SOURCE)


def language_name(language: str) -> str:
    """A language's own name: "Русский"."""
    return LANGUAGES.get(language, language)


# Lookups ---------------------------------------------------------------------------------


def gettext(message: str) -> str:
    """`message` in the current language, English when the catalog lacks it."""
    language = _current.get()
    if language == SOURCE:
        return message  # the source itself: no copy on the hot path
    catalog = _translations.get(language) or translations(language)
    return catalog.messages.get(message, message)


_ = gettext


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` by the language's plural rule; English forms when missing."""
    language = _current.get()
    if language != SOURCE:
        catalog = translations(language)
        forms = catalog.plurals.get((singular, plural))
        if forms:
            index = catalog.plural(count)
            return forms[index if index < len(forms) else -1]
    return str(singular if count == 1 else plural)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language for a context (the same English, different uses)."""
    language = _current.get()
    if language == SOURCE:
        return str(message)
    return translations(language).messages.get(f"{context}\x04{message}", str(message))


def plural(pair: tuple[str, str], count: int, **values: Any) -> str:
    """A marked (singular, plural) pair in the current language with {count} and values filled."""
    return ngettext(pair[0], pair[1], count).format(count=count, **values)


# The English here is British ("programme", "3 December 2026", "A, B and C").
_BABEL_LOCALES = {"en": "en_GB"}


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(_BABEL_LOCALES.get(language, language))


def locale() -> Locale:
    """Babel's locale of the current language: dates, times, weekday names, list patterns."""
    return _locale(_current.get())


def localize(value: Any) -> Any:
    """A marked text (or a tuple or dict holding some) in the current language."""
    kind = type(value)
    if kind is Msg:
        return gettext(value)
    if kind is Lazy:
        return value.build()
    if kind is tuple and any(type(v) is Msg or type(v) is tuple for v in value):
        return tuple(localize(v) for v in value)
    if kind is dict:
        return {k: localize(v) for k, v in value.items()}
    return value


# Extraction: the .pot and the .po files --------------------------------------------------


def extract_toml(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """A Babel extractor for catalog/exercises.toml: the shown words of every exercise."""
    raw = fileobj.read()
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    data = tomllib.loads(text)
    lines = text.splitlines()
    for exercise in data.get("exercise", []):
        exercise_line = _line_of(lines, f'id = "{exercise["id"]}"')
        for key in TOML_TEXT_KEYS:
            value = exercise.get(key)
            values = value if isinstance(value, list) else [value] if value else []
            for item in values:
                yield exercise_line, None, item, [f"exercise {exercise['id']}: {key}"]


def _line_of(lines: list[str], needle: str) -> int:
    return next((n for n, line in enumerate(lines, 1) if needle in line), 1)


METHOD_MAP = [
    ("bot/emulator/**.py", "ignore"),
    ("bot/**.py", "python"),
    ("catalog/**.toml", "bot.i18n:extract_toml"),
]


def extract(root: Path = ROOT):
    """The template catalog of every marked text in bot/ and catalog/ (English msgids)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalog = Catalog(
        project="backcoach",
        msgid_bugs_address="",
        copyright_holder="backcoach",
        charset="utf-8",
    )
    for path in ("bot", "catalog"):
        results = extract_from_dir(
            root / path,
            method_map=[
                (pattern.split("/", 1)[1], method)
                for pattern, method in METHOD_MAP
                if pattern.startswith(path + "/")
            ],
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in results:
            catalog.add(
                message,
                None,
                [(f"{path}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def _write(catalog, path: Path, **options: Any) -> None:
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=False, omit_header=False, **options)


def write_pot(path: Path = POT_PATH) -> None:
    """Write the template (`python -m bot.i18n extract`)."""
    _write(extract(), path)


def _set_plural_forms(catalog, language: str) -> None:
    from babel.messages.catalog import Catalog

    # A language not in PLURAL_FORMS yet gets Babel's rule for its locale.
    rule = PLURAL_FORMS.get(language) or Catalog(locale=language).plural_forms
    headers = [(k, v) for k, v in catalog.mime_headers if k != "Plural-Forms"]
    catalog.mime_headers = [*headers, ("Plural-Forms", rule)]


def init(language: str) -> Path:
    """Start a new, empty catalog for a language from the template."""
    from babel.messages.pofile import read_po

    path = _po_path(language)
    if path.exists():
        raise SystemExit(f"{path} exists: use `update`, which keeps its translations")
    with POT_PATH.open("rb") as fh:
        catalog = read_po(fh)
    catalog.locale = Locale.parse(language)
    catalog.revision_date = catalog.creation_date
    catalog.fuzzy = False
    _set_plural_forms(catalog, language)
    for message in catalog:
        if message.id and isinstance(message.id, tuple):
            message.string = ("",) * catalog.num_plurals
    _write(catalog, path)
    return path


def update() -> list[Path]:
    """Merge the template into every language's .po, keeping what translators wrote."""
    from babel.messages.pofile import read_po

    with POT_PATH.open("rb") as fh:
        template = read_po(fh)
    written = []
    for language in LANGUAGES:
        path = _po_path(language)
        if language == SOURCE or not path.exists():
            continue
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=language)
        catalog.update(template, update_header_comment=False)
        _set_plural_forms(catalog, language)
        _write(catalog, path, ignore_obsolete=False)
        written.append(path)
    return written


_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sd]|</?[a-z]+>")


def placeholders(text: str) -> list[str]:
    """The placeholders and HTML tags of a text, sorted: a translation must keep them all."""
    return sorted(_PLACEHOLDER.findall(text))


def problems(language: str, *, po: Path | None = None, pot: Path = POT_PATH) -> list[str]:
    """What keeps a catalog from shipping: untranslated or fuzzy strings, placeholders changed."""
    from babel.messages.pofile import read_po

    with pot.open("rb") as fh:
        template = read_po(fh)
    with (po or _po_path(language)).open("rb") as fh:
        catalog = read_po(fh)
    found = []
    for source in template:
        if not source.id:
            continue
        message = catalog.get(source.id, context=source.context)
        label = source.id if isinstance(source.id, str) else source.id[0]
        if message is None or message.fuzzy:
            found.append(f"{language}: missing or fuzzy: {label!r}")
            continue
        if isinstance(source.id, tuple):
            forms = tuple(message.string or ())
            if not forms or not all(forms):
                found.append(f"{language}: a plural form is empty: {label!r}")
                continue
            for form in forms:
                if placeholders(form) != placeholders(source.id[1]):
                    found.append(f"{language}: placeholders differ: {label!r} -> {form!r}")
        elif not message.string:
            found.append(f"{language}: untranslated: {label!r}")
        elif placeholders(message.string) != placeholders(source.id):
            found.append(f"{language}: placeholders differ: {label!r} -> {message.string!r}")
    return found


def stale() -> bool:
    """Whether the committed .pot lacks a marked text of the sources, or has one no longer used."""
    from babel.messages.pofile import read_po

    with POT_PATH.open("rb") as fh:
        committed = {m.id for m in read_po(fh) if m.id}
    return committed != {m.id for m in extract() if m.id}


def main(argv: list[str]) -> int:
    """`python -m bot.i18n extract|update|init <lang>|check`."""
    command = argv[0] if argv else ""
    if command == "extract":
        write_pot()
    elif command == "update":
        for path in update():
            sys.stdout.write(f"updated {path}\n")
    elif command == "init" and len(argv) == 2:
        sys.stdout.write(f"created {init(argv[1])}\n")
    elif command == "check":
        found = ["bot/locales/messages.pot is stale: run extract, then update"] if stale() else []
        for language in SHIPPED:
            if language != SOURCE:
                found += problems(language)
        for line in found:
            sys.stdout.write(line + "\n")
        return 1 if found else 0
    else:
        sys.stdout.write("usage: python -m bot.i18n extract | update | init <lang> | check\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
