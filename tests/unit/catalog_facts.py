"""The real catalog's starting positions and warm-ups, written out by hand (not read from
catalog/exercises.toml), so the tests check the data and the routine's order against them."""

from __future__ import annotations

POSITIONS = {
    "cat": "hands_knees",
    "cow": "hands_knees",
    "knee_to_chest": "back",
    "partial_cobra": "front",
    "cobra": "front",
    "hip_flexor_stretch": "kneeling",
    "glute_bridge": "back",
    "bird_dog_arm": "hands_knees",
    "bird_dog_leg": "hands_knees",
    "bird_dog_opposite": "hands_knees",
    "elbow_plank": "front",
    "full_plank": "hands_toes",
}
WARM_UPS = {"cat", "cow", "knee_to_chest", "partial_cobra", "cobra", "hip_flexor_stretch"}
