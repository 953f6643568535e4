"""Snapshot retention: delete by age and by disk budget, keep each assessed day's evidence longer.

The folder is ``<root>/<site>/<camera>/<YYYY-MM-DD (UTC)>/<HHMMSS>.jpg``. A day folder older than
``snapshot_retention_days`` (or, over the budget, an older one first) is pruned to its evidence: for each
local day the site was assessed (it has a daily score), the snapshot of the camera's busiest sample. A
``.evidence`` file marks a pruned folder; it goes as a whole after ``snapshot_evidence_days``. Left-over
``*.jpg.tmp`` files of failed writes go at every run.

The cleaner lives beside the writer (``snapshots``); which snapshot is a day's evidence is the database's
answer (``monitor.store.snapshot_evidence``), handed in as ``evidence``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from monitor.config import SamplingConfig

log = logging.getLogger(__name__)

EVIDENCE_MARK = ".evidence"
STALE_TMP = dt.timedelta(hours=1)
UNSCORED_DAYS = 2
"""The newest UTC day folders may hold days not assessed yet: the budget never prunes them."""
GB = 1024**3


@dataclass(frozen=True)
class DayFolder:
    site_id: str
    camera_id: str
    day: dt.date
    path: Path

    @property
    def pruned(self) -> bool:
        return (self.path / EVIDENCE_MARK).exists()


@dataclass
class CleanupResult:
    files_removed: int = 0
    bytes_freed: int = 0
    bytes_used: int = 0
    over_budget: bool = False

    def removed(self, path: Path) -> None:
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return
        self.files_removed += 1
        self.bytes_freed += size


@dataclass
class SnapshotCleanup:
    """What the clean-up did since start, for /metrics. Thread-safe."""

    files_removed: int = 0
    bytes_freed: int = 0
    bytes_used: int | None = None
    over_budget: bool = False
    last_run_at: dt.datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def figures(self) -> SnapshotCleanup:
        """A consistent copy, for a reader on another thread (the /metrics collector)."""
        with self._lock:
            return SnapshotCleanup(
                self.files_removed, self.bytes_freed, self.bytes_used, self.over_budget, self.last_run_at
            )

    def add(self, result: CleanupResult, at: dt.datetime) -> None:
        with self._lock:
            self.files_removed += result.files_removed
            self.bytes_freed += result.bytes_freed
            self.bytes_used = result.bytes_used
            self.over_budget = result.over_budget
            self.last_run_at = at


def day_folders(root: Path) -> list[DayFolder]:
    """Every site/camera/day folder, oldest day first."""
    found: list[DayFolder] = []
    for site in _dirs(root):
        for camera in _dirs(site):
            for folder in _dirs(camera):
                try:
                    day = dt.date.fromisoformat(folder.name)
                except ValueError:
                    continue
                found.append(DayFolder(site.name, camera.name, day, folder))
    return sorted(found, key=lambda f: (f.day, f.site_id, f.camera_id))


def _dirs(path: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(path) if e.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return []


def _size(folder: Path) -> int:
    """Bytes of the files in ``folder``; files that vanish meanwhile (a sweep renaming its .tmp) count 0."""
    total = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        try:
            if entry.is_file(follow_symlinks=False):
                total += entry.stat().st_size
        except FileNotFoundError:
            continue
    return total


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # renamed by a sweep writing it just now
        return None


def prune(folder: DayFolder, keep: set[str], result: CleanupResult) -> None:
    """Remove every file but ``keep``; mark the folder, or remove it when nothing is kept."""
    for entry in os.scandir(folder.path):
        if entry.is_file(follow_symlinks=False) and entry.name not in keep:
            result.removed(Path(entry.path))
    if keep:
        (folder.path / EVIDENCE_MARK).write_text("\n".join(sorted(keep)) + "\n")
    else:
        shutil.rmtree(folder.path, ignore_errors=True)


def remove(folder: DayFolder, result: CleanupResult) -> None:
    for entry in os.scandir(folder.path):
        if entry.is_file(follow_symlinks=False) and entry.name != EVIDENCE_MARK:
            result.removed(Path(entry.path))
    shutil.rmtree(folder.path, ignore_errors=True)


Evidence = Callable[["DayFolder"], set[str]]
"""The file names in a day folder to keep as its evidence."""


def clean_snapshots(root: Path, sampling: SamplingConfig, now: dt.datetime, evidence: Evidence) -> CleanupResult:
    """One clean-up round; see the module doc. Safe to run at any time and more than once."""
    result = CleanupResult()
    today = now.astimezone(dt.UTC).date()
    folders = day_folders(root)
    for folder in folders:
        for tmp in folder.path.glob("*.jpg.tmp"):
            mtime = _mtime(tmp)
            if mtime is not None and now.timestamp() - mtime > STALE_TMP.total_seconds():
                result.removed(tmp)
    for folder in folders:
        age = (today - folder.day).days
        if age > sampling.snapshot_evidence_days:
            remove(folder, result)
        elif age > sampling.snapshot_retention_days and not folder.pruned:
            prune(folder, evidence(folder), result)
    left = [f for f in folders if f.path.exists()]
    sizes = {f.path: _size(f.path) for f in left}
    used = sum(sizes.values())
    if sampling.snapshot_budget_gb is not None:
        budget = int(sampling.snapshot_budget_gb * GB)
        for folder in left:
            if used <= budget or (today - folder.day).days < UNSCORED_DAYS:
                break
            if folder.pruned:
                continue
            prune(folder, evidence(folder), result)
            used += (_size(folder.path) if folder.path.exists() else 0) - sizes[folder.path]
        if used > budget:
            result.over_budget = True
            log.warning(
                "snapshots use %.2f GB, over the budget of %.2f GB, with only evidence and the newest %d days left",
                used / GB,
                budget / GB,
                UNSCORED_DAYS,
            )
    result.bytes_used = used
    log.info(
        "snapshot clean-up: %d file(s) removed, %.1f MB freed, %.1f MB in use",
        result.files_removed,
        result.bytes_freed / 1024**2,
        used / 1024**2,
    )
    return result
