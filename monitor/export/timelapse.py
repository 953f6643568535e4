"""The day as a time-lapse: a site's stored snapshots of one local day as a short MP4 (H.264, yuv420p).

``encode`` turns JPEG files into a video with PyAV (libx264); ``timelapse_for`` finds a site-day's snapshots
in the database and keeps the video in a cache next to the snapshots (``<snapshot root>/.timelapse/``): a
finished day is made once, today's is keyed by its newest sample, so a new sample makes a new video and the
old one is removed. The snapshot clean-up walks only site/camera/day folders and leaves the cache alone.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from monitor.core.calendar import Calendar
from monitor.export import repository
from monitor.export.captions import burn

log = logging.getLogger(__name__)

CACHE_DIR = ".timelapse"
FPS = 8
MIN_SECONDS = 10  # a day of few snapshots still plays long enough to watch: each picture is held longer
MAX_WIDTH = 960
MAX_FRAMES = 900  # about two minutes at 8 frames a second; a longer day is thinned evenly
CODECS = ("libx264", "h264")


@dataclass(frozen=True)
class Frame:
    """One snapshot in the video: the picture's file and the caption burnt into it."""

    path: Path
    caption: str


@dataclass(frozen=True)
class Encoded:
    path: Path
    frames: int
    """Pictures in the video."""
    width: int
    height: int
    codec: str
    seconds: float = 0.0
    """How long it plays."""


def h264_codec() -> str:
    """The first H.264 encoder this PyAV build has."""
    for name in CODECS:
        try:
            av.codec.Codec(name, "w")
        except Exception:  # PyAV raises its own UnknownCodecError, or ValueError on older builds
            continue
        return name
    raise RuntimeError(f"PyAV has none of the H.264 encoders {', '.join(CODECS)}")


def frame_size(width: int, height: int, max_width: int = MAX_WIDTH) -> tuple[int, int]:
    """The video's size for a first picture of ``width`` x ``height``: at most ``max_width`` wide, both even
    (yuv420p halves each)."""
    if width < 2 or height < 2:
        raise ValueError(f"a snapshot of {width}x{height} is too small for a video")
    scale = min(1.0, max_width / width)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def thin(frames: Sequence[Frame], limit: int = MAX_FRAMES) -> list[Frame]:
    """At most ``limit`` frames, spread evenly over the day, the first and last kept."""
    if len(frames) <= limit:
        return list(frames)
    step = (len(frames) - 1) / (limit - 1)
    return [frames[round(i * step)] for i in range(limit)]


def _picture(frame: Frame, size: tuple[int, int]) -> npt.NDArray[np.uint8] | None:
    image = cv2.imread(str(frame.path), cv2.IMREAD_COLOR)
    if image is None:
        log.warning("snapshot %s is missing or unreadable: left out of the time-lapse", frame.path.name)
        return None
    width, height = size
    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    fitted = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((height, width, 3), np.uint8)  # letterboxed: another camera's shape keeps its proportions
    top, left = (height - fitted.shape[0]) // 2, (width - fitted.shape[1]) // 2
    canvas[top : top + fitted.shape[0], left : left + fitted.shape[1]] = fitted
    burn(canvas, frame.caption, int(34 * max(0.5, height / 720)))
    return canvas


