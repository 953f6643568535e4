"""The commission's sheet -> sites: every bad cell named by row and column, credentials as ${VAR}s."""

from __future__ import annotations

import datetime as dt
from typing import Any

from monitor.config.camera import NETWORK_SCHEMES, SiteConfig
from monitor.config.sheet_columns import column_for
from monitor.config.sheet_import import import_rows, merge_sites

HEADER = [
    "项目编号",
    "项目名称",
    "区县",
    "批次",
    "责任单位",
    "总投资（万元）",
    "计划开工",
    "摄像机编号",
    "摄像机地址",
    "用户名",
    "密码",
]

SCHEMES = ", ".join(f"{s}://" for s in NETWORK_SCHEMES)  # the config's, whatever they grow to


def _rows(*rows: list[object]) -> list[tuple[int, list[object]]]:
    return [(number, list(row)) for number, row in enumerate(rows, start=2)]


def test_rows_of_one_project_are_one_site_with_its_credentials_as_references() -> None:
    result = import_rows(
        1,
        HEADER,
        _rows(
            [
                "P-1",
                "城东污水厂",
                "城东区",
                "开工",
                "水务集团",
                68000.0,
                dt.datetime(2026, 3, 1),
                "north",
                "rtsp://10.0.0.1/101",
                "admin",
                "S3cret-Pw!",
            ],
            ["P-1", None, None, None, None, None, None, "south", "rtsp://10.0.0.2/101", None, None],
            [
                "P-2",
                "物流园",
                "高新区",
                "签约",
                "",
                "",
                "2026/6/1",
                7,
                "http://op:Inline-Pw9@10.0.0.3/snap.jpg",
                "",
                "",
            ],
        ),
    )
    assert result.errors == []
    one, two = result.sites
    assert one["batch"] == "started" and one["planned_investment"] == 68000
    assert one["milestones"] == {"start": {"planned": dt.date(2026, 3, 1)}}
    assert [c["id"] for c in one["cameras"]] == ["north", "south"]
    assert one["cameras"][0]["url"] == "rtsp://${CAM_P_1_NORTH_USER}:${CAM_P_1_NORTH_PASSWORD}@10.0.0.1/101"
    assert one["cameras"][1]["url"] == "rtsp://10.0.0.2/101"
    assert two["batch"] == "signed" and two["milestones"]["start"]["planned"] == dt.date(2026, 6, 1)
    assert two["cameras"][0] == {"id": "7", "url": "http://${CAM_P_2_7_USER}:${CAM_P_2_7_PASSWORD}@10.0.0.3/snap.jpg"}
    assert result.variables == [
        "CAM_P_1_NORTH_USER",
        "CAM_P_1_NORTH_PASSWORD",
        "CAM_P_2_7_USER",
        "CAM_P_2_7_PASSWORD",
    ]
    assert sorted(result.secrets) == ["Inline-Pw9", "S3cret-Pw!"]
    assert "S3cret" not in repr(result) and "Inline-Pw9" not in str(result.sites)
    for site in result.sites:
        SiteConfig.model_validate(site, context={"resolve_sources": False})


