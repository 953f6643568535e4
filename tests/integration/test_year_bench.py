"""bench/year_postgres.py at a small scale, so that the year-at-1,000-cameras benchmark cannot rot: the bulk
load (COPY, the sample table's keys and indexes built again), every route the dashboard and the wall ask for,
the day's score and export. Figures are the benchmark's business; this only checks that it runs and answers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.clock import NOW

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.calendar]
ROOT = Path(__file__).resolve().parents[2]


def test_the_year_benchmark_runs_at_a_small_scale(tmp_path: Path) -> None:
    out = tmp_path / "year.json"
    today = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    cmd = [sys.executable, str(ROOT / "bench/year_postgres.py"), "--cameras", "8", "--days", "3", "--baseline-days"]
    cmd += ["0", "--requests", "2", "--concurrency", "1", "--today", today, "--out", str(out)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    history = json.loads(out.read_text())["history"]
    generation = history["generation"]
    assert generation["samples"] > 8 * 2 * 288  # two whole days and today until 17:00
    assert generation["bytes_per_sample"] > 0
    assert len(history["routes"]) == 14
    assert all(r["requests"] == 2 for r in history["routes"].values())
    assert history["daily"]["export_files"] >= 3  # workbook, CSV, JSON
