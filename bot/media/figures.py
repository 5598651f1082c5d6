"""Exercise figures: a pose drawn as a side-view stick figure, as PNG or animated GIF bytes.

Pure and deterministic: the same pose and caption always give the same bytes. The only I/O is
reading the font that ships with matplotlib, so no system font is needed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from catalog.poses import BOX_ASPECT, PARENT, ROOT, Keyframe, Pose

# Bump when the drawing changes, so cached Telegram uploads of the old drawing are not reused.
FIGURE_VERSION = 1

PNG_SIZE = (800, 480)
GIF_SIZE = (480, 288)
FigureKind = Literal["png", "gif"]


def _matplotlib_fonts() -> Path:
    """Where matplotlib keeps its fonts, found without importing it (that takes ~0.5 s)."""
    spec = importlib.util.find_spec("matplotlib")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"


_FONT_PATH = _matplotlib_fonts() / "DejaVuSans.ttf"
_SUPERSAMPLE = 2  # draw at twice the size, then downsample: Pillow's lines are not antialiased

_BACKGROUND: Colour = (250, 250, 247)
_FLOOR = (196, 202, 210)
_INK = (44, 56, 74)
_FAR_INK = (150, 160, 174)
_ACCENT = (230, 110, 50)
_FAR_ACCENT = (243, 180, 148)
_GHOST = (221, 225, 231)
_CAPTION = (44, 56, 74)

# Sizes in pose-box height units, matching the proportions in catalog/poses.toml.
_HEAD_RADIUS = 0.075
_LIMB_WIDTH = 0.05
_TORSO_WIDTH = 0.075
_FLOOR_WIDTH = 0.008

_FAR_ARM = ("far_elbow", "far_hand")
_FAR_LEG = ("far_knee", "far_ankle", "far_toe")
_ARM = ("elbow", "hand")
_LEG = ("knee", "ankle", "toe")

Colour = tuple[int, int, int]
Point = tuple[float, float]
Points = dict[str, Point]


def is_animated(pose: Pose) -> bool:
    """Whether the pose moves, so it has a GIF."""
    return pose.end is not None


def figure_key(exercise_id: str, pose: Pose, kind: FigureKind, *, caption: str = "") -> str:
    """A short stable hash naming one drawing, for caching its Telegram file_id."""
    if kind not in ("png", "gif"):
        raise ValueError(f"kind must be 'png' or 'gif', got {kind!r}")
    data = {
        "exercise": exercise_id,
        "kind": kind,
        "version": FIGURE_VERSION,
        "caption": caption,
        "start": pose.start.joints,
        "end": pose.end.joints if pose.end is not None else None,
        "moving": pose.moving,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def render_png(pose: Pose, caption: str, *, size: tuple[int, int] = PNG_SIZE) -> bytes:
    """The figure as PNG: the end position, with the start faintly behind it if it moves."""
    layout = _Layout.fit(size, pose.keyframes)
    final = pose.end if pose.end is not None else pose.start
    ghost = layout.points(pose.start) if pose.end is not None else None
    image = _frame(layout, layout.points(final), pose.moving, caption, ghost=ghost)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def render_gif(
    pose: Pose,
    caption: str,
    *,
    size: tuple[int, int] = GIF_SIZE,
    frames: int = 16,
    frame_ms: int = 120,
) -> bytes:
    """The figure as a looping GIF moving start -> end -> start; only for a moving pose."""
    if pose.end is None:
        raise ValueError("this pose has no end keyframe, so there is nothing to animate")
    if frames < 2:
        raise ValueError(f"an animation needs at least 2 frames, got {frames}")
    layout = _Layout.fit(size, pose.keyframes)
    start, end = layout.points(pose.start), layout.points(pose.end)
    palette = _palette()
    images = []
    for i in range(frames):
        # A cosine runs 0 -> 1 -> 0 over the loop, easing in and out at both ends.
        t = (1 - math.cos(2 * math.pi * i / frames)) / 2
        image = _frame(layout, _blend(start, end, t), pose.moving, caption)
        # One shared palette keeps every frame's colours identical and the file small.
        images.append(image.quantize(palette=palette, dither=Image.Dither.NONE))
    # Linger on the start and end positions, as someone doing the exercise would.
    durations = [frame_ms * 3 if i in (0, frames // 2) else frame_ms for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=durations, loop=0)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the figure, floor and caption sit on the supersampled canvas."""

    size: tuple[int, int]
    unit: float  # pixels per pose-box height unit
    left: float  # pixel x of the pose box's x = 0
    floor: float
    caption_y: float
    font_px: int

    @classmethod
    def fit(cls, size: tuple[int, int], keyframes: tuple[Keyframe, ...]) -> _Layout:
        """Scale the figure to fill the space above the caption, whatever the pose's extent."""
        width, height = size[0] * _SUPERSAMPLE, size[1] * _SUPERSAMPLE
        caption_band = height * 0.16
        floor = height - caption_band - height * 0.04
        # The extent of every keyframe, so an animation keeps one scale throughout.
        xs = [x * BOX_ASPECT for k in keyframes for _, (x, _) in k.joints]
        top = max(y for k in keyframes for _, (_, y) in k.joints) + _HEAD_RADIUS
        span = max(xs) - min(xs) + 2 * _HEAD_RADIUS
        unit = min((floor - height * 0.06) / top, width * 0.92 / span)
        return cls(
            size=size,
            unit=unit,
            left=width / 2 - (min(xs) + max(xs)) / 2 * unit,
            floor=floor,
            caption_y=height - caption_band / 2 - height * 0.01,
            # About 1/14 of the height: 34 px on the 800x480 picture, readable on a phone.
            font_px=round(height / 14),
        )

    def points(self, keyframe: Keyframe) -> Points:
        return {
            joint: (self.left + x * BOX_ASPECT * self.unit, self.floor - y * self.unit)
            for joint, (x, y) in keyframe.joints
        }


