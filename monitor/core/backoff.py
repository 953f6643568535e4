"""The one back-off policy: after the n-th failure in a row, wait ``base_s * factor ** (n - 1)`` seconds,
at most ``cap_s``. No jitter: each deployment has one sender (the scheduler's lease holder) that tries its
rows one after another, and a reconnecting camera or worker is one client; there is no herd to spread, and
a pause an operator can predict from ``attempts`` is worth more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base_s: float
    cap_s: float
    factor: float = 2.0

    def __post_init__(self) -> None:
        if not self.base_s > 0:
            raise ValueError(f"base_s must be > 0, got {self.base_s}")
        if not self.cap_s >= self.base_s:
            raise ValueError(f"cap_s must be >= base_s ({self.base_s}), got {self.cap_s}")
        if not self.factor >= 1:
            raise ValueError(f"factor must be >= 1, got {self.factor}")

    def seconds(self, failures: int) -> float:
        """The pause after ``failures`` failed tries in a row (0 and 1 both give ``base_s``)."""
        exponent = max(0, failures - 1)
        try:
            pause = self.base_s * self.factor**exponent
        except OverflowError:
            return self.cap_s
        return min(self.cap_s, pause)

    def delay(self, failures: int) -> dt.timedelta:
        return dt.timedelta(seconds=self.seconds(failures))

    def pauses(self) -> Iterator[float]:
        """base, base * factor, ... up to cap, forever: for loops that sleep between their tries."""
        failures = 1
        while True:
            yield self.seconds(failures)
            failures += 1


ALERT_WEBHOOK = Backoff(base_s=5, cap_s=600)
"""5 s, 10 s, 20 s, ... up to 10 minutes: an alert is news only while it is fresh."""
ASSESSMENT_BASE_S = 30.0
"""The daily records: 30 s, 60 s, 2 min, ... up to ``export.delivery.retry_max_seconds``."""
STREAM_RECONNECT = Backoff(base_s=1, cap_s=60)
"""A camera stream that broke: reconnect after 1 s, 2 s, 4 s, ... up to a minute."""
MQTT_RECONNECT = Backoff(base_s=1, cap_s=60)
"""The alert sink's MQTT broker connection (paho applies it: doubling, 1 s to a minute)."""
HELD_SAMPLES = Backoff(base_s=0.5, cap_s=10)
"""A worker waiting for the database to take samples it holds."""
TASK_RETRY = Backoff(base_s=2, cap_s=30)
"""A Celery sampling task that met a database error: retried after 2 s, 4 s, ... up to 30 s."""
