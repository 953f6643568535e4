"""Open live-update streams against the sweep and /api/health (issue 26), in the same run.

One process as `sitemon run` is: the runtime sampling N cameras (the local GStreamer RTSP server, our OpenVINO
model) and its API served by uvicorn on a thread of the same process, sharing the database pool. A second
process opens the streams (GET /api/events, held open) and asks /api/health every 0.2 s, timing each
answer. Rounds alternate: ``--sweeps`` sweeps without a stream, then as many with ``--streams`` open, each
sweep followed by 3 s without one; so a machine whose load changes over the run weighs on both alike. The
sweep's ratio is the median with streams over the median without; /api/health is reported while a sweep
runs and between sweeps. SQLite with 50 streams, PostgreSQL with 200 (its pool: 10 + 20). Before issue 26
each stream held a pooled connection for its life: 15 streams stopped everything on SQLite.

    .venv/bin/python bench/live_streams.py --cameras 125 --rounds 3 --sweeps 2
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from common import ROOT, add_model_args, mixed_mounts, save, sweep_config

from monitor.cli.serve import deployment_app
from monitor.config import parse_config
from monitor.core.clock import utc_now
from monitor.service.runtime import Runtime, build_runtime
from monitor.store.users import Role, add_user, login
from tests.fixtures.brokers import ShiftedClock
from tests.fixtures.servers import free_port, postgres_database, rtsp_server

INTERVAL_S = 300
LOAD = r"""
import asyncio, json, sys, time
import httpx

url, token, streams = sys.argv[1], sys.argv[2], int(sys.argv[3])
headers = {"Authorization": f"Bearer {token}"}


async def hold(client, started):
    try:
        async with client.stream("GET", url + "/api/events", headers=headers) as response:
            if response.status_code != 200:
                started.set_result(response.status_code)
                return
            async for line in response.aiter_lines():
                if line == "event: hello" and not started.done():
                    started.set_result(200)
    except Exception as exc:
        if not started.done():
            started.set_result(type(exc).__name__)


async def probe(client, times, stop):
    while not stop.is_set():
        at, t0 = time.time(), time.perf_counter()
        try:
            status = (await client.get(url + "/api/health", timeout=30)).status_code
        except Exception as exc:
            status = type(exc).__name__
        times.append((at, (time.perf_counter() - t0) * 1000, status))
        await asyncio.sleep(0.2)


async def main():
    loop = asyncio.get_running_loop()
    limits = httpx.Limits(max_connections=streams + 10, max_keepalive_connections=streams + 10)
    timeout = httpx.Timeout(30, read=None)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client, httpx.AsyncClient() as prober:
        started = [loop.create_future() for _ in range(streams)]
        tasks = [asyncio.create_task(hold(client, s)) for s in started]
        statuses = await asyncio.gather(*started)
        print(json.dumps({"ready": statuses}), flush=True)
        times, stop = [], asyncio.Event()
        probing = asyncio.create_task(probe(prober, times, stop))
        await loop.run_in_executor(None, sys.stdin.readline)  # until the bench says stop
        stop.set()
        await probing
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps({"health": times}), flush=True)


asyncio.run(main())
"""


class Load:
    """The streams and the health prober, in a process of their own (they share no GIL with the server)."""

    def __init__(self, url: str, token: str, streams: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", LOAD, url, token, str(streams)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.ready = json.loads(self.proc.stdout.readline())["ready"]

    def stop(self) -> list[tuple[float, float, Any]]:
        """(when, ms, status) of each /api/health asked meanwhile."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("stop\n")
        self.proc.stdin.flush()
        health: list[tuple[float, float, Any]] = json.loads(self.proc.stdout.readline())["health"]
        self.proc.wait(30)
        return health


