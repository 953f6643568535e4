"""The Celery application both sides share: its settings and the task's name and message."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from celery import Celery

from monitor.config import AppConfig, ExecutionConfig
from monitor.core.values import CameraKey

TASK_NAME = "sitemon.sample_cameras"


def make_celery(execution: ExecutionConfig) -> Celery:
    """A Celery app on ``execution.broker_url``; no result backend (samples go to the database)."""
    if execution.broker_url is None:
        raise ValueError("execution.broker_url is not set")
    app = Celery("sitemon", broker=execution.broker_url.get_secret_value(), set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_default_queue=execution.queue,
        # A task is acknowledged when it has finished, not when it is taken: a worker that dies mid-task
        # leaves its message to the broker, which hands it to another worker. The unique (camera, slot)
        # key makes the redone task skip what the dead one had already stored.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        broker_transport_options=transport_options(execution),
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    return app


def transport_options(execution: ExecutionConfig) -> dict[str, Any]:
    """Redis: a task left unacknowledged by a dead worker is handed out again after the visibility
    timeout; every live worker looks for such tasks a few times within that timeout (kombu's default
    looks every 100 s). RabbitMQ hands them out again as soon as the dead worker's connection drops."""
    visibility = execution.visibility_timeout_seconds
    return {
        "visibility_timeout": visibility,
        "unacked_restore_interval": max(1, min(10, visibility // 4)),
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 5,
    }


def config_digest(config: AppConfig) -> str:
    """A fingerprint of the configuration (secrets show as stars): scheduler and workers should agree."""
    text = config.model_dump_json(exclude={"execution"})
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class SweepTask:
    """One task's message: some cameras to sample for one slot, before the slot is over."""

    slot_at: dt.datetime
    cameras: tuple[CameraKey, ...]
    expires_at: dt.datetime
    config: str

    def to_message(self) -> dict[str, Any]:
        return {
            "slot_at": self.slot_at.isoformat(),
            "cameras": [[k.site_id, k.camera_id] for k in self.cameras],
            "expires_at": self.expires_at.isoformat(),
            "config": self.config,
        }

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> SweepTask:
        try:
            return cls(
                _aware(message["slot_at"]),
                tuple(CameraKey(str(site), str(camera)) for site, camera in message["cameras"]),
                _aware(message["expires_at"]),
                str(message.get("config", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed sweep task: {type(exc).__name__}: {exc}") from None


def _aware(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"time without a zone: {text}")
    return value.astimezone(dt.UTC)
