"""The demo's month behind it: the last days made by the real pipeline on a simulated clock.

Each simulated slot runs a deployment's sweep (the sampler with its picture health, activity and snapshots,
the writer); after each day's last sweep come the steps that follow a sweep (``schedule.after_sweep``: the running
score, the assignments' states, the alert rules: once a day rather than after every sweep, to save time), and
each simulated evening the daily score with the start proposals, the assignments' states and the alert rules again and the export that queues the records. Only two things are not
live: the cameras show what ``demo_scenes`` scripts (frames decoded once), and the detector remembers its
answer per picture (``CachedDetector``), so a month takes seconds, not hours.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from detectors import CategoryMap, Detections, Detector
from monitor.alerts.engine import AlertService
from monitor.alerts.sinks import SinkFanout
from monitor.config import AppConfig, CameraConfig
from monitor.core.clock import Clock, slot_start
from monitor.core.values import CameraKey, CameraStatus, Cause
from monitor.demo.scenes import FrameBank, Scene, Shot, shot
from monitor.execution.local import LocalSweeper
from monitor.sampling.sampler import CameraSampler
from monitor.service import jobs
from monitor.service.runtime import Runtime
from monitor.service.schedule import run_after_sweep, sweep_cycle
from monitor.sources.base import FrameSource, SourceError
from monitor.sources.provider import SourceProvider
from monitor.store.faults import StorageHealth
from monitor.store.writer import SampleWriter

log = logging.getLogger(__name__)


class SimClock:
    """A clock the history moves by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class CachedDetector(Detector):
    """The detector, asked once per distinct picture (the demo's pictures repeat)."""

    def __init__(self, inner: Detector) -> None:
        self._inner = inner
        self._cache: dict[bytes, Detections] = {}
        self._lock = threading.Lock()
        self.calls = 0

    @property
    def class_names(self) -> Sequence[str]:
        return self._inner.class_names

    def detect_batch(self, frames: Sequence[npt.NDArray[np.uint8]]) -> list[Detections]:
        keys = [hashlib.blake2b(np.ascontiguousarray(f).tobytes(), digest_size=16).digest() for f in frames]
        with self._lock:
            todo = {k: f for k, f in zip(keys, frames, strict=True) if k not in self._cache}
            if todo:
                self.calls += len(todo)
                for k, d in zip(todo, self._inner.detect_batch(list(todo.values())), strict=True):
                    self._cache[k] = d
            return [self._cache[k] for k in keys]


class _Picture(FrameSource):
    def __init__(self, image: npt.NDArray[np.uint8] | None) -> None:
        self._image = image

    def grab(self) -> npt.NDArray[np.uint8]:
        if self._image is None:
            raise SourceError("connection refused (the demo's simulated outage)", CameraStatus.offline, Cause.refused)
        return self._image.copy()


class ScriptedSources:
    """Hands each camera the picture its scene shows at the current simulated day and slot."""

    def __init__(self, bank: FrameBank, scenes: dict[CameraKey, tuple[Scene, str]]) -> None:
        self._bank = bank
        self._scenes = scenes
        self._steps: dict[CameraKey, int] = {}
        self.days_ago = 0
        self.slot = 0

    def acquire(self, key: CameraKey, camera: CameraConfig) -> FrameSource:
        scene, video = self._scenes[key]
        what = shot(scene, self.days_ago, self.slot)
        if what is Shot.offline:
            return _Picture(None)
        step = self._steps.get(key, 0)
        self._steps[key] = step + 1
        return _Picture(self._bank.frame(video, what, step))

    def release(self, source: FrameSource) -> None:
        pass

    def close(self) -> None:
        pass


def _runtime(
    config: AppConfig,
    engine: Engine,
    sessions: sessionmaker[Session],
    sources: ScriptedSources,
    detector: tuple[Detector, CategoryMap],
    clock: SimClock,
) -> Runtime:
    """A deployment's runtime, its cameras scripted."""
    snapshot_root = Path(config.sampling.snapshot_dir).resolve()
    sampler = CameraSampler(
        detector[0],
        detector[1],
        config.sampling,
        config.picture,
        snapshot_root,
        sources,
        clock=clock,
        scoring=config.scoring,
        calendar=config.calendar,
    )
    storage = StorageHealth(clock)
    writer = SampleWriter(sessions, storage, config.sampling.max_held_samples)
    sweeper = LocalSweeper(config.sampling, sampler, writer, cast(SourceProvider, sources), clock)
    alerts = AlertService(config, sessions, SinkFanout([]))
    return Runtime(config, engine, sessions, sweeper, snapshot_root, clock, alerts, storage=storage)


