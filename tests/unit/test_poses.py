"""Tests for the exercise figures' poses and their validating loader."""

from __future__ import annotations

import copy
import math
import pickle
import tomllib
from pathlib import Path
from typing import Any

import pytest

from catalog.loader import CatalogError, load_catalog
from catalog.poses import (
    BOX_ASPECT,
    DEFAULT_POSES_PATH,
    JOINTS,
    PARENT,
    Keyframe,
    Pose,
    PoseError,
    load_poses,
    load_poses_from_text,
    poses_from_dict,
)

REAL_TEXT = DEFAULT_POSES_PATH.read_text(encoding="utf-8")
REAL_DATA: dict[str, Any] = tomllib.loads(REAL_TEXT)
IDS = tuple(e.id for e in load_catalog().exercises)
STATIC = {"elbow_plank", "full_plank"}
ON_HANDS_AND_KNEES = ("cat", "cow", "bird_dog_arm", "bird_dog_leg", "bird_dog_opposite")
# A limb resting on the floor is drawn with its centre line just above it.
ON_FLOOR = 0.05


@pytest.fixture(scope="module")
def poses() -> dict[str, Pose]:
    return load_poses()


def real_data() -> dict[str, Any]:
    return copy.deepcopy(REAL_DATA)


def expect_error(data: Any, exercise: str, field: str | None) -> PoseError:
    with pytest.raises(PoseError) as info:
        poses_from_dict(data, exercise_ids=IDS)
    message = str(info.value)
    assert message.startswith(f"poses: exercise {exercise!r}")
    if field is not None:
        assert f"field {field!r}" in message
    assert (info.value.exercise, info.value.field) == (exercise, field)
    # Startup code that already catches catalog errors catches these too.
    assert isinstance(info.value, CatalogError)
    return info.value


