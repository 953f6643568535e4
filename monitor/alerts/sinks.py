"""Where alert events go at once: the log, MQTT. Each sink has its own queue and thread, so a failing or
slow sink never blocks the others or the sampling. (The webhook goes through the durable outbox:
``monitor.delivery``.)"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Sequence
from typing import Any

from monitor.alerts.lifecycle import AlertEvent
from monitor.config.outputs import MqttConfig
from monitor.core.backoff import MQTT_RECONNECT

log = logging.getLogger(__name__)


class Sink:
    name = "sink"

    def deliver(self, event: AlertEvent) -> None:
        """Deliver one event or raise."""
        raise NotImplementedError

    def camera_status(self, site_id: str, camera_id: str, status: str, reason: str) -> None:
        """A camera's current status (only sinks with retained state use it)."""

    def close(self) -> None:
        pass


class LogSink(Sink):
    name = "log"

    def deliver(self, event: AlertEvent) -> None:
        level = logging.WARNING if event.kind in ("opened", "escalated") else logging.INFO
        log.log(level, "alert %s %s [%s] %s: %s", event.alert_id, event.kind, event.severity, event.type, event.message)


class MqttSink(Sink):
    """Events on <prefix>/alerts/<site>; retained camera status on <prefix>/cameras/<site>/<camera>/status."""

    name = "mqtt"

    def __init__(self, config: MqttConfig) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        self._prefix = config.topic_prefix
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"sitemon-{id(self)}")
        if config.username:
            password = config.password.get_secret_value() if config.password else None
            self._client.username_pw_set(config.username, password)
        # paho doubles its pause itself: handed the policy's base and cap
        self._client.reconnect_delay_set(int(MQTT_RECONNECT.base_s), int(MQTT_RECONNECT.cap_s))
        self._client.connect_async(config.host, config.port, keepalive=30)
        self._client.loop_start()

    def deliver(self, event: AlertEvent) -> None:
        topic = f"{self._prefix}/alerts/{event.site_id}"
        info = self._client.publish(topic, json.dumps(event.as_dict(), ensure_ascii=False), qos=1)
        info.wait_for_publish(timeout=10)
        if not info.is_published():
            raise OSError(f"MQTT publish to {topic} not acknowledged")

    def camera_status(self, site_id: str, camera_id: str, status: str, reason: str) -> None:
        payload = json.dumps({"status": status, "reason": reason}, ensure_ascii=False)
        self._client.publish(f"{self._prefix}/cameras/{site_id}/{camera_id}/status", payload, qos=1, retain=True)

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()


class SinkFanout:
    """Fans events out to sinks, each on its own thread; a failed delivery is logged, never raised."""

    def __init__(self, sinks: Sequence[Sink]) -> None:
        self.sinks = list(sinks)
        self._queues: list[queue.Queue[tuple[str, Any]]] = []
        self._threads = []
        for sink in self.sinks:
            q: queue.Queue[tuple[str, Any]] = queue.Queue()
            thread = threading.Thread(target=self._run, args=(sink, q), name=f"alerts-{sink.name}", daemon=True)
            thread.start()
            self._queues.append(q)
            self._threads.append(thread)

    def publish(self, events: Sequence[AlertEvent]) -> None:
        for q in self._queues:
            for event in events:
                q.put(("event", event))

    def camera_status(self, site_id: str, camera_id: str, status: str, reason: str) -> None:
        for q in self._queues:
            q.put(("camera", (site_id, camera_id, status, reason)))

    def drain(self, timeout: float = 30) -> bool:
        """Wait until every queued item has been handled (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(q.unfinished_tasks == 0 for q in self._queues):
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        self.drain(10)
        for q in self._queues:
            q.put(("stop", None))
        for thread in self._threads:
            thread.join(5)
        for sink in self.sinks:
            sink.close()

    @staticmethod
    def _run(sink: Sink, q: queue.Queue[tuple[str, Any]]) -> None:
        while True:
            kind, item = q.get()
            try:
                if kind == "stop":
                    return
                if kind == "event":
                    sink.deliver(item)
                else:
                    sink.camera_status(*item)
            except Exception as exc:
                log.error("alert sink %s failed: %s", sink.name, exc)
            finally:
                q.task_done()
