"""Tests for the exercise figures: PNG and GIF bytes drawn from the poses."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import pytest
from PIL import Image, ImageSequence

from bot.media import figures
from bot.media.figures import (
    FIGURE_VERSION,
    GIF_SIZE,
    PNG_SIZE,
    figure_key,
    is_animated,
    render_gif,
    render_png,
)
from catalog.loader import load_catalog
from catalog.poses import Keyframe, Pose, load_poses

NAMES = {e.id: e.name for e in load_catalog().exercises}
POSES = load_poses()
MOVING = sorted(i for i, p in POSES.items() if p.end is not None)
STATIC = sorted(i for i, p in POSES.items() if p.end is None)


@pytest.fixture(scope="module")
def pngs() -> dict[str, bytes]:
    return {i: render_png(POSES[i], NAMES[i]) for i in POSES}


@pytest.fixture(scope="module")
def gifs() -> dict[str, bytes]:
    return {i: render_gif(POSES[i], NAMES[i]) for i in MOVING}


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def count_near(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> int:
    """Pixels within `tolerance` of a colour on every channel."""
    colours = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    return sum(
        n
        for n, rgb in colours
        if all(abs(v - c) <= tolerance for v, c in zip(rgb, colour, strict=True))
    )


def moved(pose: Pose, joint: str, dx: float) -> Pose:
    frame = pose.start
    joints = tuple((n, (x + dx, y) if n == joint else (x, y)) for n, (x, y) in frame.joints)
    return dataclasses.replace(pose, start=Keyframe(joints))


# --- PNG ----------------------------------------------------------------------------


def test_every_exercise_has_a_png_of_the_expected_size(pngs: dict[str, bytes]) -> None:
    assert set(pngs) == set(NAMES)
    for exercise_id, data in pngs.items():
        image = open_image(data)
        assert (image.format, image.size, image.mode) == ("PNG", PNG_SIZE, "RGB"), exercise_id
        assert len(data) < 200_000, exercise_id


def test_pngs_have_a_light_background(pngs: dict[str, bytes]) -> None:
    for exercise_id, data in pngs.items():
        image = open_image(data)
        width, height = image.size
        for corner in ((0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1)):
            assert min(image.getpixel(corner)) >= 240, (exercise_id, corner)


def test_every_figure_differs_from_every_other(pngs: dict[str, bytes]) -> None:
    pixels = {i: hashlib.sha256(open_image(d).tobytes()).hexdigest() for i, d in pngs.items()}
    for a, b in combinations(sorted(pixels), 2):
        assert pixels[a] != pixels[b], (a, b)


def test_accent_colour_only_where_something_moves(pngs: dict[str, bytes]) -> None:
    for exercise_id, data in pngs.items():
        accent = count_near(open_image(data), figures._ACCENT)
        assert (accent > 500) if exercise_id in MOVING else (accent == 0), exercise_id


def test_a_moving_png_shows_the_start_faintly_behind_the_end() -> None:
    cat = POSES["cat"]
    assert cat.end is not None
    with_ghost = open_image(render_png(cat, "Cat"))
    end_only = open_image(render_png(Pose(start=cat.end, moving=cat.moving), "Cat"))
    assert (
        count_near(with_ghost, figures._GHOST, 4) > count_near(end_only, figures._GHOST, 4) + 5000
    )


def test_png_is_deterministic() -> None:
    for exercise_id in ("cat", "full_plank"):
        pose = POSES[exercise_id]
        assert render_png(pose, "Same") == render_png(pose, "Same")
        # Poses reach the renderer's worker processes by pickle; that changes nothing.
        assert render_png(pickle.loads(pickle.dumps(pose)), "Same") == render_png(pose, "Same")


def test_png_size_can_be_chosen() -> None:
    image = open_image(render_png(POSES["cobra"], "Cobra", size=(400, 240)))
    assert image.size == (400, 240)


def test_caption_is_drawn_below_the_figure() -> None:
    pose = POSES["glute_bridge"]
    plain = open_image(render_png(pose, ""))
    with_caption = open_image(render_png(pose, "Glute bridge"))
    width, height = PNG_SIZE
    band = (0, int(height * 0.82), width, height)
    figure = (0, 0, width, int(height * 0.78))
    assert plain.crop(figure).tobytes() == with_caption.crop(figure).tobytes()
    assert plain.crop(band).tobytes() != with_caption.crop(band).tobytes()


def test_a_long_caption_stays_inside_the_picture() -> None:
    image = open_image(render_png(POSES["cat"], "A very long caption " * 8))
    width, height = PNG_SIZE
    for x in (0, 1, 2, width - 3, width - 2, width - 1):
        column = image.crop((x, int(height * 0.82), x + 1, height))
        assert min(low for low, _ in column.getextrema()) >= 240, x


@pytest.fixture
def no_font_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setattr(figures, "_FONT_PATH", tmp_path / "missing.ttf")
    figures._font.cache_clear()
    yield
    figures._font.cache_clear()


@pytest.mark.usefixtures("no_font_file")
def test_without_the_font_file_the_default_font_is_used() -> None:
    image = open_image(render_png(POSES["cat"], "Cat stretch"))
    assert image.size == PNG_SIZE


# --- GIF ----------------------------------------------------------------------------


def test_every_moving_exercise_has_a_looping_gif(gifs: dict[str, bytes]) -> None:
    assert sorted(gifs) == MOVING
    assert len(MOVING) == 10
    for exercise_id, data in gifs.items():
        image = open_image(data)
        assert (image.format, image.size) == ("GIF", GIF_SIZE), exercise_id
        assert image.n_frames == 16, exercise_id
        assert image.info["loop"] == 0, exercise_id  # forever
        assert len(data) < 300_000, exercise_id


def test_gif_moves_start_to_end_and_back(gifs: dict[str, bytes]) -> None:
    for exercise_id, data in gifs.items():
        frames = [f.convert("RGB").tobytes() for f in ImageSequence.Iterator(open_image(data))]
        assert frames[0] != frames[8], exercise_id
        # Eased both ways: the way back retraces the way out.
        assert frames[1] == frames[15] and frames[4] == frames[12], exercise_id
        assert len(set(frames)) == 9, exercise_id


def test_gif_lingers_at_start_and_end() -> None:
    image = open_image(render_gif(POSES["cat"], "Cat", frames=8, frame_ms=100))
    durations = [frame.info["duration"] for frame in ImageSequence.Iterator(image)]
    assert durations == [300, 100, 100, 100, 300, 100, 100, 100]


def test_gif_size_and_frames_can_be_chosen() -> None:
    image = open_image(render_gif(POSES["cow"], "Cow", size=(320, 192), frames=6))
    assert (image.size, image.n_frames) == ((320, 192), 6)
    with pytest.raises(ValueError, match="2 frames"):
        render_gif(POSES["cow"], "Cow", frames=1)


def test_gif_is_deterministic(gifs: dict[str, bytes]) -> None:
    assert render_gif(POSES["bird_dog_leg"], NAMES["bird_dog_leg"]) == gifs["bird_dog_leg"]


@pytest.mark.parametrize("exercise_id", STATIC)
def test_still_exercises_have_no_gif(exercise_id: str) -> None:
    assert STATIC == ["elbow_plank", "full_plank"]
    assert not is_animated(POSES[exercise_id])
    with pytest.raises(ValueError, match="nothing to animate"):
        render_gif(POSES[exercise_id], "Plank")


def test_is_animated() -> None:
    assert [i for i in sorted(POSES) if is_animated(POSES[i])] == MOVING


# --- Cache keys ---------------------------------------------------------------------


def test_figure_key_is_short_and_stable() -> None:
    key = figure_key("cat", POSES["cat"], "png")
    assert len(key) == 16 and int(key, 16) >= 0
    assert key == figure_key("cat", load_poses()["cat"], "png")


def test_figure_keys_differ_by_exercise_and_kind() -> None:
    keys = {figure_key(i, POSES[i], kind) for i in POSES for kind in ("png", "gif")}
    assert len(keys) == 2 * len(POSES)


def test_figure_key_changes_with_the_pose() -> None:
    pose = POSES["bird_dog_arm"]
    key = figure_key("bird_dog_arm", pose, "gif")
    assert figure_key("bird_dog_arm", moved(pose, "hand", 0.01), "gif") != key
    assert figure_key("bird_dog_arm", dataclasses.replace(pose, moving=("hand",)), "gif") != key


def test_figure_key_changes_with_the_caption_and_version(monkeypatch: pytest.MonkeyPatch) -> None:
    pose = POSES["cat"]
    key = figure_key("cat", pose, "png", caption="Cat stretch")
    assert figure_key("cat", pose, "png", caption="Cat") != key
    monkeypatch.setattr(figures, "FIGURE_VERSION", FIGURE_VERSION + 1)
    assert figure_key("cat", pose, "png", caption="Cat stretch") != key


def test_figure_key_rejects_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="kind"):
        figure_key("cat", POSES["cat"], "jpeg")  # type: ignore[arg-type]
