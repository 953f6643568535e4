"""Values passed between pipeline stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt


class CameraStatus(StrEnum):
    online = "online"
    offline = "offline"  # refused, timed out, unknown host
    unauthorized = "unauthorized"  # 401
    not_found = "not_found"  # 404 / unknown mount
    stream_error = "stream_error"  # opened, but no decodable frame
    frozen = "frozen"
    black = "black"
    unknown = "unknown"


@dataclass(frozen=True)
class CameraKey:
    site_id: str
    camera_id: str

    def __str__(self) -> str:
        return f"{self.site_id}/{self.camera_id}"


@dataclass(frozen=True, eq=False)
class Frame:
    camera: CameraKey
    image: npt.NDArray[np.uint8]
    captured_at: dt.datetime


@dataclass(frozen=True)
class Counts:
    workers: int = 0
    machinery: int = 0
    vehicles: int = 0


@dataclass(frozen=True)
class Sample:
    """What one camera showed in one sampling slot, or why it showed nothing."""

    camera: CameraKey
    slot_at: dt.datetime
    captured_at: dt.datetime
    status: CameraStatus
    reason: str = ""
    counts: Counts | None = None
    detections: int = 0
    snapshot_path: str | None = None
    detect_ms: float | None = None

    @property
    def ok(self) -> bool:
        return self.status is CameraStatus.online
