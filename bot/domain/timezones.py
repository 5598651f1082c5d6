"""Turn what a user types or shares (city, zone name, offset, location) into an IANA zone.

Typed text is tried as an offset ("UTC+2"), a name people use for a zone ("NYC", "Germany"),
an IANA name or the city part of one, and then as any city of 15,000 people or more, in any
language (bot.domain.gazetteer). A city name several places in different zones share is
never settled silently: the places are offered instead.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, available_timezones

from bot.domain.gazetteer import Place, country_zone, find_places

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

__all__ = [
    "ZoneChoices",
    "ZoneFound",
    "describe_timezone",
    "find_timezone",
    "is_fixed_offset",
    "resolve_timezone",
    "timezone_for_location",
    "zone",
]

# Names people type that neither the IANA keys nor the gazetteer settle as they should.  Keys
# are in normalised form (see _normalise); targets are checked against zoneinfo in the tests.
# Cities and countries in general come from the gazetteer (bot.domain.gazetteer); countries
# spanning several zones (USA, Canada, Russia, Brazil, Australia...) name no zone on purpose:
# guessing one of their zones would silently schedule reminders at the wrong hour.
_ALIASES: dict[str, str] = {
    # Abbreviations and US zone words, which no gazetteer lists.
    "la": "America/Los_Angeles",
    "nyc": "America/New_York",
    "eastern": "America/New_York",
    "central": "America/Chicago",
    "mountain": "America/Denver",
    "pacific": "America/Los_Angeles",
    # Old IANA names (links) that would win over the canonical zone.
    "montreal": "America/Toronto",
    "tel aviv": "Asia/Jerusalem",
    "saigon": "Asia/Ho_Chi_Minh",
    "canberra": "Australia/Sydney",
    "kiev": "Europe/Kyiv",
    "japan": "Asia/Tokyo",
    "poland": "Europe/Warsaw",
    "israel": "Asia/Jerusalem",
    # Cities nearly everyone means, though smaller namesakes elsewhere would make them ask.
    "wellington": "Pacific/Auckland",
    "barcelona": "Europe/Madrid",
    "manchester": "Europe/London",
    "st petersburg": "Europe/Moscow",
    # Country names GeoNames spells otherwise ("The Netherlands").
    "netherlands": "Europe/Amsterdam",
    "holland": "Europe/Amsterdam",
    # Names in the shipped languages that the gazetteer leaves ambiguous or wrong, for big
    # cities; in Cyrillic nobody means the small namesakes (Geneva, Illinois; Odessa, Texas).
    "женева": "Europe/Zurich",
    "барселона": "Europe/Madrid",
    "одесса": "Europe/Kyiv",
    "одеса": "Europe/Kyiv",
    "калининград": "Europe/Kaliningrad",
    "калінінград": "Europe/Kaliningrad",
    "jogja": "Asia/Jakarta",
    "yogya": "Asia/Jakarta",
    "jogjakarta": "Asia/Jakarta",
    "bali": "Asia/Makassar",  # the island, not Bali in Rajasthan
}
# Names that mean a big city in one language and a small town in English: with that language
# set, the big city ("Pekín" is Beijing to a Spanish speaker; anyone else is asked).
_LANGUAGE_ALIASES: dict[str, dict[str, str]] = {
    "es": {
        "pekin": "Asia/Shanghai",
        "colonia": "Europe/Berlin",
        "sidney": "Australia/Sydney",
        "san petersburgo": "Europe/Moscow",
    },
    "pt": {"colonia": "Europe/Berlin", "sidnei": "Australia/Sydney"},
    "de": {"peking": "Asia/Shanghai"},
}

# Half- and quarter-hour offsets have no Etc/ key; each maps to a zone whose STANDARD offset is
# that value (some of them shift by DST in their summer, which we accept for a rare case).
_FRACTIONAL_OFFSETS: dict[tuple[int, int], str] = {
    (-9, 30): "Pacific/Marquesas",
    (-3, 30): "America/St_Johns",  # DST: -2:30
    (3, 30): "Asia/Tehran",
    (4, 30): "Asia/Kabul",
    (5, 30): "Asia/Kolkata",
    (5, 45): "Asia/Kathmandu",
    (6, 30): "Asia/Yangon",
    (8, 45): "Australia/Eucla",
    (9, 30): "Australia/Darwin",  # no DST, unlike Adelaide
    (10, 30): "Australia/Lord_Howe",  # DST: +11:00
    (12, 45): "Pacific/Chatham",  # DST: +13:45
}

_MIN_OFFSET_HOURS = -12
_MAX_OFFSET_HOURS = 14

_OFFSET_RE = re.compile(
    r"(?:(?P<prefix>utc|gmt)\s*)?"
    r"(?:(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?:\s*[:.h]?\s*(?P<minutes>\d{2}))?)?",
    re.ASCII,
)
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-"})  # minus signs phones type
# Everything but letters, digits and "+" (Etc/GMT+2 vs Etc/GMT-2) separates words.
_SEPARATORS_RE = re.compile(r"[^\w+]|_")
_DROPPED = str.maketrans("", "", ".'’`")
_EDGE_PUNCTUATION = " \t\r\n.,;:!?\"'()[]{}<>«»“”‘’`"

# Legacy one-country areas ("US/Eastern", "Canada/Pacific") have last parts that are not cities.
_NON_CITY_AREAS = frozenset({"Etc", "US", "Canada", "Brazil", "Chile", "Mexico"})
_PREFERRED_AREAS = ("Europe", "America", "Asia", "Africa", "Australia", "Pacific", "Atlantic")
_UNUSABLE_KEYS = frozenset({"Factory", "localtime"})
# Zones outside Etc/ that are one fixed offset all year.
_FIXED_ZONES = frozenset(
    {"UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich", "Universal", "Zulu"}
    | {"EST", "MST", "HST"}
)


@dataclass(frozen=True, slots=True)
class ZoneFound:
    """The one zone typed text means; `fixed_offset` when it never follows summer time."""

    zone: str
    fixed_offset: bool = False


@dataclass(frozen=True, slots=True)
class ZoneChoices:
    """A place name shared by places in different zones: each one, largest first."""

    places: tuple[Place, ...]


@functools.cache
def _available() -> frozenset[str]:
    """All zone names this runtime can load."""
    return frozenset(available_timezones()) - _UNUSABLE_KEYS


def zone(name: str) -> ZoneInfo:
    """Load a zone by its exact IANA name, raising ValueError for unknown names."""
    if name not in _available():
        raise ValueError(f"Unknown time zone: {name!r}")
    return ZoneInfo(name)


def _strip_accents(text: str) -> str:
    """Drop diacritics so "São Paulo" and "Zürich" match the ASCII IANA spelling."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _normalise(text: str) -> str:
    """Case-, accent-, punctuation- and separator-insensitive form used for every lookup."""
    # Dots and apostrophes vanish so "St. John's" meets St_Johns and "D.C." meets "dc".
    text = _strip_accents(text).casefold().translate(_DROPPED)
    parts = (" ".join(_SEPARATORS_RE.sub(" ", part).split()) for part in text.split("/"))
    return "/".join(parts)


