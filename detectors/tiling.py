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
    order = np.argsort(-confidence, kind="stable")
    area = np.maximum(xyxy[:, 2] - xyxy[:, 0], 0) * np.maximum(xyxy[:, 3] - xyxy[:, 1], 0)
    kept: list[int] = []
    for i in order.tolist():
        same = [k for k in kept if class_id[k] == class_id[i]]
        if same:
            other = xyxy[same]
            w = np.clip(np.minimum(other[:, 2], xyxy[i, 2]) - np.maximum(other[:, 0], xyxy[i, 0]), 0, None)
            h = np.clip(np.minimum(other[:, 3], xyxy[i, 3]) - np.maximum(other[:, 1], xyxy[i, 1]), 0, None)
            inter = w * h
            union = area[same] + area[i] - inter
            if np.any(inter > iou * np.maximum(union, 1e-6)) or np.any(inter > contained * max(area[i], 1e-6)):
                continue
        kept.append(i)
    return np.asarray(kept, np.intp)


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
        offsets: list[list[tuple[int, int]]] = []
        for frame in frames:
            frame = check_frame(frame)
            h, w = frame.shape[:2]
            windows = self.tiling.windows(w, h)
            inputs.extend(np.ascontiguousarray(frame[y1:y2, x1:x2]) for x1, y1, x2, y2 in windows)
            offsets.append([(x1, y1) for x1, y1, _, _ in windows])
            if self.tiling.full_frame:
                inputs.append(frame)
                offsets[-1].append((0, 0))
        found = self._inner.detect_batch(inputs)
        out = []
        start = 0
        for shifts in offsets:
            parts = found[start : start + len(shifts)]
            start += len(shifts)
            out.append(self._merge(parts, shifts))
        return out

    def _merge(self, parts: list[Detections], shifts: list[tuple[int, int]]) -> Detections:
        names = self._inner.class_names
        if not any(len(p) for p in parts):
            return Detections.empty(names)
        xyxy = np.concatenate(
            [p.xyxy + np.array([dx, dy, dx, dy], np.float32) for p, (dx, dy) in zip(parts, shifts, strict=True)]
        ).astype(np.float32)
        confidence = np.concatenate([p.confidence for p in parts]).astype(np.float32)
        class_id = np.concatenate([p.class_id for p in parts]).astype(np.int32)
        keep = merge(xyxy, confidence, class_id, self._iou)
        return Detections(xyxy[keep], confidence[keep], class_id[keep], names)
