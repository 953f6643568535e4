"""The dashboard in a real browser (Debian's chromium, driven by Playwright), on a 125-site deployment."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.alerts.lifecycle import apply
from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
from monitor.config import parse_config
from monitor.core.values import Activity, CameraKey, CameraStatus, Counts, Sample
from monitor.sampling.snapshots import snapshot_relpath, write_jpeg
from monitor.scoring.daily import score_days
from monitor.store import make_engine, make_session_factory, migrate, models
from monitor.store.repo import camera_pks, record_sample, record_samples, sync_config
from monitor.store.users import Role, add_user, revoke_sessions
from tests.fixtures.browser import ARGS, ARTIFACTS, CHROMIUM, on_the_tests_clock, require_chromium, served
from tests.fixtures.clock import NOW, fixed, ticking
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict

CLOCK = ticking()
"""The app's clock, running from the pinned NOW; new samples are stamped by it too."""

pytestmark = pytest.mark.slow
DISTRICTS = ["城东区", "城西区", "高新区", "经开区", "滨湖区"]


def _seed(sessions: sessionmaker[Session], snapshots: Path) -> None:
    data = config_dict([str(SAMPLE_VIDEO)] * 125)
    data["sampling"]["interval_seconds"] = 300
    for i, site in enumerate(data["sites"]):
        site["id"] = f"p{i + 1:03d}"
        site["name"] = f"重点项目{i + 1:03d}号"
        site["district"] = DISTRICTS[i % 5]
    today = NOW.date()
    data["sites"][0]["milestones"] = {
        "start": {"planned": str(today - dt.timedelta(days=200)), "actual": str(today - dt.timedelta(days=190))},
        "structure_complete": {"planned": str(today - dt.timedelta(days=20))},
        "completion": {"planned": str(today + dt.timedelta(days=300))},
    }
    data["sites"][1]["batch"] = "signed"  # p002: its start is overdue, and the cameras saw one
    data["sites"][1]["milestones"] = {"start": {"planned": str(today - dt.timedelta(days=10))}}
    config = parse_config(data)
    cap = cv2.VideoCapture(str(SAMPLE_VIDEO))
    ok, frame = cap.read()
    cap.release()
    assert ok
    small = cv2.resize(frame, (320, 176))
    now = NOW
    today = now.astimezone(config.tz).date()
    with sessions() as s:
        sync_config(s, config, fixed())
        pks = camera_pks(s)
        # Today so far (the whole working day when the test runs after hours), every 5 minutes.
        start, end = config.calendar.working_window(today)
        last = min(now, end) if now > start else end - dt.timedelta(days=1)
        slots = [
            last - dt.timedelta(minutes=5 * k) for k in range(int((last - min(start, last)).total_seconds() // 300) + 1)
        ]
        slots = [t.replace(second=0, microsecond=0) for t in slots if t >= start - dt.timedelta(days=1)] or [now]
        for i, site in enumerate(config.sites):
            key = CameraKey(site.id, "cam1")
            rel = snapshot_relpath(key, slots[0])
            write_jpeg(snapshots, rel, small, 70)
            level = [0.75, 0.25, 0.0, 0.5][i % 4]
            items = []
            for k, slot in enumerate(slots):
                busy = level if (k + i) % 3 else level / 3
                items.append(
                    (
                        pks[key],
                        Sample(
                            key,
                            slot,
                            slot,
                            CameraStatus.online,
                            counts=Counts(3, 1, 0),
                            snapshot_path=str(rel) if k == 0 else None,
                            activity=Activity(round(busy * 4), 1 if busy > 0.5 else 0, 0, 0.1, busy),
                        ),
                    )
                )
            record_samples(s, items)
        score_days(s, config, [today], now=now)
        for i, site in enumerate(config.sites):  # a month of history
            for d in range(1, 30):
                value = float((i * 7 + d * 3) % 90 + 5)
                status = "active" if value >= 50 else "idle" if value < 15 else "low_activity"
                points = {
                    "activity": value * 0.4,
                    "workers": value * 0.2,
                    "machinery": value * 0.25,
                    "structure": value * 0.15,
                }
                s.add(
                    models.DailyScore(
                        site_id=site.id,
                        day=today - dt.timedelta(days=d),
                        score=value,
                        status=status,
                        components={"points": points, "coverage": 0.95},
                        computed_at=now,
                    )
                )
        s.commit()
        apply(
            s,
            [Condition(AlertKey("p001", "cam1", AlertType.camera_frozen), Severity.warning, "摄像机 cam1 画面冻结")],
            now,
        )
        add_user(s, "duty", "operator-pass-1", Role.operator, display_name="值班员", now=NOW)
        add_user(s, "chief", "admin-pass-1", Role.admin, display_name="调度科长", now=NOW)
        snap = s.scalars(
            select(models.Sample.id).where(models.Sample.site_id == "p002", models.Sample.snapshot_path.is_not(None))
        ).first()
        s.add(
            models.StartProposal(
                site_id="p002",
                day=today - dt.timedelta(days=3),
                last_day=today - dt.timedelta(days=1),
                evidence=[
                    {
                        "day": str(today - dt.timedelta(days=n)),
                        "status": "active",
                        "score": 70.0,
                        "snapshot_url": f"/api/samples/{snap}/snapshot",
                    }
                    for n in (3, 2, 1)
                ],
                state="pending",
                proposed_at=now,
                note="",
            )
        )
        s.commit()


def site_scored_today(sessions: sessionmaker[Session]) -> bool:
    from sqlalchemy import select

    with sessions() as s:
        return (
            s.scalars(
                select(models.DailyScore.score)
                .where(models.DailyScore.site_id == "p001")
                .order_by(models.DailyScore.day.desc())
            ).first()
            is not None
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, sessionmaker[Session]]]:
    require_chromium()
    tmp = tmp_path_factory.mktemp("dash")
    engine = make_engine(f"sqlite:///{tmp / 'db.sqlite'}")
    migrate(engine)
    sessions = make_session_factory(engine)
    _seed(sessions, tmp / "snaps")
    with served(create_app(sessions, tmp / "snaps", clock=CLOCK)) as url:
        yield url, sessions
    engine.dispose()


def test_dispatch_staff_see_every_site_drill_in_acknowledge_and_get_live_updates(
    server: tuple[str, sessionmaker[Session]],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, sessions = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = on_the_tests_clock(browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN"), CLOCK)
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        try:
            page.goto(url + "/")
            page.fill("input[name=username]", "duty")
            page.fill("input[name=password]", "wrong-password")
            page.click("button[type=submit]")
            expect(page.locator("#login-error")).to_have_text("用户名或密码错误")
            page.fill("input[name=password]", "operator-pass-1")
            page.click("button[type=submit]")
            expect(page.locator("#grid .card")).to_have_count(125, timeout=15000)
            expect(page.locator("#user")).to_have_text("值班员")
            expect(page.locator("#ranking tr")).to_have_count(6)  # header + 5 districts
            expect(page.locator("#counts")).to_contain_text("正常施工")
            _wait_until(page, "[...document.querySelectorAll('#grid img')].every(i => i.complete)")
            page.screenshot(path=str(ARTIFACTS / "dashboard-overview.png"))

            page.select_option("select[data-f=district]", "高新区")
            expect(page.locator("#grid .card")).to_have_count(25)
            page.select_option("select[data-f=district]", "")

            page.click("a.card[data-site=p001]")
            expect(page.locator("h2")).to_contain_text("重点项目001号")
            bars = page.locator("#timeline rect").count()
            assert bars >= 1
            expect(page.locator("#history circle")).to_have_count(29 + (1 if site_scored_today(sessions) else 0))
            _wait_until(page, "document.querySelector('img.snapshot')?.naturalWidth > 0")
            expect(page.locator("#cameras")).to_contain_text("在线")
            page.click("button.ack")
            expect(page.locator("#alerts")).to_contain_text("已确认 (值班员)")
            page.screenshot(path=str(ARTIFACTS / "dashboard-site.png"), full_page=True)

            # A new sample lands while the page is open: the page is told and redraws without a reload.
            with sessions() as s:
                key = CameraKey("p001", "cam1")
                slot = CLOCK()
                record_sample(
                    s,
                    camera_pks(s)[key],
                    Sample(key, slot, slot, CameraStatus.online, counts=Counts(), activity=Activity(level=1.0)),
                )
            _wait_until(page, "Number(document.body.dataset.updates || 0) >= 1", timeout=15)
            expect(page.locator("#timeline rect")).to_have_count(bars + 1, timeout=10000)

            page.click("#lang")
            expect(page.locator("h1")).to_have_text("Key project site monitor")
            # The dashboard lives within its Content-Security-Policy: nothing it loads or runs is refused.
            assert [m for m in console if "Content Security Policy" in m] == []

            # An admin ends the session (sitemon users revoke): the live stream says so, the login shows.
            with sessions() as s:
                assert revoke_sessions(s, "duty") == 1
            expect(page.locator("input[name=username]")).to_be_visible(timeout=10000)
        finally:
            browser.close()
    shutil.copyfile(ARTIFACTS / "dashboard-overview.png", ARTIFACTS / "latest.png")


def test_milestones_start_rate_and_confirming_a_start_seen_on_camera(
    server: tuple[str, sessionmaker[Session]],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _ = server
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = on_the_tests_clock(browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN"), CLOCK)
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        try:
            page.goto(url + "/")
            page.fill("input[name=username]", "chief")
            page.fill("input[name=password]", "admin-pass-1")
            page.click("button[type=submit]")
            # the county table: p002 (城西区) is due and not started yet
            expect(page.locator("#start-rate tr[data-group='城西区'] td.rate")).to_have_text("0.0%", timeout=15000)
            expect(page.locator("#pending-starts a[data-site=p002]")).to_contain_text("重点项目002号")
            page.select_option("#rate-period", "quarter")
            expect(page.locator("#start-rate tr[data-group='全部'] td.rate")).to_have_text("0.0%")

            # its page: planned vs actual on a time line, the proposal and its evidence
            page.click("#pending-starts a")
            expect(page.locator("#milestones")).to_contain_text("视频发现开工", timeout=20000)  # a site page of 125
            expect(page.locator("#milestone-chart circle.planned")).to_have_count(1)
            expect(page.locator("#milestone-table tr[data-m=start]")).to_contain_text("已逾期")
            expect(page.locator(".evidence tr")).to_have_count(4)
            expect(page.locator("#batch")).to_have_text("签约")
            page.screenshot(path=str(ARTIFACTS / "dashboard-milestones.png"), full_page=True)
            page.click("button.decide[data-action=confirm]")
            expect(page.locator("#batch")).to_have_text("开工")
            expect(page.locator("#milestone-table tr[data-m=start]")).to_contain_text("逾期完成")
            expect(page.locator("#milestone-chart circle.actual")).to_have_count(1)
            expect(page.locator("#periods")).to_contain_text("签约")

            # the admin moves a planned date: it is recorded with their name
            page.goto(url + "/#/site/p001")
            expect(page.locator("#milestone-chart circle.planned")).to_have_count(3)
            page.fill("input[data-planned=completion]", "2031-06-30")
            page.click("button.save-planned[data-m=completion]")
            expect(page.locator("#milestone-changes")).to_contain_text("调度科长")
            expect(page.locator("#milestone-changes")).to_contain_text("2031-06-30")
            yesterday = str(NOW.date() - dt.timedelta(days=2))
            page.fill("input[data-actual=structure_complete]", yesterday)
            page.click("button.save-actual[data-m=structure_complete]")
            expect(page.locator("#milestone-table tr[data-m=structure_complete]")).to_contain_text("逾期完成")
            expect(page.locator("#milestone-chart circle.actual")).to_have_count(2)

            page.goto(url + "/#/")
            expect(page.locator("#start-rate tr[data-group='城西区'] td.rate")).to_have_text("100.0%")
            expect(page.locator("#pending-starts")).to_contain_text("无")
            page.click("#lang")
            expect(page.locator("#start-rate")).to_contain_text("Due")
            assert [m for m in console if "Content Security Policy" in m] == []
        finally:
            browser.close()


def _wait_until(page: Any, expression: str, timeout: float = 30) -> None:
    """page.wait_for_function compiles its predicate with eval inside the page, which the dashboard's
    Content-Security-Policy forbids; page.evaluate goes through the DevTools protocol instead."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.1)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_125_sites_use_the_screen_at_both_sizes(
    server: tuple[str, sessionmaker[Session]], size: tuple[int, int]
) -> None:
    """Many small cards beside the briefing's side panel: several to a row, nothing cut or sideways."""
    from playwright.sync_api import expect, sync_playwright

    url, _ = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": size[0], "height": size[1]}, locale="zh-CN")
        try:
            page.goto(url + "/")
            page.fill("input[name=username]", "chief")
            page.fill("input[name=password]", "admin-pass-1")
            page.click("button[type=submit]")
            expect(page.locator("#grid .card")).to_have_count(125, timeout=15000)
            layout = page.evaluate(
                """() => { const cards = [...document.querySelectorAll('#grid .card')].map(c => c.getBoundingClientRect());
                const tops = cards.map(c => Math.round(c.top));
                const side = document.querySelector('aside.side').getBoundingClientRect();
                const cut = [...document.querySelectorAll('#grid .badge, .tile span')]
                  .filter(e => e.scrollWidth > e.clientWidth + 1).length;
                return {perRow: Math.max(...tops.map(t => tops.filter(u => u === t).length)), side: side.width, left: side.left,
                        cut, sideways: document.documentElement.scrollWidth - innerWidth,
                        dense: document.getElementById('grid').classList.contains('dense')}; }"""
            )
            page.screenshot(path=str(ARTIFACTS / f"dashboard-125-{size[0]}x{size[1]}.png"))
        finally:
            browser.close()
    assert layout["dense"] and layout["perRow"] >= (5 if size[0] < 1500 else 7), layout
    assert layout["side"] >= 280 and layout["left"] < size[0], layout
    assert layout["cut"] == 0 and layout["sideways"] <= 0, layout


def test_a_slow_page_left_behind_does_not_cover_the_page_the_user_went_to(
    server: tuple[str, sessionmaker[Session]],
) -> None:
    """The overview's answers held back while the user goes on to the assignments: when they arrive, the
    assignments page stays (a page drawn from data a newer drawing overtook draws nothing)."""
    import threading

    from playwright.sync_api import expect, sync_playwright

    url, _ = server
    held = threading.Event()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        waiting: list[Any] = []
        page.route("**/api/rankings*", lambda route: waiting.append(route) if not held.is_set() else route.continue_())
        try:
            page.goto(url + "/")
            page.fill("input[name=username]", "duty")
            page.fill("input[name=password]", "operator-pass-1")
            page.click("button[type=submit]")
            expect(page.locator("#user")).to_have_text("值班员")
            deadline = time.monotonic() + 15
            while not waiting:  # the overview asked and waits for its ranking
                assert time.monotonic() < deadline, "the overview never asked for its ranking"
                page.wait_for_timeout(50)
            page.goto(url + "/#/assignments")
            expect(page.locator("#assign-alerts")).to_be_visible()
            held.set()
            for route in waiting:
                route.continue_()
            page.wait_for_timeout(1500)  # the overview's answers arrive and are drawn (or not) meanwhile
            expect(page.locator("#assign-alerts")).to_be_visible()
            expect(page.locator("#grid")).to_have_count(0)
        finally:
            browser.close()
