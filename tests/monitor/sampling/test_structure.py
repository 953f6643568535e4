"""Structure change on real footage: light changes give none, added structure gives a clear one."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from monitor.sampling.structure import (
    occluded_share,
    reference_quality,
    structure_change,
    zone_crop,
    zone_mask,
)
from tests.fixtures.servers import SAMPLE_VIDEO, SYNTHETIC_VIDEO

ZONE = [(0.1, 0.2), (0.9, 0.2), (0.9, 0.85), (0.1, 0.85)]


def _frame(path: str, index: int = 0, size: tuple[int, int] | None = None) -> np.ndarray:
    cap = cv2.VideoCapture(path)
    cap.set(cv2.CAP_PROP_POS_FRAMES, index)
    ok, frame = cap.read()
    cap.release()
    assert ok
    return cv2.resize(frame, size) if size else frame


@pytest.fixture(scope="module")
def scene() -> np.ndarray:
    return _frame(str(SAMPLE_VIDEO))


def _change(before: np.ndarray, after: np.ndarray) -> float:
    a, b = zone_crop(before, ZONE), zone_crop(after, ZONE)
    return structure_change(a, b, zone_mask(ZONE, a.shape))


@pytest.mark.parametrize(("alpha", "beta"), [(1.3, 25), (0.7, -20), (1.0, 40), (0.8, 0)])
def test_brightness_and_contrast_shifts_are_not_structure(scene: np.ndarray, alpha: float, beta: float) -> None:
    assert _change(scene, cv2.convertScaleAbs(scene, alpha=alpha, beta=beta)) < 0.005


def test_an_added_structure_is_a_clear_change(scene: np.ndarray) -> None:
    # A region of the picture replaced by another scene's structure (cranes, excavators).
    other = _frame(str(SYNTHETIC_VIDEO), 0, (scene.shape[1], scene.shape[0]))
    built = scene.copy()
    built[120:250, 250:450] = other[120:250, 250:450]
    assert _change(scene, built) > 0.04
    assert _change(scene, built) > 20 * _change(scene, cv2.convertScaleAbs(scene, alpha=1.3, beta=25))


def test_night_and_blank_pictures_make_no_reference(scene: np.ndarray) -> None:
    crop = zone_crop(scene, ZONE)
    assert reference_quality(crop, 0.0) == 1.0
    assert reference_quality(crop, 0.3) == pytest.approx(0.7)
    assert reference_quality((crop * 0.1).astype(np.uint8), 0.0) == 0.0  # night
    assert reference_quality(np.full_like(crop, 128), 0.0) == 0.0  # blank


def test_occlusion_is_the_share_of_the_zone_under_boxes() -> None:
    zone = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]
    assert occluded_share([], zone) == 0.0
    assert occluded_share([(0.0, 0.0, 0.5, 1.0)], zone) == pytest.approx(0.5)
    assert occluded_share([(0.0, 0.0, 0.5, 1.0), (0.25, 0.0, 0.75, 1.0)], zone) == pytest.approx(0.75, abs=0.02)
