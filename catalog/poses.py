"""Read the exercise figures' poses from TOML and check them, so bad data fails at startup."""

# File shape: one table per exercise id, `[<id>]`, with a `start` keyframe, an optional `end`
# keyframe and `moving`. A keyframe maps every joint in JOINTS to [x, y] in the pose box:
# x 0..1 left to right, y 0..1 up from the floor. The box is BOX_ASPECT times as wide as it is
# tall in real length, so x 0.5 spans the same distance as y 1.0.
# `moving` names the joints whose segment (the bone from its parent, see PARENT) moves; those
# are drawn in the accent colour. A pose with an `end` keyframe must say what moves.

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from catalog.loader import CatalogError, load_catalog

DEFAULT_POSES_PATH = Path(__file__).with_name("poses.toml")
BOX_ASPECT = 2.0

# The skeleton as a tree rooted at the hip: each joint's parent. "far_" limbs are on the side
# away from the viewer. Shoulders and hips share one point each in a side view.
PARENT: dict[str, str] = {
    "mid_back": "hip",
    "shoulder": "mid_back",
    "neck": "shoulder",
    "head": "neck",
    "elbow": "shoulder",
    "hand": "elbow",
    "far_elbow": "shoulder",
    "far_hand": "far_elbow",
    "knee": "hip",
    "ankle": "knee",
    "toe": "ankle",
    "far_knee": "hip",
    "far_ankle": "far_knee",
    "far_toe": "far_ankle",
}
ROOT = "hip"
JOINTS: tuple[str, ...] = (ROOT, *PARENT)

_POSE_FIELDS = ("start", "end", "moving")

Point = tuple[float, float]


class PoseError(CatalogError):
    """Invalid pose data; the message names the exercise and the field at fault."""


@dataclass(frozen=True, slots=True)
class Keyframe:
    """Every joint's position at one moment, in JOINTS order."""

    joints: tuple[tuple[str, Point], ...]
    _by_name: dict[str, Point] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", dict(self.joints))

    def __getitem__(self, joint: str) -> Point:
        return self._by_name[joint]

    def as_dict(self) -> dict[str, Point]:
        """A fresh joint -> (x, y) dict."""
        return dict(self._by_name)


@dataclass(frozen=True, slots=True)
class Pose:
    """One exercise's figure: where it starts, where it ends (if it moves), and what moves."""

    start: Keyframe
    end: Keyframe | None = None
    moving: tuple[str, ...] = ()

    @property
    def keyframes(self) -> tuple[Keyframe, ...]:
        return (self.start,) if self.end is None else (self.start, self.end)


def load_poses(
    path: Path | str | None = None, *, exercise_ids: Collection[str] | None = None
) -> dict[str, Pose]:
    """Load and check a poses file; by default poses.toml against the default catalog."""
    path = DEFAULT_POSES_PATH if path is None else Path(path)
    return load_poses_from_text(
        path.read_text(encoding="utf-8"), exercise_ids=exercise_ids, source=str(path)
    )


def load_poses_from_text(
    text: str, *, exercise_ids: Collection[str] | None = None, source: str = "<text>"
) -> dict[str, Pose]:
    """Parse and check poses TOML; `source` names the text in syntax errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PoseError(f"poses: file {source!r}: invalid TOML: {exc}") from exc
    return poses_from_dict(data, exercise_ids=exercise_ids)


def poses_from_dict(
    data: Mapping[str, Any], *, exercise_ids: Collection[str] | None = None
) -> dict[str, Pose]:
    """Check already-parsed pose data against the catalog's ids and build the poses."""
    if exercise_ids is None:
        exercise_ids = [e.id for e in load_catalog().exercises]
    if not isinstance(data, Mapping):
        raise PoseError("poses: top level: expected a table")
    for exercise_id in data:
        if exercise_id not in exercise_ids:
            _fail(exercise_id, None, "unknown exercise id; not in the catalog")
    for exercise_id in exercise_ids:
        if exercise_id not in data:
            _fail(exercise_id, None, "missing: every catalog exercise needs a pose")
    return {exercise_id: _read_pose(exercise_id, data[exercise_id]) for exercise_id in data}


def _fail(exercise_id: str, field: str | None, problem: str) -> NoReturn:
    field_part = f", field {field!r}" if field is not None else ""
    raise PoseError(
        f"poses: exercise {exercise_id!r}{field_part}: {problem}", exercise=exercise_id, field=field
    )


def _read_pose(exercise_id: str, raw: object) -> Pose:
    if not isinstance(raw, Mapping):
        _fail(exercise_id, None, "expected a table")
    for key in raw:
        if key not in _POSE_FIELDS:
            _fail(exercise_id, key, "unknown field")
    if "start" not in raw:
        _fail(exercise_id, "start", "missing")
    start = _read_keyframe(exercise_id, "start", raw["start"])
    end = _read_keyframe(exercise_id, "end", raw["end"]) if "end" in raw else None

    moving = raw.get("moving", [])
    if not isinstance(moving, list) or not all(isinstance(j, str) for j in moving):
        _fail(exercise_id, "moving", f"expected an array of joint names, got {moving!r}")
    for joint in moving:
        if joint not in PARENT:
            problem = "the root joint has no segment" if joint == ROOT else "unknown joint"
            _fail(exercise_id, "moving", f"{problem}: {joint!r}")
    if len(set(moving)) != len(moving):
        _fail(exercise_id, "moving", "a joint is listed twice")
    # Accent colour means "this moves", so it needs a movement, and a movement needs it.
    if end is None and moving:
        _fail(exercise_id, "moving", "a pose without an end keyframe has nothing moving")
    if end is not None and not moving:
        _fail(exercise_id, "moving", "a pose with an end keyframe must name what moves")
    return Pose(start=start, end=end, moving=tuple(moving))


def _read_keyframe(exercise_id: str, name: str, raw: object) -> Keyframe:
    if not isinstance(raw, Mapping):
        _fail(exercise_id, name, "expected a table of joint = [x, y]")
    for joint in raw:
        if joint not in JOINTS:
            _fail(exercise_id, f"{name}.{joint}", "unknown joint")
    joints: list[tuple[str, Point]] = []
    for joint in JOINTS:
        where = f"{name}.{joint}"
        if joint not in raw:
            _fail(exercise_id, where, "missing; every keyframe needs every joint")
        point = raw[joint]
        # TOML booleans arrive as Python bools, which are ints; [true, 0] is a typo.
        if (
            not isinstance(point, list)
            or len(point) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
        ):
            _fail(exercise_id, where, f"expected [x, y] numbers, got {point!r}")
        x, y = float(point[0]), float(point[1])
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            _fail(exercise_id, where, f"[x, y] must be within 0..1, got {point!r}")
        joints.append((joint, (x, y)))
    return Keyframe(tuple(joints))
