"""The dispatcher's morning on the demo (issue 27), in a real browser (Debian's chromium) at 1366x768 and
1920x1080: the overview as a briefing, site pages, the wall and the assignment loop, in Chinese, with names
not ids, dates on old times, charts with axes, the loop's guards; the numbers against the API's."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from api import create_app
from monitor.config import AppConfig, parse_config
from monitor.demo.config import demo_config
from monitor.demo.receiver import DemoReceiver
from monitor.demo.setup import UNIT_PASSWORD, UNIT_USER, ensure_history
from monitor.store import make_engine, make_session_factory
from monitor.store.users import Role, add_user
from tests.fixtures.browser import ARGS, ARTIFACTS, CHROMIUM, require_chromium, served
from tests.fixtures.clock import NOW, fixed
from tests.fixtures.servers import SAMPLE_VIDEO

pytestmark = pytest.mark.slow
SHARED = SAMPLE_VIDEO.parents[1]
SIZES = [(1366, 768), (1920, 1080)]
SITE_IDS = ("cd-wwtp-2", "gx-logistics", "bh-hospital", "xz-school", "cd-bridge", "jk-chip")
CODES = (
    *SITE_IDS,
    "cam1",
    "site_idle",
    "camera_offline",
    "camera_frozen",
    "low_coverage",
    "started_idle",
    "start_overdue",
    "camera_outage",
    "refused",
    "frozen)",
    "demo",
)
ENGLISH_ALLOWED = {"English", "Excel", "Word", "MP4", "JPG", "PNG", "MB"}


@dataclass
class Demo:
    config: AppConfig
    folder: Path
    url: str
    api: TestClient
    today: dt.date


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    require_chromium()
    folder = tmp_path_factory.mktemp("morning") / "var" / "demo"
    receiver = DemoReceiver(folder, 0).start()
    config_now = NOW.astimezone(dt.timezone(dt.timedelta(hours=8)))
    mapping = demo_config(SHARED, today=config_now.date(), clock=lambda: NOW, folder=folder)
    mapping["export"]["delivery"]["url"] = receiver.url
    database = f"sqlite:///{folder / 'sitemon.db'}"
    assert ensure_history(mapping, SHARED, database, NOW, folder=folder) is not None
    config = parse_config(mapping)
    engine = make_engine(database)
    sessions = make_session_factory(engine)
    with sessions() as s:
        add_user(s, "chief", "admin-pass-1", Role.admin, display_name="调度科长", now=NOW)
        add_user(s, "duty", "operator-pass-1", Role.operator, display_name="值班员", now=NOW)
    app = create_app(sessions, folder / "snapshots", folder / "exports", config=config, clock=fixed(NOW))
    client = TestClient(app)
    token = client.post("/api/auth/login", json={"username": "chief", "password": "admin-pass-1"}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    with served(app) as url:
        yield Demo(config, folder, url, client, NOW.astimezone(config.tz).date())
    receiver.close()
    engine.dispose()


@pytest.fixture(scope="module")
def browser(demo: Demo) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


ERRORS: dict[int, list[str]] = {}
"""Each page's script errors and refusals by its Content-Security-Policy."""


def _page(browser: Any, demo: Demo, size: tuple[int, int], username: str, password: str) -> Any:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", timezone_id="Asia/Shanghai")
    errors = ERRORS.setdefault(id(page), [])
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(demo.url + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("#user")).not_to_have_text("")
    return page


def _visible_text(page: Any) -> str:
    return str(page.evaluate("document.body.innerText"))


def _chinese_only(text: str) -> None:
    """No id, code or English sentence in what a Chinese dispatcher reads."""
    for code in CODES:
        assert code not in text, (code, text[:2000])
    english = {w for w in re.findall(r"[A-Za-z]{3,}", text)} - ENGLISH_ALLOWED
    assert not english, (english, text[:2000])


OLD_TIME = re.compile(r"\d{2}-\d{2} \d{2}:\d{2}")