@functools.cache
def _canonical_zones() -> frozenset[str]:
    """Zones listed in tzdata's zone.tab, preferred over backward-compatible links."""
    try:
        table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return frozenset()
    names = (line.split("\t")[2] for line in table.splitlines() if line and line[0] != "#")
    return frozenset(names)


def _preference(key: str) -> tuple[int, int, str]:
    """Sort key: canonical zones first, then well-known areas, then alphabetical."""
    area = key.split("/", 1)[0]
    area_rank = _PREFERRED_AREAS.index(area) if area in _PREFERRED_AREAS else len(_PREFERRED_AREAS)
    return (key not in _canonical_zones(), area_rank, key)


@functools.cache
def _full_key_index() -> dict[str, str]:
    """Normalised full key ("america/new york") -> IANA key."""
    return {_normalise(key): key for key in sorted(_available(), key=_preference, reverse=True)}


@functools.cache
def _city_index() -> dict[str, str]:
    """Normalised last part of a key ("new york") -> the preferred IANA key ending in it."""
    index: dict[str, str] = {}
    # Reverse preference order so the most preferred key is written last and wins.
    for key in sorted(_available(), key=_preference, reverse=True):
        area, _, city = key.rpartition("/")
        if area and area.split("/", 1)[0] not in _NON_CITY_AREAS:
            index[_normalise(city)] = key
    return index


def _etc_zone(hours: int) -> str:
    """Etc/ key for a whole-hour UTC offset; POSIX inverts the sign (UTC+2 is Etc/GMT-2)."""
    if hours == 0:
        return "Etc/UTC"
    return f"Etc/GMT{-hours:+d}"


