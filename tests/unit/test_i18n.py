"""The i18n machinery: language choice, fallback to English, plural rules, the texts module
read in the current language, and the catalogs: complete in every shipped language, with the
English one's placeholders, and the .pot up to date with the sources."""

from __future__ import annotations

import ast
import gettext
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot import i18n, texts
from bot.domain.progression import Change, ChangeKind, PainBand
from catalog.loader import load_catalog

ALL = tuple(i18n.LANGUAGES)
TRANSLATED = [language for language in i18n.SHIPPED if language != i18n.SOURCE]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    """Ship a made-up language "xx" whose catalog the test fills in."""

    def install(messages=None, plurals=None, plural=None) -> str:
        monkeypatch.setattr(i18n, "SHIPPED", (*i18n.SHIPPED, "xx"))
        i18n.install("xx", i18n.Translations(messages, plurals, plural))
        return "xx"

    yield install
    i18n.uninstall("xx")


# Choosing a language from Telegram's language_code -----------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("en", "en"),
        ("en-GB", "en"),
        ("pt-br", "pt_BR"),
        ("pt-BR", "pt_BR"),
        ("pt", "pt_BR"),
        ("pt-PT", "pt_BR"),
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("de", "de"),
        ("de-AT", "de"),
        ("de-CH", "de"),
        ("uk", "uk"),
        ("id", "id"),
        ("in", "id"),  # the old ISO code some Android phones still send
        ("es", "es"),
        ("es-419", "es"),
        ("ES", "es"),
        ("fa", "en"),  # right-to-left: English until a complete catalog ships
        ("ar", "en"),
        ("ar-EG", "en"),
        ("zh-hans", "en"),
        ("tr", "en"),
        ("  ", "en"),
    ],
)
def test_choose_when_every_language_ships(monkeypatch, code, expected) -> None:
    monkeypatch.setattr(i18n, "SHIPPED", ALL)
    assert i18n.choose(code) == expected


@pytest.mark.parametrize("code", ["ru", "pt-br", "es-419", "de", "fa", None])
def test_choose_gives_english_for_a_language_not_shipped(monkeypatch, code) -> None:
    monkeypatch.setattr(i18n, "SHIPPED", ("en",))
    assert i18n.choose(code) == "en"


def test_every_language_has_its_own_name_and_plural_forms() -> None:
    assert i18n.LANGUAGES["ru"] == "Русский"
    assert i18n.LANGUAGES["pt_BR"] == "Português (Brasil)"
    assert set(i18n.PLURAL_FORMS) == set(i18n.LANGUAGES) - {"en"}
    assert set(i18n.SHIPPED) <= set(i18n.LANGUAGES)
    assert i18n.SHIPPED[0] == "en"


# Lookups and fallback -----------------------------------------------------------------------


def test_a_missing_string_falls_back_to_english(fake) -> None:
    language = fake({"Skip": "Pasar"})
    with i18n.using(language):
        assert i18n.gettext("Skip") == "Pasar"
        assert i18n.gettext("Stop") == "Stop"
        assert i18n.ngettext("{count} day", "{count} days", 3) == "{count} days"
        assert i18n.pgettext("button", "Stop") == "Stop"
    assert i18n.gettext("Skip") == "Skip"


def test_a_language_not_shipped_is_english() -> None:
    with i18n.using("fa"):
        assert i18n.current() == "en"
    assert i18n.activate("ar") == "en"
    assert i18n.current() == "en"