def _no_overflow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), "the page scrolls sideways"
    cut = page.evaluate(
        "[...document.querySelectorAll('.badge, .tile span, .card .name')]"
        ".filter(e => e.offsetParent && (e.scrollWidth > e.clientWidth + 1 || e.getClientRects().length > 1))"
        ".map(e => e.textContent)"
    )
    assert cut == [], cut  # no status cut ("正常施…") or wrapped ("已回/复")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_overview_is_a_morning_briefing(demo: Demo, browser: Any, size: tuple[int, int]) -> None:
    from playwright.sync_api import expect

    page = _page(browser, demo, size, "chief", "admin-pass-1")
    expect(page.locator("#grid .card")).to_have_count(6, timeout=15000)
    sites = demo.api.get("/api/sites").json()
    yesterday = demo.today - dt.timedelta(days=1)
    scored = demo.api.get("/api/scores", params={"day": str(yesterday)}).json()
    before = demo.api.get("/api/scores", params={"day": str(yesterday - dt.timedelta(days=1))}).json()
    for status in ("active", "low_activity", "idle", "camera_outage"):
        today_n = sum(s["today_status"] == status for s in sites)
        expect(page.locator(f"#counts .c-{status} b")).to_have_text(str(today_n))
        y_n, b_n = (sum(s["status"] == status for s in rows) for rows in (scored, before))
        expect(page.locator(f"#yesterday .c-{status} b")).to_have_text(str(y_n))
        change = page.locator(f"#yesterday .c-{status} i").inner_text()
        assert change == ("–" if y_n == b_n else f"{'▲' if y_n > b_n else '▼'}{abs(y_n - b_n)}")
    # The open alerts and the red list with their durations, names not ids, old times dated.
    alerts = demo.api.get("/api/alerts?state=active&limit=100").json()
    expect(page.locator("#open-alerts li[data-alert]")).to_have_count(min(8, len(alerts)))
    for line in page.locator("#open-alerts li[data-alert]").all():
        text = line.inner_text()
        assert "已持续" in text
        opened = next(a for a in alerts if str(a["id"]) == line.get_attribute("data-alert"))["opened_at"]
        if dt.datetime.fromisoformat(opened).astimezone(demo.config.tz).date() != demo.today:
            assert OLD_TIME.search(text), text
    red = demo.api.get("/api/red-list").json()
    hospital = next(r for r in red if r["site_id"] == "bh-hospital")
    since = dt.date.fromisoformat(hospital["since"])
    expect(page.locator("#red-list li[data-site=bh-hospital]")).to_contain_text(
        f"停工 {hospital['days']}天（自 {since:%m-%d}）"
    )
    # The county ranking as bars; the downloads for any day, week, month or quarter.
    expect(page.locator("#ranking tr")).to_have_count(1 + len({s["district"] for s in sites}))
    expect(page.locator("#ranking td.bar svg rect")).to_have_count(len({s["district"] for s in sites}))
    expect(page.locator("#dl-xlsx")).to_have_attribute("href", f"/api/exports/{yesterday}/xlsx")
    for link, kind in (
        ("#dl-xlsx", "spreadsheetml"),
        ("#dl-weekly", "spreadsheetml"),
        ("#dl-review", "wordprocessingml"),
    ):
        answer = page.request.get(demo.url + page.locator(link).get_attribute("href"))
        assert answer.ok and kind in answer.headers["content-type"], (link, answer.status)
    page.select_option(
        "#dl-review-of", index=page.locator("#dl-review-of option[value^=quarter]").first.evaluate("e => e.index")
    )
    assert page.locator("#dl-review").get_attribute("href").startswith("/api/review.docx?period=quarter&day=")
    # The in-production rate beside the start rate: the school went into production during the month.
    produced = demo.api.get("/api/milestones/figures?period=month").json()["production_rates"]
    assert produced[-1]["due"] >= 1 and produced[-1]["rate"] is not None
    expect(page.locator('#production-rate tr[data-group="全部"] td.rate')).to_have_text(f"{produced[-1]['rate']:.1%}")
    expect(page.locator('#production-rate tr[data-group="西州区"]')).to_be_visible()

    _chinese_only(_visible_text(page))
    _no_overflow(page)
    # Six sites use the screen: big cards, no empty half screen.
    layout = page.evaluate(
        """() => { const grid = document.getElementById('grid').getBoundingClientRect();
        const thumb = document.querySelector('#grid .card img').getBoundingClientRect();
        return {bottom: grid.bottom, width: grid.width, thumb: thumb.height, h: innerHeight, w: innerWidth}; }"""
    )
    assert layout["thumb"] >= 150 and layout["width"] >= 0.6 * layout["w"], layout
    assert layout["bottom"] >= 0.8 * layout["h"], layout
    page.screenshot(path=str(ARTIFACTS / f"morning-overview-{size[0]}x{size[1]}.png"))
    # English is a click away.
    page.click("#lang")
    expect(page.locator("h1")).to_have_text("Key project site monitor")
    expect(page.locator("#open-alerts")).to_contain_text("The camera refused the connection")
    page.click("#lang")
    expect(page.locator("#open-alerts")).to_contain_text("摄像机连接被拒绝")
    assert ERRORS[id(page)] == []
    page.close()


