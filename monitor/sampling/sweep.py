"""A sweep: every camera sampled once. Grabs run in parallel; detection takes them in batches as they come, and
a batch's finishing (counts, what moved, snapshots) and storing run on a thread of their own while the next
batch is detected: the detector, the grabs and the finishing overlap, so no core waits on one serial chain.

A camera that does not answer within its deadline is recorded as timed out and the sweep goes on:
one slow or dead camera never holds up the others, and the sweep always completes. Every grab keeps a
deadline of its own, shorter than the sweep's; a grab still running past the sweep's is stuck: it is
abandoned (logged, and counted in ``ABANDONED`` for /metrics) on a daemon thread, which never keeps the
process from exiting.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol, TypeVar

from monitor.config import CameraConfig, SiteConfig
from monitor.core.clock import Clock
from monitor.core.values import CameraKey, CameraStatus, Cause, Sample
from monitor.sampling.sampler import Grab

log = logging.getLogger(__name__)

GrabFn = Callable[[CameraKey, CameraConfig, dt.datetime], Grab]
Sink = Callable[[list[Sample]], None]
D = TypeVar("D")


class Analyser(Protocol[D]):
    """Stage 2 of sampling in two halves: ``detect`` a batch (the sweep's own thread), then ``finish`` it into
    samples (the finishing thread, while the next batch is detected)."""

    def detect(self, grabs: list[Grab]) -> D: ...

    def finish(self, detected: D) -> list[Sample]: ...


STRAGGLER_JOIN_S = 0.2
"""How long the end of a sweep waits for a grab thread that is finishing, before it counts it as stuck."""


class AbandonedGrabs:
    """The grabs this process gave up on: how many since start, and the threads of them still running."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = 0
        self._threads: set[threading.Thread] = set()

    def add(self, thread: threading.Thread | None) -> None:
        with self._lock:
            self.total += 1
            if thread is not None:
                self._threads.add(thread)

    def running(self) -> int:
        """Abandoned grab threads not ended yet (a source that keeps no deadline, or one blocked in DNS)."""
        with self._lock:
            self._threads = {t for t in self._threads if t.is_alive()}
            return len(self._threads)


ABANDONED = AbandonedGrabs()


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
    analyser: Analyser[D],
    sink: Sink,
    slot_at: dt.datetime,
    *,
    max_workers: int,
    deadline_s: float,
    batch_size: int = 8,
    max_frames: int | None = None,
    now: Clock,
) -> SweepResult:
    """``max_frames``: pictures held at once, from the start of their grab to their finished sample (default
    ``max_workers + 8 * batch_size``). Grabs are quicker than the detector, so without a bound a sweep of
    thousands of cameras would hold most of their pictures at once; with it, a grab waits for a picture to be
    finished, and the detector still always finds a batch waiting."""
    started = time.perf_counter()
    frames = threading.Semaphore(max_frames or max_workers + 8 * batch_size)
    keys = [CameraKey(site.id, camera.id) for site, camera in targets]
    arrivals: queue.Queue[tuple[int, Grab]] = queue.Queue()
    running: dict[int, float] = {}  # index -> monotonic start
    threads: dict[int, threading.Thread] = {}  # index -> the thread grabbing it

    def task(i: int, camera: CameraConfig) -> None:
        threads[i] = threading.current_thread()
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
    handed = 0  # cameras handed to the finishing thread, with a batch or as given up
    # The finishing thread's work: the cameras, their grabs, and what makes their samples (a detected batch's
    # finishing, or samples made already: a failed detection, a deadline).
    finishing: queue.SimpleQueue[tuple[list[int], list[Grab], Callable[[], list[Sample]]] | None] = queue.SimpleQueue()

    def internal_errors(grabs: list[Grab], exc: Exception) -> list[Sample]:
        return [
            Sample(
                g.key, g.slot_at, g.captured_at, CameraStatus.unknown, f"internal error: {exc}", cause=Cause.internal
            )
            for g in grabs
        ]

    def finisher() -> None:
        while (item := finishing.get()) is not None:
            indices, grabs, make = item
            try:
                out = make()
                if len(out) != len(indices):
                    raise RuntimeError(f"{len(out)} sample(s) for {len(indices)} camera(s)")
            except Exception as exc:  # this thread must go on: the sweep waits for every camera's sample
                log.exception("analysis failed for %d camera(s)", len(grabs))
                out = internal_errors(grabs, exc)
            for i, sample in zip(indices, out, strict=True):
                samples[i] = sample
                frames.release()
            try:
                sink(out)
            except Exception:
                log.exception("%d sample(s) not stored", len(out))

    def flush() -> None:
        nonlocal handed
        indices, grabs = [i for i, _ in batch], [g for _, g in batch]
        try:
            finishing.put((indices, grabs, partial(analyser.finish, analyser.detect(grabs))))
        except Exception as exc:
            log.exception("analysis failed for %d camera(s)", len(grabs))
            finishing.put((indices, grabs, partial(list, internal_errors(grabs, exc))))
        handed += len(batch)
        batch.clear()

    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for i in range(len(targets)):
        work.put(i)
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            if not frames.acquire(timeout=0.05):
                continue  # as many pictures held as the sweep may hold: wait for one to be finished
            try:
                i = work.get_nowait()
            except queue.Empty:
                frames.release()
                return
            task(i, targets[i][1])

    pool: list[threading.Thread] = []

    def start_worker() -> None:
        # Daemon threads: a grab stuck past every deadline must not keep the process from exiting.
        thread = threading.Thread(target=worker, name=f"grab-{len(pool)}", daemon=True)
        pool.append(thread)
        thread.start()

    finishing_thread = threading.Thread(target=finisher, name="sweep-finish", daemon=True)
    finishing_thread.start()
    for _ in range(max(1, min(max_workers, len(targets) or 1))):
        start_worker()
    try:
        while handed + len(batch) < len(targets):
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
                    log.warning("camera %s: grab still running after %.0f s: abandoned", keys[i], deadline_s)
                    ABANDONED.add(threads.get(i))
                    if not work.empty():
                        start_worker()  # in place of the stuck one, for the cameras still waiting
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
                    finishing.put(([i], [late], partial(list, [late.failed()])))
                    handed += 1
            if batch and (len(batch) >= batch_size or arrivals.empty()):
                flush()
        if batch:
            flush()
    finally:
        stop.set()  # cameras not started yet are not started
        finishing.put(None)
        finishing_thread.join()  # every batch handed over is finished and stored before the sweep ends
        _stragglers(pool)
    result = SweepResult(slot_at, time.perf_counter() - started, tuple(samples[i] for i in range(len(targets))))
    log.info(
        "sweep %s: %d/%d cameras online in %.1f s", slot_at.isoformat(), result.online, len(targets), result.duration_s
    )
    return result


def _stragglers(pool: list[threading.Thread]) -> None:
    """Log the grab threads still running once the sweep is done: each is a grab that kept no deadline."""
    ends = time.monotonic() + STRAGGLER_JOIN_S
    for thread in pool:
        thread.join(max(0.0, ends - time.monotonic()))
    stuck = [t.name for t in pool if t.is_alive()]
    if stuck:
        log.warning("%d grab thread(s) still running after the sweep (abandoned): %s", len(stuck), ", ".join(stuck))
