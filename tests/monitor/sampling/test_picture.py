from __future__ import annotations

import cv2
import numpy as np
import pytest

from monitor.config import PictureConfig
from monitor.core.values import CameraState, CameraStatus
from monitor.sampling.picture import changed_area, is_uniform, judge_picture, picture_status, signature
from tests.fixtures import scenarios

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
        judged = judge_picture(state, sig, RULES)
        state = CameraState(
            sig.grey,
            judged.unchanged,
            (),
            sig.texture,
            frozen=judged.frozen,
            live=judged.live,
            anchor=judged.anchor,
            anchor_texture=judged.anchor_texture,
        )
        out.append(judged.status)
    return out


ON, FROZEN = CameraStatus.online, CameraStatus.frozen


@pytest.mark.parametrize("masks", [[CLOCK], []], ids=["clock masked", "clock not masked"])
def test_a_repeated_picture_is_frozen_after_n_samples_and_recovers_after_two_live_ones(masks: list) -> None:
    still = _scene()
    pictures = [_with_clock(still, t) for t in range(4)] + [_live(_scene(seed=1), 3), _live(_scene(seed=1), 4)]
    assert _run(pictures, masks) == [ON, ON, FROZEN, FROZEN, FROZEN, ON]


def test_a_frozen_camera_does_not_flap_on_one_picture_that_differs() -> None:
    """A stream that repeats one picture, once interrupted by another (a re-encoding that changed more, a
    glitch): it stays frozen, and its alerts open and close once."""
    still, other = _scene(), _live(_scene(seed=2), 1)
    pictures = [still, still, still, still, other, still, still, still]
    assert _run(pictures, []) == [ON, ON, FROZEN, FROZEN, FROZEN, FROZEN, FROZEN, FROZEN]


def _jpeg(image: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return np.asarray(cv2.imdecode(data, cv2.IMREAD_COLOR), np.uint8)


def test_a_picture_a_recorder_re_encodes_at_a_varying_quality_is_frozen_after_a_longer_run() -> None:
    """Re-encoded repeats make a camera frozen after twice frozen_after_samples (6): a live camera in
    constant light whose encoder took all the noise away may look like that for a while, never for long."""
    still = scenarios.cctv(6)
    pictures = [_jpeg(still, q) for q in (90, 45, 70, 55, 85, 40, 75, 60)]
    assert _run(pictures, []) == [ON] * 5 + [FROZEN] * 3


@pytest.mark.parametrize("sigma", [2.5, 4.0])
def test_a_live_quiet_scene_with_sensor_noise_stays_live_through_jpeg(sigma: float) -> None:
    """The same still scene in constant light, as a live sensor gives it (noise in its luminance, as sensors
    have it) through the camera's JPEG."""
    still, rng = scenarios.still("parked"), np.random.default_rng(5)
    pictures = [_jpeg(scenarios.noise(still, rng, sigma), 85) for _ in range(6)]
    assert _run(pictures, []) == [ON] * 6


def test_a_live_quiet_scene_under_changing_light_stays_live() -> None:
    """A clean sensor (its noise mostly gone in the JPEG), the light rising a little between samples."""
    still = scenarios.still("parked").astype(np.float32)
    pictures = [_jpeg(np.clip(still * (1 + 0.015 * k), 0, 255).astype(np.uint8), 85) for k in range(6)]
    assert _run(pictures, []) == [ON] * 6


def test_a_live_still_scene_is_never_frozen() -> None:
    still = _scene()
    assert _run([_live(still, seed) for seed in range(5)], []) == [CameraStatus.online] * 5


def test_a_moving_scene_is_never_frozen() -> None:
    base = _scene()
    assert _run([np.roll(base, shift * 20, axis=1) for shift in range(4)], []) == [CameraStatus.online] * 4


def test_a_state_without_texture_never_counts_as_repeated() -> None:
    """A camera's memory stored before the texture existed: the next picture is judged alive."""
    sig = signature(_scene())
    judged = judge_picture(CameraState(sig.grey, 5, ()), sig, RULES)
    assert (judged.status, judged.unchanged) == (CameraStatus.online, 0)
