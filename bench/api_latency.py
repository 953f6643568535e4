"""Overview and 30-day site history latency with a year of history, against the same endpoints on an
empty database, in the same run. A load generator (threads with keep-alive connections) on loopback.

History: 125 sites x 365 days x a sample every 5 minutes in working hours (07:00-19:00) = 6.6 M samples,
plus 365 daily scores per site.

    .venv/bin/python bench/api_latency.py --days 365
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from common import ROOT, SAMPLE_VIDEO, save
from sqlalchemy import insert, select

from monitor.config import parse_config
from monitor.core.clock import utc_now
from monitor.store import make_engine, make_session_factory, migrate, models
from monitor.store.repo import sync_config
from monitor.store.users import Role, add_user
from tests.fixtures.servers import free_port
from tests.helpers import config_dict


def build(db: Path, days: int) -> tuple[object, float]:
    data = config_dict([str(SAMPLE_VIDEO)] * 125)
    data["sampling"]["interval_seconds"] = 300
    config = parse_config(data)
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    sessions = make_session_factory(engine)
    started = time.perf_counter()
    with sessions() as s:
        sync_config(s, config, utc_now)
        add_user(s, "bench", "bench-password", Role.viewer, now=utc_now())
        pks = {c.site_id: c.id for c in s.scalars(select(models.Camera))}
    today = dt.datetime.now(config.tz).date()
    with engine.begin() as conn:
        for d in range(days):
            day = today - dt.timedelta(days=d)
            start = dt.datetime.combine(day, dt.time(7), config.tz).astimezone(dt.UTC)
            rows = []
            for site_id, pk in pks.items():
                for k in range(144):
                    slot = start + dt.timedelta(minutes=5 * k)
                    rows.append(
                        {
                            "camera_pk": pk,
                            "site_id": site_id,
                            "slot_at": slot,
                            "captured_at": slot,
                            "status": "online",
                            "reason": "",
                            "workers": k % 5,
                            "machinery": k % 2,
                            "vehicles": 0,
                            "detections": 3,
                            "activity": (k % 4) / 4,
                            "moving_workers": k % 3,
                            "working_machines": k % 2,
                            "moving_vehicles": 0,
                            "motion": 0.1,
                        }
                    )
            conn.execute(insert(models.Sample), rows)
            conn.execute(
                insert(models.DailyScore),
                [
                    {
                        "site_id": sid,
                        "day": day,
                        "score": float((hash(sid) + d) % 100),
                        "status": "active",
                        "components": {"coverage": 1.0},
                        "computed_at": dt.datetime.now(dt.UTC),
                    }
                    for sid in pks
                ],
            )
        conn.exec_driver_sql(
            "UPDATE cameras SET last_sample_id = (SELECT s.id FROM samples s WHERE s.camera_pk = cameras.id "
            "ORDER BY s.slot_at DESC LIMIT 1), last_sample_at = (SELECT max(slot_at) FROM samples s "
            "WHERE s.camera_pk = cameras.id)"
        )
    return sessions, time.perf_counter() - started


def serve(db: Path, port: int) -> subprocess.Popen[bytes]:
    """The API in its own process (one uvicorn worker), as in production: the load generator shares no GIL."""
    code = (
        "import sys, uvicorn; from pathlib import Path; from api import create_app; "
        "from monitor.store import make_engine, make_session_factory; from monitor.core.clock import utc_now; "
        f"app = create_app(make_session_factory(make_engine('sqlite:///{db}')), Path('{db.parent}'), clock=utc_now); "
        f"uvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("API server did not start")


def measure(db: Path, requests: int, concurrency: int) -> dict[str, dict[str, float]]:
    port = free_port()
    proc = serve(db, port)
    base = f"http://127.0.0.1:{port}"
    token = httpx.post(f"{base}/api/auth/login", json={"username": "bench", "password": "bench-password"}).json()[
        "token"
    ]
    out = {}
    try:
        for name, path in (("overview", "/api/sites"), ("site_30_days", "/api/sites/site7?days=30")):
            local = threading.local()

            def one(_: int, local: threading.local = local, path: str = path) -> float:
                if not hasattr(local, "client"):
                    local.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})
                t0 = time.perf_counter()
                response = local.client.get(path)
                assert response.status_code == 200, response.text[:200]
                return (time.perf_counter() - t0) * 1000

            for _ in range(5):
                one(0)
            with ThreadPoolExecutor(concurrency) as pool:
                times = sorted(pool.map(one, range(requests)))
            out[name] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
                "requests": requests,
            }
    finally:
        proc.terminate()
        proc.wait(10)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp) / "empty.db", 0)
        _, seconds = build(Path(tmp) / "full.db", args.days)
        print(f"generated {args.days} days of history in {seconds:.0f} s", flush=True)
        result = {
            "days": args.days,
            "samples": args.days * 125 * 144,
            "concurrency": args.concurrency,
            "empty": measure(Path(tmp) / "empty.db", args.requests, args.concurrency),
            "history": measure(Path(tmp) / "full.db", args.requests, args.concurrency),
        }
    for name in ("overview", "site_30_days"):
        e, h = result["empty"][name], result["history"][name]
        result[f"{name}_ratio_p95"] = round(h["p95_ms"] / e["p95_ms"], 2)
        print(f"{name}: p95 {h['p95_ms']} ms with history, {e['p95_ms']} ms empty (x{result[f'{name}_ratio_p95']})")
    print(f"written to {save('api_latency', result)}")


if __name__ == "__main__":
    main()
