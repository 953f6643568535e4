"""What each demo camera shows on each simulated day: a pure script over a few decoded frames.

The demo's month (``demo_history``) does not decode video per sample: each video gives a handful of frames once
(``FrameBank``), and the script picks one per camera and slot, so that every state a deployment meets shows on
purpose: a site working well, one working little, one stopped a week ago, a camera offline for three days,
a frozen camera, a signed site not started (its camera already sees machines) and a holiday for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]


class Scene(StrEnum):
    working = "working"  # 正常施工: a different moment of the footage every slot
    low = "low"  # 施工不足: work in the first slots of the day, then a still picture
    stopped = "stopped"  # 停工: worked until a week ago, a still picture since
    offline = "offline"  # the camera offline for the last three days
    frozen = "frozen"  # the same picture, without sensor noise, for the last two days


class Shot(StrEnum):
    moving = "moving"
    still = "still"
    frozen = "frozen"
    offline = "offline"


STOPPED_DAYS = 7
OFFLINE_DAYS = 3
FROZEN_DAYS = 2
LOW_MOVING_SLOTS = 1  # one busy slot of five, its crew seen leaving in the next: a fifth of the day worked


def shot(scene: Scene, days_ago: int, slot: int) -> Shot:
    """What a camera of ``scene`` shows ``days_ago`` days before today (1 = yesterday, 0 = today), at the
    day's ``slot``-th sample (0 = the first)."""
    if scene is Scene.working:
        return Shot.moving
    if scene is Scene.low:
        return Shot.moving if slot < LOW_MOVING_SLOTS else Shot.still
    if scene is Scene.stopped:
        return Shot.still if days_ago <= STOPPED_DAYS else Shot.moving
    if scene is Scene.offline:
        return Shot.offline if days_ago <= OFFLINE_DAYS else Shot.moving
    return Shot.frozen if days_ago <= FROZEN_DAYS else Shot.moving


def decode_frames(path: Path, seconds: list[float]) -> list[Image]:
    """The frames at these times of a video file (decoded once; the demo reuses them)."""
    capture = cv2.VideoCapture(str(path))
    frames: list[Image] = []
    try:
        for t in seconds:
            capture.set(cv2.CAP_PROP_POS_MSEC, t * 1000)
            ok, frame = capture.read()
            if not ok:
                raise ValueError(f"{path}: no frame at {t:.1f} s")
            frames.append(np.ascontiguousarray(frame, dtype=np.uint8))
    finally:
        capture.release()
    return frames


def still_frame(base: Image, variant: int) -> Image:
    """``base`` as an idle site looks on a live camera: nothing moves, the light changes a little and the
    sensor adds its noise (so the picture is not frozen). Deterministic per ``variant``."""
    rng = np.random.default_rng(variant)
    gain = 1.0 + 0.03 * np.sin(variant)
    noise = rng.normal(0.0, 4.0, base.shape)
    return np.asarray(np.clip(base.astype(np.float32) * gain + noise, 0, 255), np.uint8)


@dataclass(frozen=True)
class FrameBank:
    """A few frames of each video, and the still variants made from its first frame."""

    moving: dict[str, list[Image]]
    still: dict[str, list[Image]]
    frozen: dict[str, Image]
    """The one picture a frozen camera shows: as its live clip decodes (``with_frozen``), so that going live
    changes nothing."""

    @classmethod
    def load(cls, videos: dict[str, tuple[Path, list[float]]], still_variants: int = 6) -> FrameBank:
        moving = {name: decode_frames(path, seconds) for name, (path, seconds) in videos.items()}
        still = {name: [still_frame(frames[0], i) for i in range(still_variants)] for name, frames in moving.items()}
        return cls(moving, still, {name: frames[0] for name, frames in moving.items()})

    def with_frozen(self, frozen: dict[str, Image]) -> FrameBank:
        return FrameBank(self.moving, self.still, {**self.frozen, **frozen})

    def frame(self, video: str, what: Shot, step: int) -> Image:
        """The picture for ``what`` (not offline); ``step`` counts the camera's samples, so successive
        samples differ."""
        if what is Shot.frozen:
            return self.frozen[video]
        frames = self.moving[video] if what is Shot.moving else self.still[video]
        return frames[step % len(frames)]