def test_every_bad_cell_is_named_by_its_row_and_column_and_no_password_is_shown() -> None:
    result = import_rows(
        1,
        HEADER,
        _rows(
            ["P-1", "城东污水厂", "城东区", "开干", "", "六万", "2026-13-01", "north", "ftp://10.0.0.1/x", "", ""],
            ["P-1", "别的名字", None, None, None, None, None, "north", "rtsp://10.0.0.2/1", None, None],
            ["工地 3", "X", "Y", "开工", "", "", "", "c1", "rtsp://10.0.0.3/1", "", "Leaky-Pw-77"],
            ["P-4", "X", "", "投产", "", "-5", "", "", "rtsp://user:Leaky-Pw-88@/1", "", ""],
        ),
    )
    assert [str(e) for e in result.errors] == [
        "row 2, 批次: '开干' is not one of 签约/开工/投产",
        "row 2, 总投资(万元): '六万' is not a number (万元, e.g. 68000)",
        "row 2, 计划开工: '2026-13-01' is not a date (YYYY-MM-DD, e.g. 2026-03-01)",
        "row 2, 摄像机地址: 'ftp://' is not one of " + SCHEMES,
        "row 3, 项目名称: '别的名字' differs from row 2 ('城东污水厂') of P-1",
        "row 3, 摄像机编号: 'north' is already row 2 of P-1",
        "row 4, 项目编号: '工地 3' is not an id: letters, digits, _ . - (starting with a letter or digit), at most 64",
        "row 5, 总投资(万元): '-5' must be 0 or more",
        "row 5, 摄像机编号: is blank",
        "row 5, 区县: is blank on every row of P-4",
    ]
    text = " ".join(str(e) for e in result.errors)
    assert "Leaky-Pw" not in text


def test_a_password_without_a_user_and_a_milestone_out_of_order_are_named() -> None:
    header = [*HEADER, "计划竣工"]
    result = import_rows(
        1,
        header,
        _rows(
            [
                "P-1",
                "A",
                "城东区",
                "开工",
                "",
                "",
                "2026-05-01",
                "c1",
                "rtsp://10.0.0.1/1",
                "",
                "Only-Pw-1",
                "2026-01-01",
            ],
        ),
    )
    assert [str(e) for e in result.errors] == [
        "row 2, 用户名: is blank, but 密码 is given",
        "row 2: 计划竣工 (2026-01-01) is before 计划开工 (2026-05-01)",
    ]
    assert "Only-Pw" not in str(result.errors)
    result = import_rows(
        1,
        header,
        _rows(["P-1", "A", "城东区", "开工", "", "", "2026-05-01", "c1", "rtsp://10.0.0.1/1", "", "", "2026-01-01"]),
    )
    assert [str(e) for e in result.errors] == ["row 2: 计划竣工 (2026-01-01) is before 计划开工 (2026-05-01)"]


def test_missing_and_doubled_columns_stop_before_the_rows() -> None:
    result = import_rows(3, ["项目编号", "项目名称", "项目名称", "批次(签约/开工/投产)", "摄像机编号", "备注"], _rows())
    assert [str(e) for e in result.errors] == [
        "row 3, 项目名称: the column 项目名称 is given twice",
        "row 3, 区县: the column is missing",
        "row 3, 摄像机地址: the column is missing",
    ]
    assert result.ignored_columns == ["备注"]


def test_headers_are_matched_whatever_the_brackets_and_spaces() -> None:
    assert column_for(" 总投资 (万元) ") is column_for("总投资（万元）") is column_for("总投资")
    assert column_for("批次（签约/开工/投产）") is column_for("批次")
    assert column_for("序号") is None


