"""Tiled inference: small, far objects seen at a larger scale.

A wide camera view scaled down to the model's input leaves a far worker a few pixels tall. The frame is cut
into overlapping tiles, each given to the model at its full input size, together with the whole frame (for
objects larger than a tile); the boxes are shifted back to frame coordinates and merged per class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from detectors.base import Detections, Detector, check_frame


@dataclass(frozen=True)
class Tiling:
    """How a frame is cut: ``columns`` x ``rows`` tiles, each overlapping its neighbour by ``overlap``."""

    columns: int = 2
    rows: int = 1
    overlap: float = 0.2
    """Share of a tile's width (height) that it shares with the next tile."""
    full_frame: bool = True
    """Also detect on the whole frame (objects larger than a tile, and a tile's edge-cut boxes)."""

    def __post_init__(self) -> None:
        if not (1 <= self.columns <= 8 and 1 <= self.rows <= 8):
            raise ValueError(f"tiles must be 1..8 per side, got {self.columns}x{self.rows}")
        if not 0.0 <= self.overlap < 0.9:
            raise ValueError(f"overlap must be in [0, 0.9), got {self.overlap}")

    @property
    def per_frame(self) -> int:
        """Model inputs per frame."""
        return self.columns * self.rows + int(self.full_frame)

    def windows(self, width: int, height: int) -> list[tuple[int, int, int, int]]:
        """(x1, y1, x2, y2) of each tile of a ``width`` x ``height`` frame, row by row."""
        xs = _spans(width, self.columns, self.overlap)
        ys = _spans(height, self.rows, self.overlap)
        return [(x1, y1, x2, y2) for y1, y2 in ys for x1, x2 in xs]


def _spans(length: int, count: int, overlap: float) -> list[tuple[int, int]]:
    if count == 1:
        return [(0, length)]
    size = length / (count - (count - 1) * overlap)
    step = size * (1 - overlap)
    spans = []
    for i in range(count):
        start = round(i * step)
        spans.append((start, min(length, round(i * step + size))))
    spans[-1] = (spans[-1][0], length)
    return spans


def merge(
    xyxy: npt.NDArray[np.float32],
    confidence: npt.NDArray[np.float32],
    class_id: npt.NDArray[np.int32],
    iou: float = 0.45,
    contained: float = 0.7,
) -> npt.NDArray[np.intp]:
    """Indices of the boxes kept, best first: per class, a box is dropped when it overlaps a better one by
    more than ``iou`` (IoU), or lies mostly (``contained`` of its own area) inside a better one: the part of
    an object that a tile's edge cut off, seen whole by the neighbouring tile or the full frame."""
    area = np.maximum(xyxy[:, 2] - xyxy[:, 0], 0) * np.maximum(xyxy[:, 3] - xyxy[:, 1], 0)
    kept: list[int] = []
    for cls in np.unique(class_id).tolist():
        members = np.flatnonzero(class_id == cls)
        members = members[np.argsort(-confidence[members], kind="stable")]
        mine: list[int] = []
        for i in members.tolist():
            if mine:
                other = xyxy[mine]
                w = np.clip(np.minimum(other[:, 2], xyxy[i, 2]) - np.maximum(other[:, 0], xyxy[i, 0]), 0, None)
                h = np.clip(np.minimum(other[:, 3], xyxy[i, 3]) - np.maximum(other[:, 1], xyxy[i, 1]), 0, None)
                inter = w * h
                union = area[mine] + area[i] - inter
                if np.any(inter > iou * np.maximum(union, 1e-6)) or np.any(inter > contained * max(area[i], 1e-6)):
                    continue
            mine.append(i)
        kept.extend(mine)
    return np.asarray(sorted(kept, key=lambda k: -confidence[k]), np.intp)


EDGE_MARGIN = 2.0
"""Pixels from a tile's inner edge within which a box counts as cut by it."""


class TiledDetector(Detector):
    """Any detector, run on overlapping tiles of each frame (and the frame itself); one inner call per batch."""

    def __init__(self, inner: Detector, tiling: Tiling, iou: float = 0.45) -> None:
        self._inner = inner
        self.tiling = tiling
        self._iou = iou

    @property
    def class_names(self) -> Sequence[str]:
        return self._inner.class_names

    def detect_batch(self, frames: Sequence[npt.NDArray[np.uint8]]) -> list[Detections]:
        if not frames:
            return []
        inputs: list[npt.NDArray[np.uint8]] = []
        per_frame: list[list[tuple[int, int, int, int]]] = []
        for frame in frames:
            frame = check_frame(frame)
            h, w = frame.shape[:2]
            windows = self.tiling.windows(w, h)
            inputs.extend(np.ascontiguousarray(frame[y1:y2, x1:x2]) for x1, y1, x2, y2 in windows)
            if self.tiling.full_frame:
                inputs.append(frame)
            per_frame.append(windows)
        found = self._inner.detect_batch(inputs)
        out = []
        start = 0
        for frame, windows in zip(frames, per_frame, strict=True):
            count = len(windows) + int(self.tiling.full_frame)
            out.append(self._merge(found[start : start + count], windows, frame.shape[1], frame.shape[0]))
            start += count
        return out

    def _merge(self, parts: list[Detections], windows: list[tuple[int, int, int, int]], w: int, h: int) -> Detections:
        names = self._inner.class_names
        boxes, confs, classes = [], [], []
        for i, part in enumerate(parts):
            xyxy = part.xyxy
            if i < len(windows):
                x1, y1, x2, y2 = windows[i]
                xyxy = xyxy + np.array([x1, y1, x1, y1], np.float32)
                keep = np.ones(len(xyxy), bool)
                if self.tiling.full_frame:
                    # A box touching a cut (a tile edge inside the frame) is part of an object larger than
                    # the overlap: the whole frame sees it whole, so the part is dropped.
                    m = EDGE_MARGIN
                    keep &= ~((x1 > 0) & (xyxy[:, 0] <= x1 + m)) & ~((x2 < w) & (xyxy[:, 2] >= x2 - m))
                    keep &= ~((y1 > 0) & (xyxy[:, 1] <= y1 + m)) & ~((y2 < h) & (xyxy[:, 3] >= y2 - m))
                boxes.append(xyxy[keep])
                confs.append(part.confidence[keep])
                classes.append(part.class_id[keep])
            else:
                boxes.append(xyxy)
                confs.append(part.confidence)
                classes.append(part.class_id)
        if not any(len(b) for b in boxes):
            return Detections.empty(names)
        xyxy = np.concatenate(boxes).astype(np.float32)
        confidence = np.concatenate(confs).astype(np.float32)
        class_id = np.concatenate(classes).astype(np.int32)
        keep = merge(xyxy, confidence, class_id, self._iou)
        return Detections(xyxy[keep], confidence[keep], class_id[keep], names)
