from __future__ import annotations

import numpy as np
import pytest

from monitor.config import PictureConfig
from monitor.core.values import CameraState, CameraStatus
from monitor.sampling.picture import changed_area, is_uniform, judge_picture, picture_status, signature

RULES = PictureConfig(frozen_after_samples=3)
CLOCK = [(0.0, 0.0), (0.3, 0.0), (0.3, 0.1), (0.0, 0.1)]


def _scene(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (360, 640, 3), dtype=np.uint8)


def _with_clock(image: np.ndarray, tick: int) -> np.ndarray:
    out = image.copy()
    out[5:30, 10 + tick * 5 : 40 + tick * 5] = 255  # digits moving in the top-left corner
    return out


def _live(image: np.ndarray, seed: int, sigma: float = 3.0) -> np.ndarray:
    """The same still scene as a live sensor gives it: a little temporal noise on every pixel."""
    noise = np.random.default_rng(seed).normal(0, sigma, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


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


def test_a_ticking_clock_changes_a_small_area_masked_or_not() -> None:
    still = _scene()
    a, b = signature(_with_clock(still, 0)), signature(_with_clock(still, 3))
    assert a.texture is not None and b.texture is not None
    assert 0 < changed_area(a.texture, b.texture, a.valid, RULES.frozen_noise_level) <= RULES.frozen_max_changed_area
    masked_a, masked_b = signature(_with_clock(still, 0), [CLOCK]), signature(_with_clock(still, 3), [CLOCK])
    assert masked_a.texture is not None and masked_b.texture is not None
    assert changed_area(masked_a.texture, masked_b.texture, masked_a.valid, RULES.frozen_noise_level) == 0.0


def test_sensor_noise_touches_the_whole_picture() -> None:
    still = _scene()
    a, b = signature(_live(still, 1)), signature(_live(still, 2))
    assert a.texture is not None and b.texture is not None
    assert changed_area(a.texture, b.texture, a.valid, RULES.frozen_noise_level) > 0.9


def _run(pictures: list[np.ndarray], masks: list) -> list[CameraStatus]:
    state, out = None, []
    for picture in pictures:
        sig = signature(picture, masks)
        status, _, unchanged = judge_picture(state, sig, RULES)
        state = CameraState(sig.grey, unchanged, (), sig.texture)
        out.append(status)
    return out


@pytest.mark.parametrize("masks", [[CLOCK], []], ids=["clock masked", "clock not masked"])
def test_a_repeated_picture_is_frozen_after_n_samples_and_recovers(masks: list) -> None:
    still = _scene()
    pictures = [_with_clock(still, t) for t in range(4)] + [_live(_scene(seed=1), 3)]
    frozen = [CameraStatus.online, CameraStatus.online] + [CameraStatus.frozen] * 2 + [CameraStatus.online]
    assert _run(pictures, masks) == frozen


def test_a_live_still_scene_is_never_frozen() -> None:
    still = _scene()
    assert _run([_live(still, seed) for seed in range(5)], []) == [CameraStatus.online] * 5


def test_a_moving_scene_is_never_frozen() -> None:
    base = _scene()
    assert _run([np.roll(base, shift * 20, axis=1) for shift in range(4)], []) == [CameraStatus.online] * 4


def test_a_state_without_texture_never_counts_as_repeated() -> None:
    """A camera's memory stored before the texture existed: the next picture is judged alive."""
    sig = signature(_scene())
    status, _, unchanged = judge_picture(CameraState(sig.grey, 5, ()), sig, RULES)
    assert (status, unchanged) == (CameraStatus.online, 0)
