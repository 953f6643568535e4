"""The real model from ../shared, on a real frame of the sample footage."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from detectors import DetectorError, ModelLoadError
from detectors.base import FrameError
from detectors.ultralytics_backend import UltralyticsDetector
from tests.fixtures.servers import SAMPLE_VIDEO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def detector(coco_model_path: Path) -> UltralyticsDetector:
    return UltralyticsDetector(coco_model_path, image_size=640, confidence=0.25)


@pytest.fixture(scope="module")
def frame() -> np.ndarray:
    cap = cv2.VideoCapture(str(SAMPLE_VIDEO))
    ok, image = cap.read()
    cap.release()
    assert ok
    return image


def test_the_coco_model_finds_people_on_the_site_footage(detector: UltralyticsDetector, frame: np.ndarray) -> None:
    dets = detector.detect(frame)
    assert len(detector.class_names) == 80 and detector.class_names[0] == "person"
    assert "person" in dets.names()
    h, w = frame.shape[:2]
    assert (dets.xyxy[:, [0, 2]] <= w + 1).all() and (dets.xyxy[:, [1, 3]] <= h + 1).all()
    assert (dets.confidence >= 0.25).all()


def test_a_batch_gives_one_result_per_frame(detector: UltralyticsDetector, frame: np.ndarray) -> None:
    black = np.zeros_like(frame)
    results = detector.detect_batch([frame, black, frame])
    assert len(results) == 3
    assert len(results[1]) == 0
    assert results[0].class_id.tolist() == results[2].class_id.tolist()


def test_a_bad_frame_is_rejected_clearly(detector: UltralyticsDetector) -> None:
    with pytest.raises(FrameError, match="dtype must be uint8"):
        detector.detect(np.zeros((64, 64, 3), np.float64))  # type: ignore[arg-type]
    assert issubclass(FrameError, DetectorError)


def test_a_missing_model_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match=r"model not found: .*nothing\.pt"):
        UltralyticsDetector(tmp_path / "nothing.pt")


def test_a_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"this is not a checkpoint")
    with pytest.raises(ModelLoadError, match=r"cannot load model .*broken\.pt"):
        UltralyticsDetector(bad)
