"""`sitemon demo`'s month, built by the real pipeline into a temporary folder, read back over the API and in
a real browser (Debian's chromium) at 1366x768 and 1920x1080."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import create_app
from monitor.config import AppConfig, parse_config
from monitor.demo.config import demo_config
from monitor.demo.receiver import DemoReceiver
from monitor.demo.setup import UNIT_PASSWORD, UNIT_USER, cached_working_hours, ensure_history
from monitor.store import make_engine, make_session_factory
from monitor.store.users import Role, add_user
from tests.fixtures.browser import ARGS, ARTIFACTS, CHROMIUM, on_the_tests_clock, require_chromium
from tests.fixtures.browser import served as serve_app
from tests.fixtures.servers import SAMPLE_VIDEO

pytestmark = pytest.mark.slow
SHARED = SAMPLE_VIDEO.parents[1]
NOW = dt.datetime(2026, 11, 28, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai: the demo's start
TODAY = dt.date(2026, 11, 28)


@dataclass
class Demo:
    config: AppConfig
    folder: Path
    url: str
    received: int
    build_s: float
    cached_s: float


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("demo") / "var" / "demo"
    receiver = DemoReceiver(folder, 0).start()
    mapping = demo_config(SHARED, today=TODAY, clock=lambda: NOW, folder=folder)
    mapping["export"]["delivery"]["url"] = receiver.url
    url = f"sqlite:///{folder / 'sitemon.db'}"
    started = time.perf_counter()
    assert ensure_history(mapping, SHARED, url, NOW, folder=folder) is not None
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    assert ensure_history(mapping, SHARED, url, NOW, folder=folder) is None  # the cache: nothing rebuilt
    cached_s = time.perf_counter() - started
    print(f"demo history: built in {build_s:.1f} s, cached start {cached_s * 1000:.1f} ms")
    print((folder / "history.json").read_text(encoding="utf-8"))
    yield Demo(parse_config(mapping), folder, url, receiver.received, build_s, cached_s)
    receiver.close()


@pytest.fixture(scope="module")
def client(demo: Demo) -> Iterator[TestClient]:
    engine = make_engine(demo.url)
    sessions = make_session_factory(engine)
    with sessions() as s:
        add_user(s, "chief", "admin-pass-1", Role.admin, display_name="调度科长", now=NOW)
    app = create_app(
        sessions, demo.folder / "snapshots", demo.folder / "exports", config=demo.config, clock=lambda: NOW
    )
    client = TestClient(app)
    token = client.post("/api/auth/login", json={"username": "chief", "password": "admin-pass-1"}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    yield client
    engine.dispose()


def _day(client: TestClient, day: dt.date) -> dict[str, dict[str, Any]]:
    return {s["site_id"]: s for s in client.get("/api/scores", params={"day": str(day)}).json()}


def test_thirty_days_of_scores_and_every_state(client: TestClient) -> None:
    days = [TODAY - dt.timedelta(days=d) for d in range(30, 0, -1)]
    by_day = {d: _day(client, d) for d in days}
    assert all(len(by_day[d]) == 6 for d in days), "every site scored every day"
    working = [by_day[d]["cd-wwtp-2"] for d in days]
    assert sum(1 for s in working if s["status"] == "active") >= 20
    yesterday = by_day[TODAY - dt.timedelta(days=1)]
    assert yesterday["gx-logistics"]["status"] == "low_activity"
    assert yesterday["bh-hospital"]["status"] == "idle"
    assert by_day[TODAY - dt.timedelta(days=8)]["bh-hospital"]["status"] == "active"  # it stopped a week ago
    assert yesterday["xz-school"]["status"] == "camera_outage"  # its camera offline for three days
    assert yesterday["cd-bridge"]["status"] == "camera_outage"  # its camera frozen
    assert {s["status"] for s in by_day[TODAY - dt.timedelta(days=10)].values()} == {"not_expected"}  # holiday
    assert {s["status"] for s in working} >= {"active", "not_expected"}
    assert all(by_day[d]["jk-chip"]["status"] == "not_expected" for d in days)  # signed, not started


def test_the_idle_site_is_red_with_an_open_idle_alert_and_the_cameras_show_their_faults(client: TestClient) -> None:
    alerts = client.get("/api/alerts").json()
    kinds = {(a["site_id"], a["type"]) for a in alerts}
    assert ("bh-hospital", "site_idle") in kinds
    assert ("xz-school", "camera_offline") in kinds
    assert ("cd-bridge", "camera_frozen") in kinds
    assert ("jk-chip", "start_overdue") in kinds
    sites = {s["id"]: s for s in client.get("/api/sites").json()}
    status = {(sid, c["id"]): c["status"] for sid, s in sites.items() for c in s["cameras"]}
    assert status[("xz-school", "cam1")] == "offline"
    assert status[("cd-bridge", "cam1")] == "frozen"
    assert status[("cd-wwtp-2", "cam1")] == "online"
    assert sites["bh-hospital"]["today_status"] == "idle"  # red on the overview from the first page
    assert sites["cd-wwtp-2"]["today_status"] == "active"
    assert sites["jk-chip"]["today_status"] == "not_expected"
    detail = client.get("/api/sites/bh-hospital").json()
    assert len(detail["scores"]) >= 29
    assert sites["cd-wwtp-2"]["cameras"][0]["latest_sample"]["snapshot_url"]


def test_rankings_exports_deliveries_starts_and_the_unit_have_content(client: TestClient, demo: Demo) -> None:
    yesterday = str(TODAY - dt.timedelta(days=1))
    ranking = client.get("/api/rankings", params={"day": yesterday}).json()
    assert len(ranking) >= 5 and any(r["average_score"] for r in ranking)
    assert client.get(f"/api/exports/{yesterday}/csv").status_code == 200
    deliveries = client.get("/api/deliveries").json()
    assert deliveries and all(d["state"] == "delivered" for d in deliveries)
    received = (demo.folder / "received.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(received) == demo.received > 100 and json.loads(received[0])
    assert client.get("/api/start-proposals").json()
    unit = TestClient(client.app)
    token = unit.post("/api/auth/login", json={"username": UNIT_USER, "password": UNIT_PASSWORD}).json()["token"]
    mine = unit.get("/api/assignments", headers={"Authorization": f"Bearer {token}"}).json()
    assert [(a["site_id"], a["state"]) for a in mine] == [("bh-hospital", "open")]


@pytest.fixture(scope="module")
def served(demo: Demo) -> Iterator[str]:
    require_chromium()
    engine = make_engine(demo.url)
    sessions = make_session_factory(engine)
    with sessions() as s:
        add_user(s, "duty", "viewer-pass-1", Role.viewer, display_name="值班员", now=NOW)
    app = create_app(
        sessions, demo.folder / "snapshots", demo.folder / "exports", config=demo.config, clock=lambda: NOW
    )
    with serve_app(app) as url:
        yield url
    engine.dispose()


LAYOUT = """() => {
  const cards = [...document.querySelectorAll('#grid .card')];
  const gaps = cards.map((c) => c.getBoundingClientRect().bottom - Math.max(...[...c.children].map((e) => e.getBoundingClientRect().bottom)));
  const img = document.querySelector('#grid .card img').getBoundingClientRect();
  return {cards: cards.length, maxGap: Math.max(...gaps), thumb: img.height, panel: document.querySelector('aside.panel').getBoundingClientRect().height,
          card: Math.max(...cards.map((c) => c.getBoundingClientRect().height)),
          overflow: document.documentElement.scrollWidth - window.innerWidth};
}"""


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_overview_cards_keep_their_height_and_nothing_overflows(served: str, size: tuple[int, int]) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = on_the_tests_clock(
            browser.new_page(viewport={"width": size[0], "height": size[1]}, locale="zh-CN"), lambda: NOW
        )
        try:
            page.goto(served + "/")
            page.fill("input[name=username]", "duty")
            page.fill("input[name=password]", "viewer-pass-1")
            page.click("button[type=submit]")
            expect(page.locator("#grid .card")).to_have_count(6, timeout=15000)
            expect(page.locator("#delivery")).not_to_have_text("无")
            expect(page.locator("a.card[data-site=bh-hospital]")).to_have_class("card s-idle")
            deadline = time.monotonic() + 20
            while not page.evaluate("[...document.querySelectorAll('#grid img')].every(i => i.complete)"):
                assert time.monotonic() < deadline
                time.sleep(0.1)
            layout = page.evaluate(LAYOUT)
            page.screenshot(path=str(ARTIFACTS / f"demo-overview-{size[0]}x{size[1]}.png"))
        finally:
            browser.close()
    assert layout["overflow"] <= 0, layout
    assert layout["maxGap"] < 12, layout  # no blank space under a card's content: not stretched
    assert layout["card"] < layout["panel"], layout
    assert layout["thumb"] >= 90, layout  # a real thumbnail, not a strip


def test_the_live_demo_keeps_every_state_through_an_afternoon(demo: Demo, tmp_path: Path) -> None:
    """Left running, every demo site stays as it was built (issue 25): three hours of live sampling on a
    copy of the demo's database, a sweep every five minutes on a simulated clock."""
    import shutil

    from sqlalchemy import select

    from monitor.demo.config import scenes
    from monitor.demo.scenes import Scene
    from monitor.service.runtime import build_runtime
    from monitor.service.schedule import sweep_cycle
    from monitor.store import models
    from tests.fixtures.clock import StepClock

    database = tmp_path / "live.db"
    shutil.copy(demo.folder / "sitemon.db", database)
    live = demo.config.model_copy(
        update={"sampling": demo.config.sampling.model_copy(update={"interval_seconds": 300})}
    )
    clock = StepClock(NOW)
    runtime = build_runtime(live, f"sqlite:///{database}", clock=clock, sinks=[])
    try:
        for _ in range(36):
            sweep_cycle(runtime)
            clock.advance(dt.timedelta(minutes=5))
    finally:
        runtime.close()
    started = {site.id for site in demo.config.sites if site.batch.value == "started"}
    by_scene = {
        scene: key
        for key, (scene, _) in reversed(scenes(demo_config(SHARED, today=TODAY, clock=lambda: NOW)).items())
        if key.site_id in started or scene is Scene.offline
    }
    engine = make_engine(f"sqlite:///{database}")
    try:
        with make_session_factory(engine)() as s:
            pks = {(c.site_id, c.camera_id): c.id for c in s.scalars(select(models.Camera))}

            def statuses(scene: Scene) -> set[str]:
                key = by_scene[scene]
                rows = s.scalars(
                    select(models.Sample.status).where(
                        models.Sample.camera_pk == pks[(key.site_id, key.camera_id)], models.Sample.slot_at >= NOW
                    )
                )
                return set(rows)

            def alerts(scene: Scene, kind: str) -> list[models.Alert]:
                key = by_scene[scene]
                query = select(models.Alert).where(models.Alert.site_id == key.site_id, models.Alert.type == kind)
                return list(s.scalars(query))

            def today(scene: Scene) -> str:
                key = by_scene[scene]
                row = s.scalars(
                    select(models.DailyScore).where(
                        models.DailyScore.site_id == key.site_id, models.DailyScore.day == TODAY
                    )
                ).one()
                return row.status

            assert statuses(Scene.working) == {"online"} and today(Scene.working) == "active"
            assert statuses(Scene.stopped) == {"online"}  # its live clip never reads as frozen
            assert today(Scene.stopped) == "idle"
            idle = alerts(Scene.stopped, "site_idle")
            assert [a.state for a in idle if a.resolved_at is None or a.resolved_at >= NOW] == ["open"]
            assert statuses(Scene.offline) == {"offline"}
            assert [a.state for a in alerts(Scene.offline, "camera_offline") if a.resolved_at is None] == ["open"]
            assert statuses(Scene.frozen) == {"frozen"}
            frozen = alerts(Scene.frozen, "camera_frozen")
            assert len([a for a in frozen if a.opened_at >= NOW or a.resolved_at is None]) == 1  # no flapping
            assert all(a.resolved_at is None or a.resolved_at < NOW for a in frozen)
    finally:
        engine.dispose()


def test_a_second_start_the_same_day_keeps_the_working_hours_of_the_first(demo: Demo) -> None:
    """Today's running score is judged from the start of the working window: a second start that opened its
    window four minutes before itself read every site as 视频中断 until the unsampled minutes were made up."""
    first = demo_config(SHARED, today=TODAY, clock=lambda: NOW, folder=demo.folder)["working_hours"]
    later = demo_config(SHARED, today=TODAY, clock=lambda: NOW + dt.timedelta(minutes=30), folder=demo.folder)
    assert later["working_hours"] != first
    assert cached_working_hours(later, folder=demo.folder) == first
    tomorrow = demo_config(SHARED, today=TODAY + dt.timedelta(days=1), clock=lambda: NOW, folder=demo.folder)
    assert cached_working_hours(tomorrow, folder=demo.folder) is None  # another day: the history is rebuilt
