from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from detectors import Detections, Detector
from detectors.tiling import TiledDetector, Tiling, merge

NAMES = ("person", "truck")


class MarkFinder(Detector):
    """Finds each white square drawn on a black picture, as a person; remembers the input sizes."""

    def __init__(self) -> None:
        self.calls: list[list[tuple[int, int]]] = []

    @property
    def class_names(self) -> Sequence[str]:
        return NAMES

    def detect_batch(self, frames: Sequence[npt.NDArray[np.uint8]]) -> list[Detections]:
        self.calls.append([f.shape[:2] for f in frames])
        out = []
        for f in frames:
            ys, xs = np.nonzero(f[..., 0] > 128)
            if len(xs) == 0:
                out.append(Detections.empty(NAMES))
                continue
            box = np.array([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]], np.float32)
            out.append(Detections(box, np.array([0.9], np.float32), np.zeros(1, np.int32), NAMES))
        return out


@pytest.mark.parametrize(
    ("tiling", "size", "windows"),
    [
        (Tiling(1, 1), (640, 352), [(0, 0, 640, 352)]),
        (Tiling(2, 1, 0.2), (640, 352), [(0, 0, 356, 352), (284, 0, 640, 352)]),
        (Tiling(2, 2, 0.0), (100, 60), [(0, 0, 50, 30), (50, 0, 100, 30), (0, 30, 50, 60), (50, 30, 100, 60)]),
    ],
)
def test_tiles_cover_the_frame_and_overlap(
    tiling: Tiling, size: tuple[int, int], windows: list[tuple[int, int, int, int]]
) -> None:
    assert tiling.windows(*size) == windows


@pytest.mark.parametrize(("columns", "rows", "overlap"), [(0, 1, 0.2), (2, 9, 0.2), (2, 1, 0.95), (2, 1, -0.1)])
def test_a_bad_tiling_is_refused(columns: int, rows: int, overlap: float) -> None:
    with pytest.raises(ValueError):
        Tiling(columns, rows, overlap)


def test_boxes_come_back_in_frame_coordinates_from_one_inner_call() -> None:
    given = np.zeros((352, 640, 3), np.uint8)
    given[100:120, 500:510] = 255  # a small worker in the right tile only
    inner = MarkFinder()
    when = TiledDetector(inner, Tiling(2, 1, 0.2)).detect_batch([given, given])
    assert len(inner.calls) == 1 and inner.calls[0] == [(352, 356), (352, 356), (352, 640)] * 2
    for found in when:
        # seen by the right tile and by the full frame: merged into one box, where it is in the frame
        assert found.xyxy.tolist() == [[500, 100, 510, 120]]
        assert found.class_names == NAMES


def test_a_frame_with_nothing_gives_empty_detections() -> None:
    found = TiledDetector(MarkFinder(), Tiling(2, 2)).detect(np.zeros((64, 64, 3), np.uint8))
    assert len(found) == 0 and found.class_names == NAMES


@pytest.mark.parametrize(
    ("boxes", "classes", "kept"),
    [
        ([[0, 0, 10, 20], [1, 0, 11, 20]], [0, 0], [0]),  # the same worker twice: the better one stays
        ([[0, 0, 10, 20], [1, 0, 11, 20]], [0, 1], [0, 1]),  # a person and a truck: both stay
        ([[0, 0, 10, 20], [0, 0, 10, 8]], [0, 0], [0]),  # the part a tile's edge cut off: dropped
        ([[0, 0, 10, 20], [20, 0, 30, 20]], [0, 0], [0, 1]),  # two workers side by side: both stay
    ],
)
def test_merge_drops_repeats_and_cut_parts_per_class(
    boxes: list[list[float]], classes: list[int], kept: list[int]
) -> None:
    confidence = np.linspace(0.9, 0.5, len(boxes)).astype(np.float32)
    keep = merge(np.array(boxes, np.float32), confidence, np.array(classes, np.int32))
    assert sorted(keep.tolist()) == kept


def test_an_object_cut_by_the_tiles_comes_back_whole_from_the_full_frame() -> None:
    given = np.zeros((352, 640, 3), np.uint8)
    given[50:300, 200:450] = 255  # larger than the overlap: each tile sees a part touching its cut
    found = TiledDetector(MarkFinder(), Tiling(2, 1, 0.2)).detect(given)
    assert found.xyxy.tolist() == [[200, 50, 450, 300]]


def test_without_the_full_frame_the_cut_parts_stay() -> None:
    given = np.zeros((352, 640, 3), np.uint8)
    given[50:300, 200:450] = 255
    found = TiledDetector(MarkFinder(), Tiling(2, 1, 0.2, full_frame=False)).detect(given)
    assert sorted(found.xyxy.tolist()) == [[200, 50, 356, 300], [284, 50, 450, 300]]