def length(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Real distance between two box points (x is stretched by the box's aspect)."""
    return math.hypot((a[0] - b[0]) * BOX_ASPECT, a[1] - b[1])


def bone_lengths(frame: Keyframe) -> dict[str, float]:
    return {joint: length(frame[joint], frame[parent]) for joint, parent in PARENT.items()}


# --- The real poses -----------------------------------------------------------------


def test_every_catalog_exercise_has_a_pose(poses: dict[str, Pose]) -> None:
    assert len(IDS) == 12
    assert set(poses) == set(IDS)


def test_all_but_the_planks_move(poses: dict[str, Pose]) -> None:
    assert {i for i, p in poses.items() if p.end is None} == STATIC
    for exercise_id, pose in poses.items():
        assert bool(pose.moving) == (pose.end is not None), exercise_id
        assert len(pose.keyframes) == (1 if exercise_id in STATIC else 2)


def test_every_keyframe_lists_every_joint_in_skeleton_order(poses: dict[str, Pose]) -> None:
    for pose in poses.values():
        for frame in pose.keyframes:
            assert tuple(name for name, _ in frame.joints) == JOINTS


def test_one_body_bones_keep_their_length_in_every_pose(poses: dict[str, Pose]) -> None:
    # Proportions come from the first pose; every keyframe of every exercise must match them,
    # so limbs never stretch between start and end or from one exercise to the next.
    reference = bone_lengths(poses["cat"].start)
    for exercise_id, pose in poses.items():
        for frame in pose.keyframes:
            for joint, bone in bone_lengths(frame).items():
                assert bone == pytest.approx(reference[joint], rel=0.05), (exercise_id, joint)


@pytest.mark.parametrize("exercise_id", ON_HANDS_AND_KNEES)
def test_hands_and_knees_start(poses: dict[str, Pose], exercise_id: str) -> None:
    start = poses[exercise_id].start
    for joint in ("hand", "far_hand", "knee", "far_knee"):
        assert start[joint][1] < ON_FLOOR, joint
    assert start["hand"][0] > start["knee"][0]  # facing right: hands ahead of knees
    assert start["shoulder"][1] > 0.3 and start["hip"][1] > 0.3


def sag(frame: Keyframe) -> float:
    """How far mid_back sits below the straight line from hip to shoulder."""
    hip, mid, shoulder = frame["hip"], frame["mid_back"], frame["shoulder"]
    return (hip[1] + shoulder[1]) / 2 - mid[1]


def test_cat_rounds_the_back_and_drops_the_head(poses: dict[str, Pose]) -> None:
    cat = poses["cat"]
    assert cat.end is not None
    assert sag(cat.start) == pytest.approx(0, abs=0.01)
    assert sag(cat.end) < -0.04
    assert cat.end["head"][1] < cat.start["head"][1]


def test_cow_sags_the_back_and_lifts_the_head(poses: dict[str, Pose]) -> None:
    cow = poses["cow"]
    assert cow.end is not None
    assert sag(cow.end) > 0.03
    assert cow.end["head"][1] > cow.start["head"][1] + 0.05


@pytest.mark.parametrize(
    ("exercise_id", "hand", "knee"),
    [
        ("bird_dog_arm", "hand", None),
        ("bird_dog_leg", None, "knee"),
        ("bird_dog_opposite", "hand", "far_knee"),
    ],
)
def test_bird_dogs_lift_an_arm_to_shoulder_height_and_a_leg_to_hip_height(
    poses: dict[str, Pose], exercise_id: str, hand: str | None, knee: str | None
) -> None:
    end = poses[exercise_id].end
    assert end is not None
    if hand is not None:
        assert end[hand][1] == pytest.approx(end["shoulder"][1], abs=0.06)
        assert end[hand][0] > end["shoulder"][0] + 0.1
    if knee is not None:
        ankle = knee.replace("knee", "ankle")
        assert end[ankle][1] == pytest.approx(end["hip"][1], abs=0.06)
        assert end[ankle][0] < end["hip"][0] - 0.1
    # Whatever is not lifted stays on the floor.
    for joint in {"hand", "far_hand", "knee", "far_knee"} - {hand, knee}:
        assert end[joint][1] < ON_FLOOR, joint


def test_glute_bridge_lifts_the_hips_with_shoulders_and_feet_down(
    poses: dict[str, Pose],
) -> None:
    bridge = poses["glute_bridge"]
    assert bridge.end is not None
    assert bridge.end["hip"][1] > bridge.start["hip"][1] + 0.1
    for joint in ("shoulder", "ankle", "toe"):
        assert bridge.end[joint] == pytest.approx(bridge.start[joint], abs=0.01), joint
        assert bridge.end[joint][1] < ON_FLOOR + 0.02, joint
    # Hips lifted into one line from shoulder to knee.
    shoulder, hip, knee = bridge.end["shoulder"], bridge.end["hip"], bridge.end["knee"]
    assert hip[1] == pytest.approx(
        shoulder[1] + (knee[1] - shoulder[1]) * (hip[0] - shoulder[0]) / (knee[0] - shoulder[0]),
        abs=0.02,
    )


def test_knees_to_chest_brings_both_knees_towards_the_shoulders(poses: dict[str, Pose]) -> None:
    pose = poses["knee_to_chest"]
    assert pose.end is not None
    for knee in ("knee", "far_knee"):
        assert length(pose.end[knee], pose.end["shoulder"]) < length(
            pose.start[knee], pose.start["shoulder"]
        )
        assert pose.end[knee][0] < pose.end["hip"][0]  # past the hip, over the belly
    assert pose.end["hip"][1] < ON_FLOOR  # still lying on the back


def test_cobras_lift_the_chest_with_hips_down(poses: dict[str, Pose]) -> None:
    partial, full = poses["partial_cobra"], poses["cobra"]
    assert partial.end is not None and full.end is not None
    for pose in (partial, full):
        for frame in pose.keyframes:
            assert frame["hip"][1] < ON_FLOOR
        assert pose.end["shoulder"][1] > pose.start["shoulder"][1] + 0.03
    # Partial: propped on the forearms. Full: up on the hands, elbows off the floor.
    assert partial.end["elbow"][1] < ON_FLOOR and partial.end["hand"][1] < ON_FLOOR
    assert full.end["hand"][1] < ON_FLOOR and full.end["elbow"][1] > 0.1
    assert full.end["shoulder"][1] > partial.end["shoulder"][1]


def test_hip_flexor_stretch_kneels_and_moves_the_hips_forward(poses: dict[str, Pose]) -> None:
    pose = poses["hip_flexor_stretch"]
    assert pose.end is not None
    for frame in pose.keyframes:
        assert frame["knee"][1] < ON_FLOOR  # back knee down
        assert frame["far_ankle"][1] < ON_FLOOR + 0.01  # front foot flat
        assert frame["far_ankle"][0] > frame["hip"][0]  # front foot ahead
        assert frame["head"][1] > 0.75  # upright
    assert pose.end["hip"][0] > pose.start["hip"][0] + 0.02


@pytest.mark.parametrize(
    ("exercise_id", "support"), [("elbow_plank", "elbow"), ("full_plank", "hand")]
)
def test_planks_hold_a_straight_body_on_forearms_or_hands(
    poses: dict[str, Pose], exercise_id: str, support: str
) -> None:
    frame = poses[exercise_id].start
    shoulder, hip, ankle = frame["shoulder"], frame["hip"], frame["ankle"]
    on_line = shoulder[1] + (ankle[1] - shoulder[1]) * (hip[0] - shoulder[0]) / (
        ankle[0] - shoulder[0]
    )
    assert hip[1] == pytest.approx(on_line, abs=0.01)
    assert frame[support][1] < ON_FLOOR and frame["toe"][1] < ON_FLOOR
    assert frame["knee"][1] > ON_FLOOR


def test_poses_are_plain_values(poses: dict[str, Pose]) -> None:
    # The renderer runs in worker processes, so poses travel by pickle.
    cat = poses["cat"]
    assert pickle.loads(pickle.dumps(cat)) == cat
    assert hash(cat) == hash(load_poses()["cat"])
    assert cat.start["hip"] == cat.start.as_dict()["hip"]


def test_load_from_text_and_from_a_file_agree(tmp_path: Path, poses: dict[str, Pose]) -> None:
    path = tmp_path / "poses.toml"
    path.write_text(REAL_TEXT, encoding="utf-8")
    assert load_poses(path) == poses
    assert load_poses_from_text(REAL_TEXT) == poses
    assert poses_from_dict(real_data()) == poses  # checks against the real catalog by default


# --- Validation ---------------------------------------------------------------------


def test_missing_exercise() -> None:
    data = real_data()
    del data["cow"]
    error = expect_error(data, "cow", None)
    assert "missing" in str(error)


def test_unknown_exercise_id() -> None:
    data = real_data()
    data["downward_dog"] = data["cat"]
    error = expect_error(data, "downward_dog", None)
    assert "unknown exercise id" in str(error)


def test_exercise_ids_can_be_given() -> None:
    data = {"cat": real_data()["cat"]}
    assert set(poses_from_dict(data, exercise_ids=["cat"])) == {"cat"}


@pytest.mark.parametrize("point", [[1.2, 0.3], [0.5, -0.01], [-0.5, 0.5], [0.5, 1.5]])
def test_coordinate_out_of_range(point: list[float]) -> None:
    data = real_data()
    data["bird_dog_arm"]["end"]["hand"] = point
    error = expect_error(data, "bird_dog_arm", "end.hand")
    assert "within 0..1" in str(error)


@pytest.mark.parametrize("point", [[0.5], [0.1, 0.2, 0.3], "0.1, 0.2", [True, 0.2], ["a", 0.2]])
def test_point_must_be_two_numbers(point: object) -> None:
    data = real_data()
    data["cat"]["start"]["knee"] = point
    expect_error(data, "cat", "start.knee")


def test_integer_coordinates_are_fine() -> None:
    data = real_data()
    data["cat"]["start"]["toe"] = [0, 0]
    assert poses_from_dict(data, exercise_ids=IDS)["cat"].start["toe"] == (0.0, 0.0)


def test_keyframes_must_have_the_same_joints() -> None:
    data = real_data()
    del data["cow"]["end"]["far_toe"]
    error = expect_error(data, "cow", "end.far_toe")
    assert "missing" in str(error)


def test_unknown_joint() -> None:
    data = real_data()
    data["cat"]["start"]["tail"] = [0.1, 0.3]
    expect_error(data, "cat", "start.tail")


def test_start_is_required() -> None:
    data = real_data()
    del data["full_plank"]["start"]
    expect_error(data, "full_plank", "start")


@pytest.mark.parametrize("keyframe", ["start", "end"])
def test_keyframe_must_be_a_table(keyframe: str) -> None:
    data = real_data()
    data["cobra"][keyframe] = [0.1, 0.2]
    expect_error(data, "cobra", keyframe)


def test_unknown_pose_field() -> None:
    data = real_data()
    data["cobra"]["middle"] = data["cobra"]["start"]
    expect_error(data, "cobra", "middle")


def test_pose_must_be_a_table() -> None:
    data = real_data()
    data["cobra"] = "up"
    expect_error(data, "cobra", None)


@pytest.mark.parametrize(
    ("moving", "problem"),
    [
        (["wing"], "unknown joint"),
        (["hip"], "root joint"),
        (["knee", "knee"], "twice"),
        ("knee", "array"),
        ([3], "array"),
    ],
)
def test_moving_must_name_segment_joints(moving: object, problem: str) -> None:
    data = real_data()
    data["glute_bridge"]["moving"] = moving
    error = expect_error(data, "glute_bridge", "moving")
    assert problem in str(error)


def test_a_moving_pose_says_what_moves() -> None:
    data = real_data()
    del data["cat"]["moving"]
    expect_error(data, "cat", "moving")


def test_a_still_pose_has_nothing_moving() -> None:
    data = real_data()
    data["elbow_plank"]["moving"] = ["hand"]
    expect_error(data, "elbow_plank", "moving")


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[cat\n", encoding="utf-8")
    with pytest.raises(PoseError, match=r"broken\.toml.*invalid TOML"):
        load_poses(path)


def test_top_level_must_be_a_table() -> None:
    with pytest.raises(PoseError, match="top level"):
        poses_from_dict([], exercise_ids=IDS)  # type: ignore[arg-type]
