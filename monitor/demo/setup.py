"""Setting the demo up: its month of history (cached in var/demo/), its clips, its people.

The history is rebuilt only when its cache key changes: a hash of the demo configuration (which holds the
day it was made for, through the milestone dates and the holiday) and of the code that makes it (sitemon's
version and the demo modules' source). Otherwise a start finds ``history.json`` with the same key and the
database as it was, and goes straight to live sampling.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import cv2
from sqlalchemy.orm import Session, sessionmaker

import monitor
from detectors import CategoryMap, Detector
from monitor.assignments.store import NewAssignment, create
from monitor.assignments.units import bind
from monitor.config import AppConfig, parse_config
from monitor.core.clock import Clock
from monitor.delivery.outbox import deliver_due
from monitor.delivery.receivers import assessment_receiver
from monitor.demo import config as demo
from monitor.demo import history as demo_history
from monitor.demo import scenes as demo_scenes
from monitor.demo.history import HistoryStats, build_history
from monitor.demo.scenes import FrameBank
from monitor.execution.local import load_detector
from monitor.store import make_engine, make_session_factory, migrate
from monitor.store.repo import sample_count, sync_config
from monitor.store.users import Role, account, add_user

log = logging.getLogger(__name__)

UNIT_USER, UNIT_PASSWORD, UNIT_NAME = "unit", "sitemon-demo", "市卫健委"
"""The demo's responsible-unit user (the stopped hospital's unit), with one open assignment; README."""
HISTORY_DAYS = 30


def cache_key(mapping: dict[str, Any], days: int = HISTORY_DAYS) -> str:
    """The demo configuration (less its working hours, which follow the start time and which the history
    replaces with its own, and its receiver's address, which follows the port free at start) and the code
    that builds the history."""
    kept = {k: v for k, v in mapping.items() if k not in ("working_hours", "export")}
    kept["export"] = {k: v for k, v in mapping.get("export", {}).items() if k != "delivery"}
    digest = hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode())
    digest.update(f"{days} days, sitemon {monitor.__version__}".encode())
    for module in (demo, demo_history, demo_scenes):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


CLIP_FRAMES = 23
"""Frames of a live clip at 5 fps (4.6 s): a prime number of them, so that samples taken every N whole seconds
never land on the same frame twice running (a 4 s clip sampled every 20 s showed one frame every time, and the
stopped site's live camera read as frozen ten minutes after the demo started)."""


def write_clips(bank: FrameBank, folder: Path) -> None:
    """The live footage of the stopped site (still, with noise) and of the frozen camera (one picture)."""
    folder.mkdir(parents=True, exist_ok=True)
    for video, frames in bank.moving.items():
        h, w = frames[0].shape[:2]
        for scene, pictures in ((demo_scenes.Scene.stopped, bank.still[video]), (demo_scenes.Scene.frozen, frames[:1])):
            out = cv2.VideoWriter(str(folder / f"{scene.value}-{video}"), cv2.VideoWriter.fourcc(*"mp4v"), 5, (w, h))
            for i in range(CLIP_FRAMES):
                out.write(pictures[i % len(pictures)])
            out.release()


def seed_people(sessions: sessionmaker[Session], config: AppConfig, now: dt.datetime) -> None:
    """The unit user and its one open assignment, so the assignment screens have content."""
    with sessions() as session:
        if account(session, UNIT_USER) is None:
            add_user(session, UNIT_USER, UNIT_PASSWORD, Role.unit, display_name="市卫健委联络员", now=now)
            bind(session, UNIT_USER, UNIT_NAME)
        site = "bh-hospital"
        ask = NewAssignment(
            site, "idle", "连续一周无施工活动：说明停工原因，报复工计划", now.date() + dt.timedelta(days=3)
        )
        create(session, config, ask, by="演示管理员", now=now)
        session.commit()


def _wipe(folder: Path, database_url: str) -> None:
    for name in ("snapshots", "exports", "clips"):
        shutil.rmtree(folder / name, ignore_errors=True)
    (folder / "received.jsonl").unlink(missing_ok=True)
    (folder / "history.json").unlink(missing_ok=True)
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def cached_working_hours(
    mapping: dict[str, Any], folder: Path = demo.DEMO_DIR, days: int = HISTORY_DAYS
) -> dict[str, str] | None:
    """The working hours of the start that built the cached history, when the cache serves ``mapping`` (the
    same day, config and code), else None. A second start the same day keeps them: today's samples since the
    first start stay in the running score's window, instead of a window that opens four minutes before the
    second start, whose first minutes nothing sampled (every site read 视频中断 until they were made up)."""
    stamp = folder / "history.json"
    if not stamp.is_file():
        return None
    record = json.loads(stamp.read_text(encoding="utf-8"))
    if record.get("key") != cache_key(mapping, days):
        return None
    hours = record.get("working_hours")
    return {str(k): str(v) for k, v in hours.items()} if isinstance(hours, dict) else None


def ensure_history(
    mapping: dict[str, Any],
    shared: Path,
    database_url: str,
    now: dt.datetime,
    folder: Path = demo.DEMO_DIR,
    detector: tuple[Detector, CategoryMap] | None = None,
    days: int = HISTORY_DAYS,
    clock: Clock | None = None,
) -> HistoryStats | None:
    """The demo's month before ``now``, from the cache when its key matches (None), else built (its figures);
    today is sampled up to ``clock()`` once the month is built (default: up to ``now``)."""
    stamp = folder / "history.json"
    key = cache_key(mapping, days)
    if stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")).get("key") == key:
        log.info("demo history from the cache (%s)", stamp)
        return None
    _wipe(folder, database_url)
    videos = {v: (shared.resolve() / "videos" / v, s) for v, s in demo.VIDEO_SECONDS.items()}
    bank = FrameBank.load(videos)
    write_clips(bank, folder / "clips")
    clips = {v: folder / "clips" / f"{demo_scenes.Scene.frozen.value}-{v}" for v in videos}
    bank = bank.with_frozen({v: demo_scenes.decode_frames(path, [0.0])[0] for v, path in clips.items()})
    config = parse_config(demo.history_config(mapping))
    engine = make_engine(database_url)
    try:
        migrate(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            sync_config(session, config, lambda: now)
        stats = build_history(
            config,
            engine,
            sessions,
            bank,
            demo.scenes(mapping),
            detector or load_detector(config),
            now,
            days,
            live=parse_config(mapping),
            until=clock,
        )
        seed_people(sessions, config, now)
        if config.export.delivery is not None:
            with sessions() as session:
                deliver_due(session, assessment_receiver(config.export.delivery), now, limit=10_000)
        with sessions() as session:
            samples = sample_count(session)
    finally:
        engine.dispose()
    record = {
        "key": key,
        "built_at": now.isoformat(),
        "working_hours": mapping["working_hours"],
        "samples": samples,
        **stats.__dict__,
    }
    stamp.write_text(json.dumps(record, indent=1), encoding="utf-8")
    return stats