def _blend(a: Points, b: Points, t: float) -> Points:
    """Joints part way from a to b; bones keep their length, so a swinging limb doesn't shrink."""
    mixed = {j: (a[j][0] + (b[j][0] - a[j][0]) * t, a[j][1] + (b[j][1] - a[j][1]) * t) for j in a}
    out = {ROOT: mixed[ROOT]}
    for joint, parent in PARENT.items():  # parents come before their children
        length = (1 - t) * math.dist(a[joint], a[parent]) + t * math.dist(b[joint], b[parent])
        dx, dy = mixed[joint][0] - mixed[parent][0], mixed[joint][1] - mixed[parent][1]
        scale = length / math.hypot(dx, dy) if dx or dy else 0.0
        out[joint] = (out[parent][0] + dx * scale, out[parent][1] + dy * scale)
    return out


def _frame(
    layout: _Layout,
    body: Points,
    moving: tuple[str, ...],
    caption: str,
    *,
    ghost: Points | None = None,
) -> Image.Image:
    width, height = layout.size[0] * _SUPERSAMPLE, layout.size[1] * _SUPERSAMPLE
    image = Image.new("RGB", (width, height), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.line(
        [(0, layout.floor), (width, layout.floor)],
        fill=_FLOOR,
        width=max(1, round(layout.unit * _FLOOR_WIDTH)),
    )
    if ghost is not None:
        _draw_body(draw, layout, ghost, moving, ghost=True)
    _draw_body(draw, layout, body, moving)
    _draw_caption(draw, layout, caption, width)
    return image.resize(layout.size, Image.Resampling.LANCZOS)


def _draw_body(
    draw: ImageDraw.ImageDraw,
    layout: _Layout,
    p: Points,
    moving: tuple[str, ...],
    *,
    ghost: bool = False,
) -> None:
    def colour(joint: str) -> Colour:
        if ghost:
            return _GHOST
        far = joint.startswith("far_")
        if joint in moving:
            return _FAR_ACCENT if far else _ACCENT
        return _FAR_INK if far else _INK

    limb = layout.unit * _LIMB_WIDTH
    # Back to front: far limbs, torso and head, then near limbs (an arm reaching forward
    # passes in front of the head).
    for chain in (_FAR_LEG, _FAR_ARM):
        for joint in chain:
            _segment(draw, [p[PARENT[joint]], p[joint]], limb, colour(joint))
    # The spine is a quadratic curve through hip, mid_back and shoulder, so a rounded or
    # sagging back reads as a curve rather than a kink; each half takes its own bone's colour.
    spine = _curve(p["hip"], p["mid_back"], p["shoulder"], steps=16)
    _segment(draw, spine[:9], layout.unit * _TORSO_WIDTH, colour("mid_back"))
    _segment(draw, spine[8:], layout.unit * _TORSO_WIDTH, colour("shoulder"))
    _segment(draw, [p["shoulder"], p["neck"], p["head"]], limb, colour("neck"))
    _dot(draw, p["head"], layout.unit * _HEAD_RADIUS, colour("head"))
    for chain in (_LEG, _ARM):
        for joint in chain:
            _segment(draw, [p[PARENT[joint]], p[joint]], limb, colour(joint))


def _curve(a: Point, mid: Point, b: Point, *, steps: int) -> list[Point]:
    """Points along the quadratic Bezier from a to b that passes through mid halfway."""
    cx, cy = 2 * mid[0] - (a[0] + b[0]) / 2, 2 * mid[1] - (a[1] + b[1]) / 2
    points = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        points.append(
            (
                u * u * a[0] + 2 * u * t * cx + t * t * b[0],
                u * u * a[1] + 2 * u * t * cy + t * t * b[1],
            )
        )
    return points


def _segment(draw: ImageDraw.ImageDraw, points: list[Point], width: float, fill: Colour) -> None:
    """A thick polyline with round ends and joins."""
    # Pillow's own curved joins leave hairline gaps on near-straight polylines; a dot at every
    # vertex rounds them cleanly instead.
    # An odd width w and dots of radius (w - 1) / 2 cover exactly the same rows and columns;
    # otherwise the dots stick out by a pixel and a straight torso looks scalloped.
    pixels = round(width) // 2 * 2 + 1
    for a, b in pairwise(points):
        draw.line([a, b], fill=fill, width=pixels)
    for point in points:
        _dot(draw, point, (pixels - 1) / 2, fill)


def _dot(draw: ImageDraw.ImageDraw, centre: Point, radius: float, fill: Colour) -> None:
    x, y = centre
    draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=fill)


