"""The numbers behind /metrics: one Prometheus collector per app, registered once, that reads the state at every scrape.

Per-camera sample age, camera status counts, detector latency, last sweep duration, camera grabs abandoned
and their threads still running, alert webhook events by state; whether the database takes writes and the
samples held for it; the snapshot clean-up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session

from api.deps import snapshot_state, storage_state
from monitor.core.clock import Clock
from monitor.delivery import repository
from monitor.delivery.receivers import ALERT
from monitor.sampling.retention import SnapshotCleanup
from monitor.sampling.sweep import ABANDONED
from monitor.store import watch

log = logging.getLogger(__name__)


def database_metrics(session: Session, clock: Clock) -> Iterator[Metric]:
    """What the database says: cameras, detector latency, the outbox (the alert webhook's part as before)."""
    age = GaugeMetricFamily(
        "sitemon_camera_sample_age_seconds", "Seconds since the camera's last sample", labels=["site", "camera"]
    )
    status = GaugeMetricFamily("sitemon_cameras", "Cameras per status", labels=["status"])
    now = clock()
    counts: dict[str, int] = {}
    for cam in watch.active_cameras(session):
        counts[cam.status.value] = counts.get(cam.status.value, 0) + 1
        if cam.last_sample_at is not None:
            age.add_metric([cam.site_id, cam.camera_id], (now - cam.last_sample_at).total_seconds())
    for name, n in counts.items():
        status.add_metric([name], n)
    yield age
    yield status
    yield GaugeMetricFamily(
        "sitemon_detector_latency_ms",
        "Mean detector time per frame, last 500 samples",
        value=watch.mean_detect_ms(session, last=500) or 0.0,
    )
    webhook = GaugeMetricFamily("sitemon_alert_webhook_events", "Alert events in the webhook outbox", labels=["state"])
    outbox = GaugeMetricFamily("sitemon_outbox_messages", "Messages in the outbox", labels=["topic", "state"])
    for topic, state, n in repository.counts(session):
        outbox.add_metric([topic, state], n)
        if topic == ALERT:
            webhook.add_metric([state], n)
    yield webhook
    yield outbox


def sweep_metrics(state: Any) -> Iterator[Metric]:
    last_sweep = getattr(state, "last_sweep_seconds", None)
    seconds = last_sweep() if callable(last_sweep) else None
    yield GaugeMetricFamily(
        "sitemon_sweep_duration_seconds", "Duration of the last sweep in this process", value=seconds or 0.0
    )
    yield GaugeMetricFamily(
        "sitemon_grabs_abandoned_total",
        "Camera grabs a sweep in this process gave up on (still running at the camera deadline) since start",
        value=ABANDONED.total,
    )
    yield GaugeMetricFamily(
        "sitemon_grab_threads_stuck", "Abandoned grab threads of this process still running", value=ABANDONED.running()
    )


def storage_metrics(state: Any) -> Iterator[Metric]:
    """Whether the database takes writes and the samples held for it (when this process writes samples)."""
    stored = storage_state(state)
    if stored is None:
        return
    writable = GaugeMetricFamily(
        "sitemon_database_writable", "1 while the database takes writes; 0 with the fault as a label", labels=["fault"]
    )
    writable.add_metric([stored.fault.value if stored.fault else ""], 1 if stored.writable else 0)
    yield writable
    yield GaugeMetricFamily(
        "sitemon_samples_held", "Samples held in memory for the database", value=stored.samples_held
    )
    yield GaugeMetricFamily(
        "sitemon_samples_dropped_total", "Held samples dropped over the cap since start", value=stored.samples_dropped
    )


def snapshot_write_metrics(state: Any) -> Iterator[Metric]:
    """Whether this process's sweeps write their snapshots, and how many writes failed."""
    writes = snapshot_state(state)
    if writes is None:
        return
    writable = GaugeMetricFamily(
        "sitemon_snapshots_writable", "1 while snapshots are written; 0 with the fault as a label", labels=["fault"]
    )
    writable.add_metric([writes.fault or ""], 1 if writes.writable else 0)
    yield writable
    yield GaugeMetricFamily(
        "sitemon_snapshot_write_failures_total", "Snapshot writes that failed since start", value=writes.failures
    )


def cleanup_metrics(state: Any) -> Iterator[Metric]:
    """The snapshot clean-up, once it has run in this process."""
    running = getattr(state, "snapshot_cleanup", None)
    if not isinstance(running, SnapshotCleanup):
        return
    cleanup = running.figures()
    if cleanup.last_run_at is None:
        return
    yield GaugeMetricFamily(
        "sitemon_snapshot_files_removed_total",
        "Snapshot files removed by the clean-up since start",
        value=cleanup.files_removed,
    )
    yield GaugeMetricFamily(
        "sitemon_snapshot_bytes_freed_total",
        "Bytes freed by the snapshot clean-up since start",
        value=cleanup.bytes_freed,
    )
    yield GaugeMetricFamily(
        "sitemon_snapshot_bytes", "Bytes in the snapshot folder after the last clean-up", value=cleanup.bytes_used or 0
    )
    yield GaugeMetricFamily(
        "sitemon_snapshot_over_budget",
        "1 when evidence and recent days alone exceed the budget",
        value=1 if cleanup.over_budget else 0,
    )
    yield GaugeMetricFamily(
        "sitemon_snapshot_cleanup_timestamp_seconds",
        "When the snapshot clean-up last ran",
        value=cleanup.last_run_at.timestamp(),
    )


class AppCollector(Collector):
    """Reads the app's state (``app.state``: sessions, clock, storage, snapshot clean-up) at scrape time."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        with self.state.sessions() as session:
            yield from database_metrics(session, self.state.clock)
        yield from sweep_metrics(self.state)
        yield from storage_metrics(self.state)
        yield from snapshot_write_metrics(self.state)
        yield from cleanup_metrics(self.state)


def app_registry(state: Any) -> CollectorRegistry:
    """The app's own registry with its collector: several apps in one process (tests) never collide."""
    registry = CollectorRegistry()
    registry.register(AppCollector(state))
    return registry
