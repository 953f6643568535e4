from __future__ import annotations

import numpy as np
import pytest

from detectors import CategoryMap, Detections, ModelLoadError, check_frame
from detectors.base import FrameError
from monitor.config import Category


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (np.zeros((10, 10, 3), np.float32), "dtype must be uint8"),
        (np.zeros((10, 10), np.uint8), "shape"),
        (np.zeros((10, 10, 4), np.uint8), "shape"),
        (np.zeros((2, 10, 3), np.uint8), "H, W >= 8"),
        ([[0, 0, 0]], "numpy array"),
    ],
)
def test_bad_frames_are_rejected_before_the_backend(frame: object, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        check_frame(frame)


def test_a_good_frame_passes() -> None:
    frame = np.zeros((20, 30, 3), np.uint8)
    assert check_frame(frame) is frame


def test_detections_validate_their_shapes() -> None:
    with pytest.raises(ValueError, match="one entry per box"):
        Detections(np.zeros((2, 4), np.float32), np.zeros(1, np.float32), np.zeros(2, np.int32))
    with pytest.raises(ValueError, match="out of range"):
        Detections(np.zeros((1, 4), np.float32), np.zeros(1, np.float32), np.array([3], np.int32), ("a", "b"))


def test_category_map_fits_the_model_classes() -> None:
    names = ("person", "car", "dog")
    cmap = CategoryMap.build({"person": Category.worker, "car": Category.vehicle}, names)
    dets = Detections(np.zeros((3, 4), np.float32), np.ones(3, np.float32), np.array([2, 0, 1], np.int32), names)
    assert cmap.categories_of(dets) == [Category.ignored, Category.worker, Category.vehicle]


def test_a_mapping_naming_an_unknown_class_lists_the_model_classes() -> None:
    with pytest.raises(ModelLoadError) as info:
        CategoryMap.build({"excavator": Category.machinery}, ("person", "car"))
    assert "detector.categories" in str(info.value)
    assert "['excavator']" in str(info.value)
    assert "['person', 'car']" in str(info.value)
