"""Helpers shared by the benchmarks."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CODE = Path(os.environ.get("SITEMON_BENCH_CODE") or ROOT)
"""Whose code a benchmark imports: this checkout, or a worktree of another revision (``--against``)."""
sys.path.insert(0, str(CODE))
os.environ.setdefault("YOLO_OFFLINE", "1")

from tests.fixtures.servers import SAMPLE_VIDEO, SHARED  # noqa: E402

BENCH_VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"


def video_1080p() -> Path:
    """The sample footage scaled to 1920x1080 H.264 (made once with ffmpeg, cached under var/bench)."""
    out = BENCH_VAR / "site-cctv-1080p.mp4"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-i",
                str(SAMPLE_VIDEO),
                "-an",
                "-vf",
                "scale=1920:1080",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-g",
                "50",
                "-bf",
                "0",
                "-movflags",
                "+faststart",
                str(out),
            ],
            check=True,
        )
    return out


def mixed_mounts(cameras: int) -> dict[str, Path]:
    """RTSP mount points for the sweep benchmarks: half the 640x352 sample, half its 1080p variant."""
    big = video_1080p()
    return {f"/cam{i:03d}": (SAMPLE_VIDEO if i % 2 == 0 else big) for i in range(cameras)}


def add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=str(ROOT / "models/sitemon-construction-yolov8n_openvino_model"))
    parser.add_argument("--imgsz", type=int, default=416)


def sweep_config(
    urls: list[str], model: str, imgsz: int, snapshot_dir: str, workers: int = 32, batch: int = 8, tiled: int = 0
) -> dict[str, Any]:
    """The configuration the sweep benchmarks use: one site per camera URL, our model, 5-minute slots; the
    first ``tiled`` cameras are wide views detected in 2 x 1 tiles (plus the whole picture)."""
    return {
        "sampling": {
            "interval_seconds": 300,
            "max_workers": workers,
            "detect_batch": batch,
            "open_timeout_seconds": 10,
            "read_timeout_seconds": 10,
            "snapshot_dir": snapshot_dir,
        },
        "detector": {
            "model": model,
            "image_size": imgsz,
            "categories": {"Person": "worker", "machinery": "machinery", "vehicle": "vehicle"},
        },
        "picture": {"frozen_after_samples": 100},
        "sites": [
            {
                "id": f"s{i:03d}",
                "name": f"工地{i}",
                "district": "城东区",
                "batch": "started",
                "cameras": [{"id": "c1", "url": url, **({"tiling": {"columns": 2, "rows": 1}} if i < tiled else {})}],
            }
            for i, url in enumerate(urls)
        ],
    }


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "when": time.strftime("%Y-%m-%d %H:%M")}


def load() -> float:
    return round(os.getloadavg()[0], 2)


def worktree_at(rev: str, parent: Path) -> Path:
    """A temporary git worktree of ``rev`` that shares this checkout's virtualenv and bench files."""
    path = parent / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), rev], cwd=ROOT, check=True, capture_output=True)
    (path / ".venv").unlink(missing_ok=True)
    (path / ".venv").symlink_to(ROOT / ".venv")
    (path / "var").mkdir(exist_ok=True)
    (path / "var" / "bench").symlink_to(BENCH_VAR)  # the 1080p variant, made once
    return path


def remove_worktree(path: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False)


def run_child(cmd: list[str], code: Path) -> dict[str, Any]:
    """Run a benchmark's measurement in a process of its own, on the code at ``code``, and return the JSON it
    prints last. The tree's ../shared is not there: the shared data is named by path."""
    env = os.environ | {"YOLO_OFFLINE": "1", "SITEMON_SHARED": str(SHARED), "SITEMON_BENCH_CODE": str(code)}
    out = subprocess.run([sys.executable, *cmd], cwd=code, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{code}: {out.stderr[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def own_model(tree: Path, model: str) -> str:
    """A model of this checkout's ``models/`` is measured as the revision at ``tree`` ships it (the model is
    part of what a revision changes); any other path as given."""
    path = Path(model).resolve()
    return str(tree / path.relative_to(ROOT)) if path.is_relative_to(ROOT) else model


def save(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result | {"machine": machine()}, indent=2, ensure_ascii=False))
    return path


__all__ = [
    "BENCH_VAR",
    "CODE",
    "ROOT",
    "SAMPLE_VIDEO",
    "SHARED",
    "add_model_args",
    "cpu_seconds",
    "load",
    "mixed_mounts",
    "own_model",
    "peak_rss_mb",
    "remove_worktree",
    "rss_mb",
    "run_child",
    "save",
    "sweep_config",
    "video_1080p",
    "worktree_at",
]
