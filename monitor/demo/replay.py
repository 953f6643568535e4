"""Recorded footage through the production judgement: sampler, detector, health, activity and scoring.

Only the source differs: the frames come from a folder of images or a video file, and each sample's time is
``start + i x interval``. Nothing is written to the database; snapshots go to a temporary folder that is
removed afterwards. Used by `sitemon replay` and by the labelled scenario suite.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt
from pydantic import SecretStr

from detectors import CategoryMap, Detector
from monitor.config import AppConfig, CameraConfig, SiteConfig
from monitor.core.calendar import expected_samples
from monitor.core.values import CameraKey, Sample
from monitor.sampling.picture import CameraMemory
from monitor.sampling.sampler import CameraSampler
from monitor.scoring.daily import work_expected
from monitor.scoring.score import DayInput, DayScore, Observation, score_day
from monitor.sources.base import FrameSource

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
REPLAY_SITE = "replay"


class ReplayInputError(Exception):
    """The recording cannot be replayed; the message names the file."""


Image = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Recording:
    """Frames to replay, one per sample, read lazily."""

    source: str
    count: int
    frames: Callable[[], Iterator[Image]]


def image_folder(folder: Path) -> Recording:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ReplayInputError(f"{folder}: no images in the folder ({', '.join(sorted(IMAGE_SUFFIXES))})")
    unreadable = next((p for p in files if not cv2.haveImageReader(str(p))), None)
    if unreadable is not None:  # known before the model loads; a broken body still fails when read
        raise ReplayInputError(f"{unreadable}: not a readable image")

    def frames() -> Iterator[Image]:
        for path in files:
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None or image.size == 0:
                raise ReplayInputError(f"{path}: not a readable image")
            yield np.ascontiguousarray(image, np.uint8)

    return Recording(str(folder), len(files), frames)


def video_file(path: Path, interval_seconds: float) -> Recording:
    """One frame every ``interval_seconds`` of the video's own time line, from its first frame."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ReplayInputError(f"{path}: not a video (no video stream)")
            stream = container.streams.video[0]
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / av.time_base
            else:
                duration = 0.0
    except av.FFmpegError as exc:
        raise ReplayInputError(f"{path}: not a video ({exc.strerror or type(exc).__name__})") from None
    count = int(max(0.0, duration - 1e-6) // interval_seconds) + 1

    def frames() -> Iterator[Image]:
        try:
            with av.open(str(path)) as container:
                stream = container.streams.video[0]
                base = stream.time_base or Fraction(1, 1000)
                start = float(stream.start_time * base) if stream.start_time is not None else 0.0
                for i in range(count):
                    target = start + i * interval_seconds
                    container.seek(int(target / base), stream=stream, backward=True, any_frame=False)
                    frame = next(
                        (f for f in container.decode(stream) if f.time is None or f.time >= target - 1e-3), None
                    )
                    if frame is None:
                        return
                    yield np.ascontiguousarray(frame.to_ndarray(format="bgr24"), np.uint8)
        except av.FFmpegError as exc:
            raise ReplayInputError(f"{path}: cannot decode ({exc.strerror or type(exc).__name__})") from None

    return Recording(str(path), count, frames)


def open_recording(source: str | Path, interval_seconds: float) -> Recording:
    path = Path(source)
    if not path.exists():
        raise ReplayInputError(f"{path}: no such file or folder")
    return image_folder(path) if path.is_dir() else video_file(path, interval_seconds)


class CurrentFrame(FrameSource):
    """Hands the sampler the frame being replayed."""

    def __init__(self) -> None:
        self.image: Image | None = None

    def grab(self) -> Image:
        assert self.image is not None
        return self.image


class OneSource:
    def __init__(self, source: CurrentFrame) -> None:
        self.source = source

    def acquire(self, key: CameraKey, camera: CameraConfig) -> FrameSource:
        return self.source

    def release(self, source: FrameSource) -> None:
        pass


@dataclass(frozen=True)
class ReplayResult:
    samples: list[Sample]
    day: DayScore


def whole_picture_camera() -> CameraConfig:
    """The whole picture as the site zone, no masks, no structure zone."""
    return CameraConfig.model_validate({"id": "replay", "url": SecretStr("replay://")})


def observation(sample: Sample) -> Observation:
    """What scoring reads of a sample (as the database row holds it)."""
    activity = sample.activity
    return Observation(
        sample.slot_at,
        sample.camera.camera_id,
        sample.status.value,
        activity.level if activity else None,
        activity.moving_workers if activity else None,
        activity.working_machines if activity else None,
    )


def replay(
    recording: Recording,
    config: AppConfig,
    detector: tuple[Detector, CategoryMap],
    start: dt.datetime,
    interval_seconds: int,
    site: SiteConfig | None = None,
    camera: CameraConfig | None = None,
    progress: Callable[[int], Any] | None = None,
) -> ReplayResult:
    """Every frame of ``recording`` as one sample, then the day of ``start`` scored on them."""
    camera = camera or whole_picture_camera()
    key = CameraKey(site.id if site else REPLAY_SITE, camera.id)
    current = CurrentFrame()
    at = start.astimezone(dt.UTC)
    samples: list[Sample] = []
    with tempfile.TemporaryDirectory(prefix="sitemon-replay-") as snapshots:
        sampler = CameraSampler(
            detector[0],
            detector[1],
            config.sampling,
            config.picture,
            Path(snapshots),
            OneSource(current),
            clock=lambda: at,
            scoring=config.scoring,
            memory=CameraMemory(),
            calendar=config.calendar,
        )
        for i, image in enumerate(recording.frames()):
            at = start.astimezone(dt.UTC) + dt.timedelta(seconds=i * interval_seconds)
            current.image = image
            samples.append(sampler.sample(key.site_id, camera, at))
            if progress is not None:
                progress(1)
    return ReplayResult(samples, score_replayed_day(samples, config, start, interval_seconds, site))


def score_replayed_day(
    samples: list[Sample], config: AppConfig, start: dt.datetime, interval_seconds: int, site: SiteConfig | None
) -> DayScore:
    """The day of ``start``, judged like a running day on the slots up to the recording's end."""
    day = config.calendar.day_of(start)
    window = config.calendar.working_window(day)
    if samples:
        end = samples[-1].slot_at + dt.timedelta(seconds=interval_seconds)
        window = (window[0], max(window[0], min(window[1], end)))
    observations = [observation(s) for s in samples if window[0] <= s.slot_at < window[1]]
    expected = work_expected(config, site, day) if site is not None else config.calendar.working_day(day)
    day_input = DayInput(
        site_id=site.id if site else REPLAY_SITE,
        day=day,
        work_expected=expected,
        cameras=1,
        expected_slots=expected_samples(window, interval_seconds),
        interval_seconds=interval_seconds,
        observations=observations,
    )
    return score_day(day_input, config.scoring)
