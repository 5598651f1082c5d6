"""Read the exercise catalog from TOML and check it, so bad data fails at startup."""

# File shape: one `[[exercise]]` table per exercise. Required fields: id, name, level,
# start_position, position, steps, hold = {kind, start, ceiling}, sides, purpose. Optional:
# caution, progresses_from, unlock_after_pain_free_sessions, order, gentle (true for the
# stretches a gentle day keeps: the day the back feels worse, or while a doctor's check is
# pending), warm_up (true for the warm-up stretches).
# `position`: the starting position's group, one of "hands_knees", "back", "front",
# "kneeling", "hands_toes"; a routine keeps the exercises of one position together.
# An exercise done one side at a time (sides = ["left", "right"]) also needs `side_labels`,
# one per side in that order, each starting with its side and naming the limb
# (["left knee down", "right knee down"]), and `side_rest`, the seconds of rest between the
# sides (3..30), enough to change legs; neither is allowed when sides = [].
# Catalog order: exercises are sorted by `order` (default 0); ties keep their file order.
# Routine order (bot/domain/routine.py): warm-ups first, then strengthening; within each,
# one position at a time, and every exercise after the one it progresses from.

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from catalog.model import (
    HOLD_STEP_SECONDS,
    MAX_HOLD_SECONDS,
    MAX_SIDE_REST_SECONDS,
    MIN_HOLD_SECONDS,
    MIN_SIDE_REST_SECONDS,
    Catalog,
    Exercise,
    Hold,
    HoldKind,
    Level,
    Position,
)

DEFAULT_CATALOG_PATH = Path(__file__).with_name("exercises.toml")
# Ids travel inside Telegram callback data (at most 64 bytes), so they stay short and plain.
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,31}")
SIDES = ("left", "right")

_REQUIRED = (
    "id",
    "name",
    "level",
    "start_position",
    "position",
    "steps",
    "hold",
    "sides",
    "purpose",
)
_OPTIONAL = (
    "caution",
    "progresses_from",
    "unlock_after_pain_free_sessions",
    "order",
    "gentle",
    "warm_up",
    "side_labels",
    "side_rest",
)
# A side label is shown before the countdown ("Left knee down: Hold… 25 s"), so it is short.
MAX_SIDE_LABEL_LENGTH = 40
_HOLD_FIELDS = ("kind", "start", "ceiling")
_DEFAULTS: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(Exercise)}


class CatalogError(ValueError):
    """Invalid catalog data; the message names the exercise and the field at fault."""

    def __init__(self, message: str, *, exercise: str | None = None, field: str | None = None):
        super().__init__(message)
        self.exercise = exercise
        self.field = field


def load_catalog(path: Path | str | None = None) -> Catalog:
    """Load and check a catalog file; by default the exercises.toml beside this module."""
    path = DEFAULT_CATALOG_PATH if path is None else Path(path)
    return load_catalog_from_text(path.read_text(encoding="utf-8"), source=str(path))


