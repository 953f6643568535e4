"""The demo deployment: sites that play the sample footage, on SQLite, on this machine only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from monitor.config.root import DEFAULT_TIMEZONE, default_calendar
from monitor.core.clock import Clock
from monitor.core.values import CameraKey
from monitor.demo.scenes import Scene

DEMO_DIR = Path("var/demo")

CCTV, SYNTHETIC = "site-cctv-day.mp4", "site-excavators-synthetic.mp4"
OFFLINE_URL = "rtsp://127.0.0.1:9/demo-offline"  # nothing listens there: the camera stays offline live too

# (id, name, district, batch, responsible unit, planned investment in 10k CNY, video, one scene per camera):
# each scene (monitor/demo/scenes.py) is a state a newcomer should see on the first open.
_SITES: list[tuple[str, str, str, str, str, float, str, list[Scene]]] = [
    (
        "cd-wwtp-2",
        "城东污水处理厂二期",
        "城东区",
        "started",
        "市水务集团",
        68000.0,
        CCTV,
        [Scene.working, Scene.working],
    ),
    ("gx-logistics", "高新区智能物流园", "高新区", "started", "高新区管委会", 125000.0, CCTV, [Scene.low]),
    ("bh-hospital", "滨湖区人民医院新院区", "滨湖区", "started", "市卫健委", 230000.0, SYNTHETIC, [Scene.stopped]),
    ("xz-school", "西州区第三中学扩建", "西州区", "started", "西州区教育局", 18000.0, CCTV, [Scene.offline]),
    ("jk-chip", "经开区集成电路产业园", "经开区", "signed", "经开区投资促进局", 560000.0, SYNTHETIC, [Scene.working]),
    ("cd-bridge", "城东跨河大桥", "城东区", "started", "市交通局", 42000.0, CCTV, [Scene.frozen]),
]
VIDEO_SECONDS = {CCTV: [1.0, 4.0, 7.0, 10.0, 13.0, 16.0, 19.0, 22.0], SYNTHETIC: [0.2, 1.0, 1.8, 2.6, 3.4, 4.2, 5.0]}
"""The moments of each video the history uses (the CCTV fades to black after 24.5 s)."""
PLACES: dict[str, tuple[float, float]] = {
    "cd-wwtp-2": (117.225, 31.895),
    "cd-bridge": (117.17, 31.965),
    "gx-logistics": (117.17, 31.73),
    "bh-hospital": (117.36, 31.74),
    "xz-school": (117.05, 31.80),
    "jk-chip": (117.36, 31.96),
}
"""Each site's WGS-84 longitude and latitude, inside its county of ``COUNTIES``."""
COUNTIES = Path(__file__).with_name("counties.geojson")
"""The demo's own county boundaries: five fictional counties, drawn offline on the map page."""
HOLIDAY_DAYS_AGO = 10
"""A holiday for every site, this many days before the demo's day."""


# Milestones, in days from the day the demo is written: (planned, actual) per milestone, so that every state
# shows: started late, on time and early, a structure overdue, a site that went into production during the
# month (three days ahead of its plan: the in-production rate), and a signed site whose planned start has passed
# (未按期开工) while its camera shows excavators at work (a start proposal follows).
_MILESTONES: dict[str, dict[str, tuple[int | None, int | None]]] = {
    "cd-bridge": {"start": (-200, -195), "completion": (150, None)},
    "cd-wwtp-2": {
        "start": (-120, -110),
        "structure_complete": (-10, None),
        "completion": (200, None),
        "production": (320, None),
    },
    "gx-logistics": {"start": (-60, -60), "structure_complete": (90, None), "completion": (240, None)},
    "bh-hospital": {"start": (-300, -305), "structure_complete": (-40, -45), "completion": (60, None)},
    "xz-school": {
        "start": (-700, -700),
        "structure_complete": (-400, -410),
        "completion": (-200, -190),
        "production": (-12, -15),
    },
    "jk-chip": {"start": (-7, None), "completion": (500, None), "production": (600, None)},
}


def _milestones(site_id: str, today: dt.date) -> dict[str, dict[str, str]]:
    def day(offset: int | None) -> str | None:
        return None if offset is None else (today + dt.timedelta(days=offset)).isoformat()

    out: dict[str, dict[str, str]] = {}
    for name, (planned, actual) in _MILESTONES.get(site_id, {}).items():
        dates = {"planned": day(planned), "actual": day(actual)}
        out[name] = {k: v for k, v in dates.items() if v is not None}
    return out


SAMPLE_CCTV_SECONDS = 24.0
"""How much of ../shared/videos/site-cctv-day.mp4 is CCTV: at 24.5 s it fades to black, then an end card."""


TIMEZONE = DEFAULT_TIMEZONE
DEMO_RECEIVER_PORT = 18765
"""The demo's own records receiver (``demo_receiver``) on 127.0.0.1, where its export.delivery points."""


def live_url(videos: Path, video: str, scene: Scene, folder: Path = DEMO_DIR) -> str:
    """Where a camera of ``scene`` reads live: the footage, or the clip that keeps its state (``demo_clips``)."""
    if scene is Scene.offline:
        return OFFLINE_URL
    if scene in (Scene.stopped, Scene.frozen):
        return str((folder / "clips" / f"{scene.value}-{video}").resolve())
    return str(videos / video)


