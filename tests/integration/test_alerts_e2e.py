"""Alerts end to end: the real RTSP server and an injected clock, Mosquitto, a real webhook receiver."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select

from detectors import CategoryMap
from monitor.alerts.lifecycle import AlertEvent
from monitor.alerts.sinks import MqttSink, Sink, SinkFanout
from monitor.config import Category, parse_config
from monitor.config.outputs import MqttConfig
from monitor.service.runtime import Runtime, build_runtime
from monitor.service.schedule import ALERT_WEBHOOK, run_job, sweep_cycle
from monitor.store import models
from tests.fixtures import videos
from tests.fixtures.servers import SAMPLE_VIDEO, free_port, rtsp_server, wait_for
from tests.helpers import config_dict
from tests.monitor.fakes import NAMES, FakeDetector

pytestmark = [pytest.mark.slow]
MORNING = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)  # 08:00 in Shanghai
NIGHT = dt.datetime(2026, 11, 27, 12, 30, tzinfo=dt.UTC)  # 20:30


class Recorder(Sink):
    name = "recorder"

    def __init__(self) -> None:
        self.events: list[AlertEvent] = []

    def deliver(self, event: AlertEvent) -> None:
        self.events.append(event)

    def kinds(self) -> list[tuple[str, str]]:
        return [(e.kind, e.type) for e in self.events]


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def _runtime(
    tmp_path: Path,
    cameras: list[dict[str, Any]],
    clock: Clock,
    sinks: list[Sink],
    webhook: dict[str, Any] | None = None,
) -> Runtime:
    data = config_dict()
    data["working_hours"] = {"start": "08:00", "end": "18:00"}
    data["sampling"].update(
        {
            "interval_seconds": 300,
            "snapshot_dir": str(tmp_path / "snaps"),
            "open_timeout_seconds": 2,
            "read_timeout_seconds": 2,
        }
    )
    data["alerts"] = {"offline_after_minutes": 30, "idle_after_hours": 2}
    if webhook is not None:
        data["alerts"]["webhook"] = webhook
    data["sites"] = [{"id": "s1", "name": "城东污水厂", "district": "城东区", "batch": "started", "cameras": cameras}]
    detector = (FakeDetector([(300, 150, 340, 300, 0)]), CategoryMap.build({"person": Category.worker}, NAMES))
    return build_runtime(
        parse_config(data), f"sqlite:///{tmp_path / 'db.sqlite'}", clock=clock, detector=detector, sinks=sinks
    )


def _step(runtime: Runtime, clock: Clock, minutes: int = 5) -> None:
    sweep_cycle(runtime)
    runtime.alerts.fanout.drain()  # type: ignore[union-attr]
    clock.now += dt.timedelta(minutes=minutes)


@pytest.fixture
def subscriber() -> Iterator[tuple[str, list[tuple[str, dict[str, Any], bool]]]]:
    prefix = f"sitemon-test-{uuid.uuid4().hex[:8]}"
    received: list[tuple[str, dict[str, Any], bool]] = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.on_message = lambda c, u, m: received.append((m.topic, json.loads(m.payload), bool(m.retain)))
    client.connect("127.0.0.1", 1883)
    client.subscribe(f"{prefix}/#", qos=1)
    client.loop_start()
    yield prefix, received
    client.loop_stop()
    client.disconnect()


@pytest.mark.rtsp
def test_a_stopped_server_raises_an_offline_alert_after_m_minutes_and_it_resolves(
    tmp_path: Path, subscriber: tuple[str, list[tuple[str, dict[str, Any], bool]]]
) -> None:
    prefix, received = subscriber
    port = free_port()
    recorder = Recorder()
    clock = Clock(MORNING)
    mqtt_sink = MqttSink(MqttConfig(topic_prefix=prefix))
    with rtsp_server({"/live": SAMPLE_VIDEO}, port=port) as server:
        runtime = _runtime(tmp_path, [{"id": "c1", "url": server.url("/live")}], clock, [recorder, mqtt_sink])
        _step(runtime, clock)
    try:
        for _ in range(6):  # offline from +5 to +30 min: under 30 minutes down, no alert yet
            _step(runtime, clock)
        assert ("opened", "camera_offline") not in recorder.kinds()
        _step(runtime, clock)  # +35: down for 30 minutes
        assert ("opened", "camera_offline") in recorder.kinds()
        with rtsp_server({"/live": SAMPLE_VIDEO}, port=port):
            _step(runtime, clock)
        assert recorder.kinds()[-1] == ("resolved", "camera_offline")
        assert wait_for(lambda: any(t == f"{prefix}/alerts/s1" and p["event"] == "resolved" for t, p, _ in received), 5)
        opened = [p for t, p, _ in received if t == f"{prefix}/alerts/s1" and p["event"] == "opened"]
        assert opened and opened[0]["type"] == "camera_offline" and "离线" in opened[0]["message"]
        statuses = [p["status"] for t, p, _ in received if t == f"{prefix}/cameras/s1/c1/status"]
        assert statuses[:1] == ["online"] and "offline" in statuses and statuses[-1] == "online"
    finally:
        runtime.close()
    # The camera status topic is retained: a subscriber that comes later still learns it.
    late: list[tuple[str, bytes, bool]] = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.on_message = lambda c, u, m: late.append((m.topic, m.payload, bool(m.retain)))
    client.connect("127.0.0.1", 1883)
    client.subscribe(f"{prefix}/cameras/#", qos=1)
    client.loop_start()
    try:
        assert wait_for(lambda: bool(late), 5)
        assert late[0][2] is True and json.loads(late[0][1])["status"] == "online"
    finally:
        client.loop_stop()
        client.disconnect()


@pytest.mark.rtsp
def test_a_still_frame_stream_raises_a_frozen_alert(tmp_path: Path) -> None:
    still = videos.still(tmp_path / "still.mp4")
    recorder = Recorder()
    clock = Clock(MORNING)
    with rtsp_server({"/still": still}) as server:
        runtime = _runtime(tmp_path, [{"id": "c1", "url": server.url("/still")}], clock, [recorder])
        try:
            for _ in range(3):
                _step(runtime, clock)
        finally:
            runtime.close()
    assert ("opened", "camera_frozen") in recorder.kinds()
    assert ("opened", "site_idle") not in recorder.kinds()  # a frozen picture is no evidence of idleness


@pytest.mark.parametrize(("start", "expect_idle"), [(MORNING, True), (NIGHT, False)], ids=["working-hours", "night"])
def test_an_idle_clip_raises_an_idle_alert_in_working_hours_only(
    tmp_path: Path, start: dt.datetime, expect_idle: bool
) -> None:
    clip = videos.still(tmp_path / "idle.mp4", ticking_clock=True, light_drift=True)
    recorder = Recorder()
    clock = Clock(start)
    cams = [{"id": "c1", "url": str(clip), "masks": [{"name": "clock", "polygon": videos.CLOCK_MASK}]}]
    runtime = _runtime(tmp_path, cams, clock, [recorder])
    try:
        for _ in range(30):  # two and a half hours
            _step(runtime, clock)
    finally:
        runtime.close()
    idle = [e for e in recorder.events if e.type == "site_idle"]
    assert bool(idle) is expect_idle
    assert not any(e.type == "camera_frozen" for e in recorder.events)  # the camera is alive
    if expect_idle:
        assert idle[0].kind == "opened" and idle[0].at >= start + dt.timedelta(hours=2)


def test_a_stopped_site_that_loses_its_picture_stays_on_the_idle_watch_until_work_is_seen(tmp_path: Path) -> None:
    """Stopped, then dark: the idle alert stays open (no video since ...) and does not close itself; the
    picture comes back with a crew at work, and only then it resolves (issue 25)."""
    idle_clip = videos.still(tmp_path / "idle.mp4", ticking_clock=True, light_drift=True)
    camera = tmp_path / "camera.mp4"
    camera.symlink_to(idle_clip)
    recorder = Recorder()
    clock = Clock(MORNING)
    cams = [{"id": "c1", "url": str(camera), "masks": [{"name": "clock", "polygon": videos.CLOCK_MASK}]}]
    runtime = _runtime(tmp_path, cams, clock, [recorder])
    try:
        for _ in range(30):  # stopped: two and a half hours without work
            _step(runtime, clock)
        assert [(e.kind, e.type) for e in recorder.events if e.type == "site_idle"] == [("opened", "site_idle")]
        lost_at = clock.now
        camera.unlink()  # the picture is lost
        for _ in range(30):  # two and a half hours without video
            _step(runtime, clock)
        assert [(e.kind, e.type) for e in recorder.events if e.type == "site_idle"] == [("opened", "site_idle")]
        with runtime.sessions() as s:
            (idle,) = s.scalars(select(models.Alert).where(models.Alert.type == "site_idle")).all()
            assert idle.state == "open" and "no_video_since" in idle.details
            assert dt.datetime.fromisoformat(idle.details["no_video_since"]) < lost_at
        camera.symlink_to(SAMPLE_VIDEO)  # the picture is back, a crew at work
        for _ in range(6):
            _step(runtime, clock)
    finally:
        runtime.close()
    assert [e.kind for e in recorder.events if e.type == "site_idle"] == ["opened", "resolved"]


class Receiver(BaseHTTPRequestHandler):
    fail_first = 2
    calls: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Receiver.calls.append(
            {"body": body, "key": self.headers["Idempotency-Key"], "auth": self.headers.get("Authorization")}
        )
        failing = len(Receiver.calls) <= Receiver.fail_first
        self.send_response(500 if failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _serve(fail_first: int) -> tuple[ThreadingHTTPServer, str]:
    Receiver.calls, Receiver.fail_first = [], fail_first
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/alerts"


def _offline_camera_alert(runtime: Runtime, clock: Clock) -> None:
    for _ in range(8):  # 40 minutes of a refused camera: the offline alert opens
        _step(runtime, clock)


def _outbox(runtime: Runtime) -> list[tuple[str, str, int]]:
    with runtime.sessions() as s:
        rows = s.scalars(select(models.OutboxItem).order_by(models.OutboxItem.id)).all()
        return [(r.key, r.state, r.attempts) for r in rows]


def test_webhook_events_survive_a_restart_and_a_failing_receiver(tmp_path: Path) -> None:
    clock = Clock(MORNING)
    dead_url = f"http://127.0.0.1:{free_port()}/alerts"
    cams = [{"id": "c1", "url": f"rtsp://127.0.0.1:{free_port()}/live"}]
    runtime = _runtime(tmp_path, cams, clock, [], webhook={"url": dead_url, "token": "t0ken", "timeout_seconds": 1})
    _offline_camera_alert(runtime, clock)
    assert runtime.alerts is not None and run_job(runtime, ALERT_WEBHOOK) == 0  # nobody listens yet
    (key, state, attempts), *_ = _outbox(runtime)
    assert (state, attempts) == ("pending", 1) and key.endswith("-opened")
    runtime.close()  # the process stops with the event undelivered

    server, url = _serve(fail_first=2)
    try:
        restarted = _runtime(tmp_path, cams, clock, [], webhook={"url": url, "token": "t0ken"})
        assert restarted.alerts is not None
        sent = []
        for _ in range(4):  # each round one attempt; the pauses grow (5 s, 10 s, ...)
            clock.now += dt.timedelta(seconds=30)
            sent.append(run_job(restarted, ALERT_WEBHOOK))
        outbox = _outbox(restarted)
        restarted.close()
    finally:
        server.shutdown()
    assert sent == [0, 0, 1, 0]  # two refusals (HTTP 500), then delivered, then nothing left
    assert outbox[0] == (key, "delivered", 4)
    assert [c["key"] for c in Receiver.calls] == [key] * 3  # one event, one idempotency key
    assert Receiver.calls[-1]["body"]["type"] == "camera_offline" and Receiver.calls[-1]["auth"] == "Bearer t0ken"


def test_a_webhook_event_is_given_up_after_max_attempts_with_the_reason(tmp_path: Path) -> None:
    clock = Clock(MORNING)
    dead_url = f"http://u:Secret-9@127.0.0.1:{free_port()}/alerts"
    cams = [{"id": "c1", "url": f"rtsp://127.0.0.1:{free_port()}/live"}]
    runtime = _runtime(tmp_path, cams, clock, [], webhook={"url": dead_url, "max_attempts": 3, "timeout_seconds": 1})
    try:
        _offline_camera_alert(runtime, clock)
        assert runtime.alerts is not None
        for _ in range(5):
            clock.now += dt.timedelta(minutes=1)
            run_job(runtime, ALERT_WEBHOOK)
        with runtime.sessions() as s:
            row = s.scalars(select(models.OutboxItem)).one()
    finally:
        runtime.close()
    assert (row.state, row.attempts) == ("failed", 3)
    assert (
        row.last_error.startswith("ConnectionRefusedError from http://u:***@127.0.0.1:")
        and "Secret-9" not in row.last_error
    )


class StuckFailingSink(Sink):
    """Hangs on every event until released, then fails."""

    name = "broken"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.tried = 0

    def deliver(self, event: AlertEvent) -> None:
        self.tried += 1
        self.release.wait(30)
        raise OSError("broken sink")


def test_a_failing_sink_blocks_no_other() -> None:
    recorder = Recorder()
    stuck = StuckFailingSink()
    fanout = SinkFanout([stuck, recorder])
    event = AlertEvent(
        "opened",
        7,
        "s1",
        "c1",
        "camera_offline",
        "critical",
        "摄像机 c1 离线",
        dt.datetime(2026, 11, 27, 2, tzinfo=dt.UTC),
    )
    try:
        fanout.publish([event, event])
        assert wait_for(lambda: len(recorder.events) == 2, 5)  # not held up by the stuck, failing sink
        assert stuck.tried == 1  # which is still stuck on the first event
    finally:
        stuck.release.set()
        fanout.close()
