"""`sitemon replay` as a user runs it: recorded footage through the production judgement, nothing stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.fixtures import scenarios, videos
from tests.fixtures.servers import ROOT

SITEMON = [sys.executable, "-m", "monitor.cli"]
CONFIG = ROOT / "camera_config.yaml"  # the shipped config: its cameras' ${VAR}s are not set here
SAMPLE_KEYS = {
    "at",
    "status",
    "reason",
    "workers",
    "machinery",
    "vehicles",
    "moving_workers",
    "working_machines",
    "level",
}


def _replay(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAM_")} | {"PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*SITEMON, "replay", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def frozen_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scenarios.by_name("frozen_clock_unmasked").write(tmp_path_factory.mktemp("frozen"))


@pytest.mark.slow
def test_stdout_is_pure_json_on_a_machine_that_never_ran_ultralytics(frozen_folder: Path, tmp_path: Path) -> None:
    """A first use writes Ultralytics' settings (and says so on stderr), never into the user's home, and
    ``--json`` is JSON alone."""
    three = tmp_path / "three"
    three.mkdir()
    for image in sorted(frozen_folder.iterdir())[:3]:
        (three / image.name).write_bytes(image.read_bytes())
    home, settings = tmp_path / "home", tmp_path / "fresh-ultralytics"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAM_", "XDG_", "YOLO_CONFIG"))}
    env |= {"PYTHONPATH": str(ROOT), "HOME": str(home), "YOLO_CONFIG_DIR": str(settings)}
    result = subprocess.run(
        [*SITEMON, "replay", str(three), "--config", str(CONFIG), "--interval", "1200", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["samples"]) == 3 and result.stdout.lstrip().startswith("{")
    assert (settings / "Ultralytics" / "settings.json").is_file()
    assert not any((home / ".config").glob("*ltralytics*")) and not (home / "Ultralytics").exists()


def test_ultralytics_keeps_its_settings_under_the_projects_var(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "YOLO_CONFIG"))}
    env |= {"PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    code = "from detectors.ultralytics_env import yolo_class; import os; yolo_class(); print(os.environ['YOLO_CONFIG_DIR'])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == ROOT / "var" / "ultralytics"
    assert (ROOT / "var" / "ultralytics" / "Ultralytics" / "settings.json").is_file() and list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_folder_of_images_as_json(frozen_folder: Path, tmp_path: Path) -> None:
    args = ("--config", str(CONFIG), "--interval", "1200", "--start", "2026-11-26T07:00", "--json")
    result = _replay(str(frozen_folder), *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    samples = out["samples"]
    assert len(samples) == scenarios.SAMPLES and set(samples[0]) == SAMPLE_KEYS
    assert [s["at"] for s in samples[:2]] == ["2026-11-26T07:00+08:00", "2026-11-26T07:20+08:00"]
    assert [s["status"] for s in samples[:3]] == ["online", "online", "frozen"]
    assert out["day"]["status"] == "camera_outage" and out["day"]["score"] is None
    assert out["day"]["components"]["samples_expected"] == 36
    assert list(tmp_path.iterdir()) == []  # no database, no snapshots, nothing left behind


@pytest.mark.slow
def test_a_camera_of_the_config_brings_its_masks(frozen_folder: Path) -> None:
    """The shipped config's cd-wwtp-2/north masks its clock; its password variable need not be set."""
    result = _replay(
        str(frozen_folder),
        "--config",
        str(CONFIG),
        "--site",
        "cd-wwtp-2",
        "--camera",
        "north",
        "--interval",
        "1200",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["samples"][2]["status"] == "frozen"


@pytest.mark.slow
def test_a_video_file_gives_one_sample_per_interval_of_its_time_line(tmp_path: Path) -> None:
    base = videos.first_frame()
    frames = [np.roll(base, 12 * (i // videos.FPS), axis=1) for i in range(videos.FPS * 6)]  # 6 s, a new view each s
    clip = videos.encode(frames, tmp_path / "clip.mp4")
    result = _replay(str(clip), "--config", str(CONFIG), "--interval", "2", "--start", "2026-11-26T07:00")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line[:2] == "07"]
    assert len(rows) == 3, result.stdout  # samples at 0, 2 and 4 s of a 6 s clip
    assert "2026-11-26:" in result.stdout  # the day's summary line


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "nothing-here", "no such file or folder"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "no images in the folder"),
        (lambda d: (d / "notes.txt").write_text("not a video") and d / "notes.txt", "not a video"),
        (
            lambda d: (d / "bad").mkdir() or ((d / "bad" / "001.jpg").write_bytes(b"garbage") and d / "bad"),
            "001.jpg: not a readable image",
        ),
    ],
    ids=["missing", "empty folder", "not a video", "unreadable image"],
)
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path: Path, make: object, message: str) -> None:
    assert callable(make)
    source = make(tmp_path)
    result = _replay(str(source), "--config", str(CONFIG))
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and message in errors[0] and str(source) in errors[0], result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "cd-wwtp-2"], "--site and --camera go together"),
        (["--site", "nope", "--camera", "north"], "--site 'nope': no such site"),
        (["--site", "cd-wwtp-2", "--camera", "nope"], "--camera 'nope': site cd-wwtp-2 has no such camera"),
        (["--start", "26/11/2026"], "--start must be YYYY-MM-DDTHH:MM"),
        (["--interval", "0"], "--interval must be a positive number of seconds"),
    ],
)
def test_bad_arguments_name_the_argument(tmp_path: Path, args: list[str], message: str) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    cv2.imwrite(str(folder / "0.jpg"), videos.first_frame())
    result = _replay(str(folder), "--config", str(CONFIG), *args)
    assert result.returncode == 2 and message in result.stderr, result.stderr


