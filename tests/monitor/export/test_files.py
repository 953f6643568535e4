"""The assessment files, read back and checked against the database."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.config import AppConfig, parse_config
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample
from monitor.export.job import days_to_export, export_day
from monitor.scoring.daily import score_days
from monitor.store import models
from monitor.store.repo import camera_pks, record_sample, sync_config
from tests.fixtures.clock import NOW, fixed, ticking
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict, logged_in

DAY = dt.date(2026, 11, 27)
START = dt.datetime(2026, 11, 26, 23, tzinfo=dt.UTC)  # 07:00 in Shanghai
EVENING = dt.datetime(2026, 11, 27, 13, tzinfo=dt.UTC)  # 21:00 in Shanghai: the day's working hours are over


def _config(tmp_path: Path) -> AppConfig:
    data = config_dict([str(SAMPLE_VIDEO)] * 4)
    data["export"] = {"folder": str(tmp_path / "exports")}
    data["sampling"]["interval_seconds"] = 300
    data["sites"][1]["district"] = "城东区"
    data["sites"][3]["batch"] = "signed"
    return parse_config(data)


def _seed(session: Session, config: AppConfig) -> None:
    """site1 busy all day, site2 idle all day, site3 camera down after two hours, site4 signed (not started)."""
    from monitor.core.values import Activity

    sync_config(session, config, fixed())
    pks = camera_pks(session)
    for i in range(144):
        slot = START + dt.timedelta(minutes=5 * i)
        for site, activity, up in (
            ("site1", 0.75, True),
            ("site2", 0.0, True),
            ("site3", 0.5, i < 24),
            ("site4", 0.0, True),
        ):
            key = CameraKey(site, "cam1")
            moving = 3 if activity else 0
            sample = Sample(
                key,
                slot,
                slot,
                CameraStatus.online if up else CameraStatus.offline,
                counts=Counts(moving, 0, 0) if up else None,
                activity=Activity(moving, 0, 0, 0.1, activity) if up else None,
            )
            record_sample(session, pks[key], sample)
    score_days(session, config, [DAY, DAY + dt.timedelta(days=1)], now=EVENING + dt.timedelta(days=1))


def test_the_workbook_matches_the_database_cell_by_cell(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = _config(tmp_path)
    with sessions() as s:
        _seed(s, config)
        files = export_day(s, config, DAY, EVENING)
        scores = {r.site_id: r for r in s.scalars(select(models.DailyScore).where(models.DailyScore.day == DAY))}
    wb = load_workbook(files["xlsx"])
    assert wb.sheetnames == [
        "项目得分",
        "区县排名",
        "停工项目",
        "视频中断",
        "摄像机离线",
        "红榜",
        "开工率",
        "投产率",
        "节点按期率",
        "节点计划",
    ]
    ws = wb["项目得分"]
    headers = [c.value for c in ws[1]]
    assert headers[:8] == ["排名", "项目编号", "项目名称", "区县", "批次", "责任单位", "得分", "状态"]
    rows = {r[1]: dict(zip(headers, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"site1", "site2", "site3", "site4"}
    for site_id, row in rows.items():
        db = scores[site_id]
        assert row["得分"] == db.score
        assert row["视频覆盖率"] == db.components["coverage"]
        assert row["平均施工人数"] == db.components["avg_moving_workers"]
        assert row["项目名称"] == next(s.name for s in config.sites if s.id == site_id)
    assert (rows["site1"]["状态"], rows["site1"]["排名"]) == ("正常施工", 1)
    assert (rows["site2"]["状态"], rows["site2"]["得分"], rows["site2"]["排名"]) == ("停工", 0, 2)
    # A camera outage and a site not yet started are never a score of zero.
    assert (rows["site3"]["状态"], rows["site3"]["得分"], rows["site3"]["排名"]) == ("视频中断", None, None)
    assert (rows["site4"]["状态"], rows["site4"]["得分"], rows["site4"]["批次"]) == ("未要求施工", None, "签约")
    idle = [r[1] for r in wb["停工项目"].iter_rows(min_row=2, values_only=True)]
    outages = [r[1] for r in wb["视频中断"].iter_rows(min_row=2, values_only=True)]
    assert (idle, outages) == (["site2"], ["site3"])
    districts = {r[1]: r for r in wb["区县排名"].iter_rows(min_row=2, values_only=True)}
    assert districts["城东区"][4] == round((scores["site1"].score + scores["site2"].score) / 2, 1)
    cameras_down = list(wb["摄像机离线"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in cameras_down] == ["site3"]
    assert [c.value for c in wb["摄像机离线"][1]] == [
        "项目编号",
        "项目名称",
        "摄像机",
        "在线率",
        "采样率",
        "画面状态",
        "原因",
    ]
    (_, _, _, uptime, sampled, status, reason) = cameras_down[0]
    # Offline after two hours: sampled all day (采样率), live two of twelve hours (在线率, the measure behind
    # the site's 视频覆盖率), and the sheet says why in the dispatcher's words.
    site3 = scores["site3"].components
    assert uptime == site3["coverage"] == round(2 / 12, 4) and sampled == 1.0 and (status, reason) == ("离线", "离线")
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert data["schema_version"] == "1.4" and data["outage_sites"] == ["site3"]
    assert (data["partial"], data["observed_until"]) == (False, "2026-11-27T19:00:00+08:00")
    assert {r[-2] for r in ws.iter_rows(min_row=2, values_only=True)} == {"否"}
    assert files["csv"].read_bytes().startswith("\ufeff排名,项目编号".encode())


def test_the_workbook_fits_its_columns_shows_shares_as_percentages_and_freezes_its_headers(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = _config(tmp_path)
    with sessions() as s:
        _seed(s, config)
        files = export_day(s, config, DAY, EVENING)
    wb = load_workbook(files["xlsx"])
    for ws in wb:
        assert ws.freeze_panes == "A2", ws.title
    ws = wb["项目得分"]
    headers = [c.value for c in ws[1]]
    width = {h: ws.column_dimensions[c.column_letter].width for h, c in zip(headers, ws[1], strict=True)}
    longest_name = max(len(str(r[2])) for r in ws.iter_rows(min_row=2, values_only=True))
    assert width["项目名称"] >= 2 * longest_name  # Chinese characters are two wide: names are not cut
    assert width["数据截至"] >= len("2026-11-27 19:00")
    shares = {c.number_format for c in ws[get_column_letter(headers.index("视频覆盖率") + 1)][1:]}
    assert shares == {"0.0%"}  # stored as the share, shown as a percentage
    assert ws.cell(2, headers.index("得分") + 1).number_format == "General"
    down = wb["摄像机离线"]
    assert {down.cell(2, k).number_format for k in (4, 5)} == {"0.0%"}
    assert wb["开工率"].cell(1, 5).value == "开工率"


def test_the_red_list_sheet_counts_each_status_its_own_run(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    """A site idle seven days and dark on the day reads 视频中断 1 天, 停工 7 天 before: not eight of either."""
    config = _config(tmp_path)
    with sessions() as s:
        sync_config(s, config, fixed())
        for back in range(8):
            status = "camera_outage" if back == 0 else "idle"
            s.add(
                models.DailyScore(
                    site_id="site2", day=DAY - dt.timedelta(days=back), status=status, components={}, computed_at=NOW
                )
            )
            s.add(
                models.DailyScore(
                    site_id="site1", day=DAY - dt.timedelta(days=back), status="active", components={}, computed_at=NOW
                )
            )
        s.add(
            models.DailyScore(site_id="site3", day=DAY, status="idle", components={}, computed_at=NOW)
        )  # one day: not red
        s.commit()
        files = export_day(s, config, DAY, EVENING)
    rows = list(load_workbook(files["xlsx"])["红榜"].iter_rows(values_only=True))
    assert rows[0] == ("项目编号", "项目名称", "区县", "责任单位", "状态", "起始", "连续天数", "此前")
    assert rows[1:] == [("site2", "测试工地2", "城东区", None, "视频中断", "2026-11-27", 1, "停工 7天（11-20起）")]
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert data["red_list"] == [
        {
            "site_id": "site2",
            "status": "camera_outage",
            "since": "2026-11-27",
            "days": 1,
            "earlier": [{"status": "idle", "since": "2026-11-20", "days": 7}],
        }
    ]


def test_the_same_data_gives_the_same_bytes_and_a_day_without_data_is_no_zero(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    config = _config(tmp_path)
    with sessions() as s:
        _seed(s, config)
        first = {k: p.read_bytes() for k, p in export_day(s, config, DAY, EVENING).items()}
        again = {k: p.read_bytes() for k, p in export_day(s, config, DAY, EVENING + dt.timedelta(days=5)).items()}
        assert first == again
        later = EVENING + dt.timedelta(days=1)
        empty = export_day(s, config, DAY + dt.timedelta(days=1), later)  # no samples at all that day
    rows = list(load_workbook(empty["xlsx"])["项目得分"].iter_rows(min_row=2, values_only=True))
    assert {(r[1], r[6], r[7]) for r in rows} == {
        ("site1", None, "视频中断"),
        ("site2", None, "视频中断"),
        ("site3", None, "视频中断"),
        ("site4", None, "未要求施工"),
    }


def test_the_files_download_from_the_api(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = _config(tmp_path)
    with sessions() as s:
        _seed(s, config)
        files = export_day(s, config, DAY, EVENING)
    client = logged_in(
        TestClient(create_app(sessions, tmp_path, Path(config.export.folder), clock=ticking())), sessions, "viewer"
    )
    response = client.get(f"/api/exports/{DAY}/xlsx")
    assert response.status_code == 200 and response.content == files["xlsx"].read_bytes()
    assert "assessment-2026-11-27.xlsx" in response.headers["content-disposition"]
    assert client.get("/api/exports/2020-01-01/csv").status_code == 404
    assert client.get(f"/api/exports/{DAY}/exe").status_code == 422


def test_today_is_marked_partial_and_counts_camera_availability_over_the_hours_gone_by(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Given every camera up for the first hour of the day, when the day is exported at 08:00, then no
    camera is listed as down (it was 1/12 of the working day: the old sheet said every camera was) and
    every file says the day is partial."""
    config = _config(tmp_path)
    now = START + dt.timedelta(hours=1)
    with sessions() as s:
        sync_config(s, config, fixed())
        pks = camera_pks(s)
        for i in range(12):
            slot = START + dt.timedelta(minutes=5 * i)
            for site in ("site1", "site2", "site3", "site4"):
                key = CameraKey(site, "cam1")
                record_sample(s, pks[key], Sample(key, slot, slot, CameraStatus.online, counts=Counts(1, 0, 0)))
        score_days(s, config, [DAY], now=now)
        files = export_day(s, config, DAY, now)
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    assert (data["partial"], data["observed_until"]) == (True, "2026-11-27T08:00:00+08:00")
    assert data["cameras_down"] == []
    wb = load_workbook(files["xlsx"])
    assert "部分日" in (wb.properties.title or "")
    assert [r[-2:] for r in wb["项目得分"].iter_rows(min_row=2, values_only=True)] == [("是", "2026-11-27 08:00")] * 4
    csv_lines = files["csv"].read_text(encoding="utf-8-sig").splitlines()
    assert csv_lines[0].endswith("部分日,数据截至") and csv_lines[1].endswith("是,2026-11-27 08:00")


