from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detectors.evaluate import dataset_split, read_image
from detectors.export import agreement, export_openvino
from detectors.ultralytics_backend import UltralyticsDetector
from tests.fixtures.servers import SHARED
from tests.monitor.fakes import FakeDetector


def test_agreement_counts_the_reference_boxes_found_again() -> None:
    frames = [np.zeros((100, 100, 3), np.uint8)]
    same = agreement(FakeDetector([(10, 10, 50, 50, 0)]), FakeDetector([(11, 11, 50, 50, 0)]), frames)
    assert (same.reference_boxes, same.matched, same.match_rate) == (1, 1, 1.0)
    other_class = agreement(FakeDetector([(10, 10, 50, 50, 0)]), FakeDetector([(10, 10, 50, 50, 1)]), frames)
    assert other_class.match_rate == 0.0


@pytest.mark.slow
def test_an_openvino_export_agrees_with_its_pt_model(tmp_path: Path) -> None:
    weights = tmp_path / "base.pt"
    weights.write_bytes((SHARED / "models/yolov8n-coco-base.pt").read_bytes())
    shipped = tmp_path / "base_openvino_model"  # another size's export beside the weights stays as it is
    shipped.mkdir()
    (shipped / "keep.txt").write_text("416")
    out = export_openvino(weights, 320, tmp_path / "base-320_openvino_model")
    assert out.name == "base-320_openvino_model" and (out / "metadata.yaml").is_file()
    assert [p.name for p in shipped.iterdir()] == ["keep.txt"]
    images, _ = dataset_split(SHARED / "datasets/construction-site-safety/data.yaml", "val")
    frames = [read_image(p) for p in images[:12]]
    result = agreement(UltralyticsDetector(weights, 320), UltralyticsDetector(out, 320), frames)
    assert result.reference_boxes > 10
    assert result.match_rate >= 0.9


@pytest.mark.slow
def test_the_shipped_model_runs_a_wide_picture_at_its_rectangle_not_the_square() -> None:
    """The shipped export takes dynamic shapes: a batch of 16:9 pictures reaches the model at 416 x 256 (the
    stride-aligned rectangle), and a batch of mixed sizes is split by size so that each still does."""
    import cv2

    from detectors.ultralytics_backend import same_shapes
    from tests.fixtures.servers import SAMPLE_VIDEO

    model = Path(__file__).resolve().parents[2] / "models/sitemon-construction-yolov8n_openvino_model"
    detector = UltralyticsDetector(model, image_size=416, confidence=0.25)
    capture = cv2.VideoCapture(str(SAMPLE_VIDEO))
    frames = []
    for _ in range(6):
        ok, frame = capture.read()
        assert ok
        frames.append(frame)
    capture.release()
    wide = cv2.resize(frames[0], (1280, 704))
    assert same_shapes([frames[0], wide, frames[1], wide]) == [[0, 2], [1, 3]]
    found = detector.detect_batch([*frames[:3], wide])
    shapes = []
    predict = detector._model.predictor.model.forward  # the backend's forward: the shape the model ran at

    def spy(image: object, *args: object, **kwargs: object) -> object:
        shapes.append(tuple(getattr(image, "shape", ())))
        return predict(image, *args, **kwargs)

    detector._model.predictor.model.forward = spy
    try:
        again = detector.detect_batch([*frames[:3], wide])
    finally:
        detector._model.predictor.model.forward = predict
    assert shapes and all(s[-2:] == (256, 416) for s in shapes), shapes
    assert [len(d) for d in again] == [len(d) for d in found] and sum(len(d) for d in found) > 0
