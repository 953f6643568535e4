"""sitemon cameras probe: connect to a camera (a URL, one site's cameras, or the whole config) and say
what it sends, how fast, or why not; save what it showed. Exit 0: all answered; 1: a fault; 2: bad arguments."""

from __future__ import annotations

import argparse
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2

from monitor.cli.common import DEFAULT_CONFIG, CommandError, Subparsers
from monitor.config import AppConfig, CameraConfig, ConfigError, load_config
from monitor.config.camera import resolve_camera_url
from monitor.config.settings import grab_deadline
from monitor.sources.probe import Probe, probe

log = logging.getLogger("sitemon")
COLUMNS = ("site", "camera", "status", "codec", "size", "fps", "first frame", "reason")


def cmd_probe(args: argparse.Namespace) -> int:
    if args.url and (args.site or args.camera):
        raise CommandError("give a URL or --site [--camera], not both")
    if args.camera and not args.site:
        raise CommandError("--camera needs --site")
    if args.timeout is not None and args.timeout <= 0:
        raise CommandError(f"--timeout must be more than 0 seconds, got {args.timeout:g}")
    snapshots = Path(args.snapshots)
    if args.url:
        try:
            url = resolve_camera_url(args.url.strip(), Path.cwd())
        except ValueError as exc:
            raise CommandError(f"URL: {exc}") from None
        timeout = args.timeout or 10.0
        result = probe(url, args.transport or "tcp", timeout, timeout, deadline_s=timeout)
        print(describe(result, _save(result, snapshots, "probe")))
        return 0 if result.ok else 1
    config = _config(args.config)
    cameras = _cameras(config, args.site, args.camera)
    o = args.timeout or config.sampling.open_timeout_seconds
    r = args.timeout or config.sampling.read_timeout_seconds
    deadline = args.timeout or grab_deadline(config.sampling)

    def run(item: tuple[str, CameraConfig]) -> Probe:
        camera = item[1]
        transport = args.transport or (camera.transport or config.sampling.transport).value
        return probe(camera.detection_url, transport, o, r, deadline_s=deadline)

    with ThreadPoolExecutor(max_workers=max(1, min(config.sampling.max_workers, len(cameras)))) as pool:
        results = list(pool.map(run, cameras))
    if len(cameras) == 1:
        (site_id, camera), result = cameras[0], results[0]
        print(describe(result, _save(result, snapshots, f"{site_id}_{camera.id}")))
        return 0 if result.ok else 1
    rows = []
    for (site_id, camera), result in zip(cameras, results, strict=True):
        _save(result, snapshots, f"{site_id}_{camera.id}")
        rows.append((site_id, camera.id, *_cells(result)))
    print(table(rows))
    failed = sum(1 for result in results if not result.ok)
    print(f"{len(results) - failed} of {len(results)} camera(s) answered; snapshots in {snapshots}")
    return 1 if failed else 0


def describe(result: Probe, snapshot: Path | None) -> str:
    """One camera, a line per finding."""
    lines = [f"url: {result.url}", f"kind: {result.kind}", f"status: {result.status.value}"]
    if result.ok:
        lines += [
            f"codec: {result.codec}",
            f"resolution: {result.width}x{result.height}",
            f"frame rate: {'unknown' if result.fps is None else f'{result.fps:g} fps'}",
            f"first frame: {result.first_frame_s:.2f} s",
        ]
        if result.transport:
            lines.append(f"transport: {result.transport}")
    if result.reason:
        lines.append(f"{'note' if result.ok else 'fault'}: {result.reason}")
    if snapshot is not None:
        lines.append(f"snapshot: {snapshot}")
    return "\n".join(lines)


def table(rows: list[tuple[str, ...]]) -> str:
    """Aligned columns; the reason, last, as long as it is."""
    all_rows = [COLUMNS, *rows]
    widths = [max(len(row[i]) for row in all_rows) for i in range(len(COLUMNS) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in all_rows
    ).rstrip()


def _cells(result: Probe) -> tuple[str, ...]:
    if not result.ok:
        return (result.status.value, "", "", "", "", result.reason)
    fps = "" if result.fps is None else f"{result.fps:g}"
    first = f"{result.first_frame_s:.2f} s" if result.first_frame_s is not None else ""
    return (result.status.value, result.codec, f"{result.width}x{result.height}", fps, first, result.reason)


def _save(result: Probe, folder: Path, name: str) -> Path | None:
    if result.image is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.jpg"
    if not cv2.imwrite(str(path), result.image):
        log.warning("could not write the snapshot %s", path)
        return None
    return path


def _config(path: str) -> AppConfig:
    try:
        return load_config(path)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


def _cameras(config: AppConfig, site: str | None, camera: str | None) -> list[tuple[str, CameraConfig]]:
    sites = [s for s in config.sites if site is None or s.id == site]
    if not sites:
        raise CommandError(f"--site: no site '{site}' in the config (sites: {', '.join(s.id for s in config.sites)})")
    found = [(s.id, c) for s in sites for c in s.cameras if camera is None or c.id == camera]
    if not found:
        ids = ", ".join(c.id for c in sites[0].cameras)
        raise CommandError(f"--camera: no camera '{camera}' at site '{site}' (cameras: {ids})")
    return found


def add_parser(sub: Subparsers) -> None:
    cams = sub.add_parser("cameras", help="camera tools")
    cams_sub = cams.add_subparsers(dest="cameras_command", required=True)
    pr = cams_sub.add_parser(
        "probe",
        help="connect to a camera (a URL, --site [--camera], or every camera in the config) and report what it "
        "sends: codec, resolution, frame rate, time to the first frame, or the fault; save a snapshot",
    )
    pr.add_argument("url", nargs="?", help="a camera URL (${VAR} expanded); none: the config's cameras")
    pr.add_argument("--site", help="only this site's cameras")
    pr.add_argument("--camera", help="with --site: only this camera")
    pr.add_argument("--config", default=DEFAULT_CONFIG)
    pr.add_argument("--transport", choices=["tcp", "udp"], help="RTSP transport to try first (default: configured)")
    pr.add_argument(
        "--timeout",
        type=float,
        help="seconds for the whole probe of one camera: connect, answer, first frame (default: the config's "
        "open + read timeout, or 10 for a URL)",
    )
    pr.add_argument("--snapshots", default="var/probe", help="folder for the snapshots (site_camera.jpg)")
    pr.set_defaults(func=cmd_probe)
