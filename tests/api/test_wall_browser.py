"""The wall screen and the site page's time-lapse in a real browser (Debian's chromium, Playwright): screenshots
into test-artifacts/, the layout (nothing overflows, legible text) and the content (a red-list site, an alert,
a time-lapse that plays)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import cv2
import pytest
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.alerts.lifecycle import apply
from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
from monitor.assignments.units import bind
from monitor.config import parse_config
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample
from monitor.sampling.snapshots import snapshot_relpath, write_jpeg
from monitor.store import make_engine, make_session_factory, migrate, models
from monitor.store.repo import camera_pks, record_sample, sync_config
from monitor.store.users import Role, add_user
from tests.fixtures.browser import ARGS, ARTIFACTS, CHROMIUM, on_the_tests_clock, require_chromium, served
from tests.fixtures.clock import NOW, fixed
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict

pytestmark = pytest.mark.slow
DISTRICTS = ["城东区", "城西区", "高新区", "经开区", "滨湖区"]
STATUSES = ["idle", "active", "low_activity", "active", "camera_outage", "active"]
SIZES = [(1920, 1080), (1366, 768)]
CONDITIONS = (
    Condition(AlertKey("p001", None, AlertType.site_idle), Severity.critical, "重点项目001号 连续停工"),
    Condition(AlertKey("p005", "cam1", AlertType.camera_offline), Severity.warning, "摄像机 cam1 离线"),
)

NOON = dt.datetime.combine(
    NOW.astimezone(ZoneInfo("Asia/Shanghai")).date(), dt.time(12), ZoneInfo("Asia/Shanghai")
).astimezone(dt.UTC)
"""The wall's now: noon of the tests' day, when every site has had its morning."""


def _frames(n: int) -> list[Any]:
    cap = cv2.VideoCapture(str(SAMPLE_VIDEO))
    frames = []
    while len(frames) < n:
        ok, frame = cap.read()
        if not ok:
            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            continue
        frames.append(cv2.resize(frame, (480, 270)))
        for _ in range(5):
            cap.grab()
    cap.release()
    return frames


def _seed(sessions: sessionmaker[Session], snapshots: Path, noon: dt.datetime) -> None:
    data = config_dict([str(SAMPLE_VIDEO)] * 18)
    for i, site in enumerate(data["sites"]):
        site["id"] = f"p{i + 1:03d}"
        site["name"] = f"重点项目{i + 1:03d}号"
        site["district"] = DISTRICTS[i % 5]
    config = parse_config(data)
    today = noon.astimezone(config.tz).date()
    frames = _frames(48)
    with sessions() as s:
        sync_config(s, config, fixed())
        pks = camera_pks(s)
        for i, site in enumerate(config.sites):
            key = CameraKey(site.id, "cam1")
            count = 48 if site.id == "p002" else 2  # p002: the morning, every 5 minutes, for the time-lapse
            for k in range(count):
                slot = noon - dt.timedelta(minutes=5 * (count - k))
                rel = snapshot_relpath(key, slot)
                write_jpeg(snapshots, rel, frames[(k + i) % len(frames)], 75)
                sample = Sample(key, slot, slot, CameraStatus.online, counts=Counts(3, 1, 0), snapshot_path=str(rel))
                record_sample(s, pks[key], sample)
            status = STATUSES[i % len(STATUSES)]
            for back in range(10):  # an idle or dark site: a run of 4 + i days (p001: 4, p007: 10 seeded)
                red = status in ("idle", "camera_outage") and back < 4 + i
                day_status = status if back == 0 or red else "active"
                score = (
                    None
                    if day_status == "camera_outage"
                    else {"idle": 8.0, "low_activity": 35.0}.get(day_status, 70.0 + i)
                )
                s.add(
                    models.DailyScore(
                        site_id=site.id,
                        day=today - dt.timedelta(days=back),
                        score=score,
                        status=day_status,
                        components={},
                        computed_at=noon,
                    )
                )
        s.commit()
        apply(s, list(CONDITIONS), noon)
        add_user(s, "screen", "viewer-pass-1", Role.viewer, display_name="大屏", now=NOW)
        add_user(s, "unit-1", "unit-pass-1", Role.unit, display_name="城东联络员", now=NOW)
        bind(s, "unit-1", "城东建设公司")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, sessionmaker[Session]]]:
    require_chromium()
    tmp = tmp_path_factory.mktemp("wall")
    engine = make_engine(f"sqlite:///{tmp / 'db.sqlite'}")
    migrate(engine)
    sessions = make_session_factory(engine)
    config = parse_config(config_dict())
    _seed(sessions, tmp / "snaps", NOON)
    app = create_app(sessions, tmp / "snaps", calendar=config.calendar, clock=lambda: NOON)
    with served(app) as url:
        yield url, sessions
    engine.dispose()


def _wait_until(page: Any, expression: str, timeout: float = 30) -> None:
    """Polled through page.evaluate: the pages' Content-Security-Policy forbids wait_for_function's eval."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.1)


OVERFLOW = """() => {
  const w = innerWidth, h = innerHeight, out = [];
  if (document.documentElement.scrollWidth > w || document.documentElement.scrollHeight > h) out.push('page scrolls');
  for (const el of document.querySelectorAll('#wall-head, #wall *')) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > w + 1 || r.bottom > h + 1 || r.left < -1)) out.push(el.id || el.className || el.tagName);
  }
  for (const list of document.querySelectorAll('.w-list')) if (list.scrollHeight > list.clientHeight + 1) out.push('cut: ' + list.id);
  return out;
}"""


