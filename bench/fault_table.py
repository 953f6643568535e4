"""The fault table of docs/ingestion.md, measured: what each server kind makes a grab say (status, cause, time,
reason), for real servers (GStreamer and VLC RTSP, nginx-rtmp and its HLS, ffmpeg's HLS and MJPEG, an
HTTP-FLV server, a Digest camera) and our hostile ones (silent, trickling, garbage, broken off...), with
open and read timeouts of 5 s (a 10 s deadline). Then `sitemon cameras probe --timeout 5` on the hostile
set: the time it takes, less that of a probe of a refused port (the command's own start).

    .venv/bin/python bench/fault_table.py        # prints the markdown table, saves bench/results/fault_table.json
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from common import ROOT, SAMPLE_VIDEO, save

from monitor.core.redact import redact_text
from monitor.sources import SourceError
from monitor.sources.av_stream import StreamHistory, StreamSnapshotSource
from monitor.sources.base import FrameSource
from monitor.sources.http_source import HttpSource
from monitor.sources.persistent import PersistentStreamSource
from tests.fixtures import videos
from tests.fixtures.digest_camera import digest_camera
from tests.fixtures.hostile_servers import BEHAVIOURS, JPEG, hostile_server
from tests.fixtures.servers import free_port, rtsp_server, vlc_rtsp_server
from tests.fixtures.stream_servers import (
    ffmpeg_mjpeg,
    live_hls,
    make_media,
    media_server,
    nginx_rtmp,
    publishing,
)
from tests.helpers import config_dict, write_config

OPEN_S = READ_S = 5.0
HOSTILE_KINDS = {
    "HTTP snapshot": "http://127.0.0.1:{port}/snap.jpg",
    "RTSP": "rtsp://127.0.0.1:{port}/live",
    "HTTP-FLV": "http://127.0.0.1:{port}/live/cam.flv",
    "HLS": "http://127.0.0.1:{port}/live/cam.m3u8",
    "RTMP": "rtmp://127.0.0.1:{port}/live/cam",
}
Row = dict[str, Any]


def grab(server: str, what: str, source: Callable[[], FrameSource]) -> Row:
    started = time.monotonic()
    try:
        image = source().grab()
        status, cause, reason = "online", "", f"{image.shape[1]}x{image.shape[0]}"
    except SourceError as exc:
        status, cause, reason = exc.status.value, exc.cause.value, redact_text(str(exc))
    seconds = time.monotonic() - started
    return {"server": server, "what": what, "status": status, "cause": cause, "seconds": seconds, "reason": reason}


def snapshot(url: str, history: StreamHistory | None = None) -> Callable[[], FrameSource]:
    return lambda: StreamSnapshotSource(url, OPEN_S, READ_S, history=history)


def hostile_rows() -> list[Row]:
    with contextlib.ExitStack() as stack:
        ports = {name: stack.enter_context(hostile_server(b)) for name, b in BEHAVIOURS.items()}
        ports["refused"] = free_port()
        jobs = []
        for name, port in ports.items():
            for kind, pattern in HOSTILE_KINDS.items():
                url = pattern.format(port=port)
                source = (lambda u=url: HttpSource(u, OPEN_S, READ_S)) if kind == "HTTP snapshot" else snapshot(url)
                jobs.append((f"hostile: {name}", kind, source))
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            return list(pool.map(lambda job: grab(*job), jobs))


def real_rows(folder: Path) -> Iterator[Row]:
    gop1 = videos.keyframes_every(folder / "gop1.flv", 1)
    gop2 = videos.keyframes_every(folder / "gop2.flv", 2)
    gop8 = videos.keyframes_every(folder / "gop8.flv", 8)
    gop40 = videos.keyframes_every(folder / "gop40.flv", 40)
    late = videos.late_keyframe(folder / "late.mp4", videos.keyframes_every(folder / "gop10.mp4", 10), 3)
    with rtsp_server({"/live": SAMPLE_VIDEO, "/late": late}) as gst:
        yield grab("GStreamer RTSP", "a live mount", snapshot(gst.url("/live")))
        yield grab("GStreamer RTSP", "an unknown mount", snapshot(gst.url("/nope")))
        yield grab("GStreamer RTSP", "first key frame 7 s in (joined mid-GOP)", snapshot(gst.url("/late")))
        yield grab("GStreamer RTSP", "the same, persistent (key frame wait 3 s)",
                   lambda: _persistent(gst.url("/late")))  # fmt: skip
    with rtsp_server({"/live": SAMPLE_VIDEO}, auth="viewer:Right-Pw-1") as gst:
        yield grab("GStreamer RTSP, Basic auth", "no password", snapshot(gst.url("/live")))
    with vlc_rtsp_server(SAMPLE_VIDEO) as url:
        yield grab("VLC RTSP (refuses TCP)", "snapshot", snapshot(url))
        yield grab("VLC RTSP (refuses TCP)", "persistent, first grab", lambda: _persistent(url, wait_s=10))
    with nginx_rtmp(folder / "nginx", hls=True) as nginx:
        with publishing(nginx.rtmp + "/live/gop2", gop2), publishing(nginx.rtmp + "/live/gop8", gop8):
            yield grab("nginx-rtmp", "published, key frame every 2 s", snapshot(nginx.rtmp + "/live/gop2"))
            yield grab("nginx-rtmp", "published, key frame every 8 s", snapshot(nginx.rtmp + "/live/gop8"))
        with publishing(nginx.rtmp + "/live/gop40", gop40):
            yield grab("nginx-rtmp", "published, key frame every 40 s", snapshot(nginx.rtmp + "/live/gop40"))
        yield grab("nginx-rtmp", "nobody publishes the name", snapshot(nginx.rtmp + "/live/nobody"))
        yield grab("nginx-rtmp", "an application it does not have", snapshot(nginx.rtmp + "/wrongapp/cam"))
        url, history = nginx.http + "/hls/site.m3u8", StreamHistory()
        with publishing(nginx.rtmp + "/live/site", gop1, settle_s=4):
            yield grab("nginx HLS", "publisher live", snapshot(url, history))
        time.sleep(11)
        yield grab("nginx HLS", "publisher stopped 11 s ago (stale live playlist)", snapshot(url, history))
        for file in (nginx.folder / "hls").glob("site*"):
            file.unlink()
        yield grab("nginx HLS", "after its clean-up (404), played before", snapshot(url, history))
        yield grab("nginx HLS", "a path that never existed (404)", snapshot(nginx.http + "/hls/never.m3u8"))
    media = make_media(folder / "media")
    with live_hls(folder / "media" / "live"), media_server(folder / "media") as web:
        yield grab("ffmpeg HLS (live window)", "publisher live", snapshot(web + "/live/index.m3u8"))
        yield grab("HTTP-FLV (live, endless)", "a live stream", snapshot(web + "/live/cam.flv"))
        yield grab("HTTP-FLV", "a path that never existed (404)", snapshot(web + "/live/nope.flv"))
        yield grab("HLS, VOD", "segments gone", snapshot(web + "/gone/index.m3u8"))
    assert media
    with ffmpeg_mjpeg() as url:
        yield grab("ffmpeg -f mpjpeg -listen 1", "application/octet-stream MJPEG", lambda: HttpSource(url, 5, 5))
    with digest_camera("admin", "Right-Pw-2", JPEG, opaque="") as base:
        right = base.replace("http://", "http://admin:Right-Pw-2@") + "/cgi-bin/snapshot.cgi"
        wrong = base.replace("http://", "http://admin:Wrong-Pw-3@") + "/cgi-bin/snapshot.cgi"
        yield grab('Digest camera, strict, opaque=""', "right password", lambda: HttpSource(right, 5, 5))
        yield grab('Digest camera, strict, opaque=""', "wrong password", lambda: HttpSource(wrong, 5, 5))


def _persistent(url: str, wait_s: float = 3) -> FrameSource:
    source = PersistentStreamSource(url, OPEN_S, READ_S, keyframe_wait_s=wait_s)

    class Once(FrameSource):
        def grab(self) -> Any:
            try:
                return source.grab()
            finally:
                source.close()

    return Once()


def probe_hostile_set(folder: Path) -> dict[str, float]:
    """`sitemon cameras probe --timeout 5` over every hostile camera at once, and over a refused port."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "monitor.cli", "cameras", "probe", "--timeout", "5", "--snapshots", str(folder)]

    def timed(*args: str) -> float:
        started = time.monotonic()
        subprocess.run([*cmd, *args], capture_output=True, env=env, timeout=300, check=False)
        return time.monotonic() - started

    with contextlib.ExitStack() as stack:
        urls = [
            pattern.format(port=stack.enter_context(hostile_server(behaviour)))
            for behaviour in BEHAVIOURS.values()
            for pattern in HOSTILE_KINDS.values()
        ]
        data = config_dict(urls)
        data["sampling"]["max_workers"] = len(urls)
        startup = timed(f"http://127.0.0.1:{free_port()}/snap.jpg")
        whole = timed("--config", str(write_config(folder / "hostile.yaml", data)))
    return {"cameras": len(urls), "startup_s": startup, "probe_s": whole, "beyond_startup_s": whole - startup}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = list(real_rows(folder)) + hostile_rows()
        probed = probe_hostile_set(folder)
    print("| server | what | status | cause | s | reason |\n| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['server']} | {r['what']} | `{r['status']}` | {r['cause']} | {r['seconds']:.1f} | {r['reason']} |")
    print(f"\ncameras probe --timeout 5, {probed['cameras']} hostile cameras at once: {probed['probe_s']:.1f} s, "
          f"of which the command's own start {probed['startup_s']:.1f} s: {probed['beyond_startup_s']:.1f} s")  # fmt: skip
    print(save("fault_table", {"open_s": OPEN_S, "read_s": READ_S, "rows": rows, "probe": probed}))


if __name__ == "__main__":
    main()
