"""What the engineer asks of a Celery deployment: is the broker there, how much waits, who works."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from celery import Celery

from monitor.config import ExecutionConfig
from monitor.core.redact import redact_text
from monitor.execution.app import make_celery

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClusterStatus:
    broker: str
    """The broker URL, masked."""
    reachable: bool
    error: str = ""
    queued: int | None = None
    """Tasks waiting in the queue (not those a worker holds)."""
    workers: tuple[str, ...] = ()
    """Workers that answered a ping."""


def cluster_status(execution: ExecutionConfig, timeout: float = 2.0, app: Celery | None = None) -> ClusterStatus:
    broker = execution.masked_broker_url
    own = app is None
    app = app or make_celery(execution)
    try:
        with app.connection_for_write() as connection:
            try:
                connection.ensure_connection(max_retries=1, timeout=timeout)
            except Exception as exc:  # kombu raises a transport's own errors here
                return ClusterStatus(broker, False, redact_text(f"{type(exc).__name__}: {exc}"))
            queued = _queue_length(connection, execution.queue)
        replies = app.control.ping(timeout=timeout)
        workers = tuple(sorted(name for reply in replies for name in reply))
        return ClusterStatus(broker, True, queued=queued, workers=workers)
    finally:
        if own:
            app.close()


def _queue_length(connection: Any, queue: str) -> int | None:
    channel = connection.default_channel
    try:
        if hasattr(channel, "_size"):  # Redis: an empty queue is no key at all, so ask for its length
            return int(channel._size(queue))
        _, messages, _ = channel.queue_declare(queue=queue, passive=True)
        return int(messages)
    except Exception as exc:  # RabbitMQ: the queue does not exist until a worker declared it
        log.debug("queue %s: %s", queue, exc)
        return None
