"""Several recorded days through the production judgement, scoring and alert rules, in order.

A folder of day folders (``YYYY-MM-DD/NNN.jpg``) or of day videos (``YYYY-MM-DD.mp4``) is replayed day after
day through the same sampler (the camera's memory carries from one day to the next, as in production), the
same scoring of each day, and the same alert rules and lifecycle, run after every sample as the scheduler
runs them after every sweep. They work on a database of their own in a temporary folder, removed afterwards:
nothing of a deployment is touched. An empty day folder is a day the camera gave no picture: every slot of
its working hours is an offline sample, as sweeps would have recorded.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from detectors import CategoryMap, Detector
from monitor.alerts import repository
from monitor.alerts.engine import evaluate
from monitor.config import AppConfig, CameraConfig, SiteConfig
from monitor.core.clock import ensure_utc
from monitor.core.values import CameraKey, CameraStatus, Cause, Sample
from monitor.core.wording import alert_text
from monitor.demo.replay import (
    IMAGE_SUFFIXES,
    REPLAY_SITE,
    CurrentFrame,
    OneSource,
    Recording,
    ReplayInputError,
    image_folder,
    video_file,
    whole_picture_camera,
)
from monitor.sampling.picture import CameraMemory
from monitor.sampling.sampler import CameraSampler
from monitor.scoring.daily import score_days
from monitor.scoring.score import DayScore
from monitor.store import make_engine, make_session_factory, migrate
from monitor.store.repo import camera_pks, record_sample, sync_config

DAY_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
VIDEO_SUFFIXES = {".mp4", ".mkv", ".avi", ".mov", ".ts", ".flv", ".h264", ".264", ".dav"}
DARK = "no picture in the recording for this day (the camera gave nothing)"


@dataclass(frozen=True)
class DayRecording:
    day: dt.date
    recording: Recording | None
    """None: the camera gave no picture that day (an empty day folder)."""


@dataclass(frozen=True)
class ReplayedAlert:
    kind: str
    opened: dt.datetime
    closed: dt.datetime | None
    reason: str
    """What a dispatcher reads (the catalogue's words)."""
    message: str
    """The engineer's text."""


@dataclass(frozen=True)
class DaysResult:
    samples: list[Sample]
    days: list[DayScore]
    alerts: list[ReplayedAlert]


def day_recordings(folder: Path, interval_seconds: float) -> list[DayRecording] | None:
    """The days of ``folder`` in order, or None when it is not a folder of days (a plain folder of images)."""
    days: dict[dt.date, DayRecording] = {}
    for entry in sorted(folder.iterdir()):
        name = entry.name if entry.is_dir() else entry.stem
        if not DAY_NAME.match(name):
            continue
        try:
            day = dt.date.fromisoformat(name)
        except ValueError:
            raise ReplayInputError(f"{entry}: not a date (YYYY-MM-DD)") from None
        if entry.is_file() and entry.suffix.lower() in IMAGE_SUFFIXES:
            return None  # images named by date: one day's folder of images, not a folder of days
        if day in days:
            raise ReplayInputError(f"{entry}: {day} is there twice (a folder and a video?)")
        if entry.is_dir():
            images = any(p.suffix.lower() in IMAGE_SUFFIXES for p in entry.iterdir() if p.is_file())
            days[day] = DayRecording(day, image_folder(entry) if images else None)
        elif entry.suffix.lower() in VIDEO_SUFFIXES:
            days[day] = DayRecording(day, video_file(entry, interval_seconds))
    return [days[d] for d in sorted(days)] or None


def _site(config: AppConfig, site: SiteConfig | None, camera: CameraConfig) -> SiteConfig:
    if site is not None:
        return site.model_copy(update={"cameras": [camera]})
    return SiteConfig.model_validate(
        {"id": REPLAY_SITE, "name": "回放", "district": "-", "batch": "started", "cameras": [camera]}
    )


def replay_days(
    days: list[DayRecording],
    config: AppConfig,
    detector: tuple[Detector, CategoryMap],
    first_sample: dt.time,
    interval_seconds: int,
    site: SiteConfig | None = None,
    camera: CameraConfig | None = None,
    progress: Callable[[int], Any] | None = None,
) -> DaysResult:
    """Every day of ``days``, its first sample at ``first_sample`` local time, one every ``interval_seconds``."""
    camera = camera or whole_picture_camera()
    the_site = _site(config, site, camera)
    key = CameraKey(the_site.id, camera.id)
    samples: list[Sample] = []
    scores: list[DayScore] = []
    at = config.calendar.instant(days[0].day, first_sample)
    with tempfile.TemporaryDirectory(prefix="sitemon-replay-") as folder:
        sampling = config.sampling.model_copy(
            update={"interval_seconds": interval_seconds, "snapshot_dir": str(Path(folder) / "snapshots")}
        )
        run = config.model_copy(update={"sites": [the_site], "sampling": sampling})
        engine = make_engine(f"sqlite:///{Path(folder) / 'replay.db'}")
        try:
            migrate(engine)
            sessions = make_session_factory(engine)
            with sessions() as session:
                sync_config(session, run, lambda: at)
                pk = camera_pks(session)[key]
            source = CurrentFrame()
            sampler = CameraSampler(
                detector[0],
                detector[1],
                sampling,
                config.picture,
                Path(folder) / "snapshots",
                OneSource(source),
                clock=lambda: at,
                scoring=config.scoring,
                memory=CameraMemory(),
                calendar=config.calendar,
            )
            for day in days:
                start = config.calendar.instant(day.day, first_sample)
                last = start
                for i, sample in enumerate(_day_samples(day, start, interval_seconds, run, sampler, source, key)):
                    at = last = start + dt.timedelta(seconds=i * interval_seconds)
                    samples.append(sample)
                    with sessions() as session:
                        record_sample(session, pk, sample)
                        evaluate(session, run, at)
                    if progress is not None:
                        progress(1)
                end = max(run.calendar.working_window(day.day)[1], last + dt.timedelta(seconds=interval_seconds))
                with sessions() as session:
                    scores += score_days(session, run, [day.day], {the_site.id}, now=end)
                    evaluate(session, run, end)
            with sessions() as session:
                alerts = _alerts(session, run, the_site, camera)
        finally:
            engine.dispose()
    return DaysResult(samples, scores, alerts)


def _day_samples(
    day: DayRecording,
    start: dt.datetime,
    interval_seconds: int,
    config: AppConfig,
    sampler: CameraSampler,
    source: CurrentFrame,
    key: CameraKey,
) -> Any:
    if day.recording is None:  # a dark day: an offline sample in every slot of its working hours
        window = config.calendar.working_window(day.day)
        slot = start
        while slot < window[1]:
            yield Sample(key, slot, slot, CameraStatus.offline, DARK, cause=Cause.no_frame)
            slot += dt.timedelta(seconds=interval_seconds)
        return
    for i, image in enumerate(day.recording.frames()):
        source.image = image
        yield sampler.sample(
            key.site_id, config.sites[0].cameras[0], start + dt.timedelta(seconds=i * interval_seconds)
        )


def _alerts(session: Session, config: AppConfig, site: SiteConfig, camera: CameraConfig) -> list[ReplayedAlert]:
    """Every alert of the replay, oldest first."""
    out = []
    for alert in reversed(repository.alerts(session)):  # listed newest first: reversed, by opening and id
        name = camera.name or camera.id if alert.camera_id is not None else None
        reason = alert_text(
            alert.type,
            alert.details,
            site.name,
            name,
            severity=alert.severity.value,
            lang="zh",
            calendar=config.calendar,
        )
        closed = ensure_utc(alert.resolved_at) if alert.resolved_at is not None else None
        out.append(ReplayedAlert(alert.type, ensure_utc(alert.opened_at), closed, reason, alert.message))
    return out