@pytest.mark.slow
def test_a_production_config_replays_without_its_secrets_set(tmp_path: Path) -> None:
    """Replay opens no camera and sends nothing: the config's ${VAR}s (cameras, webhook, delivery, broker)
    need not be set."""
    import yaml

    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["detector"]["model"] = str(ROOT / data["detector"]["model"])
    data["alerts"] = {"webhook": {"url": "https://hooks.example/${HOOK_PATH_UNSET}", "token": "${HOOK_TOKEN_UNSET}"}}
    data["export"] = {"delivery": {"url": "https://dispatch.example/in", "token": "${DELIVERY_TOKEN_UNSET}"}}
    data["execution"] = {"mode": "celery", "broker_url": "redis://:${BROKER_PASSWORD_UNSET}@127.0.0.1:6379/0"}
    config = tmp_path / "production.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    folder = tmp_path / "f"
    folder.mkdir()
    for i in range(2):
        cv2.imwrite(str(folder / f"{i}.jpg"), videos.first_frame())
    result = _replay(str(folder), "--config", str(config), "--json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["samples"]) == 2


@pytest.mark.slow
def test_a_folder_of_days_replays_in_order_with_its_alerts_as_json(frozen_folder: Path, tmp_path: Path) -> None:
    """Day folders in order: the frozen camera's days, then a day it gave no picture at all."""
    days = tmp_path / "days"
    for day, count in (("2026-11-26", 4), ("2026-11-27", 4), ("2026-11-28", 0)):
        (days / day).mkdir(parents=True)
        for image in sorted(frozen_folder.iterdir())[:count]:
            (days / day / image.name).symlink_to(image)
    result = _replay(str(days), "--config", str(CONFIG), "--interval", "1200", "--start", "07:00", "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"days", "alerts", "samples"}
    assert [(d["date"], d["status"]) for d in out["days"]] == [
        ("2026-11-26", "camera_outage"),
        ("2026-11-27", "camera_outage"),
        ("2026-11-28", "camera_outage"),
    ]
    assert set(out["days"][0]) == {"date", "status", "score", "components"}
    assert len(out["samples"]) == 4 + 4 + 36  # the dark day: an offline sample every slot of its working hours
    assert out["samples"][0]["at"] == "2026-11-26T07:00+08:00" and out["samples"][-1]["status"] == "offline"
    kinds = {a["kind"]: a for a in out["alerts"]}
    assert set(kinds) >= {"camera_frozen", "camera_offline"} and "site_idle" not in kinds
    assert set(kinds["camera_offline"]) == {"kind", "opened", "closed", "reason"}
    assert kinds["camera_offline"]["opened"].startswith("2026-11-28") and kinds["camera_offline"]["closed"] is None
    assert list(tmp_path.iterdir()) == [days]  # nothing left behind


def test_a_folder_of_days_names_a_bad_day(tmp_path: Path) -> None:
    (tmp_path / "2026-13-01").mkdir()
    result = _replay(str(tmp_path), "--config", str(CONFIG), "--json")
    assert result.returncode == 2 and "2026-13-01" in result.stderr and "not a date" in result.stderr
