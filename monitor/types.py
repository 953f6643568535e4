"""Values passed between pipeline stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from monitor.activity import Activity
    from monitor.health import CameraState
    from monitor.structure import StructureCandidate


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
    activity: Activity | None = None
    state: CameraState | None = None
    """The camera's memory after this sample, stored with it so a restart goes on where it stopped."""
    structure: tuple[dt.date, StructureCandidate] | None = None
    """This sample's picture of the structure zone, kept if it is the day's best reference so far."""

    @property
    def ok(self) -> bool:
        return self.status is CameraStatus.online