def test_fuzzy_empty_and_partial_entries_count_as_missing(tmp_path: Path) -> None:
    catalog = Catalog(locale="ru")
    catalog.plural_forms  # noqa: B018 - Babel fills it from the locale
    catalog.add("Ready", "Готово")
    catalog.add("Skip", "Пропустить", flags=["fuzzy"])
    catalog.add("Stop", "")
    catalog.add(("{count} day", "{count} days"), ("{count} день", "{count} дня", "{count} дней"))
    catalog.add(("{count} week", "{count} weeks"), ("{count} неделя", "", "{count} недель"))
    path = tmp_path / "messages.po"
    with path.open("wb") as fh:
        write_po(fh, catalog)
    loaded = i18n.read_catalog(path)
    assert loaded.messages == {"Ready": "Готово"}
    assert set(loaded.plurals) == {("{count} day", "{count} days")}


def test_russian_plural_rule_picks_each_form() -> None:
    forms = ("{count} день", "{count} дня", "{count} дней")
    catalog = i18n.Translations(
        plurals={("{count} day", "{count} days"): forms},
        plural=gettext.c2py(i18n.PLURAL_FORMS["ru"].split("plural=")[1].rstrip(";")),
    )
    i18n.install("ru", catalog)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(i18n, "SHIPPED", (*i18n.SHIPPED, "ru"))
            with i18n.using("ru"):
                said = {n: texts.days(n) for n in (1, 2, 4, 5, 11, 12, 21, 22, 25, 101, 111)}
    finally:
        i18n.uninstall("ru")
    assert said == {
        1: "1 день",
        2: "2 дня",
        4: "4 дня",
        5: "5 дней",
        11: "11 дней",
        12: "12 дней",
        21: "21 день",
        22: "22 дня",
        25: "25 дней",
        101: "101 день",
        111: "111 дней",
    }


# The texts module, read in the current language ----------------------------------------------


def test_texts_are_read_in_the_current_language(fake) -> None:
    language = fake(
        {
            texts.READY: "Prêt",
            "Start today's exercises": "Commencer",
            "Good evening. How is your back compared with yesterday?": "Bonsoir ?",
            "I coach a short daily routine for low back pain.": "Je coache.",
            "today at {time}": "aujourd'hui à {time}",
        }
    )
    with i18n.using(language):
        assert texts.READY == "Prêt"
        assert dict(texts.COMMANDS)["session"] == "Commencer"
        # Command names and other plain data are never translated.
        assert texts.MENU_COMMANDS == ("session", "stop", "stats", "progress", "help")
        assert texts.BACK_CHECK == {
            "morning": "Good morning. How is your back compared with yesterday?",
            "afternoon": "Good afternoon. How is your back compared with yesterday?",
            "evening": "Bonsoir ?",
            "night": "Hello. How is your back compared with yesterday?",
        }
        assert texts.BACK_CHECK["evening"] == "Bonsoir ?"
        assert texts.HELP.startswith("Je coache.\n\n/session — Commencer\n")
        assert texts.EXPORT_FILENAME == "backcoach-my-data.json"
    assert texts.READY == "Ready"
    assert texts.HELP.startswith("I coach a short daily routine")


def test_sentences_are_whole_in_english() -> None:
    """The English output of the rewritten functions is what it was before i18n."""
    assert texts.set_aside_harder(["Cobra"]) == "Cobra builds on it, so it stays out too."
    assert (
        texts.set_aside_harder(["Cobra", "Full plank"])
        == "Cobra and Full plank build on it, so they stay out too."
    )
    assert texts.harder_out_today(["Cobra", "Bird dog", "Plank"], "Partial cobra") == (
        "Cobra, Bird dog and Plank are out of today's session, as Partial cobra hurt."
    )
    assert texts.summary_done(1, 1) == "Done: 1 of 1 exercise."
    assert texts.summary_done(2, 4) == "Done: 2 of 4 exercises."
    assert texts.streak(1, 1) == "Streak: 1 day (best 1 day)."
    assert texts.streak(6, 8, 1) == "Streak: 6 days, 1 rest day kept it (best 8 days)."
    assert texts.hold_text(10, each_side=True) == "10 s each side"
    assert texts.WEEKDAYS == ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    removed = Change(ChangeKind.REMOVED, "cat", 15, 10, PainBand.TOO_MUCH)
    assert texts.change_line(removed, "Cobra", easier="Partial cobra").endswith(
        "It comes back once your back is ready. Its easier version, Partial cobra, stays in."
    )


