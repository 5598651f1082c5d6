"""The in-process cache of people's languages: bounded, each entry for a limited time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.handlers.language import LanguageCache, first_contact, telegram_code


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_lasts_its_time_and_a_change_replaces_it() -> None:
    clock = Ticks()
    cache = LanguageCache(size=10, ttl=300, clock=clock)
    assert cache.get(1) is None
    cache.put(1, "ru")
    clock.now = 299
    assert cache.get(1) == "ru"
    cache.put(1, "de")
    assert cache.get(1) == "de"
    clock.now = 600
    assert cache.get(1) is None
    cache.put(2, "es")
    cache.forget(2)
    assert cache.get(2) is None


@given(st.lists(st.integers(min_value=1, max_value=50), max_size=300))
def test_it_never_holds_more_than_its_size_and_keeps_the_latest(people: list[int]) -> None:
    cache = LanguageCache(size=8, ttl=300, clock=Ticks())
    for person in people:
        cache.put(person, "uk")
        assert len(cache) <= 8
        assert cache.get(person) == "uk"
    assert set(people[-1:]) <= {p for p in range(1, 51) if cache.get(p) == "uk"}


def test_first_contact_stores_only_a_shipped_language(monkeypatch) -> None:
    from bot import i18n

    monkeypatch.setattr(i18n, "SHIPPED", ("en", "ru", "pt_BR"))
    assert first_contact("ru") == "ru"
    assert first_contact("pt-br") == "pt_BR"
    assert first_contact("en") is None
    assert first_contact("fa") is None  # English now; a later fa catalog still finds them
    assert first_contact(None) is None
    assert telegram_code("pt_BR") == "pt"
    assert telegram_code("uk") == "uk"
