"""The review pack: its figures against the API's, the document's tables against its figures, and (slow)
LibreOffice rendering it to PDF pages that are not blank."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import AppConfig
from monitor.export.summary import Period, period_bounds
from monitor.review.figures import gather
from monitor.review.pack import build
from monitor.store import models
from tests.api.units_world import UNIT_A, UNIT_B, seed, world_config
from tests.api.units_world import client as world_client
from tests.fixtures.clock import NOW, fixed


def client(sessions: sessionmaker[Session], config: AppConfig, snapshots: Path, username: str) -> TestClient:
    return world_client(sessions, config, snapshots, username, fixed(NOW))


pytestmark = pytest.mark.calendar  # follows the pinned NOW: scripts/calendar-check runs it at the edges


def _month(sessions: sessionmaker[Session], tmp_path: Path) -> tuple[dt.date, dt.date]:
    """A demo month: the world's month of scores, site2 idle six days in a row (red), site1 with a few
    low-activity days (yellow), assignments given, closed and overdue."""
    config = world_config()
    seed(sessions, config, tmp_path / "snap", NOW)
    today = NOW.astimezone(config.tz).date()
    day = today - dt.timedelta(days=1)
    if day.day < 8:  # early in a month: the month before, whole (the world's scores go 30 days back)
        day = day.replace(day=1) - dt.timedelta(days=1)
    first, last = period_bounds(Period.month, day)
    with sessions() as s:
        rows = {(r.site_id, r.day): r for r in s.scalars(select(models.DailyScore))}
        for site_id in ("site1", "site2", "site3"):
            for k, d in enumerate(sorted(d for (sid, d) in rows if sid == site_id and first <= d <= last)):
                row = rows[(site_id, d)]
                row.status, row.score = ("active", 70.0 + k % 5) if site_id != "site1" else ("active", 60.0)
        days = sorted(d for (sid, d) in rows if sid == "site2" and first <= d <= last)
        for d in days[:6]:
            rows[("site2", d)].status, rows[("site2", d)].score = "idle", 8.0
        for d in days[:2]:
            rows[("site1", d)].status, rows[("site1", d)].score = "low_activity", 30.0
        at = dt.datetime.combine(days[0], dt.time(10), config.tz).astimezone(dt.UTC)
        for site_id, unit, closed, deadline in (
            ("site2", UNIT_B, None, days[0]),  # overdue
            ("site2", UNIT_B, at + dt.timedelta(days=1), days[0] + dt.timedelta(days=7)),
            ("site1", UNIT_A, None, today + dt.timedelta(days=7)),
        ):
            s.add(
                models.Assignment(
                    site_id=site_id,
                    unit=unit,
                    problem="idle",
                    ask="复工",
                    deadline=deadline,
                    assigned_by="调度员",
                    assigned_at=at,
                    state="closed" if closed else "open",
                    reply="",
                    close_note="",
                    closed_at=closed,
                )
            )
        for sample in s.scalars(select(models.Sample)):  # the pictures were taken in the month
            sample.slot_at = at
        s.commit()
    return day, today


def test_the_figures_match_the_api_and_the_document(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    day, _ = _month(sessions, tmp_path)
    config = world_config()
    viewer = client(sessions, config, tmp_path / "snap", "viewer")
    figures = viewer.get(f"/api/review/figures?period=month&day={day}").json()
    assert [s["site_id"] for s in figures["red"]] == ["site2"] and figures["red"][0]["longest_down_run"] == 6
    assert [s["site_id"] for s in figures["yellow"]] == ["site1"]
    assert figures["red"][0]["photo"] == "site2/cam1/latest.jpg"
    # The counties' scored-day averages are /api/rankings' for the month; their rank counts outage days as 0.
    rankings = viewer.get(f"/api/rankings?by=district&period=month&day={day}").json()
    assert {c["district"]: c["average_score"] for c in figures["counties"]} == {
        r["group"]: r["average_score"] for r in rankings
    }
    assert all(c["judged_days"] and c["overall"] is not None for c in figures["counties"])
    starts = viewer.get(f"/api/milestones/figures?period=month&day={day}").json()["start_rates"]
    assert [(r["district"], r["signed"], r["due"], r["rate"]) for r in figures["start_rates"]] == [
        (r["group"], r["signed"], r["due"], r["rate"]) for r in starts
    ]
    assert figures["start_rates"][-1]["signed"] == 1
    # Assignments per unit: what the assignments API lists.
    operator = client(sessions, config, tmp_path / "snap", "operator")
    every = operator.get("/api/assignments").json() + operator.get("/api/assignments?state=closed").json()
    units = {u["unit"]: u for u in figures["units"]}
    assert units[UNIT_B]["opened"] == sum(a["unit"] == UNIT_B for a in every) == 2
    assert units[UNIT_B]["closed"] == sum(a["unit"] == UNIT_B and a["state"] == "closed" for a in every) == 1
    assert units[UNIT_B]["overdue"] == sum(a["unit"] == UNIT_B and a["state"] == "overdue" for a in every) == 1
    assert figures["headline"]["assignments_overdue"] == 1 and units[UNIT_A]["still_open"] == 1
    # Units cannot read the pack (every unit's figures are in it).
    assert client(sessions, config, tmp_path / "snap", "unit-a").get("/api/review/figures").status_code == 403

    answer = viewer.get(f"/api/review.docx?period=month&day={day}")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    doc = Document(io.BytesIO(answer.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    h = figures["headline"]
    assert "重点项目视频监测月讲评" in text and f"平均得分 {h['average_score']:.1f} 分" in text
    assert f"逾期 {h['assignments_overdue']} 件" in text
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    county = next(t for t in tables if t[0][:2] == ["排名", "区县"])
    assert [row[1] for row in county[1:]] == [c["district"] for c in figures["counties"]]
    assert [row[6] for row in county[1:]] == [f"{c['average_score']:.1f}" for c in figures["counties"]]
    assert [row[7] for row in county[1:]] == [f"{c['overall']:.1f}" for c in figures["counties"]]
    assert all(row[5].endswith("%") for row in county[1:])  # shares in percentages
    red, yellow = [t for t in tables if t[0][0] == "项目名称"]
    assert red[1][:2] == ["测试工地2", "高新区"] and red[0][-1] == "原因"
    assert red[1][-2:] == ["6", "停工 6 天"]  # its longest run, and why it is listed
    assert yellow[1][0] == "测试工地1" and yellow[1][-1] == "施工不足 2 天"  # listed for a reason, never 0/0/0
    # Captions name the site, the camera and the local time, never a file path.
    captions = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert captions and all(" · " in c and "/" not in c and ".jpg" not in c for c in captions)
    # The document is in Simplified Chinese, in the fonts the commission's Windows PCs have.
    styles = doc.styles.element.xml
    assert 'w:eastAsia="zh-CN"' in styles and "ja-JP" not in styles
    assert 'w:eastAsia="宋体"' in styles and 'w:eastAsia="微软雅黑"' in styles
    unit_table = next(t for t in tables if t[0][0] == "责任单位")
    assert [r[0] for r in unit_table[1:]] == [UNIT_A, UNIT_B]
    pictures = [r for r in doc.part.related_parts.values() if r.content_type.startswith("image/")]
    assert len(pictures) >= 4  # county chart, two site charts, site2's photo


@pytest.mark.slow
def test_the_pack_renders_in_libreoffice(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    soffice, pdftoppm, pdftotext = (shutil.which(t) for t in ("soffice", "pdftoppm", "pdftotext"))
    if not (soffice and pdftoppm and pdftotext):
        pytest.fail("needs libreoffice-writer-nogui and poppler-utils (scripts/setup installs them)")
    day, today = _month(sessions, tmp_path)
    config = world_config()
    with sessions() as s:
        figures, body = build(s, config, Period.month, day, today, tmp_path / "snap")
    assert gather is not None and figures.headline.red_sites == 1
    docx = tmp_path / "pack.docx"
    docx.write_bytes(body)
    out = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = out / "pack.pdf"
    pages = [re.sub(r"\s+", "", page) for page in _pdf_pages(pdf)]  # pdftotext spaces CJK from digits
    assert len(pages) >= 3
    text = "\f".join(pages)
    # Page by page: the headline first, then the ranking, the lists, and each listed site's photo and chart.
    assert "重点项目视频监测月讲评" in pages[0] and "一、总体情况" in pages[0]
    order = ["一、总体情况", "二、区县排名", "三、红榜", "四、黄榜", "五、开工率", "六、交办事项", "七、上榜项目"]
    where = [next(k for k, page in enumerate(pages) if heading in page) for heading in order]
    assert where == sorted(where), where
    site_page = next(page for page in pages[where[-1] :] if "测试工地2·" in page)
    local = (NOW - dt.timedelta(minutes=5)).astimezone(config.tz)  # when the world's pictures were taken
    assert f"测试工地2·cam1·{local:%Y-%m-%d%H:%M}" in site_page  # the site, the camera, the local time
    assert "site2" not in text and ".jpg" not in text and "snap" not in text  # no ids, no paths
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(pages)
    for page in images:
        image = cv2.imread(str(page), cv2.IMREAD_GRAYSCALE)
        inked = float(np.mean(image < 200))
        assert inked > 0.005, f"{page.name} is blank ({inked:.4f} of it inked)"


def _pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext ends each page with a form feed); a page of pictures alone is empty."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


@pytest.mark.slow
def test_the_packs_chinese_renders_in_the_simplified_face_not_the_japanese(tmp_path: Path) -> None:
    """Characters drawn differently in China and Japan (直, 骨, 角, 户): in the pack's styles they come out as
    in a document naming Noto Sans CJK SC in zh-CN, and not as in one in ja-JP (python-docx's default)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from monitor.review.document import _fonts

    def probe(name: str, east_asian: str | None, lang: str | None) -> Path:
        doc = Document()
        _fonts(doc)
        normal = doc.styles["Normal"]
        normal.font.size = Pt(48)
        if east_asian is not None:
            normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
        for element in doc.styles.element.iter(qn("w:lang")) if lang else ():
            element.set(qn("w:val"), lang)
            element.set(qn("w:eastAsia"), lang)
        doc.add_paragraph("直骨角户")
        path = tmp_path / f"{name}.docx"
        doc.save(str(path))
        return path

    files = [
        probe("pack", None, None),
        probe("sc", "Noto Sans CJK SC", "zh-CN"),
        probe("jp", "Noto Sans CJK JP", "ja-JP"),
    ]
    profile = tmp_path / "lo-profile"
    command = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run(
        [*command, "--outdir", str(tmp_path), *map(str, files)], check=True, capture_output=True, timeout=180
    )
    pictures = {}
    for name in ("pack", "sc", "jp"):
        subprocess.run(
            ["pdftoppm", "-r", "30", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True
        )
        pictures[name] = cv2.imread(str(next(tmp_path.glob(f"{name}-*.png"))), cv2.IMREAD_GRAYSCALE)
    assert np.array_equal(pictures["pack"], pictures["sc"])
    assert not np.array_equal(pictures["sc"], pictures["jp"])  # the probe tells the faces apart
