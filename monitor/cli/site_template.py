"""The sample sheet of `sitemon sites import` (docs/examples/sites-template.xlsx and .csv): one source of
truth, written by `sitemon sites template` and checked by the tests against the files in the repository."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from monitor.config.sheet_columns import COLUMNS

D = dt.date
# One row per camera; a project's cells may be left blank on its later rows (as merged cells read).
EXAMPLE: list[dict[str, object]] = [
    {
        "项目编号": "CD-2026-001",
        "项目名称": "城东污水处理厂二期",
        "区县": "城东区",
        "批次": "开工",
        "责任单位": "市水务集团",
        "总投资(万元)": 68000,
        "经度": 118.7969,
        "纬度": 32.0603,
        "计划开工": D(2026, 3, 1),
        "计划主体完工": D(2026, 12, 31),
        "计划竣工": D(2027, 6, 30),
        "实际开工": D(2026, 3, 5),
        "摄像机编号": "north",
        "摄像机名称": "北侧塔吊",
        "摄像机地址": "rtsp://10.20.1.11:554/Streaming/Channels/101",
        "子码流地址": "rtsp://10.20.1.11:554/Streaming/Channels/102",
        "用户名": "admin",
        "密码": "Example-Pass-1",
        "传输方式": "tcp",
    },
    {
        "项目编号": "CD-2026-001",
        "摄像机编号": "south",
        "摄像机名称": "南侧大门",
        "摄像机地址": "http://10.20.1.12/ISAPI/Streaming/channels/101/picture",
        "用户名": "admin",
        "密码": "Example-Pass-2",
    },
    {
        "项目编号": "GX-2026-014",
        "项目名称": "高新区智能物流园",
        "区县": "高新区",
        "批次": "签约",
        "责任单位": "高新区管委会",
        "总投资(万元)": 125000,
        "计划开工": D(2026, 6, 1),
        "摄像机编号": "gate",
        "摄像机名称": "大门",
        "摄像机地址": "http://10.30.4.20/cgi-bin/snapshot.cgi?channel=1",
        "用户名": "admin",
        "密码": "Example-Pass-3",
    },
    {
        "项目编号": "LG-2025-007",
        "项目名称": "临港新材料产业园",
        "区县": "临港区",
        "批次": "投产",
        "责任单位": "临港区发改局",
        "总投资(万元)": 230000,
        "实际投产": D(2026, 9, 30),
        "摄像机编号": "yard",
        "摄像机名称": "料场",
        "摄像机地址": "rtsp://10.40.2.8:554/live/ch1",
        "传输方式": "udp",
    },
]
HEADERS = [column.header for column in COLUMNS]


def _csv_text() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in EXAMPLE:
        writer.writerow([_text(row.get(h)) for h in HEADERS])
    return out.getvalue()


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else "" if value is None else str(value)


def write_template(folder: Path) -> list[Path]:
    """sites-template.csv (UTF-8 with BOM, as Excel saves it) and sites-template.xlsx in ``folder``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    folder.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = folder / "sites-template.csv", folder / "sites-template.xlsx"
    csv_path.write_bytes(_csv_text().encode("utf-8-sig"))
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "sites"
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in EXAMPLE:
        ws.append([row.get(h) for h in HEADERS])
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    for index, header in enumerate(HEADERS, start=1):
        ws.column_dimensions[ws.cell(1, index).column_letter].width = max(12, 3 * len(header))
    book.properties.creator = "sitemon"
    book.properties.created = book.properties.modified = dt.datetime(2020, 1, 1)
    book.save(xlsx_path)
    return [xlsx_path, csv_path]
