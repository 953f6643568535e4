"""A year of 1,000 cameras on PostgreSQL: the dashboard's and the wall's routes, and the daily score and export.

    .venv/bin/python bench/year_postgres.py --cameras 1000 --days 365      # by hand: 105 M samples
    .venv/bin/python bench/year_postgres.py --cameras 1000 --days 60       # what fits in about 15 minutes here

History is generated in bulk (PostgreSQL COPY; the sample table's indexes and keys dropped during the load and
built again after it, as a restore does), not through the pipeline: one site per camera, a sample every
``--interval`` minutes around the clock (288 a day at 5 minutes; the night's samples dark and still), every
past day scored (the components of a score the real scoring computed), a few open alerts. Today's samples
run to 17:00 local; the clock of the API and of the daily jobs stands there.

In the same run, as the baseline, the same routes on a database holding only today (``--baseline-days 1``).
The API runs in its own process (one uvicorn worker), as in production; ``--concurrency`` keep-alive
clients send ``--requests`` requests per route over loopback. Then, in this process: the day's score of every
site (the evening's ``daily-score`` job) and the day's export (``export_day``: the workbook, CSV and JSON).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from common import ROOT, save

from monitor.config import AppConfig, parse_config

LOCAL_END = dt.time(17)  # today's samples run to here; the API's and the jobs' clock stands here
PASSWORD = "bench-password"  # a throw-away user of a throw-away database


def bench_config(cameras: int, interval_min: int, export_folder: str) -> AppConfig:
    return parse_config(
        {
            "timezone": "Asia/Shanghai",
            "sampling": {"interval_seconds": interval_min * 60},
            "detector": {"model": str(ROOT / "models/sitemon-construction-yolov8n_openvino_model")},
            "export": {"folder": export_folder},
            "sites": [
                {
                    "id": f"s{i:04d}",
                    "name": f"工地{i}",
                    "district": f"区{i % 12}",
                    "batch": "started",
                    "cameras": [{"id": "c1", "url": f"rtsp://127.0.0.1:9/cam{i}"}],
                }
                for i in range(cameras)
            ],
        }
    )


def now_of(config: AppConfig, today: dt.date) -> dt.datetime:
    return dt.datetime.combine(today, LOCAL_END, config.tz).astimezone(dt.UTC)


def _ts(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S+00")


def _day_rows(
    pks: list[tuple[int, str]], day: dt.date, config: AppConfig, interval_min: int, until: dt.datetime
) -> str:
    """One day's samples of every camera as COPY text. Working hours (07:00-19:00 local) busy in a
    repeating pattern; outside them dark and still."""
    start = dt.datetime.combine(day, dt.time(0), config.tz).astimezone(dt.UTC)
    slots = []
    for k in range(24 * 60 // interval_min):
        at = start + dt.timedelta(minutes=k * interval_min)
        if at >= until:
            break
        hour = (at.astimezone(config.tz)).hour
        work = 7 <= hour < 19
        w, m = (k % 5, k % 2) if work else (0, 0)
        tail = (
            f"\tonline\t\t\\N\t{w}\t{m}\t0\t{w + m}\t{{path}}{at:%H%M%S}.jpg\t31.5\t{k % 3 if work else 0}\t"
            f"{m}\t0\t{0.1 if work else 0.0}\t{(k % 4) / 4 if work else 0.0}\n"
        )
        slots.append((_ts(at), tail))
    out = io.StringIO()
    for pk, site in pks:
        path = f"{site}/c1/{day.isoformat()}/"
        for ts, tail in slots:
            out.write(f"{pk}\t{site}\t{ts}\t{ts}{tail.replace('{path}', path)}")
    return out.getvalue()


SAMPLE_COLUMNS = (
    "camera_pk, site_id, slot_at, captured_at, status, reason, cause, workers, machinery, vehicles, detections,"
    " snapshot_path, detect_ms, moving_workers, working_machines, moving_vehicles, motion, activity"
)


def generate(url: str, config: AppConfig, days: int, today: dt.date, interval_min: int) -> dict[str, float]:
    """``days`` days of history up to today, in bulk; returns the seconds each step took."""
    import psycopg
    from sqlalchemy import select

    from monitor.alerts.rules import AlertType, Severity
    from monitor.scoring.daily import score_days
    from monitor.store import make_engine, make_session_factory, migrate, models
    from monitor.store.repo import sync_config
    from monitor.store.users import Role, add_user

    engine = make_engine(url)
    migrate(engine)
    sessions = make_session_factory(engine)
    now = now_of(config, today)
    with sessions() as s:
        sync_config(s, config, lambda: now)
        add_user(s, "bench", PASSWORD, Role.viewer, now=now)
        s.commit()
        pks = [(c.id, c.site_id) for c in s.scalars(select(models.Camera).order_by(models.Camera.id))]
    engine.dispose()
    took: dict[str, float] = {}
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        t0 = time.perf_counter()
        rebuild = [
            r[0]
            for r in conn.execute(
                "SELECT 'ALTER TABLE samples ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE conrelid = 'samples'::regclass AND contype IN ('u', 'f')"
            )
        ]
        indexes = [
            r[0]
            for r in conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'samples' AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = 'samples'::regclass)"
            )
        ]
        for (name,) in conn.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'samples'::regclass AND contype IN ('u', 'f')"
        ).fetchall():
            conn.execute(f'ALTER TABLE samples DROP CONSTRAINT "{name}"')
        for (name,) in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'samples' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'samples'::regclass)"
        ).fetchall():
            conn.execute(f'DROP INDEX "{name}"')
        until = now
        for d in range(days - 1, -1, -1):
            day = today - dt.timedelta(days=d)
            with conn.cursor().copy(f"COPY samples ({SAMPLE_COLUMNS}) FROM STDIN") as copy:
                copy.write(_day_rows(pks, day, config, interval_min, until))
        took["copy_samples_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for ddl in indexes + rebuild:
            conn.execute(ddl)
        took["indexes_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.execute(
            "UPDATE cameras SET last_sample_id = l.id, last_sample_at = l.slot_at FROM (SELECT DISTINCT ON (camera_pk)"
            " camera_pk, id, slot_at FROM samples ORDER BY camera_pk, slot_at DESC) l WHERE l.camera_pk = cameras.id"
        )
        took["last_sample_s"] = time.perf_counter() - t0
    # Every past day's score: the components the real scoring computes for yesterday, copied to the others.
    t0 = time.perf_counter()
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    yesterday = today - dt.timedelta(days=1)
    real: dict[str, tuple[float | None, str, dict[str, Any]]] = {}
    if days > 1:
        with sessions() as s:
            score_days(s, config, [yesterday], now=now)
            real = {
                r.site_id: (r.score, r.status, r.components)
                for r in s.scalars(select(models.DailyScore).where(models.DailyScore.day == yesterday))
            }
    engine.dispose()
    with psycopg.connect(dsn, autocommit=True) as conn:
        with conn.cursor().copy(
            "COPY daily_scores (site_id, day, score, status, components, computed_at) FROM STDIN"
        ) as copy:
            for d in range(2, days):
                day = today - dt.timedelta(days=d)
                for site, (score, status, components) in real.items():
                    computed = now_of(config, day) + dt.timedelta(hours=5)
                    copy.write_row((site, day, score, status, json.dumps(components), computed))
        for i, (_, site) in enumerate(pks[:: max(1, len(pks) // 40)]):  # a few open alerts for the wall
            conn.execute(
                "INSERT INTO alerts (site_id, type, severity, state, message, details, opened_at)"
                " VALUES (%s, %s, %s, 'open', %s, '{}', %s)",
                (
                    site,
                    AlertType.site_idle.value,
                    Severity.warning.value,
                    f"bench {i}",
                    now - dt.timedelta(hours=i + 1),
                ),
            )
        conn.execute("VACUUM ANALYZE")
    took["scores_s"] = time.perf_counter() - t0
    return took


def sizes(url: str) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute(
            "SELECT pg_total_relation_size('samples'), pg_relation_size('samples'), pg_database_size(current_database()),"
            " (SELECT count(*) FROM samples)"
        ).fetchone()
    assert row is not None
    total, heap, database, rows = row
    return {
        "samples": rows,
        "samples_table_mb": round(total / 2**20, 1),
        "samples_heap_mb": round(heap / 2**20, 1),
        "database_mb": round(database / 2**20, 1),
        "bytes_per_sample": round(total / max(rows, 1), 1),
    }


def routes(config: AppConfig, today: dt.date) -> list[tuple[str, str]]:
    """What the dashboard's overview, a site page and the wall ask for (api/static/app.js, wall.js)."""
    site = config.sites[len(config.sites) // 2].id
    yesterday, before = today - dt.timedelta(days=1), today - dt.timedelta(days=2)
    return [
        ("overview /api/sites", "/api/sites"),
        ("rankings, day", "/api/rankings?by=district&period=day"),
        ("rankings, month", "/api/rankings?by=district&period=month"),
        ("milestone figures", "/api/milestones/figures?period=month"),
        ("start proposals", "/api/start-proposals"),
        ("deliveries", "/api/deliveries"),
        ("active alerts", "/api/alerts?state=active&limit=100"),
        ("red list, 3 days", "/api/red-list?days=3"),
        ("scores, yesterday", f"/api/scores?day={yesterday}"),
        ("scores, the day before", f"/api/scores?day={before}"),
        ("site page", f"/api/sites/{site}"),
        ("site page, 30 days", f"/api/sites/{site}?days=30"),
        ("site alerts", f"/api/alerts?site={site}"),
        ("site milestones", f"/api/sites/{site}/milestones"),
    ]


def serve(url: str, port: int, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, str(Path(__file__)), "--serve", url, "--port", str(port), "--cameras", str(args.cameras)]
    cmd += ["--today", args.today, "--interval", str(args.interval)]
    proc = subprocess.Popen(cmd, cwd=ROOT)
    import httpx

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
            return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("API server did not start")


def run_server(url: str, port: int, args: argparse.Namespace) -> None:
    import uvicorn

    from api import create_app
    from monitor.store import make_engine, make_session_factory

    today = dt.date.fromisoformat(args.today)
    with tempfile.TemporaryDirectory() as tmp:
        config = bench_config(args.cameras, args.interval, tmp)
        now = now_of(config, today)
        app = create_app(
            make_session_factory(make_engine(url)),
            Path(tmp),
            Path(tmp),
            config.calendar,
            config=config,
            clock=lambda: now,
        )
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def measure_routes(url: str, config: AppConfig, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    import httpx

    from tests.fixtures.servers import free_port

    port = free_port()
    proc = serve(url, port, args)
    base = f"http://127.0.0.1:{port}"
    out = {}
    try:
        token = httpx.post(f"{base}/api/auth/login", json={"username": "bench", "password": PASSWORD}).json()["token"]
        for name, path in routes(config, dt.date.fromisoformat(args.today)):
            local = threading.local()

            def one(_: int, local: threading.local = local, path: str = path) -> float:
                if not hasattr(local, "client"):
                    local.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)
                t0 = time.perf_counter()
                response = local.client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
                return (time.perf_counter() - t0) * 1000

            first = one(0)
            for _ in range(2):
                one(0)
            with ThreadPoolExecutor(args.concurrency) as pool:
                times = sorted(pool.map(one, range(args.requests)))
            out[name] = {
                "first_ms": round(first, 1),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                "requests": len(times),
            }
    finally:
        proc.terminate()
        proc.wait(10)
    return out


def daily_jobs(url: str, config: AppConfig, today: dt.date) -> dict[str, float]:
    """The evening's jobs for today: every site's score, then the day's files."""
    from monitor.export.job import export_day
    from monitor.scoring.daily import score_days
    from monitor.store import make_engine, make_session_factory

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    now = now_of(config, today) + dt.timedelta(hours=5)  # 22:00, after the day
    out = {}
    with sessions() as s:
        t0 = time.perf_counter()
        score_days(s, config, [today], now=now)
        out["daily_score_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        files = export_day(s, config, today, now)
        out["daily_export_s"] = round(time.perf_counter() - t0, 2)
        out["export_files"] = len(files)
    engine.dispose()
    return out


def one_database(days: int, args: argparse.Namespace) -> dict[str, Any]:
    from monitor.store.db import database_url
    from tests.fixtures.servers import postgres_database

    today = dt.date.fromisoformat(args.today)
    with postgres_database() as url, tempfile.TemporaryDirectory() as tmp:
        config = bench_config(args.cameras, args.interval, tmp)
        url = database_url(url)
        t0 = time.perf_counter()
        took = generate(url, config, days, today, args.interval)
        took["generate_s"] = time.perf_counter() - t0
        print(f"{days} day(s): generated in {took['generate_s']:.0f} s {json.dumps(took)}", flush=True)
        size = sizes(url)
        print(f"  {json.dumps(size)}", flush=True)
        result: dict[str, Any] = {"days": days, "load_average": [round(os.getloadavg()[0], 2)]}
        result["generation"] = {k: round(v, 1) for k, v in took.items()} | size
        result["routes"] = measure_routes(url, config, args)
        result["daily"] = daily_jobs(url, config, today)
        result["load_average"].append(round(os.getloadavg()[0], 2))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--baseline-days", type=int, default=1, help="the baseline database (0: none)")
    parser.add_argument("--interval", type=int, default=5, help="minutes between samples")
    parser.add_argument("--requests", type=int, default=100, help="per route")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--today", default=None, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--out", default="year_postgres", help="name of the result in bench/results, or a .json path")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.today = args.today or dt.date.today().isoformat()
    if args.serve:
        run_server(args.serve, args.port, args)
        return
    result: dict[str, Any] = {"cameras": args.cameras, "interval_min": args.interval, "concurrency": args.concurrency}
    if args.baseline_days:
        result["baseline"] = one_database(args.baseline_days, args)
    result["history"] = one_database(args.days, args)
    h = result["history"]
    for name, got in h["routes"].items():
        base = result.get("baseline", {}).get("routes", {}).get(name)
        ratio = f" (x{got['p95_ms'] / base['p95_ms']:.2f} against {base['p95_ms']} ms)" if base else ""
        print(f"{name:<24} p50 {got['p50_ms']:7.1f} ms  p95 {got['p95_ms']:7.1f} ms{ratio}")
    print(f"daily score {h['daily']['daily_score_s']} s, daily export {h['daily']['daily_export_s']} s")
    if args.out.endswith(".json"):
        Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False))
        print(f"written to {args.out}")
    else:
        print(f"written to {save(args.out, result)}")


if __name__ == "__main__":
    main()