def _slots(start: dt.datetime, end: dt.datetime, interval: int) -> list[dt.datetime]:
    """The sampling slots that begin in [start, end)."""
    first = slot_start(start, interval)
    if first < start:
        first += dt.timedelta(seconds=interval)
    out = []
    while first < end:
        out.append(first)
        first += dt.timedelta(seconds=interval)
    return out


@dataclass(frozen=True)
class HistoryStats:
    days: int
    slots: int
    samples: int
    detector_calls: int
    seconds: float
    cpu_seconds: float
    """CPU time of this process (all its threads) while building: the build's cost on a busy machine."""


def build_history(
    config: AppConfig,
    engine: Engine,
    sessions: sessionmaker[Session],
    bank: FrameBank,
    scenes: dict[CameraKey, tuple[Scene, str]],
    detector: tuple[Detector, CategoryMap],
    now: dt.datetime,
    days: int = 30,
    live: AppConfig | None = None,
    until: Clock | None = None,
) -> HistoryStats:
    """Sample, score, alert and export the ``days`` local days before ``now``'s, in order, on a simulated
    clock. ``config`` gives the history's working hours and interval (few slots a day: see docs/demo.md);
    ``live``, the live demo's configuration, for today's slots from its working hours' start up to ``now``, or
    up to ``until()`` read once the month is done (the real clock: live sampling then follows without a gap)."""
    started, cpu = time.perf_counter(), time.process_time()
    cached = CachedDetector(detector[0])
    clock = SimClock(now)
    sources = ScriptedSources(bank, scenes)
    runtime = _runtime(config, engine, sessions, sources, (cached, detector[1]), clock)
    calendar = config.calendar
    today = calendar.day_of(now)
    interval = dt.timedelta(seconds=config.sampling.interval_seconds)
    samples = slots = 0
    try:
        for days_ago in range(days, 0, -1):
            day = today - dt.timedelta(days=days_ago)
            sources.days_ago = days_ago
            if calendar.working_day(day):
                start, _ = calendar.working_window(day)
                for i in range(calendar.expected_slots(day)):
                    sources.slot = i
                    clock.now = start + i * interval + dt.timedelta(seconds=5)
                    samples += len(runtime.sweep().samples)
                    slots += 1
                run_after_sweep(runtime)  # once a day, after its last sweep: running score, assignments, rules
            clock.now = calendar.instant(day, config.scoring.run_at)
            jobs.score_today(sessions, config, clock)
            jobs.update_assignments(sessions, config, clock)
            jobs.evaluate_alerts(runtime.alerts, clock)
            clock.now = calendar.instant(day, config.export.run_at)
            jobs.export_today(sessions, config, clock)
    finally:
        runtime.sweeper.close()
        if runtime.alerts is not None:
            runtime.alerts.close()
    if live is not None:  # today, from the live demo's first working minute up to now: its running score
        sources.days_ago = 0
        today_runtime = _runtime(live, engine, sessions, sources, (cached, detector[1]), clock)
        start, _ = live.calendar.working_window(today)
        try:
            end = until() if until is not None else now
            for i, slot in enumerate(_slots(start, end, live.sampling.interval_seconds)):
                sources.slot = i
                clock.now = slot + dt.timedelta(seconds=1)
                samples += len(sweep_cycle(today_runtime).samples)
                slots += 1
        finally:
            today_runtime.sweeper.close()
            if today_runtime.alerts is not None:
                today_runtime.alerts.close()
    stats = HistoryStats(
        days, slots, samples, cached.calls, round(time.perf_counter() - started, 1), round(time.process_time() - cpu, 1)
    )
    log.info("demo history: %s", stats)
    return stats
