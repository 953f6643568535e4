"""`sitemon replay`: recorded footage through the production judgement, nothing stored."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import Any

from monitor.cli.common import CommandError, Subparsers, wall_clock
from monitor.config import AppConfig, CameraConfig, ConfigError, SiteConfig, load_config
from monitor.core.clock import Clock
from monitor.core.values import Sample
from monitor.demo.replay import ReplayInputError, ReplayResult, open_recording, replay
from monitor.demo.replay_days import DayRecording, DaysResult, day_recordings, replay_days
from monitor.scoring.score import DayScore


def add_parser(sub: Subparsers) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "replay",
        help="run recorded footage (a video file or a folder of images) through sampling, health, activity, scoring",
    )
    p.add_argument(
        "source",
        help="a video file (one frame per --interval of its time line), a folder of images, or a folder of days "
        "(YYYY-MM-DD/ folders of images or YYYY-MM-DD.mp4 videos: replayed in order, with the alerts)",
    )
    p.add_argument("--config", default="camera_config.yaml", help="detector, rules and zones (default: %(default)s)")
    p.add_argument("--site", help="use this site's camera zones and masks (with --camera)")
    p.add_argument("--camera", help="camera id within --site")
    p.add_argument("--interval", type=int, help="seconds between samples (default: sampling.interval_seconds)")
    p.add_argument(
        "--start",
        help="time of the first sample, local YYYY-MM-DDTHH:MM (default: today's work start); for a folder of days "
        "the time of each day's first sample (HH:MM or YYYY-MM-DDTHH:MM; default: the working hours' start)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.set_defaults(func=cmd_replay)


def pick_camera(
    config: AppConfig, site_id: str | None, camera_id: str | None
) -> tuple[SiteConfig, CameraConfig] | None:
    if site_id is None and camera_id is None:
        return None
    if site_id is None or camera_id is None:
        raise CommandError("--site and --camera go together")
    site = next((s for s in config.sites if s.id == site_id), None)
    if site is None:
        raise CommandError(f"--site {site_id!r}: no such site in the config")
    camera = next((c for c in site.cameras if c.id == camera_id), None)
    if camera is None:
        raise CommandError(f"--camera {camera_id!r}: site {site_id} has no such camera")
    return site, camera


def start_time(config: AppConfig, value: str | None, clock: Clock = wall_clock) -> dt.datetime:
    if value is None:
        today = config.calendar.day_of(clock())
        return config.calendar.at_local(today, config.working_hours.start)
    try:
        parsed = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except ValueError:
        raise CommandError(f"--start must be YYYY-MM-DDTHH:MM (local time), got {value!r}") from None
    return config.calendar.as_local(parsed)


def first_sample_time(config: AppConfig, value: str | None) -> dt.time:
    """For a folder of days: the local time of each day's first sample."""
    if value is None:
        return config.working_hours.start
    for form in ("%H:%M", "%Y-%m-%dT%H:%M"):
        try:
            return dt.datetime.strptime(value, form).time()
        except ValueError:
            continue
    raise CommandError(f"--start must be HH:MM or YYYY-MM-DDTHH:MM (local time), got {value!r}")


def day_record(day: DayScore) -> dict[str, Any]:
    return {"date": day.day.isoformat(), "status": day.status.value, "score": day.score, "components": day.components}


def days_as_json(result: DaysResult, config: AppConfig) -> dict[str, Any]:
    def local(at: dt.datetime | None) -> str | None:
        return config.calendar.local(at).isoformat(timespec="minutes") if at is not None else None

    return {
        "days": [day_record(d) for d in result.days],
        "alerts": [
            {"kind": a.kind, "opened": local(a.opened), "closed": local(a.closed), "reason": a.reason}
            for a in result.alerts
        ],
        "samples": [sample_record(s, config) for s in result.samples],
    }


def print_days(result: DaysResult, config: AppConfig) -> None:
    print(f"{'day':<11} {'status':<14} {'score':>5}  {'coverage':>8} {'active':>7}")
    for d in result.days:
        c = d.components
        score = "-" if d.score is None else f"{d.score:.1f}"
        print(f"{d.day!s:<11} {d.status.value:<14} {score:>5}  {c['coverage']:>8.1%} {c['active_share']:>7.1%}")
    print("\nalerts:" if result.alerts else "\nno alerts")
    for a in result.alerts:
        opened = config.calendar.local(a.opened).strftime("%Y-%m-%d %H:%M")
        closed = config.calendar.local(a.closed).strftime("%Y-%m-%d %H:%M") if a.closed else "open"
        print(f"  {a.kind:<16} {opened} - {closed:<16} {a.reason}")


