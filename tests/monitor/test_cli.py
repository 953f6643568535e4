"""The `sitemon` command as a user runs it."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures.clock import NOW, fixed, wall_now
from tests.fixtures.hostile_servers import hostile_server, trickle
from tests.fixtures.servers import SAMPLE_VIDEO, SHARED, free_port
from tests.helpers import config_dict, write_config

SITEMON = [sys.executable, "-m", "monitor.cli"]
ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.run([*SITEMON, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def test_config_check_accepts_a_good_file(tmp_path: Path) -> None:
    path = write_config(tmp_path / "good.yaml", config_dict([str(SAMPLE_VIDEO)] * 3))
    result = _run("config", "check", str(path))
    assert result.returncode == 0, result.stderr
    assert f"{path}: OK (3 sites, 3 cameras)" in result.stdout


def test_config_check_warns_of_a_password_ffmpeg_cannot_read_and_shows_none_of_it(tmp_path: Path) -> None:
    data = config_dict([str(SAMPLE_VIDEO), "rtsp://admin:Slash/Pw-CCC333@10.0.0.5:554/live?token=Tok-123456"])
    result = _run("config", "check", str(write_config(tmp_path / "c.yaml", data)))
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("warning: sites[1].cameras[0].url (rtsp://admin:***@10.0.0.5:554/live?token=***)")
    assert "Slash" not in result.stderr + result.stdout and "Tok-12" not in result.stderr + result.stdout


def test_config_check_prints_every_error_with_its_path_and_fails(tmp_path: Path) -> None:
    data = config_dict([str(SAMPLE_VIDEO)] * 4)
    data["sites"][3]["cameras"][0]["url"] = "ftp://admin:Sup3rSecret@cam/1"
    data["sites"][1]["batch"] = "done"
    data["detector"]["model"] = "/no/such/model.pt"
    path = write_config(tmp_path / "bad.yaml", data)
    result = _run("config", "check", str(path))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path}: 3 configuration error(s):"
    assert any(line.strip().startswith("sites[3].cameras[0].url: unsupported URL scheme") for line in lines)
    assert any(line.strip().startswith("sites[1].batch:") for line in lines)
    assert any(line.strip().startswith("detector.model: model not found") for line in lines)
    assert "Sup3rSecret" not in result.stderr + result.stdout


@pytest.mark.slow
def test_run_stops_before_starting_anything_when_the_class_mapping_does_not_fit(tmp_path: Path) -> None:
    data = config_dict()
    data["detector"]["categories"] = {"person": "worker", "excavator": "machinery"}
    path = write_config(tmp_path / "c.yaml", data)
    db = tmp_path / "sitemon.db"
    result = _run("run", "--config", str(path), "--database-url", f"sqlite:///{db}", "--port", str(free_port()))
    assert result.returncode == 2
    assert "detector.categories" in result.stderr and "excavator" in result.stderr
    assert "'person', 'bicycle'" in result.stderr  # the model's classes are listed
    assert not db.exists()


@pytest.mark.slow
def test_sweep_command_samples_every_camera_once(tmp_path: Path) -> None:
    data = config_dict([str(SAMPLE_VIDEO), "/tmp"])  # a folder is no video file
    result = _run("config", "check", str(write_config(tmp_path / "bad.yaml", data)))
    assert "sites[1].cameras[0].url: video file not found" in result.stderr
    data = config_dict([str(SAMPLE_VIDEO)] * 2)
    data["sampling"]["snapshot_dir"] = str(tmp_path / "snaps")
    path = write_config(tmp_path / "c.yaml", data)
    result = _run("sweep", "--config", str(path), "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert result.returncode == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(r[0], r[1]) for r in rows] == [("site1/cam1", "online"), ("site2/cam1", "online")]
    assert len(list((tmp_path / "snaps").rglob("*.jpg"))) == 2


@pytest.mark.slow
def test_demo_builds_its_history_then_samples_live_and_serves_them(tmp_path: Path) -> None:
    """Its receiver's port is taken by another program: the demo delivers its records to a receiver of its own."""
    port = free_port()
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    foreign = _Counting()
    command = [*SITEMON, "demo", "--shared", str(SHARED), "--port", str(port), "--interval", "10", "--days", "2"]
    proc = subprocess.Popen(
        [*command, "--receiver-port", str(foreign.port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, sites, token = time.monotonic() + 240, [], ""  # two days of history first
        answered: dt.datetime | None = None  # when the API first answered: live samples come after
        while time.monotonic() < deadline:
            try:
                if not token:
                    body = json.dumps({"username": "demo", "password": "sitemon-demo"}).encode()
                    login = urllib.request.Request(
                        f"http://127.0.0.1:{port}/api/auth/login", body, {"Content-Type": "application/json"}
                    )
                    with urllib.request.urlopen(login, timeout=2) as r:
                        token = json.load(r)["token"]
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/sites", headers={"Authorization": f"Bearer {token}"}
                )
                with urllib.request.urlopen(request, timeout=2) as r:
                    sites = json.load(r)
                answered = answered or wall_now()  # the demo runs in a process of its own, on the real clock
                latest = [c["latest_sample"] for s in sites for c in s["cameras"]]
                if sites and all(x and dt.datetime.fromisoformat(x["slot_at"]) > answered for x in latest):
                    break
            except OSError:
                pass
            time.sleep(1)
        assert sites, "the demo API never answered"
        cameras = [c for s in sites for c in s["cameras"]]
        status = {(s["id"], c["id"]): c["status"] for s in sites for c in s["cameras"]}
        assert status[("xz-school", "cam1")] == "offline"  # on purpose: docs/demo.md
        assert status[("cd-wwtp-2", "cam1")] == status[("jk-chip", "cam1")] == "online", status
        assert any(c["latest_sample"]["workers"] for c in cameras)
        snapshot = urllib.request.Request(
            f"http://127.0.0.1:{port}{cameras[0]['latest_sample']['snapshot_url']}",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(snapshot) as r:
            assert r.headers["content-type"] == "image/jpeg" and len(r.read()) > 10_000
        assert (tmp_path / "var/demo/sitemon.db").is_file()
        assert (tmp_path / "var/demo/camera_config.yaml").is_file()
        assert json.loads((tmp_path / "var/demo/history.json").read_text())["days"] == 2
        assert (tmp_path / "var/demo/received.jsonl").read_text(encoding="utf-8").strip()  # its records, its own
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        foreign.close()
    assert proc.returncode == 0, out[-3000:]
    assert "stopped" in out
    assert foreign.posts == 0 and f"port {foreign.port} is taken by another program" in out


class _Counting:
    """Another program on a port: counts the POSTs it gets."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from threading import Thread

        counter = self
        self.posts = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                counter.posts += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def test_score_command_recomputes_a_day_and_names_bad_input(tmp_path: Path) -> None:
    path = write_config(tmp_path / "c.yaml", config_dict([str(SAMPLE_VIDEO)] * 2))
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = _run("score", "--config", str(path), "--date", "2026-11-27", "--database-url", db)
    assert result.returncode == 0, result.stderr
    # No samples at all that day: a camera outage, never a zero score for an idle site.
    assert result.stdout.splitlines() == ["2026-11-27\tsite1\t-\tcamera_outage", "2026-11-27\tsite2\t-\tcamera_outage"]
    again = _run("score", "--config", str(path), "--date", "2026-11-27", "--site", "site2", "--database-url", db)
    assert again.stdout.splitlines() == ["2026-11-27\tsite2\t-\tcamera_outage"]
    bad_date = _run("score", "--config", str(path), "--date", "27.11.2026", "--database-url", db)
    assert bad_date.returncode == 2 and "--date must be YYYY-MM-DD" in bad_date.stderr
    bad_site = _run("score", "--config", str(path), "--date", "2026-11-27", "--site", "nope", "--database-url", db)
    assert bad_site.returncode == 2 and "unknown site(s) nope" in bad_site.stderr


def test_alerts_can_be_listed_and_acknowledged(tmp_path: Path) -> None:

    from monitor.alerts.lifecycle import apply
    from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
    from monitor.config import parse_config
    from monitor.store import make_engine, make_session_factory, migrate
    from monitor.store.repo import sync_config

    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(db)
    migrate(engine)
    with make_session_factory(engine)() as s:
        sync_config(s, parse_config(config_dict()), fixed())
        key = AlertKey("site1", "cam1", AlertType.camera_offline)
        apply(s, [Condition(key, Severity.critical, "摄像机 cam1 离线 35 分钟")], NOW)
    engine.dispose()
    listed = _run("alerts", "list", "--database-url", db)
    assert listed.returncode == 0
    alert_id, *_, message = listed.stdout.strip().split("\t")
    assert message == "摄像机 cam1 离线 35 分钟"
    assert _run("alerts", "ack", alert_id, "--by", "张三", "--database-url", db).returncode == 0
    assert _run("alerts", "ack", alert_id, "--by", "李四", "--database-url", db).returncode == 1
    assert "\tacknowledged\t" in _run("alerts", "list", "--database-url", db).stdout


@pytest.mark.slow
def test_worker_refuses_a_local_config_and_a_database_nobody_set_up(tmp_path: Path) -> None:
    data = config_dict()
    path = write_config(tmp_path / "local.yaml", data)
    result = _run("worker", "--config", str(path), "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert result.returncode == 2
    assert "execution.mode is 'local'; a worker needs execution.mode 'celery'" in result.stderr
    data["execution"] = {"mode": "celery", "broker_url": "amqp://guest:Gu3st-Pw@127.0.0.1:5672//"}
    path = write_config(tmp_path / "celery.yaml", data)
    result = _run("worker", "--config", str(path), "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert result.returncode == 2
    assert "database schema is at nothing" in result.stderr and "sitemon db upgrade" in result.stderr
    assert "Gu3st-Pw" not in result.stderr + result.stdout


def test_workers_command_says_when_the_broker_cannot_be_reached(tmp_path: Path) -> None:
    data = config_dict()
    data["execution"] = {"mode": "celery", "broker_url": f"redis://:Br0ker-Pw@127.0.0.1:{free_port()}/0"}
    result = _run("workers", "--config", str(write_config(tmp_path / "c.yaml", data)), "--timeout", "1")
    assert result.returncode == 1
    assert "UNREACHABLE" in result.stdout and "redis://:***@127.0.0.1" in result.stdout
    assert "Br0ker-Pw" not in result.stdout + result.stderr


def test_score_and_export_refuse_a_day_that_has_not_begun(tmp_path: Path) -> None:
    path = write_config(tmp_path / "camera_config.yaml", config_dict())
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    future = "2999-01-01"
    for command in (["score"], ["export"], ["export", "--period", "week"]):
        result = _run(*command, "--date", future, "--config", str(path), "--database-url", db)
        assert result.returncode == 2, result.stderr
        assert f"--date {future} has not happened yet" in result.stderr
    result = _run("export", "--date", "0001-01-01", "--config", str(path), "--database-url", db)
    assert result.returncode == 2 and "before 1970-01-01" in result.stderr


@pytest.mark.parametrize(
    ("host", "warned"),
    [("127.0.0.1", False), ("::1", False), ("localhost", False), ("0.0.0.0", True), ("10.0.0.5", True)],
)
def test_serving_plain_http_beyond_this_machine_is_warned_about(host: str, warned: bool) -> None:
    from monitor.cli.serve import plain_http_warning

    warning = plain_http_warning(host)
    assert (warning is not None) == warned
    assert warning is None or "TLS reverse proxy" in warning


def test_the_day_s_assessment_and_the_model_export_are_two_commands(tmp_path: Path) -> None:
    """`sitemon export` writes a day's assessment, `sitemon export-model` exports a model; the old
    `export --weights` still exports a model, with a warning that names the new command."""
    from monitor.cli import build_parser
    from monitor.cli.model import cmd_export, cmd_export_model

    parser = build_parser()
    assert parser.parse_args(["export", "--date", "2026-11-28"]).func is cmd_export
    assert parser.parse_args(["export-model", "--weights", "m.pt"]).func is cmd_export_model
    with pytest.raises(SystemExit):
        parser.parse_args(["export-model"])  # --weights is required
    missing = str(tmp_path / "missing.pt")
    old = subprocess.run([*SITEMON, "export", "--weights", missing], capture_output=True, text=True, timeout=120)
    assert old.returncode != 0 and "sitemon export-model --weights" in old.stderr
    neither = subprocess.run([*SITEMON, "export"], capture_output=True, text=True, timeout=60)
    assert neither.returncode == 2 and "--date" in neither.stderr and "export-model" in neither.stderr


@pytest.mark.slow
def test_a_sweep_with_a_camera_that_trickles_stores_it_offline_and_exits(tmp_path: Path) -> None:
    # One header byte every 0.2 s: httpx's per-read timeout never fires; the grab's deadline does.
    with hostile_server(trickle) as port:
        data = config_dict([str(SAMPLE_VIDEO), f"http://127.0.0.1:{port}/snap.jpg"])
        data["sampling"].update({"snapshot_dir": str(tmp_path / "snaps"), "open_timeout_seconds": 2})
        data["sampling"]["read_timeout_seconds"] = 2
        path = write_config(tmp_path / "c.yaml", data)
        result = _run("sweep", "--config", str(path), "--database-url", f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert result.returncode == 0, result.stderr
    rows = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert rows["site1/cam1"].startswith("online")
    assert rows["site2/cam1"].startswith("offline") and "answered too slowly" in rows["site2/cam1"]
