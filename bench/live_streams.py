"""Open live-update streams against the sweep and /api/health (issue 26), in the same run.

One process as `sitemon run` is: the runtime sampling N cameras (the local GStreamer RTSP server, our OpenVINO
model) and its API served by uvicorn on a thread of the same process, sharing the database pool. A second
process opens the streams (GET /api/events, held open) and asks /api/health every 0.2 s, timing each
answer. Three phases of ``--sweeps`` sweeps each: no stream, ``--streams`` streams, no stream again; the
baseline is the two phases without streams. SQLite with 50 streams, PostgreSQL with 200 (its pool: 10 + 20).
Before issue 26 each stream held a pooled connection for its life: 15 streams stopped everything on SQLite.

    .venv/bin/python bench/live_streams.py --cameras 125 --sweeps 5
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
        t0 = time.perf_counter()
        try:
            status = (await client.get(url + "/api/health", timeout=30)).status_code
        except Exception as exc:
            status = type(exc).__name__
        times.append(((time.perf_counter() - t0) * 1000, status))
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

    def stop(self) -> list[tuple[float, Any]]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("stop\n")
        self.proc.stdin.flush()
        health: list[tuple[float, Any]] = json.loads(self.proc.stdout.readline())["health"]
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


def phase(runtime: Runtime, clock: ShiftedClock, url: str, token: str, streams: int, sweeps: int) -> dict[str, Any]:
    load = Load(url, token, streams)
    durations = []
    for _ in range(sweeps):
        result = runtime.sweep()
        durations.append(result.duration_s)
        clock.next_slot()
    time.sleep(2)  # health between sweeps too
    health = load.stop()
    times = [ms for ms, status in health if status == 200]
    return {
        "streams_open": sum(1 for s in load.ready if s == 200),
        "streams_refused": [s for s in load.ready if s != 200],
        "sweeps_s": [round(d, 2) for d in durations],
        "median_sweep_s": round(statistics.median(durations), 2),
        "health_requests": len(health),
        "health_failed": sorted({str(status) for _, status in health if status != 200}),
        "health_not_200": len(health) - len(times),
        "health_p50_ms": round(statistics.median(times), 1) if times else None,
        "health_p95_ms": round(p95(times), 1) if times else None,
        "health_max_ms": round(max(times), 1) if times else None,
    }


def backend(database_url: str, urls: list[str], tmp: str, args: argparse.Namespace, streams: int) -> dict[str, Any]:
    data = sweep_config(urls, args.model, args.imgsz, f"{tmp}/snaps-{streams}", args.workers, args.batch)
    data["sampling"]["interval_seconds"] = INTERVAL_S
    data["api"] = {"max_streams": 1000, "max_streams_per_user": 1000}
    clock = ShiftedClock(INTERVAL_S)
    runtime = build_runtime(parse_config(data), database_url, clock=clock, sinks=[])
    with runtime.sessions() as s:
        add_user(s, "bench", "bench-password", Role.viewer)
        token = login(s, "bench", "bench-password", clock())
    assert token is not None
    url, server, thread = serve(runtime)
    try:
        runtime.sweep()  # warm-up: pools, first inference
        clock.next_slot()
        out = {
            "without": phase(runtime, clock, url, token, 0, args.sweeps),
            "with": phase(runtime, clock, url, token, streams, args.sweeps),
            "without_again": phase(runtime, clock, url, token, 0, args.sweeps),
        }
    finally:
        server.should_exit = True
        thread.join(30)
        runtime.close()
    baseline = statistics.median(out["without"]["sweeps_s"] + out["without_again"]["sweeps_s"])
    out["streams"] = streams
    out["sweep_ratio_with_streams"] = round(out["with"]["median_sweep_s"] / baseline, 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cameras", type=int, default=125)
    parser.add_argument("--sweeps", type=int, default=5, help="measured sweeps per phase")
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--sqlite-streams", type=int, default=50)
    parser.add_argument("--postgres-streams", type=int, default=200)
    add_model_args(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    mounts = mixed_mounts(args.cameras)
    result: dict[str, Any] = {"cameras": args.cameras, "sweeps_per_phase": args.sweeps}
    with rtsp_server(mounts) as rtsp, tempfile.TemporaryDirectory() as tmp:
        urls = [rtsp.url(m) for m in mounts]
        result["sqlite"] = backend(f"sqlite:///{Path(tmp) / 'bench.db'}", urls, tmp, args, args.sqlite_streams)
        print(f"sqlite: {json.dumps(result['sqlite'])}", flush=True)
        with postgres_database() as pg:
            result["postgres"] = backend(pg, urls, tmp, args, args.postgres_streams)
        print(f"postgres: {json.dumps(result['postgres'])}", flush=True)
    for name in ("sqlite", "postgres"):
        r = result[name]
        print(
            f"{name}: {r['streams']} streams; sweep x{r['sweep_ratio_with_streams']} of its time without them; "
            f"/api/health p95 {r['with']['health_p95_ms']} ms (max {r['with']['health_max_ms']}) with them, "
            f"{r['without']['health_p95_ms']} ms without"
        )
    print(f"written to {save('live_streams', result)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