def demo_config(
    shared: Path,
    interval_seconds: int = 20,
    today: dt.date | None = None,
    *,
    clock: Clock,
    receiver_port: int = DEMO_RECEIVER_PORT,
    folder: Path = DEMO_DIR,
    started: dt.time | None = None,
) -> dict[str, Any]:
    """The demo configuration as a mapping (written to YAML so operators can read and copy it); milestone
    dates and the holiday count from ``today`` (default: the local date). Its working hours run from
    ``started`` (default: four minutes before now, local, to the minute) to 23:59, so that live sampling counts at any hour and
    today's running score is judged on what the demo could have seen since it started."""
    local = default_calendar().local(clock())
    today = today or local.date()
    # A few minutes before now: the history samples them, so the first page already has today's scores.
    begin = started or (local - dt.timedelta(minutes=4)).time().replace(second=0, microsecond=0)
    if begin >= dt.time(23, 58) or begin > local.time():
        begin = dt.time(0, 0)
    videos = shared.resolve() / "videos"
    model = Path(__file__).resolve().parents[2] / "models" / "sitemon-construction-yolov8n_openvino_model"
    sites = []
    for sid, name, district, batch, unit, investment, video, scenes in _SITES:
        cameras: list[dict[str, Any]] = []
        for i, scene in enumerate(scenes):
            camera: dict[str, Any] = {
                "id": f"cam{i + 1}",
                "name": f"{i + 1}号摄像机",
                "url": live_url(videos, video, scene, folder),
            }
            if video == CCTV:
                # The CCTV footage has a date/time overlay top-left and a watermark bottom-right; after
                # 24.5 s it fades to black and a video end card (not CCTV) follows.
                camera["file_loop_seconds"] = SAMPLE_CCTV_SECONDS
                camera["zones"] = {"structure": [[0.0, 0.1], [0.75, 0.1], [0.75, 0.45], [0.0, 0.45]]}
                camera["masks"] = [
                    {"name": "clock", "polygon": [[0, 0], [0.45, 0], [0.45, 0.09], [0, 0.09]]},
                    {"name": "watermark", "polygon": [[0.7, 0.9], [1, 0.9], [1, 1], [0.7, 1]]},
                ]
                # A wide view: its far workers are found in 2 x 1 tiles plus the whole picture (models/README.md).
                camera["tiling"] = {"columns": 2, "rows": 1}
            cameras.append(camera)
        sites.append(
            {
                "id": sid,
                "name": name,
                "district": district,
                "batch": batch,
                "responsible_unit": unit,
                "planned_investment": investment,
                "longitude": PLACES[sid][0],
                "latitude": PLACES[sid][1],
                "milestones": _milestones(sid, today),
                "cameras": cameras,
            }
        )
    return {
        "timezone": TIMEZONE,
        "working_hours": {"start": begin.strftime("%H:%M"), "end": "23:59"},
        # A stopped site is idle after 3 working minutes (2 working hours in production): within the 4 minutes the
        # history samples today, so its idle alert stays open on the first page.
        "alerts": {"idle_after_hours": 0.05},
        "holidays": [(today - dt.timedelta(days=HOLIDAY_DAYS_AGO)).isoformat()],
        "sampling": {
            "interval_seconds": interval_seconds,
            "max_workers": 4,
            "snapshot_dir": str((folder / "snapshots").resolve()),
        },
        "detector": {
            "model": str(model),
            "image_size": 416,
            "confidence": 0.15,  # as camera_config.yaml: see docs/scoring.md, section 1
            "categories": {"Person": "worker", "machinery": "machinery", "vehicle": "vehicle"},
        },
        "export": {
            "folder": str((folder / "exports").resolve()),
            "delivery": {"url": f"http://127.0.0.1:{receiver_port}/records", "max_attempts": 5},
        },
        "map": {"boundaries": str(COUNTIES)},
        "sites": sites,
    }


def history_config(mapping: dict[str, Any]) -> dict[str, Any]:
    """The demo's configuration for its past month: working hours 08:00-18:00 sampled every two hours (5
    slots a day, each close enough to the last for activity to be measured) and snapshots at most 640 px
    wide, so a month takes about a minute."""
    return {
        **mapping,
        "working_hours": {"start": "08:00", "end": "18:00"},
        "alerts": {},  # the production default: idle after 2 working hours
        "sampling": {**mapping["sampling"], "interval_seconds": 7200, "snapshot_max_width": 640},
    }


def scenes(mapping: dict[str, Any]) -> dict[CameraKey, tuple[Scene, str]]:
    """Each demo camera's scene and video."""
    out: dict[CameraKey, tuple[Scene, str]] = {}
    for sid, *_, video, site_scenes in _SITES:
        for i, scene in enumerate(site_scenes):
            out[CameraKey(sid, f"cam{i + 1}")] = (scene, video)
    return out


def write_demo_config(mapping: dict[str, Any]) -> Path:
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    path = DEMO_DIR / "camera_config.yaml"
    header = "# Written by `sitemon demo`; edit camera_config.yaml for a real deployment.\n"
    body = yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False)
    path.write_text(header + body, encoding="utf-8")
    return path
