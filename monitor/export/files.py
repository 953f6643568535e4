"""The assessment as an Excel workbook (Chinese headers), CSV and JSON. Same data, same bytes."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from monitor.core.cells import neutralised
from monitor.core.wording import camera_words, headers, word
from monitor.export.milestones import add_sheets
from monitor.export.report import BATCH_ZH, STATUS_ZH, Assessment, Observed, RedRow, SiteRow
from monitor.export.sheets import sheet

SITE_HEADERS = headers(
    [
        "rank",
        "site_id",
        "site",
        "district",
        "batch",
        "unit",
        "score",
        "status",
        "coverage",
        "active_share",
        "avg_moving_workers",
        "avg_working_machines",
        "worker_hours",
        "machine_hours",
        "structure_change",
        "partial",
        "observed_until",
    ]
)
DISTRICT_HEADERS = headers(["rank", "district", "sites", "scored_sites", "average_score", "idle_sites", "outage_sites"])
CAMERA_HEADERS = headers(["site_id", "site", "camera", "uptime", "camera_coverage", "camera_status", "reason"])
RED_HEADERS = headers(["site_id", "site", "district", "unit", "status", "since", "run_days", "before"])
FIXED_TIME = (2020, 1, 1, 0, 0, 0)
# openpyxl stamps the save time into docProps/core.xml whatever the properties say.
MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def site_cells(r: SiteRow, seen: Observed) -> list[Any]:
    """One site's row; the last two cells say whether the day was still running and until when it counts."""
    return [
        r.rank,
        r.site_id,
        r.name,
        r.district,
        BATCH_ZH.get(r.batch, r.batch),
        r.responsible_unit,
        r.score,
        STATUS_ZH.get(r.status, r.status),
        r.coverage,
        r.active_share,
        r.avg_moving_workers,
        r.avg_working_machines,
        r.worker_hours,
        r.machine_hours,
        r.structure_change,
        "是" if seen.partial else "否",
        f"{seen.until:%Y-%m-%d %H:%M}",
    ]


def red_cells(r: RedRow) -> list[Any]:
    """A site on the red list: its current run, then the runs before it (each status its own)."""
    before = "；".join(f"{STATUS_ZH.get(e.status, e.status)} {e.days}天（{e.since:%m-%d}起）" for e in r.earlier)
    return [
        r.site_id,
        r.name,
        r.district,
        r.responsible_unit,
        STATUS_ZH.get(r.status, r.status),
        r.since.isoformat(),
        r.days,
        before,
    ]


def workbook_bytes(a: Assessment) -> bytes:
    wb = Workbook()
    ranked = sorted(a.sites, key=lambda r: (r.rank is None, r.rank or 0, r.site_id))
    sheet(wb, "项目得分", SITE_HEADERS, [site_cells(r, a.observed) for r in ranked], first=True)
    sheet(
        wb,
        "区县排名",
        DISTRICT_HEADERS,
        [
            [d.rank, d.district, d.sites, d.scored_sites, d.average_score, d.idle_sites, d.outage_sites]
            for d in a.districts
        ],
    )
    sheet(wb, "停工项目", SITE_HEADERS, [site_cells(r, a.observed) for r in a.idle])
    sheet(wb, "视频中断", SITE_HEADERS, [site_cells(r, a.observed) for r in a.outages])
    sheet(
        wb,
        "摄像机离线",
        CAMERA_HEADERS,
        [
            [
                c.site_id,
                c.site_name,
                c.camera_id,
                c.uptime,
                c.coverage,
                word("camera_status", c.status),
                camera_words(c.status, c.cause),
            ]
            for c in a.cameras_down
        ],
    )
    sheet(wb, "红榜", RED_HEADERS, [red_cells(r) for r in a.red or []])
    if a.milestones is not None:
        add_sheets(wb, a.milestones, {r.site_id: (r.name, r.district) for r in a.sites})
    stamp = dt.datetime.combine(a.day, dt.time(0, 0))
    wb.properties.created = stamp
    wb.properties.modified = stamp
    partial = f"（部分日，截至 {a.observed.until:%H:%M}）" if a.observed.partial else ""
    wb.properties.title = f"重点项目视频监测日评估 {a.day.isoformat()}{partial}"
    wb.properties.creator = "sitemon"
    raw = io.BytesIO()
    wb.save(raw)
    return normalised_zip(raw.getvalue(), stamp)


def normalised_zip(data: bytes, modified: dt.datetime) -> bytes:
    """Rewrite the xlsx (a zip) with fixed entry times and document date, so the same data gives the same
    bytes."""
    stamp = modified.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            dst.writestr(fixed, content)
    return out.getvalue()


def csv_bytes(a: Assessment) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(SITE_HEADERS)
    for r in sorted(a.sites, key=lambda r: (r.rank is None, r.rank or 0, r.site_id)):
        writer.writerow(["" if v is None else neutralised(v) for v in site_cells(r, a.observed)])
    return ("\ufeff" + text.getvalue()).encode("utf-8")  # BOM: Excel opens Chinese CSV correctly


def json_bytes(a: Assessment) -> bytes:
    return json.dumps(a.as_dict(), ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


class ExportWriteError(OSError):
    """A file of the assessment could not be written (a full disk, a read-only folder); nothing half-written
    is left behind. The message names the file and the cause, not the folder's path."""


def _cause(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if exc.errno == errno.EROFS:
        return "the folder is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "the folder may not be written"
    return exc.strerror or type(exc).__name__


def write_files(a: Assessment, folder: Path) -> dict[str, Path]:
    """assessment-YYYY-MM-DD.{xlsx,csv,json} in ``folder``, each written atomically: a temporary file renamed
    over the old one, and removed when the write fails (ExportWriteError)."""
    out = {}
    for suffix, data in (("xlsx", workbook_bytes(a)), ("csv", csv_bytes(a)), ("json", json_bytes(a))):
        path = folder / f"assessment-{a.day.isoformat()}.{suffix}"
        tmp = path.with_suffix(f".{suffix}.tmp")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise ExportWriteError(exc.errno, f"{path.name} not written: {_cause(exc)}") from exc
        out[suffix] = path
    return out