MILESTONE_OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll('#milestone-chart text')].map(t => t.getBoundingClientRect());
  let n = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) n++;
  }
  return n;
}"""


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_site_pages_read_causes_date_old_times_and_chart_with_axes(
    demo: Demo, browser: Any, size: tuple[int, int]
) -> None:
    from playwright.sync_api import expect

    page = _page(browser, demo, size, "chief", "admin-pass-1")
    # The school's camera is offline since days: its cause in words, the date, the detail one click away.
    page.goto(demo.url + "/#/site/xz-school")
    row = page.locator("#cameras tr[data-camera=cam1]")
    expect(row).to_contain_text("摄像机连接被拒绝")
    expect(row).to_contain_text("已持续")
    assert OLD_TIME.search(row.inner_text())
    assert "refused" not in row.inner_text()
    row.locator("summary").click()
    expect(row).to_contain_text("connection refused")
    expect(page.locator(".snaps .no-picture")).to_contain_text("暂无画面")  # not an empty panel
    # The 30-day chart: axes, dates, a legend, outage days drawn as such.
    history = page.locator("#history")
    assert history.locator("line.axis").count() == 2 and history.locator("g.key").count() >= 6
    ticks = [t for t in history.locator("text").all_text_contents() if re.fullmatch(r"\d{2}-\d{2}", t)]
    assert len(ticks) >= 6 and len(set(ticks)) == len(ticks)
    scores = demo.api.get("/api/sites/xz-school").json()["scores"]
    outages = sum(s["status"] == "camera_outage" for s in scores)
    assert outages and history.locator("rect.day-camera_outage").count() == outages
    # Its time-lapse today: no picture, so a message, not a black player.
    page.click("#tl-play")
    expect(page.locator("#tl-msg")).to_have_text("该日没有抓拍")
    expect(page.locator("#tl-video")).to_be_hidden()
    _chinese_only(_visible_text(page).replace("connection refused (the demo's simulated outage)", ""))
    _no_overflow(page)
    assert page.evaluate(MILESTONE_OVERLAPS) == 0
    page.screenshot(path=str(ARTIFACTS / f"morning-site-offline-{size[0]}x{size[1]}.png"), full_page=True)

    # The stopped hospital: alerts and the chart on the first screens, its past day's time-lapse lasts 10 s.
    page.goto(demo.url + "/#/site/bh-hospital")
    expect(page.locator("#alerts tr[data-alert]").first).to_be_visible()
    tops = page.evaluate(
        "[...['alerts', 'history', 'timelapse']].map(id => document.getElementById(id).getBoundingClientRect().top)"
    )
    assert tops[0] < size[1] and tops[1] < 1.6 * size[1], tops
    expect(page.locator("#alerts")).to_contain_text("已交办 #1")
    assert page.locator("#history circle.day-idle").count() >= 7  # its idle week drawn, at score 0
    page.fill("#tl-day", str(demo.today - dt.timedelta(days=1)))
    page.dispatch_event("#tl-day", "change")
    page.click("#tl-play")
    _wait(page, "document.getElementById('tl-video').readyState >= 2")
    expect(page.locator("#tl-video")).to_be_visible()
    assert page.evaluate("document.getElementById('tl-video').duration") >= 10
    _chinese_only(_visible_text(page))
    _no_overflow(page)
    assert page.evaluate(MILESTONE_OVERLAPS) == 0
    page.screenshot(path=str(ARTIFACTS / f"morning-site-{size[0]}x{size[1]}.png"), full_page=True)
    assert ERRORS[id(page)] == []
    page.close()


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_wall_reads_each_runs_own_status_with_names_and_dates(
    demo: Demo, browser: Any, size: tuple[int, int]
) -> None:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page.goto(demo.url + "/wall")
    page.fill("input[name=username]", "chief")
    page.fill("input[name=password]", "admin-pass-1")
    page.click("button[type=submit]")
    _wait(page, "Number(document.body.dataset.loaded || 0) >= 1")
    hospital = page.locator("#w-red li[data-site=bh-hospital]").inner_text()
    red = next(r for r in demo.api.get("/api/red-list").json() if r["site_id"] == "bh-hospital")
    assert "停工" in hospital and f"{red['days']}天" in hospital
    alerts = page.locator("#w-alerts").inner_text()
    assert "已持续" in alerts and OLD_TIME.search(alerts) and "摄像机连接被拒绝" in alerts
    text = str(page.evaluate("document.getElementById('wall').innerText"))
    _chinese_only(text)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= innerWidth && document.documentElement.scrollHeight <= innerHeight"
    )
    page.screenshot(path=str(ARTIFACTS / f"morning-wall-{size[0]}x{size[1]}.png"))
    page.close()


def _jpeg() -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((480, 640, 3), (60, 140, 90), np.uint8))
    assert ok
    return data.tobytes()


def test_the_map_draws_every_site_over_its_county_offline(demo: Demo, browser: Any) -> None:
    from playwright.sync_api import expect

    page = _page(browser, demo, (1920, 1080), "chief", "admin-pass-1")
    outside: list[str] = []

    def local_only(route: Any) -> None:
        if route.request.url.startswith(demo.url):
            route.continue_()
        else:  # no internet: anything from outside is refused, and named here
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.goto(demo.url + "/map?wall=1")
    body = demo.api.get("/api/map").json()
    assert body["tiles"] is None and len(body["sites"]) == 6
    expect(page.locator("path[data-county]")).to_have_count(5)
    expect(page.locator("path[data-site]")).to_have_count(6)
    for site in body["sites"]:
        pin = page.locator(f'path[data-site="{site["site_id"]}"]')
        expect(pin).to_have_attribute("data-status", site["status"] or "no_score")
    expect(page.locator(".county-label").filter(has_text="西州区")).to_be_visible()
    # Hover: the name, the status, the score and why; a filter by status leaves the idle hospital alone.
    page.hover('path[data-site="xz-school"]')
    expect(page.locator(".site-tip")).to_contain_text("西州区第三中学扩建")
    expect(page.locator(".site-tip")).to_contain_text("摄像机连接被拒绝")
    page.select_option("#f-status", "idle")
    expect(page.locator("path[data-site]")).to_have_count(1)
    expect(page.locator('path[data-site="bh-hospital"]')).to_have_count(1)
    page.select_option("#f-status", "")
    page.select_option("#f-fill", "start_rate")
    expect(page.locator(".county-label").filter(has_text="经开区")).to_contain_text("%")
    # The wall's map fills 1920x1080 and no more.
    box = page.evaluate(
        "(() => { const r = document.getElementById('map').getBoundingClientRect(); return [r.right, r.bottom]; })()"
    )
    assert box[0] <= 1920 and box[1] <= 1080 and page.evaluate("document.documentElement.scrollHeight <= innerHeight")
    _chinese_only(_visible_text(page))
    page.screenshot(path=str(ARTIFACTS / "map-wall-1920x1080.png"))
    # A click opens the site page.
    page.click('path[data-site="cd-wwtp-2"]')
    expect(page).to_have_url(re.compile(r"/#/site/cd-wwtp-2$"))
    assert outside == [] and ERRORS[id(page)] == []
    page.close()


def test_a_site_compares_two_days_under_a_slider(demo: Demo, browser: Any) -> None:
    from playwright.sync_api import expect

    page = _page(browser, demo, (1366, 768), "chief", "admin-pass-1")
    page.goto(demo.url + "/#/site/cd-wwtp-2")
    panel = page.locator("#compare")
    expect(panel.locator("img.cmp-before")).to_be_visible(timeout=15000)
    expect(panel.locator("img.cmp-after")).to_be_visible()
    expect(panel.locator("#cmp-before")).to_have_value(str(demo.today - dt.timedelta(weeks=4)))
    expect(panel.locator("#cmp-after")).to_have_value(str(demo.today))
    # The slider uncovers the earlier day: the later one is cut at its value.
    panel.locator("#cmp-slider").fill("20")
    assert "20%" in panel.locator("img.cmp-after").evaluate("e => e.style.clipPath")
    # Yesterday against four weeks before it: the structure zone's change map and both days' scores.
    yesterday = demo.today - dt.timedelta(days=1)
    panel.locator("#cmp-after").fill(str(yesterday))
    panel.locator("#cmp-after").dispatch_event("change")
    query = f"before={demo.today - dt.timedelta(weeks=4)}&after={yesterday}"
    body = demo.api.get(f"/api/sites/cd-wwtp-2/compare?{query}").json()
    assert body["before"]["rule"] == body["after"]["rule"] == "clearest" and body["change"] is not None
    expect(panel.locator("#cmp-change img")).to_be_visible()
    expect(panel.locator("#cmp-change figcaption")).to_contain_text(f"{body['change']['share']:.1%}")
    _wait(
        page,
        "document.querySelector('#cmp-change img')?.complete && document.querySelector('#cmp-change img').naturalWidth > 0",
    )
    score = body["after"]["score"]
    expect(panel.locator(f'#cmp-scores span[data-day="{yesterday}"]')).to_contain_text(f"得分 {score:g}")
    _chinese_only(str(panel.evaluate("e => e.innerText")))
    page.screenshot(path=str(ARTIFACTS / "compare-1366x768.png"), full_page=True)
    assert ERRORS[id(page)] == []
    page.close()


def test_the_assignment_loop_keeps_its_guards(demo: Demo, browser: Any) -> None:
    """Last in the module: it changes the demo's assignments."""
    from playwright.sync_api import expect

    page = _page(browser, demo, (1366, 768), "duty", "operator-pass-1")
    page.goto(demo.url + "/#/assignments")
    # The hospital's alerts are given as the demo's assignment: marked, no second 交办 button.
    hospital = page.locator("#assign-alerts tr:has-text('滨湖区人民医院新院区')")
    expect(hospital.first).to_contain_text("已交办 #1")
    assert hospital.locator("button.assign-alert").count() == 0
    # The school's offline camera becomes an assignment; its low coverage (the same issue) is asked first.
    school = page.locator("#assign-alerts tr:has-text('西州区第三中学扩建')")
    school.filter(has_text="摄像机离线").locator("button.assign-alert").click()
    page.fill("#new-assignment textarea[name=ask]", "三日内恢复摄像机供电与网络")
    page.click("#new-assignment button[type=submit]")
    expect(page.locator("#assignments tr[data-assignment]")).to_have_count(2)
    # Its low coverage is the same issue: marked as given too. A new one on the site and issue is asked first.
    low = page.locator("#assign-alerts tr:has-text('西州区第三中学扩建')").filter(has_text="视频覆盖率低")
    expect(low).to_contain_text("已交办 #2")
    page.click("#assign-site")
    page.select_option("#new-assignment select[name=site]", "xz-school")
    page.select_option("#new-assignment select[name=problem]", "outage")
    page.fill("#new-assignment textarea[name=ask]", "核实覆盖率")
    page.click("#new-assignment button[type=submit]")
    expect(page.locator("#assign-error")).to_contain_text("已有同类未办结交办 #2")
    expect(page.locator("#assignments tr[data-assignment]")).to_have_count(2)
    page.click("#assign-again")
    expect(page.locator("#assignments tr[data-assignment]")).to_have_count(3)
    # 销号 with no work seen since: a warning, and a second word before it goes.
    page.locator("#assignments tr[data-assignment='3'] button.show-evidence").click()
    expect(page.locator("#no-work")).to_be_visible()
    expect(page.locator("#do-close")).to_be_disabled()
    page.check("#close-anyway")
    page.fill("#close-note", "与#2重复，合并办理")
    page.click("#do-close")
    expect(page.locator("#assignments tr[data-assignment]")).to_have_count(2)
    _chinese_only(_visible_text(page))
    _no_overflow(page)
    page.close()

    for size in reversed(SIZES):  # looked at 1920 wide, replied to at 1366
        unit = _page(browser, demo, size, UNIT_USER, UNIT_PASSWORD)
        expect(unit.locator("#unit-sites tr[data-site]")).to_have_count(1)
        expect(unit.locator("#nav-wall")).to_be_hidden()  # no link that refuses its user
        expect(unit.locator("#nav-assignments")).to_be_hidden()
        # Its own site page: the 30-day chart and the time-lapse.
        unit.click("#unit-sites a")
        expect(unit.locator("#history line.axis")).to_have_count(2)
        expect(unit.locator("#timelapse h3")).to_have_text("当日延时回放")
        unit.go_back()
        form = unit.locator("form.reply-form[data-id='1']")
        expect(form.locator("label[for=reply-1]")).to_have_text("办理情况")
        assert form.locator("textarea").evaluate("e => e.rows") >= 3
        _no_overflow(unit)
        if size == (1920, 1080):
            unit.close()
            continue
        form.locator("button.do-reply").click()
        expect(form.locator(".error")).to_have_text("请填写办理情况")  # an empty reply is refused, not ignored
        form.locator("textarea").fill("已约谈施工单位，计划本周五复工")
        unit.click("#lang")  # the page is drawn again, twice: the draft stays
        expect(unit.locator("h2")).to_have_text("Our sites and assignments")
        unit.click("#lang")
        expect(unit.locator("h2")).to_have_text("本单位项目与交办事项")
        form = unit.locator("form.reply-form[data-id='1']")
        expect(form.locator("textarea")).to_have_value("已约谈施工单位，计划本周五复工")
        form.locator("input[type=file]").set_input_files(
            {"name": "site.jpg", "mimeType": "image/jpeg", "buffer": b"<html>not a picture</html>"}
        )
        form.locator("button.do-reply").click()
        expect(form.locator(".error")).to_have_text("只能上传 JPG、PNG 或 WebP 图片")
        form.locator("input[type=file]").set_input_files(
            {"name": "site.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
        )
        form.locator("button.do-reply").click()
        row = unit.locator("#assignments tr[data-assignment='1']")
        expect(row).to_contain_text("已回复")
        expect(row.locator("img.thumb")).to_have_count(1)
        _wait(unit, "document.querySelector('#assignments img.thumb').naturalWidth > 0")
        _chinese_only(_visible_text(unit))
        unit.screenshot(path=str(ARTIFACTS / "morning-unit.png"), full_page=True)
        unit.close()
    assert demo.api.get("/api/assignments/1").json()["photo_url"] == "/api/assignments/1/photo"


def _wait(page: Any, expression: str, timeout: float = 30) -> None:
    """Polled through page.evaluate: the pages' Content-Security-Policy forbids wait_for_function's eval."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.1)