def _parse_offset(text: str) -> str | None:
    """Zone for "UTC", "GMT+5:30", "+3" and similar, or None if text is not an offset."""
    compact = text.translate(_DASHES).casefold().strip(_EDGE_PUNCTUATION)
    match = _OFFSET_RE.fullmatch(compact)
    if match is None or not compact:
        return None
    if match["sign"] is None:
        return "Etc/UTC" if match["prefix"] else None
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    sign = -1 if match["sign"] == "-" else 1
    if minutes == 0:
        signed = sign * hours
        return _etc_zone(signed) if _MIN_OFFSET_HOURS <= signed <= _MAX_OFFSET_HOURS else None
    return _FRACTIONAL_OFFSETS.get((sign * hours, minutes))


def is_fixed_offset(name: str) -> bool:
    """Whether a zone is one offset all year (UTC, UTC+2...): it never follows summer time."""
    return name.startswith("Etc/") or name in _FIXED_ZONES


def find_timezone(text: str, language: str = "en") -> ZoneFound | ZoneChoices | None:
    """What typed text means as a time zone: one zone, places to choose from, or None.

    `language` (the person's, "pt_BR" or "pt") settles names that mean a big city in that
    language and a small town elsewhere ("Pekín", "Colonia"); every language's names are
    understood whatever it is.
    """
    text = text.strip()
    if not text or len(text) > 100:  # nothing a zone name needs; keeps lookups cheap
        return None
    candidate = _parse_offset(text)
    if candidate is None:
        key = _normalise(text)
        if "/" in key:
            candidate = _full_key_index().get(key)
        else:
            local = _LANGUAGE_ALIASES.get(_base_language(language), {})
            candidate = (
                _ALIASES.get(key)
                or local.get(key)
                or _full_key_index().get(key)
                or _city_index().get(key)
            )
    if candidate is not None:
        if candidate not in _available():
            return None
        return ZoneFound(candidate, fixed_offset=is_fixed_offset(candidate))
    if "/" in text:
        return None
    text = text.strip(_EDGE_PUNCTUATION)
    is_country, country_wide = country_zone(text)
    if is_country:
        return None if country_wide is None else ZoneFound(country_wide)
    places = find_places(text)
    if not places:
        return None
    if len(places) == 1:
        return ZoneFound(places[0].zone)
    return ZoneChoices(places)


def _base_language(language: str) -> str:
    """ "pt" for "pt_BR" or "pt-br": the language without its region."""
    return language.replace("-", "_").split("_", 1)[0].casefold()


def resolve_timezone(text: str, language: str = "en") -> str | None:
    """The one IANA zone typed text means; None if unknown or several places share the name."""
    found = find_timezone(text, language)
    return found.zone if isinstance(found, ZoneFound) else None


@functools.cache
def _finder() -> TimezoneFinder:
    """The shared TimezoneFinder; built on first use because loading its data is slow."""
    from timezonefinder import TimezoneFinder  # deferred: importing it is costly

    return TimezoneFinder()


def _nautical_zone(longitude: float) -> str:
    """Etc/ zone of the nautical time zone (15° bands centred on multiples of 15°)."""
    hours = math.floor(longitude / 15 + 0.5)
    return _etc_zone(max(-12, min(12, hours)))


def timezone_for_location(latitude: float, longitude: float) -> str | None:
    """IANA zone at a point (e.g. a shared Telegram location); None for invalid coordinates."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    name = _finder().timezone_at(lng=longitude, lat=latitude)
    # Open sea (or a zone this tzdata lacks) falls back to the offset ships use there.
    if name is None or name not in _available():
        return _nautical_zone(longitude)
    return name


def _format_offset(now: datetime) -> str:
    """'UTC+05:30'-style label for an aware datetime's offset."""
    offset = now.utcoffset()
    total_minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    sign = "-" if total_minutes < 0 else "+"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def describe_timezone(name: str, now_utc: datetime) -> str:
    """Human label such as 'Europe/Berlin (UTC+01:00)', or just 'UTC+02:00' for Etc/ zones."""
    if now_utc.tzinfo is None:
        now_utc = now_utc.replace(tzinfo=UTC)  # callers pass UTC; be lenient about naive values
    label = _format_offset(now_utc.astimezone(zone(name)))
    if name.startswith("Etc/") or name in {"UTC", "GMT"}:
        return label
    return f"{name} ({label})"