def _draw_caption(draw: ImageDraw.ImageDraw, layout: _Layout, caption: str, width: int) -> None:
    if not caption:
        return
    room = width * 0.92
    font_px = layout.font_px
    text_width = draw.textlength(caption, font=_font(font_px))
    if text_width > room:
        # Shrink a long caption to fit, but not below what a phone shows legibly; past that,
        # cut it short.
        font_px = max(round(font_px * room / text_width), round(layout.font_px * 0.7))
        while draw.textlength(caption, font=_font(font_px)) > room and len(caption) > 1:
            caption = caption[:-2].rstrip() + "…"
    font = _font(font_px)
    # Centre by the text's own box rather than an anchor, which the fallback font lacks.
    left, top, right, bottom = draw.textbbox((0, 0), caption, font=font)
    origin = ((width - (right - left)) / 2 - left, layout.caption_y - (top + bottom) / 2)
    draw.text(origin, caption, font=font, fill=_CAPTION)


@lru_cache(maxsize=16)
def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(_FONT_PATH), px)
    except OSError:
        return ImageFont.load_default(size=px)


@lru_cache(maxsize=1)
def _palette() -> Image.Image:
    """A GIF palette: ramps from the background to each colour, for smooth antialiased edges."""
    colours = tuple(dict.fromkeys((_INK, _FAR_INK, _ACCENT, _FAR_ACCENT, _FLOOR, _CAPTION)))
    steps = 255 // len(colours)
    entries = [_BACKGROUND]
    for colour in colours:
        for i in range(1, steps + 1):
            t = i / steps
            entries.append(
                tuple(round(b + (c - b) * t) for b, c in zip(_BACKGROUND, colour, strict=True))
            )
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for entry in entries for v in entry])
    return palette
