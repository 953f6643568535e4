"""Values passed between pipeline stages: frozen, in one place, importing nothing of sitemon."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

Grey = npt.NDArray[np.uint8]


class CameraStatus(StrEnum):
    online = "online"
    offline = "offline"  # refused, timed out, unknown host
    unauthorized = "unauthorized"  # 401
    not_found = "not_found"  # 404 / unknown mount
    stream_error = "stream_error"  # opened, but no decodable frame
    frozen = "frozen"
    black = "black"
    unstable = "unstable"  # the view never holds still (a moving platform, a dome that never settles)
    unknown = "unknown"


class Cause(StrEnum):
    """Why a camera gave what it gave: the machine-readable half of a camera's reason. The words a dispatcher
    reads come from the catalogue of wordings by this cause; the reason text beside it is the engineer's detail
    (with the masked URL, the server's answer)."""

    # the connection
    refused = "refused"  # connection refused
    timeout = "timeout"  # nothing at all came back in time
    dns = "dns"  # the host name does not resolve
    reset = "reset"  # the connection was reset or broke off
    unreachable = "unreachable"  # another network error
    unauthorized = "unauthorized"  # 401/403
    password_encoding = "password_encoding"  # a password FFmpeg cannot read as written
    not_found = "not_found"  # 404, unknown mount, a stream path that never existed
    publisher_gone = "publisher_gone"  # the stream existed, its publisher stopped
    server_error = "server_error"  # the server answered with an error of its own
    transport_refused = "transport_refused"  # RTSP 461 on both transports
    bad_url = "bad_url"  # not a URL sitemon can read (host, port)
    # the stream
    invalid_data = "invalid_data"  # bytes came that never decode
    no_video = "no_video"  # the stream holds no video
    no_frame = "no_frame"  # opened, but no decodable picture
    no_keyframe = "no_keyframe"  # packets, but no key frame within the wait
    stream_ended = "stream_ended"  # the stream ended or stopped sending
    too_large = "too_large"  # a picture over the size cap
    deadline = "deadline"  # the sweep's per-camera deadline passed
    # the picture
    black = "black"  # blank: black or a single colour
    frozen = "frozen"  # the same picture again and again, without sensor noise
    view_changed = "view_changed"  # the camera moved beyond sway: a new view
    view_unstable = "view_unstable"  # the view never holds still long enough to compare
    # sitemon itself
    detection_failed = "detection_failed"
    internal = "internal"


def default_cause(status: CameraStatus) -> Cause | None:
    """The cause a status implies when nothing more precise is known."""
    return {
        CameraStatus.offline: Cause.unreachable,
        CameraStatus.unauthorized: Cause.unauthorized,
        CameraStatus.not_found: Cause.not_found,
        CameraStatus.stream_error: Cause.invalid_data,
        CameraStatus.frozen: Cause.frozen,
        CameraStatus.black: Cause.black,
        CameraStatus.unstable: Cause.view_unstable,
        CameraStatus.unknown: Cause.internal,
    }.get(status)


@dataclass(frozen=True)
class CameraKey:
    site_id: str
    camera_id: str

    def __str__(self) -> str:
        return f"{self.site_id}/{self.camera_id}"


@dataclass(frozen=True)
class Counts:
    workers: int = 0
    machinery: int = 0
    vehicles: int = 0


class Category(StrEnum):
    worker = "worker"
    machinery = "machinery"
    vehicle = "vehicle"
    ignored = "ignored"


@dataclass(frozen=True)
class Box:
    """A counted detection, in normalised image coordinates (0..1)."""

    category: Category
    x1: float
    y1: float
    x2: float
    y2: float
    missed: int = 0
    """Samples since the detector last found it: a worker it misses is remembered a little while, so that
    his place is watched (0: found in this sample)."""


@dataclass(frozen=True)
class Activity:
    moving_workers: int = 0
    working_machines: int = 0
    moving_vehicles: int = 0
    motion: float = 0.0
    """Share of the unmasked picture that changed since the previous sample (after compensation); measured
    only when something was detected."""
    level: float = 0.0
    """0..1: how much construction activity this sample shows."""
    camera_shift: float = 0.0
    """The camera's own movement since the previous sample, as a share of the picture's width."""
    camera_turn: float = 0.0
    """The camera's own rotation since the previous sample, in degrees."""
    view_changed: bool = False
    """The camera moved beyond sway: a new view, nothing compared."""
    global_change: bool = False
    """Most of the picture changed at once (light, weather): nothing local could be told."""
    view_returned: bool = False
    """The camera came back to a view it showed before (a dome's preset): compared with that view's last sample."""
    moving: tuple[bool, ...] = ()
    """Which of the sample's counted boxes moved or worked, in their order (what its snapshot draws apart)."""


@dataclass(frozen=True, eq=False)
class ViewMemory:
    """One view a camera showed (a dome's preset, the view before a knock): its last picture and boxes."""

    grey: Grey
    boxes: tuple[Box, ...]
    """What its last sample counted (workers, machines, vehicles)."""
    at: dt.datetime | None
    """The slot of the last sample of this view."""


@dataclass(frozen=True, eq=False)
class CameraState:
    """What sampling remembers of a camera between samples (kept in the database across restarts)."""

    grey: Grey
    unchanged: int
    boxes: tuple[Box, ...]
    """What the last sample counted (workers, machines, vehicles): the next sample's "before"."""
    texture: Grey | None = None
    at: dt.datetime | None = None
    """The slot of the sample that left this memory."""
    frozen: bool = False
    """The camera was judged frozen at this sample (it stays frozen until its picture is live twice running)."""
    live: int = 0
    """Live (not repeated) pictures in a row."""
    anchor: Grey | None = None
    """The coarse picture (80x45) the current run of repeated pictures is compared with: its first."""
    anchor_texture: Grey | None = None
    """The texture of that first picture."""
    reencoded: bool = False
    """The current run of repeats holds pictures that repeat only once re-encoding is accounted for."""
    views: tuple[ViewMemory, ...] = ()
    """The other views the camera showed lately, newest first (the current one is ``grey``/``machines``)."""
    new_views: int = 0
    """New views (matching no remembered one) in a row: a view that never settles is a camera fault."""


@dataclass(frozen=True, eq=False)
class StructureCandidate:
    """One sample's picture of the structure zone and how good a reference it would make."""

    grey: npt.NDArray[np.uint8]
    quality: float


@dataclass(frozen=True)
class Sample:
    """What one camera showed in one sampling slot, or why it showed nothing."""

    camera: CameraKey
    slot_at: dt.datetime
    captured_at: dt.datetime
    status: CameraStatus
    reason: str = ""
    """The engineer's detail (credential-free); the dispatcher's words come from ``cause``."""
    counts: Counts | None = None
    detections: int = 0
    snapshot_path: str | None = None
    detect_ms: float | None = None
    activity: Activity | None = None
    state: CameraState | None = None
    """The camera's memory after this sample, stored with it so a restart goes on where it stopped."""
    structure: tuple[dt.date, StructureCandidate] | None = None
    """This sample's picture of the structure zone, kept if it is the day's best reference so far."""
    cause: Cause | None = None
    """Why the camera is not plainly online (or what it noted while online): the machine-readable reason."""

    @property
    def ok(self) -> bool:
        return self.status is CameraStatus.online