def encode(frames: Sequence[Frame], target: Path, fps: int = FPS, max_width: int = MAX_WIDTH) -> Encoded:
    """Write ``frames`` (in order) to ``target`` as an MP4 (H.264, yuv420p), atomically: a reader never sees
    half a file; each picture is held long enough for the video to last ``MIN_SECONDS`` at least. Unreadable
    pictures are left out; none readable is a ValueError."""
    chosen = thin(frames)
    total = max(len(chosen), MIN_SECONDS * fps)  # frames in the video: each picture shown total / n of them
    first = next((img for img in (cv2.imread(str(f.path), cv2.IMREAD_COLOR) for f in chosen) if img is not None), None)
    if first is None:
        raise ValueError("no readable snapshot to make a time-lapse of")
    width, height = frame_size(first.shape[1], first.shape[0], max_width)
    codec = h264_codec()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    count = shown = 0
    try:
        with av.open(str(tmp), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
            stream = container.add_stream(codec, rate=Fraction(fps, 1))
            if not isinstance(stream, av.VideoStream):
                raise RuntimeError(f"PyAV's {codec} made no video stream")
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.options = {"crf": "26", "preset": "veryfast"}
            for i, frame in enumerate(chosen):
                picture = _picture(frame, (width, height))
                if picture is None:
                    continue
                for _ in range((i + 1) * total // len(chosen) - i * total // len(chosen)):
                    video = av.VideoFrame.from_ndarray(picture, format="bgr24")
                    video.pts = shown
                    for packet in stream.encode(video):
                        container.mux(packet)
                    shown += 1
                count += 1
            for packet in stream.encode():
                container.mux(packet)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("time-lapse %s: %d pictures, %.1f s, %dx%d, %s", target.name, count, shown / fps, width, height, codec)
    return Encoded(target, count, width, height, codec, shown / fps)


def day_frames(session: Session, root: Path, site_id: str, day: dt.date, calendar: Calendar) -> list[Frame]:
    """The site's snapshots of local ``day`` that are still on disk: camera by camera, each in time order."""
    site = repository.site(session, site_id)
    site_name = (site.name if site is not None else None) or site_id
    base = root.resolve()
    frames = []
    for shot in repository.snapshots(session, site_id, *calendar.whole_day(day)):
        path = (base / shot.path).resolve()
        if path.is_relative_to(base) and path.is_file():
            local = calendar.local(shot.captured_at)
            frames.append(Frame(path, f"{site_name} · {shot.camera_name or shot.camera_id} · {local:%Y-%m-%d %H:%M}"))
    return frames


def cache_path(root: Path, site_id: str, day: dt.date, latest_sample: int | None = None) -> Path:
    """Where a site-day's video is kept: a finished day by its date, today's by its newest sample too."""
    name = f"{day.isoformat()}.mp4" if latest_sample is None else f"{day.isoformat()}-{latest_sample}.mp4"
    return root / CACHE_DIR / site_id / name


def timelapse_for(
    session: Session, root: Path, site_id: str, day: dt.date, calendar: Calendar, now: dt.datetime
) -> Path | None:
    """The site-day's video, made now if the cache has none (None: no snapshot of that day is on disk)."""
    today = calendar.day_of(now)
    finished = day < today
    latest = None if finished else repository.latest_snapshot_sample(session, site_id, *calendar.whole_day(day))
    if not finished and latest is None:
        return None
    target = cache_path(root, site_id, day, latest)
    if target.is_file():
        return target
    frames = day_frames(session, root, site_id, day, calendar)
    if not frames:
        return None
    encode(frames, target)
    if not finished:  # an older video of today is out of date now
        for old in target.parent.glob(f"{day.isoformat()}-*.mp4"):
            if old != target:
                old.unlink(missing_ok=True)
    return target


def make_day(session: Session, root: Path, day: dt.date, calendar: Calendar, keep_days: int) -> dict[str, Path]:
    """The daily job's work for a finished ``day``: every active site's video of it (those with snapshots),
    and the cache pruned: today-keyed videos of past days, and videos older than ``keep_days`` (the
    snapshots' own retention) before ``day``."""
    made = {}
    for site_id in repository.active_site_ids(session):
        target = cache_path(root, site_id, day)
        if target.is_file():
            made[site_id] = target
            continue
        frames = day_frames(session, root, site_id, day, calendar)
        if frames:
            made[site_id] = encode(frames, target).path
    oldest = day - dt.timedelta(days=keep_days)
    for video in (root / CACHE_DIR).glob("*/*.mp4"):
        try:
            video_day = dt.date.fromisoformat(video.name[:10])
        except ValueError:
            continue
        if video_day < oldest or (video_day <= day and len(video.stem) > 10):
            video.unlink(missing_ok=True)
    return made
