"""The exercise catalog as plain, immutable data: what the rest of the bot reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from bot.i18n import gettext


class Level(IntEnum):
    """How demanding an exercise is; a user unlocks levels in order."""

    EASY = 1
    MODERATE = 2
    HARD = 3


class HoldKind(StrEnum):
    """A fixed hold is held for its one set time; a work-up hold grows towards its ceiling.

    A fixed time is the target, not a floor: pain above 5 eases it like any hold, and
    pain-free sessions grow it back to that time, never past it (bot/domain/progression.py).
    """

    FIXED = "fixed"
    WORK_UP = "work_up"


class Position(StrEnum):
    """The starting position an exercise is done from; a routine keeps each one together."""

    HANDS_KNEES = "hands_knees"
    BACK = "back"
    FRONT = "front"
    KNEELING = "kneeling"
    HANDS_TOES = "hands_toes"


MIN_HOLD_SECONDS = 5
MAX_HOLD_SECONDS = 60
HOLD_STEP_SECONDS = 5
# The rest between the two sides of a one-side-at-a-time exercise: time to change legs.
MIN_SIDE_REST_SECONDS = 3
MAX_SIDE_REST_SECONDS = 30
DEFAULT_SIDE_REST_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Hold:
    """How long to hold: `start` is the first target, `ceiling` the most it grows to."""

    kind: HoldKind
    start: int
    ceiling: int

    @property
    def is_fixed(self) -> bool:
        return self.kind is HoldKind.FIXED


@dataclass(frozen=True, slots=True)
class Exercise:
    """One exercise of the catalog, with its instructions in our own words."""

    id: str
    name: str
    level: Level
    start_position: str
    # The starting position's group: the routine keeps exercises of one position together.
    position: Position
    steps: tuple[str, ...]
    hold: Hold
    # Empty when both sides work together; ("left", "right") when one arm or leg works.
    sides: tuple[str, ...]
    purpose: str
    # A warning shown on the card, e.g. "stop if it hurts".
    caution: str | None = None
    # The easier exercise this one progresses from. It stays locked until that
    # one has been done without pain (see `unlock_after_pain_free_sessions`).
    progresses_from: str | None = None
    # How many sessions in a row the predecessor must be pain-free to unlock this.
    unlock_after_pain_free_sessions: int = 2
    # Warm-up stretches go first in a routine; lower numbers come earlier.
    order: int = 0
    # A gentle stretch: all a routine keeps on a day the back feels worse.
    gentle: bool = False
    # A warm-up stretch: warm-ups come before strengthening in every routine.
    warm_up: bool = False
    # One label per side, naming the limb ("left knee down"); empty when `sides` is.
    side_labels: tuple[str, ...] = ()
    # Seconds of rest between the two sides, enough to change legs.
    side_rest: int = DEFAULT_SIDE_REST_SECONDS


@dataclass(frozen=True, slots=True)
class Catalog:
    """All exercises in routine order, with lookups."""

    exercises: tuple[Exercise, ...]
    _by_id: dict[str, Exercise] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.id: e for e in self.exercises})

    def __len__(self) -> int:
        return len(self.exercises)

    def __contains__(self, exercise_id: object) -> bool:
        return exercise_id in self._by_id

    def get(self, exercise_id: str) -> Exercise:
        """The exercise with this id; KeyError when there is none."""
        return self._by_id[exercise_id]

    def at_level(self, level: int) -> tuple[Exercise, ...]:
        """Exercises of exactly this level, in routine order."""
        return tuple(e for e in self.exercises if e.level == level)

    def up_to_level(self, level: int) -> tuple[Exercise, ...]:
        """Exercises at this level or easier, in routine order."""
        return tuple(e for e in self.exercises if e.level <= level)

    def successors(self, exercise_id: str) -> tuple[Exercise, ...]:
        """Exercises that progress directly from this one."""
        return tuple(e for e in self.exercises if e.progresses_from == exercise_id)


class _Shown:
    """A text field of Exercise read in the current person's language (bot.i18n).

    The catalog keeps its English words (the msgids); a handler reading `exercise.name` gets
    the translation, so no call site changes. The slot underneath stays the English source.
    """

    __slots__ = ("_slot",)

    def __init__(self, slot) -> None:
        self._slot = slot

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = self._slot.__get__(instance, owner)
        if value is None:
            return None
        if isinstance(value, tuple):
            return tuple(gettext(v) for v in value)
        return gettext(value)

    def __set__(self, instance, value) -> None:
        self._slot.__set__(instance, value)

    def __delete__(self, instance) -> None:
        self._slot.__delete__(instance)


# The fields people read (bot.i18n extracts the same ones from exercises.toml).
SHOWN_FIELDS = ("name", "start_position", "steps", "purpose", "caution", "side_labels")
for _field in SHOWN_FIELDS:
    setattr(Exercise, _field, _Shown(Exercise.__dict__[_field]))
