from __future__ import annotations

import numpy as np
import pytest

from monitor.config import HealthConfig
from monitor.health import CameraState, changed_fraction, is_uniform, judge_picture, picture_status, signature
from monitor.types import CameraKey, CameraStatus

RULES = HealthConfig(frozen_after_samples=3)
CLOCK = [(0.0, 0.0), (0.3, 0.0), (0.3, 0.1), (0.0, 0.1)]
KEY = CameraKey("s", "c")


def _scene(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (360, 640, 3), dtype=np.uint8)


def _with_clock(image: np.ndarray, tick: int) -> np.ndarray:
    out = image.copy()
    out[5:30, 10 + tick * 5 : 40 + tick * 5] = 255  # digits moving in the top-left corner
    return out


@pytest.mark.parametrize(
    ("unchanged", "uniform", "expected"),
    [
        (0, False, CameraStatus.online),
        (1, False, CameraStatus.online),
        (2, False, CameraStatus.frozen),
        (0, True, CameraStatus.black),
        (5, True, CameraStatus.black),
    ],
)
def test_picture_status(unchanged: int, uniform: bool, expected: CameraStatus) -> None:
    assert picture_status(unchanged, uniform, RULES) is expected


def test_black_and_single_colour_pictures_are_uniform() -> None:
    assert is_uniform(signature(np.zeros((100, 100, 3), np.uint8)), 4.0)
    assert is_uniform(signature(np.full((100, 100, 3), (10, 200, 30), np.uint8)), 4.0)
    assert not is_uniform(signature(_scene()), 4.0)


def test_a_ticking_clock_inside_a_mask_is_not_change() -> None:
    still = _scene()
    a, b = _with_clock(still, 0), _with_clock(still, 3)
    assert changed_fraction(signature(a), signature(b)) > RULES.frozen_max_changed_fraction
    assert changed_fraction(signature(a, [CLOCK]), signature(b, [CLOCK])) == 0.0


def _run(pictures: list[np.ndarray], masks: list) -> list[CameraStatus]:
    state, out = None, []
    for picture in pictures:
        sig = signature(picture, masks)
        status, _, unchanged = judge_picture(state, sig, RULES)
        state = CameraState(sig.grey, unchanged, ())
        out.append(status)
    return out


def test_a_camera_is_frozen_after_n_identical_pictures_and_recovers() -> None:
    still = _scene()
    pictures = [_with_clock(still, t) for t in range(4)] + [_scene(seed=1)]
    assert _run(pictures, [CLOCK]) == [CameraStatus.online, CameraStatus.online] + [CameraStatus.frozen] * 2 + [
        CameraStatus.online
    ]


def test_a_moving_scene_is_never_frozen() -> None:
    base = _scene()
    assert _run([np.roll(base, shift * 20, axis=1) for shift in range(4)], []) == [CameraStatus.online] * 4


def test_a_change_of_light_proves_the_camera_is_alive() -> None:
    still = _scene()
    lit = [np.clip(still.astype(int) + 15 * i, 0, 255).astype(np.uint8) for i in range(4)]
    assert _run(lit, []) == [CameraStatus.online] * 4
