"""A sweep: every camera sampled once. Grabs run in parallel; detection takes them in batches as they come.

A camera that does not answer within its deadline is recorded as timed out and the sweep goes on:
one slow or dead camera never holds up the others, and the sweep always completes.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from monitor.config import CameraConfig, SiteConfig
from monitor.core.clock import Clock, utc_now
from monitor.core.values import CameraKey, CameraStatus, Cause, Sample
from monitor.sampling.sampler import Grab

log = logging.getLogger(__name__)

GrabFn = Callable[[CameraKey, CameraConfig, dt.datetime], Grab]
AnalyseFn = Callable[[list[Grab]], list[Sample]]
Sink = Callable[[list[Sample]], None]


@dataclass(frozen=True)
class SweepResult:
    slot_at: dt.datetime
    duration_s: float
    samples: tuple[Sample, ...]
    missing: tuple[CameraKey, ...] = ()
    """Cameras handed to workers that had no sample when the sweep stopped waiting (distributed mode)."""

    @property
    def online(self) -> int:
        return sum(1 for s in self.samples if s.ok)


def run_sweep(
    targets: list[tuple[SiteConfig, CameraConfig]],
    grab: GrabFn,
    analyse: AnalyseFn,
    sink: Sink,
    slot_at: dt.datetime,
    *,
    max_workers: int,
    deadline_s: float,
    batch_size: int = 8,
    now: Clock = utc_now,
) -> SweepResult:
    started = time.perf_counter()
    keys = [CameraKey(site.id, camera.id) for site, camera in targets]
    arrivals: queue.Queue[tuple[int, Grab]] = queue.Queue()
    running: dict[int, float] = {}  # index -> monotonic start

    def task(i: int, camera: CameraConfig) -> None:
        running[i] = time.monotonic()
        try:
            got = grab(keys[i], camera, slot_at)
        except Exception as exc:  # a bug in one camera's path must not end the sweep
            log.exception("camera %s: grab failed", keys[i])
            got = Grab(
                keys[i],
                camera,
                slot_at,
                now(),
                None,
                CameraStatus.unknown,
                f"internal error: {exc}",
                cause=Cause.internal,
            )
        arrivals.put((i, got))

    samples: dict[int, Sample] = {}
    given_up: set[int] = set()
    batch: list[tuple[int, Grab]] = []

    def flush() -> None:
        grabs = [g for _, g in batch]
        try:
            out = analyse(grabs)
        except Exception as exc:
            log.exception("analysis failed for %d camera(s)", len(grabs))
            out = [
                Sample(
                    g.key,
                    g.slot_at,
                    g.captured_at,
                    CameraStatus.unknown,
                    f"internal error: {exc}",
                    cause=Cause.internal,
                )
                for g in grabs
            ]
        for (i, _), sample in zip(batch, out, strict=True):
            samples[i] = sample
        try:
            sink(out)
        except Exception:
            log.exception("%d sample(s) not stored", len(out))
        batch.clear()

    pool = ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(targets) or 1)), thread_name_prefix="grab")
    try:
        for i, (_, camera) in enumerate(targets):
            pool.submit(task, i, camera)
        while len(samples) + len(batch) < len(targets):
            try:
                i, got = arrivals.get(timeout=0.05)
                running.pop(i, None)
                if i not in given_up:
                    batch.append((i, got))
            except queue.Empty:
                pass
            clock = time.monotonic()
            for i, t0 in list(running.items()):
                if clock - t0 > deadline_s and i not in given_up:
                    given_up.add(i)
                    running.pop(i, None)
                    camera = targets[i][1]
                    log.warning("camera %s: no result within %.0f s; sweep goes on", keys[i], deadline_s)
                    late = Grab(
                        keys[i],
                        camera,
                        slot_at,
                        now(),
                        None,
                        CameraStatus.offline,
                        f"no frame within the {deadline_s:g} s deadline (timeout)",
                        cause=Cause.deadline,
                    )
                    samples[i] = late.failed()
                    sink([samples[i]])
            if batch and (len(batch) >= batch_size or arrivals.empty()):
                flush()
        if batch:
            flush()
    finally:
        # Threads still stuck on a dead camera end on their own I/O timeouts; nobody waits for them.
        pool.shutdown(wait=False, cancel_futures=True)
    result = SweepResult(slot_at, time.perf_counter() - started, tuple(samples[i] for i in range(len(targets))))
    log.info(
        "sweep %s: %d/%d cameras online in %.1f s", slot_at.isoformat(), result.online, len(targets), result.duration_s
    )
    return result
