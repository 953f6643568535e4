"""Formula injection: what a person or the config wrote reaches every file as text, never as a formula
(the daily assessment's workbook and CSV, the period summary, the weekly list, the review pack's tables).

The workbooks are read back as the bytes Excel opens: each sheet's XML, its cell types and styles."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from docx import Document
from sqlalchemy.orm import Session, sessionmaker

from monitor.assignments.units import bind
from monitor.config import AppConfig, parse_config
from monitor.core.cells import formula_like, neutralised
from monitor.core.values import Activity, CameraKey, CameraStatus, Counts, Sample
from monitor.export.job import export_day
from monitor.export.summary import Period, write_summary
from monitor.scoring.daily import score_days
from monitor.store.repo import camera_pks, record_sample, sync_config
from monitor.store.users import Role, add_user
from tests.api.units_world import PASSWORD, client, seed, world_config
from tests.fixtures.clock import NOW, fixed
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
NAME = '=HYPERLINK("http://evil.example/x","城东污水厂")'
DISTRICT = "+城东区"
UNIT = "@SUM(1+1)*cmd|' /C calc'!A0"
CAMERA_SITE = "-2+3 高新物流园"
REPLY = "=cmd|' /C calc'!A0"
ASK = '=HYPERLINK("http://evil.example","请复工")'


def cells(xlsx: bytes) -> dict[str, list[tuple[str, str, bool, bool]]]:
    """Every text cell of each sheet as Excel reads it: (text, cell type, a formula?, quote prefix?)."""
    out: dict[str, list[tuple[str, str, bool, bool]]] = {}
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        names = z.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root.findall("m:si", NS)]
        styles = ElementTree.fromstring(z.read("xl/styles.xml"))
        quoted = [xf.get("quotePrefix") in ("1", "true") for xf in styles.findall("m:cellXfs/m:xf", NS)]
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        titles = [s.get("name") or "" for s in book.findall("m:sheets/m:sheet", NS)]
        for index, title in enumerate(titles, start=1):
            sheet = ElementTree.fromstring(z.read(f"xl/worksheets/sheet{index}.xml"))
            found = []
            for c in sheet.iter(f"{{{NS['m']}}}c"):
                kind = c.get("t", "n")
                formula = c.find("m:f", NS) is not None
                value = c.find("m:v", NS)
                if kind == "s" and value is not None:
                    text = shared[int(value.text or 0)]
                elif kind == "inlineStr":
                    text = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
                else:
                    text = value.text or "" if value is not None else (c.findtext("m:f", "", NS) if formula else "")
                found.append((text, kind, formula, quoted[int(c.get("s", "0"))]))
            out[title] = found
    return out


def assert_all_text(xlsx: bytes) -> dict[str, set[str]]:
    """No cell is a formula, and every formula-like text is a text cell with the quote prefix; returns the
    texts of each sheet."""
    texts: dict[str, set[str]] = {}
    for title, found in cells(xlsx).items():
        assert [text for text, _, formula, _ in found if formula] == [], title
        for text, kind, _, prefix in found:
            if formula_like(text):
                assert (kind, prefix) in {("s", True), ("inlineStr", True)}, (title, text, kind)
        texts[title] = {text for text, *_ in found}
    return texts


def _config(tmp_path: Path) -> AppConfig:
    data = config_dict([str(SAMPLE_VIDEO)] * 4)
    data["export"] = {"folder": str(tmp_path / "exports")}
    data["sampling"]["interval_seconds"] = 300
    data["sites"][0].update(name=NAME, district=DISTRICT, responsible_unit=UNIT)
    data["sites"][0]["milestones"] = {"start": {"planned": "2026-01-05", "actual": "2026-01-10"}}
    data["sites"][1]["name"] = CAMERA_SITE
    data["sites"][3].update(district=DISTRICT, batch="signed")  # on 开工率, by its district
    data["sites"][3]["milestones"] = {"start": {"planned": "2026-03-01"}}
    return parse_config(data)


def _day(sessions: sessionmaker[Session], config: AppConfig) -> tuple[dt.date, dt.datetime]:
    """Yesterday: site1 busy, site2's camera down after an hour (its name on 视频中断 and 摄像机离线), site3
    idle (停工项目); site4 signed, not started."""
    day = NOW.astimezone(config.tz).date() - dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(7), config.tz).astimezone(dt.UTC)
    with sessions() as s:
        sync_config(s, config, fixed())
        pks = camera_pks(s)
        for i in range(144):
            slot = start + dt.timedelta(minutes=5 * i)
            for site, level, up in (("site1", 0.75, True), ("site2", 0.5, i < 12), ("site3", 0.0, True)):
                key = CameraKey(site, "cam1")
                status = CameraStatus.online if up else CameraStatus.offline
                counts = Counts(3 if level else 0, 0, 0) if up else None
                activity = Activity(3 if level else 0, 0, 0, 0.1, level) if up else None
                record_sample(s, pks[key], Sample(key, slot, slot, status, counts=counts, activity=activity))
        score_days(s, config, [day], now=NOW)
    return day, NOW


def test_the_daily_workbook_and_csv_carry_names_as_text_in_every_sheet(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = _config(tmp_path)
    day, now = _day(sessions, config)
    with sessions() as s:
        files = export_day(s, config, day, now)
    texts = assert_all_text(files["xlsx"].read_bytes())
    assert NAME in texts["项目得分"] and DISTRICT in texts["项目得分"] and UNIT in texts["项目得分"]
    assert DISTRICT in texts["区县排名"] and DISTRICT in texts["开工率"]
    assert CAMERA_SITE in texts["视频中断"] and CAMERA_SITE in texts["摄像机离线"]
    assert NAME in texts["节点计划"] and DISTRICT in texts["节点计划"]
    assert "测试工地3" in texts["停工项目"]
    rows = list(csv.reader(io.StringIO(files["csv"].read_text(encoding="utf-8-sig"))))
    by_site = {row[1]: row for row in rows[1:]}
    assert by_site["site1"][2:4] == ["'" + NAME, "'" + DISTRICT] and by_site["site1"][5] == "'" + UNIT
    assert by_site["site2"][2] == "'" + CAMERA_SITE
    assert [c for row in rows for c in row if formula_like(c)] == []  # nothing a spreadsheet would run
    assert by_site["site3"][2] == "测试工地3"  # plain text stays as it is


def test_the_period_summary_carries_names_as_text(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = _config(tmp_path)
    day, now = _day(sessions, config)
    with sessions() as s:
        path = write_summary(s, config, Period.week, day, now.astimezone(config.tz).date())
    texts = assert_all_text(path.read_bytes())
    assert NAME in texts["项目汇总"] and DISTRICT in texts["区县汇总"] and NAME in texts["节点计划"]


def test_the_weekly_list_and_the_review_pack_carry_asks_replies_and_units_as_text(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Given an operator's ask and a unit's reply that are formulas, and a responsible unit whose name is one,
    then the weekly list (API) holds them as text cells and the review pack's tables with an apostrophe."""
    config = world_config(site2_unit=UNIT)
    seed(sessions, config, tmp_path / "snap", NOW)
    with sessions() as s:
        add_user(s, "unit-x", PASSWORD, Role.unit, display_name="联络员", now=NOW)
        bind(s, "unit-x", UNIT)
    operator = client(sessions, config, tmp_path / "snap", "operator")
    given = operator.post("/api/assignments", json={"site_id": "site2", "problem": "idle", "ask": ASK})
    assert given.status_code == 201, given.text
    unit = client(sessions, config, tmp_path / "snap", "unit-x")
    replied = unit.post(f"/api/assignments/{given.json()['id']}/reply", json={"note": REPLY})
    assert replied.status_code == 200, replied.text
    weekly = operator.get("/api/assignments/weekly.xlsx")
    assert weekly.status_code == 200
    texts = assert_all_text(weekly.content)["周交办清单"]
    assert {ASK, REPLY, UNIT} <= texts
    pack = client(sessions, config, tmp_path / "snap", "viewer").get("/api/review.docx?period=month")
    assert pack.status_code == 200
    tables = [[c.text for row in t.rows for c in row.cells] for t in Document(io.BytesIO(pack.content)).tables]
    unit_table = next(t for t in tables if t[0] == "责任单位")
    assert neutralised(UNIT) in unit_table and UNIT not in unit_table


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 123", "'+86 123"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("城东区", "城东区"),
        ("a=1", "a=1"),
        ("", ""),
        (-1.5, -1.5),
        (None, None),
    ],
)
def test_what_is_neutralised(value: object, expected: object) -> None:
    assert neutralised(value) == expected