def sample_record(sample: Sample, config: AppConfig) -> dict[str, Any]:
    counts, activity = sample.counts, sample.activity
    return {
        "at": config.calendar.local(sample.slot_at).isoformat(timespec="minutes"),
        "status": sample.status.value,
        "reason": sample.reason,
        "workers": counts.workers if counts else None,
        "machinery": counts.machinery if counts else None,
        "vehicles": counts.vehicles if counts else None,
        "moving_workers": activity.moving_workers if activity else None,
        "working_machines": activity.working_machines if activity else None,
        "level": activity.level if activity else None,
    }


def as_json(result: ReplayResult, config: AppConfig) -> dict[str, Any]:
    return {"samples": [sample_record(s, config) for s in result.samples], "day": day_record(result.day)}


def print_table(result: ReplayResult, config: AppConfig) -> None:
    print(f"{'time':<6} {'status':<8} {'W':>3} {'M':>3} {'V':>3} {'mW':>3} {'wM':>3} {'level':>5}  reason")
    for s in result.samples:
        r = sample_record(s, config)

        def n(v: object) -> str:
            return "-" if v is None else str(v)

        at = r["at"][11:16]
        print(
            f"{at:<6} {r['status']:<8} {n(r['workers']):>3} {n(r['machinery']):>3} {n(r['vehicles']):>3} "
            f"{n(r['moving_workers']):>3} {n(r['working_machines']):>3} {n(r['level']):>5}  {r['reason']}"
        )
    day, c = result.day, result.day.components
    score = "-" if day.score is None else f"{day.score:.1f}"
    print(
        f"\n{day.day}: {day.status.value}, score {score}; coverage {c['coverage']:.1%}, active share "
        f"{c['active_share']:.1%}, moving workers {c['avg_moving_workers']}, working machines "
        f"{c['avg_working_machines']} ({len(result.samples)} samples)"
    )


def cmd_replay(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from monitor.execution.local import load_detector

    # The table says each sample's status and reason: the per-sample log lines would only repeat it.
    for name in ("monitor.sampling.sampler", "ultralytics"):
        logging.getLogger(name).setLevel(max(logging.getLogger(name).getEffectiveLevel(), logging.ERROR))
    try:
        # Camera URLs are not needed to replay: their ${VAR}s need not be set.
        config = load_config(args.config, resolve_sources=False)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    picked = pick_camera(config, args.site, args.camera)
    interval = config.sampling.interval_seconds if args.interval is None else args.interval
    if interval <= 0:
        raise CommandError(f"--interval must be a positive number of seconds, got {interval}")
    try:
        source = Path(args.source)
        days = day_recordings(source, interval) if source.is_dir() else None
        if days is not None:
            return _replay_days(args, config, days, interval, picked)
        start = start_time(config, args.start)
        recording = open_recording(args.source, interval)
        try:
            detector = load_detector(config, args.config)
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
        with tqdm(total=recording.count, unit="sample", file=sys.stderr, disable=None, leave=False) as bar:
            result = replay(
                recording,
                config,
                detector,
                start,
                interval,
                site=picked[0] if picked else None,
                camera=picked[1] if picked else None,
                progress=bar.update,
            )
    except ReplayInputError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        json.dump(as_json(result, config), sys.stdout, ensure_ascii=False)
        print()
    else:
        print_table(result, config)
    return 0


def _replay_days(
    args: argparse.Namespace,
    config: AppConfig,
    days: list[DayRecording],
    interval: int,
    picked: tuple[SiteConfig, CameraConfig] | None,
) -> int:
    from tqdm import tqdm

    from monitor.execution.local import load_detector

    first = first_sample_time(config, args.start)
    try:
        detector = load_detector(config, args.config)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    total = sum(d.recording.count if d.recording else 0 for d in days)
    with tqdm(total=total, unit="sample", file=sys.stderr, disable=None, leave=False) as bar:
        result = replay_days(
            days,
            config,
            detector,
            first,
            interval,
            site=picked[0] if picked else None,
            camera=picked[1] if picked else None,
            progress=bar.update,
        )
    if args.json:
        json.dump(days_as_json(result, config), sys.stdout, ensure_ascii=False)
        print()
    else:
        print_days(result, config)
    return 0
