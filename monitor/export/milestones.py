"""The milestone sheets of the workbooks: 开工率, 投产率, 节点按期率, 节点计划."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from monitor.config import Milestone
from monitor.core.wording import headers as column_headers
from monitor.core.wording import table, word
from monitor.export.sheets import sheet
from monitor.milestones.figures import MilestoneFigures

MILESTONE_ZH = {m: word("milestone", m.value) for m in Milestone}
STATE_ZH = table("milestone_state")
BATCH_ZH = table("batch")


def add_sheets(wb: Workbook, figures: MilestoneFigures, names: dict[str, tuple[str, str]]) -> None:
    """Sheets 开工率, 投产率, 节点按期率 and 节点计划 (``names``: site id -> name, district)."""
    sheet(
        wb,
        "开工率",
        ["区县", "签约项目", "应开工", "已开工", "开工率", "本期开工", "统计截至"],
        [
            [r["district"], r["signed"], r["due"], r["started"], r["rate"], r["started_in_period"], str(figures.as_of)]
            for r in figures.start_rates
        ],
    )
    sheet(
        wb,
        word("column", "production_rate"),
        column_headers(
            [
                "district",
                "started_projects",
                "production_due",
                "production_on_time",
                "in_production",
                "production_rate",
                "in_production_in_period",
                "as_of",
            ]
        ),
        [
            [
                r["district"],
                r["started"],
                r["due"],
                r["on_time"],
                r["in_production"],
                r["rate"],
                r["in_production_in_period"],
                str(figures.as_of),
            ]
            for r in figures.production_rates
        ],
    )
    sheet(
        wb,
        "节点按期率",
        ["节点", "应完成", "按期", "逾期", "按期率"],
        [
            [MILESTONE_ZH[Milestone(o["milestone"])], o["due"], o["on_time"], o["late"], o["share"]]
            for o in figures.on_time
        ],
    )
    headers = ["项目编号", "项目名称", "区县", "当前批次"]
    for m in Milestone:
        headers += [f"{MILESTONE_ZH[m]}计划", f"{MILESTONE_ZH[m]}实际", f"{MILESTONE_ZH[m]}状态"]
    rows = []
    for s in figures.sites:
        name, district = names.get(s["site_id"], ("", ""))
        row: list[Any] = [s["site_id"], name, district, BATCH_ZH.get(s["batch"], s["batch"])]
        for m in Milestone:
            node = s["milestones"][m.value]
            row += [node["planned"], node["actual"], STATE_ZH[node["state"]]]
        rows.append(row)
    sheet(wb, "节点计划", headers, rows)