def test_dates_weekdays_and_lists_come_from_babel(monkeypatch) -> None:
    monkeypatch.setattr(i18n, "SHIPPED", ALL)
    with i18n.using("ru"):
        assert texts.WEEKDAYS[0] == "пн"
        assert "дек" in texts.short_date(__import__("datetime").date(2026, 12, 3))
        assert texts.listed(["А", "Б", "В"]) == "А, Б и В"
    with i18n.using("de"):
        assert texts.listed(["A", "B"]) == "A und B"
        assert texts.short_date(date(2026, 3, 3)) == "3. März"


def test_places_name_their_country_in_the_current_language(monkeypatch) -> None:
    monkeypatch.setattr(i18n, "SHIPPED", ALL)
    assert texts.place_label("Portland", "Oregon", "United States") == (
        "Portland, Oregon, United States"
    )
    with i18n.using("de"):
        assert texts.place_label("Portland", "Maine", "United States") == (
            "Portland, Maine, Vereinigte Staaten"
        )
    with i18n.using("ru"):
        assert texts.place_label("Hamilton", "", "New Zealand") == "Hamilton, Новая Зеландия"
        assert texts.country_name("Atlantis") == "Atlantis"


def test_exercise_words_are_read_in_the_current_language(fake) -> None:
    catalog = load_catalog()
    cat = catalog.get("cat")
    english = (cat.name, cat.steps, cat.purpose)
    language = fake({"Cat stretch": "Кошка", cat.steps[0]: "Втяните живот."})
    with i18n.using(language):
        assert cat.name == "Кошка"
        assert cat.steps[0] == "Втяните живот."
        assert cat.steps[1] == english[1][1]  # not translated yet: English
        assert cat.id == "cat"
    assert (cat.name, cat.steps, cat.purpose) == english


def test_every_text_constant_is_marked_for_translation() -> None:
    """A new English text that is not marked (N_/NP_) would never reach a catalog."""
    neutral = {
        "EXPORT_FILENAME",
        "PDF_FILENAME",
        "CHART_TITLE",
        "FIGURE_CAPTION",
        "SUMMARY_NO_VALUE",
    }
    raw = vars(texts)
    unmarked = [
        name
        for name, value in raw.items()
        if name.isupper()
        and isinstance(value, str)
        and not isinstance(value, i18n.Msg)
        and name not in neutral
    ]
    assert unmarked == []


def test_no_text_is_read_when_a_module_is_imported() -> None:
    """A text read at import (a module-level dict of texts) would stay in English for all."""
    read_at_import = []
    for path in sorted(Path(texts.__file__).parent.rglob("*.py")):
        if path.name == "texts.py":
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            read_at_import += [
                f"{path.name}:{node.lineno} texts.{sub.attr}"
                for sub in ast.walk(node)
                if isinstance(sub, ast.Attribute)
                and isinstance(sub.value, ast.Name)
                and sub.value.id == "texts"
            ]
    assert read_at_import == []


def test_texts_functions_have_no_english_literals_outside_templates() -> None:
    """Functions in texts.py build sentences only from marked templates (no "and", "s")."""
    tree = ast.parse(Path(texts.__file__).read_text())
    # Words with a space: glue such as " and " or " each side" (format keys are single words).
    words = re.compile(r"[A-Za-z]{2,}\s|\s[A-Za-z]{2,}")
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for inner in ast.walk(node):
            if (
                isinstance(inner, ast.Constant)
                and isinstance(inner.value, str)
                and inner is not node.body[0].value  # the docstring
                and words.search(inner.value)
                and inner.value not in {"EEE d MMM", "d MMM"}
            ):
                found.append((node.name, inner.value))
    assert found == []