def serve(runtime: Runtime) -> tuple[str, uvicorn.Server, threading.Thread]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(deployment_app(runtime), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


IDLE_S = 3.0


def sweeps(runtime: Runtime, clock: ShiftedClock, url: str, token: str, streams: int, count: int) -> dict[str, Any]:
    """``count`` sweeps with ``streams`` streams open, each followed by IDLE_S seconds without a sweep."""
    load = Load(url, token, streams)
    durations, spans = [], []
    for _ in range(count):
        start = time.time()
        durations.append(runtime.sweep().duration_s)
        spans.append((start, time.time()))
        clock.next_slot()
        time.sleep(IDLE_S)
    health = load.stop()
    during = [ms for at, ms, status in health if status == 200 and any(a <= at <= b for a, b in spans)]
    between = [ms for at, ms, status in health if status == 200 and not any(a <= at <= b for a, b in spans)]
    return {
        "open": sum(1 for s in load.ready if s == 200),
        "refused": [s for s in load.ready if s != 200],
        "sweeps_s": durations,
        "health_during_ms": during,
        "health_between_ms": between,
        "health_not_200": sorted({str(status) for _, _, status in health if status != 200}),
    }


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    durations = [d for r in runs for d in r["sweeps_s"]]
    out: dict[str, Any] = {
        "streams_open": [r["open"] for r in runs],
        "streams_refused": [s for r in runs for s in r["refused"]],
        "sweeps_s": [round(d, 2) for d in durations],
        "median_sweep_s": round(statistics.median(durations), 2),
        "health_not_200": sorted({s for r in runs for s in r["health_not_200"]}),
    }
    for when in ("during", "between"):
        times = [ms for r in runs for ms in r[f"health_{when}_ms"]]
        out[f"health_{when}_sweeps"] = {
            "requests": len(times),
            "p50_ms": round(statistics.median(times), 1) if times else None,
            "p95_ms": round(p95(times), 1) if times else None,
            "max_ms": round(max(times), 1) if times else None,
        }
    return out


def backend(database_url: str, urls: list[str], tmp: str, args: argparse.Namespace, streams: int) -> dict[str, Any]:
    data = sweep_config(urls, args.model, args.imgsz, f"{tmp}/snaps-{streams}", args.workers, args.batch)
    data["sampling"]["interval_seconds"] = INTERVAL_S
    data["api"] = {"max_streams": 1000, "max_streams_per_user": 1000}
    clock = ShiftedClock(INTERVAL_S)
    runtime = build_runtime(parse_config(data), database_url, clock=clock, sinks=[])
    with runtime.sessions() as s:
        add_user(s, "bench", "bench-password", Role.viewer, now=utc_now())
        token = login(s, "bench", "bench-password", clock())
    assert token is not None
    url, server, thread = serve(runtime)
    without: list[dict[str, Any]] = []
    with_streams: list[dict[str, Any]] = []
    try:
        runtime.sweep()  # warm-up: pools, first inference
        clock.next_slot()
        for _ in range(args.rounds):
            without.append(sweeps(runtime, clock, url, token, 0, args.sweeps))
            with_streams.append(sweeps(runtime, clock, url, token, streams, args.sweeps))
    finally:
        server.should_exit = True
        thread.join(30)
        runtime.close()
    out = {"streams": streams, "without": summary(without), "with": summary(with_streams)}
    out["sweep_ratio_with_streams"] = round(out["with"]["median_sweep_s"] / out["without"]["median_sweep_s"], 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=125)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (without streams, with streams)")
    parser.add_argument("--sweeps", type=int, default=2, help="sweeps per half round")
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--sqlite-streams", type=int, default=50)
    parser.add_argument("--postgres-streams", type=int, default=200)
    add_model_args(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    mounts = mixed_mounts(args.cameras)
    result: dict[str, Any] = {"cameras": args.cameras, "rounds": args.rounds, "sweeps_per_half_round": args.sweeps}
    with rtsp_server(mounts) as rtsp, tempfile.TemporaryDirectory() as tmp:
        urls = [rtsp.url(m) for m in mounts]
        result["sqlite"] = backend(f"sqlite:///{Path(tmp) / 'bench.db'}", urls, tmp, args, args.sqlite_streams)
        print(f"sqlite: {json.dumps(result['sqlite'])}", flush=True)
        with postgres_database() as pg:
            result["postgres"] = backend(pg, urls, tmp, args, args.postgres_streams)
        print(f"postgres: {json.dumps(result['postgres'])}", flush=True)
    for name in ("sqlite", "postgres"):
        r = result[name]
        w, wo = r["with"], r["without"]
        print(
            f"{name}: {r['streams']} streams; sweep x{r['sweep_ratio_with_streams']} of its time without them "
            f"({w['median_sweep_s']} s vs {wo['median_sweep_s']} s); /api/health between sweeps p95 "
            f"{w['health_between_sweeps']['p95_ms']} ms with them, {wo['health_between_sweeps']['p95_ms']} ms "
            f"without; during a sweep p95 {w['health_during_sweeps']['p95_ms']} / "
            f"{wo['health_during_sweeps']['p95_ms']} ms"
        )
    print(f"written to {save('live_streams', result)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
