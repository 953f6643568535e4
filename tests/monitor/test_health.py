from __future__ import annotations

import numpy as np
import pytest

from monitor.config import HealthConfig
from monitor.health import PictureTracker, changed_fraction, is_uniform, picture_status, signature
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


def test_the_tracker_calls_a_camera_frozen_after_n_identical_pictures_and_recovers() -> None:
    tracker = PictureTracker(RULES)
    still = _scene()
    statuses = [tracker.observe(KEY, signature(_with_clock(still, t), [CLOCK]))[0] for t in range(4)]
    assert statuses == [CameraStatus.online, CameraStatus.online, CameraStatus.frozen, CameraStatus.frozen]
    status, reason = tracker.observe(KEY, signature(_scene(seed=1), [CLOCK]))
    assert status is CameraStatus.online and reason == ""


def test_brightness_noise_alone_does_not_make_a_live_scene_frozen_or_live_one_frozen() -> None:
    tracker = PictureTracker(RULES)
    base = _scene()
    moving = [np.roll(base, shift * 20, axis=1) for shift in range(4)]
    assert [tracker.observe(KEY, signature(m))[0] for m in moving] == [CameraStatus.online] * 4