# The catalogs ----------------------------------------------------------------------------------


def test_the_pot_is_up_to_date_with_the_sources() -> None:
    """Every marked text (and every exercise's words) has its msgid; `extract` fixes it."""
    with i18n.POT_PATH.open("rb") as fh:
        committed = {m.id for m in read_po(fh) if m.id}
    extracted = {m.id for m in i18n.extract() if m.id}
    assert sorted(map(str, extracted - committed)) == [], "run: python -m bot.i18n extract"
    assert sorted(map(str, committed - extracted)) == [], "run: python -m bot.i18n extract"


def test_the_pot_holds_the_catalogs_words() -> None:
    with i18n.POT_PATH.open("rb") as fh:
        ids = {m.id for m in read_po(fh) if m.id}
    for exercise in load_catalog().exercises:
        assert exercise.name in ids
        assert set(exercise.steps) <= ids
        assert exercise.purpose in ids
    assert texts.WELCOME in ids
    assert ("{count} day", "{count} days") in ids


@pytest.mark.parametrize("language", [lang for lang in ALL if lang != "en"])
def test_every_language_has_a_po_file_with_its_plural_forms(language) -> None:
    with (i18n.LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    expected = {"ru": 3, "uk": 3, "id": 1}.get(language, 2)
    assert catalog.num_plurals == expected
    with i18n.POT_PATH.open("rb") as fh:
        template = {m.id for m in read_po(fh) if m.id}
    # Merged with the current template (`python -m bot.i18n update`).
    assert {m.id for m in catalog if m.id} >= template


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_shipped_catalog_is_complete_with_the_english_placeholders(language) -> None:
    assert i18n.problems(language) == []


@pytest.mark.parametrize("language", i18n.SHIPPED)
def test_profile_texts_fit_telegrams_limits(language) -> None:
    """setMyDescription takes 512 characters, setMyShortDescription 120, a command's
    description 1-256: a longer translation would fail the bot's start."""
    with i18n.using(language):
        assert len(texts.BOT_DESCRIPTION) <= 512
        assert len(texts.BOT_SHORT_DESCRIPTION) <= 120
        assert all(1 <= len(description) <= 256 for _, description in texts.COMMANDS)
        assert len(texts.HELP) <= 4096  # one message


def test_completeness_check_finds_what_is_wrong(tmp_path: Path) -> None:
    pot = Catalog()
    for message in ("Ready", "Hold {seconds} s", "<b>Your progress</b>", "Skip", "Stop"):
        pot.add(message)
    pot.add(("{count} day", "{count} days"))
    po = Catalog(locale="ru")
    po.add("Ready", "Готово")
    po.add("Hold {seconds} s", "Держите {секунды} с")
    po.add("<b>Your progress</b>", "Ваш прогресс")
    po.add("Skip", "Пропустить", flags=["fuzzy"])
    po.add(("{count} day", "{count} days"), ("{count} день", "{count} дня", ""))
    for catalog, name in ((pot, "messages.pot"), (po, "messages.po")):
        with (tmp_path / name).open("wb") as fh:
            write_po(fh, catalog)
    found = i18n.problems("ru", po=tmp_path / "messages.po", pot=tmp_path / "messages.pot")
    assert len(found) == 5, found
    assert any("placeholders differ: 'Hold {seconds} s'" in line for line in found)
    assert any("placeholders differ: '<b>Your progress</b>'" in line for line in found)
    assert any("missing or fuzzy: 'Skip'" in line for line in found)
    assert any("missing or fuzzy: 'Stop'" in line for line in found)
    assert any("plural form is empty: '{count} day'" in line for line in found)


def test_placeholders_are_compared_as_sets_of_names_and_tags() -> None:
    assert i18n.placeholders("<b>{position} of {total}</b> {value:.1f}") == sorted(
        ["<b>", "</b>", "{position}", "{total}", "{value:.1f}"]
    )