def test_the_wall_fills_the_screen_legibly_with_the_red_list_alerts_and_snapshots(
    server: tuple[str, sessionmaker[Session]],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, sessions = server

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        console: list[str] = []
        try:
            for width, height in SIZES:
                page = on_the_tests_clock(
                    browser.new_page(
                        viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai"
                    ),
                    lambda: NOON,
                )
                page.on("console", lambda message: console.append(message.text))
                page.goto(url + "/wall")
                expect(page.locator("#wall-login")).to_be_visible()
                page.fill("input[name=username]", "screen")
                page.fill("input[name=password]", "viewer-pass-1")
                page.click("button[type=submit]")
                _wait_until(page, "Number(document.body.dataset.loaded || 0) >= 1")
                expect(page.locator(".c-idle b")).to_have_text("3")  # p001, p007, p013
                expect(page.locator(".c-all b")).to_have_text("18")
                expect(page.locator("#w-red li[data-site=p001]")).to_contain_text("重点项目001号")
                expect(page.locator("#w-red li[data-site=p001]")).to_contain_text("停工")
                expect(page.locator("#w-red")).to_contain_text("视频中断")
                expect(page.locator("#w-alerts")).to_contain_text("停工预警")
                expect(page.locator("#w-alerts")).to_contain_text("摄像机离线")
                expect(page.locator("#w-ranking li")).to_have_count(5)
                expect(page.locator("#w-strip figure")).to_have_count(3)
                # 项目一张图 as the wall's panel: the map page framed, its map drawn, its header left out
                panel = page.frame_locator("#w-map")
                expect(panel.locator("body.wall-panel .leaflet-container")).to_be_visible()
                expect(panel.locator("#map-head")).to_be_hidden()
                expect(page.locator("#w-strip figure.s-idle").first).to_be_visible()
                _wait_until(
                    page, "[...document.querySelectorAll('#w-strip img')].every(i => i.complete && i.naturalWidth > 0)"
                )
                _wait_until(page, "document.getElementById('wall-live').classList.contains('on')")
                assert page.evaluate(OVERFLOW) == []
                body_px = float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))
                smallest = float(
                    page.evaluate(
                        "Math.min(...[...document.querySelectorAll('#wall li span, #wall figcaption, #wall h2')]"
                        ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
                    )
                )
                if width == 1920:
                    assert body_px >= 20 and smallest >= 18, (body_px, smallest)
                    counts = float(
                        page.evaluate("parseFloat(getComputedStyle(document.querySelector('.w-count b')).fontSize)")
                    )
                    assert counts >= 48
                else:
                    assert body_px >= 14 and smallest >= 13, (body_px, smallest)
                page.screenshot(path=str(ARTIFACTS / f"wall-{width}x{height}.png"))
                first = page.locator("#w-strip figure").first.get_attribute("data-site")
                _wait_until(page, f"document.querySelector('#w-strip figure')?.dataset.site !== '{first}'", timeout=15)
                if width == 1920:  # a new alert reaches the open wall by the live stream, without a reload
                    frozen = Condition(AlertKey("p003", "cam1", AlertType.camera_frozen), Severity.warning, "画面冻结")
                    with sessions() as s:
                        apply(s, [*CONDITIONS, frozen], NOON)
                    expect(page.locator("#w-alerts")).to_contain_text("重点项目003号", timeout=15000)
                    assert page.evaluate(OVERFLOW) == []
                page.close()
            assert [m for m in console if "Content Security Policy" in m] == []
            page = on_the_tests_clock(
                browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN"), lambda: NOON
            )
            page.goto(url + "/wall")
            page.fill("input[name=username]", "unit-1")
            page.fill("input[name=password]", "unit-pass-1")
            page.click("button[type=submit]")
            expect(page.locator("#wall-updated")).to_have_text("责任单位账号不能查看大屏")
            expect(page.locator("#w-red li")).to_have_count(0)
        finally:
            browser.close()


def test_a_site_page_plays_the_day_as_a_time_lapse(server: tuple[str, sessionmaker[Session]]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url = server[0]

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for width, height in SIZES:
                page = on_the_tests_clock(
                    browser.new_page(
                        viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai"
                    ),
                    lambda: NOON,
                )
                page.goto(url + "/")
                page.fill("input[name=username]", "screen")
                page.fill("input[name=password]", "viewer-pass-1")
                page.click("button[type=submit]")
                page.goto(url + "/#/site/p002")
                expect(page.locator("#timelapse h3")).to_have_text("当日延时回放")
                href = page.locator("#tl-download").get_attribute("href")
                assert href == "/api/sites/p002/timelapse"
                page.click("#tl-play")
                _wait_until(page, "document.getElementById('tl-video').currentTime > 1.0", timeout=60)
                state = page.evaluate(
                    "(() => { const v = document.getElementById('tl-video');"
                    " return [v.readyState, v.videoWidth, v.videoHeight, v.duration, v.paused]; })()"
                )
                assert state[0] >= 2 and (state[1], state[2]) == (480, 270) and 9.5 <= state[3] <= 10.5 and not state[4]
                page.locator("#timelapse").scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / f"site-timelapse-{width}x{height}.png"))
                # A day without snapshots says so instead of a broken player.
                page.fill("#tl-day", "2020-01-01")
                page.dispatch_event("#tl-day", "change")
                page.click("#tl-play")
                expect(page.locator("#tl-msg")).to_have_text("该日没有抓拍")
                page.close()
        finally:
            browser.close()