def load_catalog_from_text(text: str, source: str = "<text>") -> Catalog:
    """Parse and check catalog TOML; `source` names the text in syntax errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"catalog: file {source!r}: invalid TOML: {exc}") from exc
    return catalog_from_dict(data)


def catalog_from_dict(data: Mapping[str, Any]) -> Catalog:
    """Check already-parsed catalog data and build the Catalog."""
    if not isinstance(data, Mapping):
        _fail("top level", None, None, "expected a table")
    for key in data:
        if key != "exercise":
            _fail("top level", None, key, "unknown key; expected only [[exercise]] tables")
    tables = data.get("exercise")
    if not isinstance(tables, list) or not tables:
        _fail("top level", None, "exercise", "expected a non-empty array of [[exercise]] tables")
    exercises: list[Exercise] = []
    first_index: dict[str, int] = {}
    for index, table in enumerate(tables, start=1):
        exercise = _read_exercise(table, index)
        if exercise.id in first_index:
            _fail_on(exercise.id, "id", f"duplicate id (also exercise #{first_index[exercise.id]})")
        first_index[exercise.id] = index
        exercises.append(exercise)
    _check_progressions(exercises)
    # sorted() is stable, so equal `order` values keep their file order.
    return Catalog(tuple(sorted(exercises, key=lambda e: e.order)))


def _fail(where: str, exercise: str | None, field: str | None, problem: str) -> NoReturn:
    field_part = f", field {field!r}" if field is not None else ""
    raise CatalogError(f"catalog: {where}{field_part}: {problem}", exercise=exercise, field=field)


def _fail_on(exercise_id: str, field: str, problem: str) -> NoReturn:
    _fail(f"exercise {exercise_id!r}", exercise_id, field, problem)


class _Table:
    """One [[exercise]] table; every read failure names the exercise and the field."""

    def __init__(self, table: Mapping[str, Any], index: int) -> None:
        self.table = table
        raw_id = table.get("id")
        # Until the id is known to be good, the position in the file is the clearer name.
        self.exercise = raw_id if isinstance(raw_id, str) and raw_id else f"#{index}"
        self.where = f"exercise {raw_id!r}" if self.exercise == raw_id else f"exercise #{index}"

    def fail(self, field: str, problem: str) -> NoReturn:
        _fail(self.where, self.exercise, field, problem)

    def text(self, field: str) -> str:
        value = self.table[field]
        if not isinstance(value, str) or not value.strip():
            self.fail(field, f"expected a non-empty string, got {value!r}")
        return value

    def optional_text(self, field: str) -> str | None:
        return self.text(field) if field in self.table else None

    def integer(self, field: str, value: object) -> int:
        # TOML booleans arrive as Python bools, which are ints; a level of `true` is a typo.
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, f"expected an integer, got {value!r}")
        return value


def _read_exercise(raw: object, index: int) -> Exercise:
    if not isinstance(raw, Mapping):
        _fail(f"exercise #{index}", f"#{index}", None, "expected a table")
    t = _Table(raw, index)
    for field in raw:
        if field not in _REQUIRED and field not in _OPTIONAL:
            t.fail(field, "unknown field")
    for field in _REQUIRED:
        if field not in raw:
            t.fail(field, "missing")

    exercise_id = t.text("id")
    if not ID_PATTERN.fullmatch(exercise_id):
        t.fail("id", f"must match ^{ID_PATTERN.pattern}$, got {exercise_id!r}")

    level = t.integer("level", raw["level"])
    if level not in {lv.value for lv in Level}:
        t.fail("level", f"must be 1, 2 or 3, got {level}")

    steps = raw["steps"]
    if not isinstance(steps, list) or not steps:
        t.fail("steps", f"expected a non-empty array of strings, got {steps!r}")
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, str) or not step.strip():
            t.fail("steps", f"step {number} must be a non-empty string, got {step!r}")

    sides = raw["sides"]
    if sides not in ([], list(SIDES)):
        t.fail("sides", f'expected [] or ["left", "right"], got {sides!r}')

    position = raw["position"]
    positions = [p.value for p in Position]
    if position not in positions:
        t.fail("position", f"expected one of {positions}, got {position!r}")
    side_labels, side_rest = _read_sides(t, raw, tuple(sides))

    progresses_from = t.optional_text("progresses_from")
    unlock = t.integer(
        "unlock_after_pain_free_sessions",
        raw.get("unlock_after_pain_free_sessions", _DEFAULTS["unlock_after_pain_free_sessions"]),
    )
    if unlock < 1:
        t.fail("unlock_after_pain_free_sessions", f"must be at least 1, got {unlock}")

    return Exercise(
        id=exercise_id,
        name=t.text("name"),
        level=Level(level),
        start_position=t.text("start_position"),
        position=Position(position),
        steps=tuple(steps),
        hold=_read_hold(t, raw["hold"]),
        sides=tuple(sides),
        purpose=t.text("purpose"),
        caution=t.optional_text("caution"),
        progresses_from=progresses_from,
        unlock_after_pain_free_sessions=unlock,
        order=t.integer("order", raw.get("order", _DEFAULTS["order"])),
        gentle=_flag(t, raw, "gentle"),
        warm_up=_flag(t, raw, "warm_up"),
        side_labels=side_labels,
        side_rest=side_rest,
    )


def _read_sides(
    t: _Table, raw: Mapping[str, Any], sides: tuple[str, ...]
) -> tuple[tuple[str, ...], int]:
    """`side_labels` and `side_rest`: required for a one-side-at-a-time exercise, else absent."""
    if not sides:
        for field in ("side_labels", "side_rest"):
            if field in raw:
                t.fail(field, "only for an exercise done one side at a time (sides = [])")
        return (), _DEFAULTS["side_rest"]
    for field in ("side_labels", "side_rest"):
        if field not in raw:
            t.fail(field, "missing: an exercise done one side at a time needs it")
    labels = raw["side_labels"]
    if not isinstance(labels, list) or len(labels) != len(sides):
        t.fail("side_labels", f"expected one label per side {list(sides)}, got {labels!r}")
    for side, label in zip(sides, labels, strict=True):
        if not isinstance(label, str) or not label.strip():
            t.fail("side_labels", f"each label must be a non-empty string, got {label!r}")
        if len(label) > MAX_SIDE_LABEL_LENGTH:
            t.fail("side_labels", f"{label!r} is over {MAX_SIDE_LABEL_LENGTH} characters")
        # In the order of `sides`, each naming its own side first: "left knee down".
        if label != label.strip() or label.split()[0].rstrip(",") != side:
            t.fail(
                "side_labels", f"the {side} side's label must start with {side!r}, got {label!r}"
            )
    rest = t.integer("side_rest", raw["side_rest"])
    if not MIN_SIDE_REST_SECONDS <= rest <= MAX_SIDE_REST_SECONDS:
        t.fail(
            "side_rest",
            f"must be {MIN_SIDE_REST_SECONDS}..{MAX_SIDE_REST_SECONDS} seconds, got {rest}",
        )
    return tuple(labels), rest


def _flag(t: _Table, raw: Mapping[str, Any], field: str) -> bool:
    value = raw.get(field, _DEFAULTS[field])
    if not isinstance(value, bool):
        t.fail(field, f"expected true or false, got {value!r}")
    return value


def _read_hold(t: _Table, raw: object) -> Hold:
    if not isinstance(raw, Mapping):
        t.fail("hold", f"expected a table {{kind, start, ceiling}}, got {raw!r}")
    for key in raw:
        if key not in _HOLD_FIELDS:
            t.fail(f"hold.{key}", "unknown field")
    for key in _HOLD_FIELDS:
        if key not in raw:
            t.fail(f"hold.{key}", "missing")
    kinds = [k.value for k in HoldKind]
    if raw["kind"] not in kinds:
        t.fail("hold.kind", f"expected one of {kinds}, got {raw['kind']!r}")
    kind = HoldKind(raw["kind"])
    start = t.integer("hold.start", raw["start"])
    ceiling = t.integer("hold.ceiling", raw["ceiling"])
    for key, seconds in (("hold.start", start), ("hold.ceiling", ceiling)):
        if not MIN_HOLD_SECONDS <= seconds <= MAX_HOLD_SECONDS:
            t.fail(key, f"must be {MIN_HOLD_SECONDS}..{MAX_HOLD_SECONDS} seconds, got {seconds}")
    if start > ceiling:
        t.fail("hold.start", f"start {start} is above ceiling {ceiling}")
    if kind is HoldKind.FIXED and start != ceiling:
        t.fail("hold.ceiling", f"a fixed hold needs start == ceiling, got {start} and {ceiling}")
    # A work-up hold grows in steps of HOLD_STEP_SECONDS, so it must start on that grid.
    if kind is HoldKind.WORK_UP and start % HOLD_STEP_SECONDS:
        t.fail("hold.start", f"a work_up start must be a multiple of {HOLD_STEP_SECONDS}")
    return Hold(kind=kind, start=start, ceiling=ceiling)


def _check_progressions(exercises: Sequence[Exercise]) -> None:
    by_id = {e.id: e for e in exercises}
    for e in exercises:
        parent_id = e.progresses_from
        if parent_id is None:
            continue
        if parent_id == e.id:
            _fail_on(e.id, "progresses_from", "an exercise cannot progress from itself")
        parent = by_id.get(parent_id)
        if parent is None:
            _fail_on(e.id, "progresses_from", f"unknown exercise {parent_id!r}")
        if parent.level > e.level:
            _fail_on(
                e.id,
                "progresses_from",
                f"{parent_id!r} is level {int(parent.level)}, harder than level {int(e.level)}",
            )
        # Warm-ups come first in a routine, and a harder variant after its easier one.
        if e.warm_up and not parent.warm_up:
            _fail_on(
                e.id, "progresses_from", f"a warm-up cannot progress from {parent_id!r}, not one"
            )
    # Each exercise has at most one predecessor, so following the links either ends or
    # loops; a loop would keep every exercise in it locked forever.
    position = {e.id: i for i, e in enumerate(exercises)}
    settled: set[str] = set()
    for e in exercises:
        path: list[str] = []
        current: str | None = e.id
        while current is not None and current not in settled:
            if current in path:
                cycle = path[path.index(current) :]
                # Start the report at the cycle's first exercise in the file, for stable messages.
                first = min(range(len(cycle)), key=lambda i: position[cycle[i]])
                cycle = cycle[first:] + cycle[:first]
                chain = " -> ".join([*cycle, cycle[0]])
                _fail_on(cycle[0], "progresses_from", f"cycle {chain}")
            path.append(current)
            current = by_id[current].progresses_from
        settled.update(path)