def test_a_day_that_has_not_begun_is_not_exported(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = _config(tmp_path)
    with sessions() as s:
        sync_config(s, config, fixed())
        with pytest.raises(ValueError, match="2026-11-28 has not happened yet"):
            export_day(s, config, DAY + dt.timedelta(days=1), EVENING)
    assert not (tmp_path / "exports").exists()


def test_the_workbook_carries_the_day_as_its_date_not_the_time_it_was_saved(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """openpyxl writes the save time into docProps/core.xml: two exports a second apart differed."""
    config = _config(tmp_path)
    with sessions() as s:
        _seed(s, config)
        files = export_day(s, config, DAY, EVENING)
    with zipfile.ZipFile(files["xlsx"]) as xlsx:
        core = xlsx.read("docProps/core.xml").decode()
    assert ">2026-11-27T00:00:00Z</dcterms:modified>" in core


def test_catch_up_exports_missed_days_but_not_today_before_its_export_time(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """A restart at 08:00 used to write (and queue) today's files from its running score."""
    config = _config(tmp_path)
    with sessions() as s:
        _seed(s, config)  # scores DAY and the day after
        next_morning = START + dt.timedelta(days=1, hours=1)  # 08:00 on the day after DAY
        assert days_to_export(s, config, next_morning) == [DAY]
        assert days_to_export(s, config, EVENING + dt.timedelta(days=1)) == [DAY, DAY + dt.timedelta(days=1)]
