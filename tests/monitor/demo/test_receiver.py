"""The demo's records receiver when its port is taken by another program: the demo's records must never
reach that program (before: the demo delivered them all to whatever listened on 18765)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx

from monitor.demo.config import demo_config
from monitor.demo.receiver import DemoReceiver
from tests.fixtures.clock import fixed
from tests.fixtures.servers import SAMPLE_VIDEO, http_server


def test_a_taken_port_gives_the_demo_a_receiver_of_its_own_that_its_config_points_to(tmp_path: Path) -> None:
    foreign: list[bytes] = []
    lock = threading.Lock()

    class Foreign(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            with lock:
                foreign.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    with http_server(Foreign) as other:
        taken = int(other.rsplit(":", 1)[1])
        receiver = DemoReceiver.on_free_port(tmp_path, taken).start()
        try:
            assert receiver.port != taken
            mapping = demo_config(SAMPLE_VIDEO.parents[1], clock=fixed(), receiver_port=receiver.port, folder=tmp_path)
            url = mapping["export"]["delivery"]["url"]
            assert url == receiver.url
            assert httpx.post(url, json={"site_id": "cd-bridge"}, timeout=10).status_code == 200
        finally:
            receiver.close()
    assert foreign == []
    lines = (tmp_path / "received.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [{"site_id": "cd-bridge"}]


def test_a_free_port_is_the_one_asked_for(tmp_path: Path) -> None:
    first = DemoReceiver(tmp_path, 0)
    port = first.port
    first.close()
    receiver = DemoReceiver.on_free_port(tmp_path, port)
    try:
        assert receiver.port == port
    finally:
        receiver.close()