def _site(site_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": site_id, "name": "A", "district": "D", "batch": "started", **extra}


def test_merge_keeps_what_the_sheet_does_not_say_and_lists_what_it_does_not_name() -> None:
    zones = {"site": [[0, 0], [1, 0], [1, 1]]}
    existing = [
        _site("keep", cameras=[{"id": "c", "url": "rtsp://a/1"}]),
        _site(
            "upd",
            responsible_unit="水务",
            milestones={"start": {"planned": "2026-01-01", "actual": "2026-01-05"}},
            cameras=[{"id": "c1", "url": "rtsp://old/1", "zones": zones}, {"id": "c2", "url": "rtsp://b/2"}],
        ),
    ]
    sheet = [
        _site(
            "upd",
            name="新名",
            milestones={"start": {"planned": "2026-02-01"}},
            cameras=[{"id": "c1", "url": "rtsp://new/1"}],
        ),
        _site("new", cameras=[{"id": "x", "url": "rtsp://n/1"}]),
    ]
    merged, kept, kept_cameras = merge_sites(existing, sheet)
    assert [s["id"] for s in merged] == ["keep", "upd", "new"]
    upd = merged[1]
    assert upd["name"] == "新名" and upd["responsible_unit"] == "水务"
    assert upd["milestones"] == {"start": {"planned": "2026-02-01", "actual": "2026-01-05"}}
    assert upd["cameras"][0] == {"id": "c1", "url": "rtsp://new/1", "zones": zones}
    assert kept == ["keep"] and kept_cameras == ["upd/c2"]
    assert existing[1]["cameras"][0]["url"] == "rtsp://old/1"  # the input is not changed


def test_credentials_in_the_address_become_references_and_clash_with_other_columns() -> None:
    header = ["项目编号", "项目名称", "区县", "批次", "摄像机编号", "摄像机地址", "子码流地址", "用户名", "密码"]
    result = import_rows(
        1,
        header,
        _rows(
            ["P-1", "A", "B", "开工", "c1", "rtsp://admin:In-Line-1@10.0.0.1/1", "rtsp://10.0.0.1/2", "", ""],
            ["P-1", "", "", "", "c2", "rtsp://admin:In-Line-2@10.0.0.2/1", "", "other", "Col-Pw-2"],
            ["P_1", "A", "B", "开工", "c1", "rtsp://10.0.0.3/1", "", "u", "Col-Pw-3"],
        ),
    )
    assert [str(e) for e in result.errors] == [
        "row 3, 摄像机地址: holds a user name and password other than 用户名/密码 (or 摄像机地址) give: give them once",
        "row 4, 摄像机编号: its variable CAM_P_1_C1_USER is also row 2's",
        "row 4, 摄像机编号: its variable CAM_P_1_C1_PASSWORD is also row 2's",
    ]
    c1 = result.sites[0]["cameras"][0]
    assert c1["url"] == "rtsp://${CAM_P_1_C1_USER}:${CAM_P_1_C1_PASSWORD}@10.0.0.1/1"
    assert c1["substream_url"] == "rtsp://${CAM_P_1_C1_USER}:${CAM_P_1_C1_PASSWORD}@10.0.0.1/2"
    assert "In-Line" not in str(result.errors) + str(result.sites)


def test_a_signed_project_with_an_actual_start_is_named_by_that_column() -> None:
    header = ["项目编号", "项目名称", "区县", "批次", "实际开工", "摄像机编号", "摄像机地址"]
    result = import_rows(1, header, _rows(["A", "n", "d", "签约", "2026-01-01", "c", "rtsp://h/1"]))
    assert [str(e) for e in result.errors] == [
        "row 2, 实际开工: a signed-batch site has not started (its start is confirmed)"
    ]


def test_coordinates_read_as_wgs84_degrees_in_range_and_in_pairs() -> None:
    header = ["项目编号", "项目名称", "区县", "批次", "经度（WGS-84）", "纬度", "摄像机编号", "摄像机地址"]
    result = import_rows(
        1,
        header,
        _rows(
            ["P-1", "污水厂", "城东区", "开工", "１１８.７９６９", 32.0603, "c1", "rtsp://10.0.0.1/1"],
            ["P-2", "物流园", "高新区", "开工", "118.8", "", "c1", "rtsp://10.0.0.2/1"],
            ["P-3", "医院", "滨湖区", "开工", "东经118度", "132", "c1", "rtsp://10.0.0.3/1"],
        ),
    )
    assert [str(e) for e in result.errors] == [
        "row 3, 经度/纬度: longitude and latitude go together",
        "row 4, 经度: '东经118度' is not a number of degrees (WGS-84, e.g. 118.7969)",
        "row 4, 纬度: '132' is outside -90..90 degrees",
    ]
    first = next(s for s in result.sites if s["id"] == "P-1")
    assert (first["longitude"], first["latitude"]) == (118.7969, 32.0603)
