"""Weekly, monthly and quarterly summaries for the review meetings (周报 / 月报 / 季报)."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy.orm import Session

from monitor.config import AppConfig
from monitor.core.calendar import Period, period_bounds, previous_bounds
from monitor.export.files import normalised_zip
from monitor.export.milestones import add_sheets
from monitor.export.report import BATCH_ZH, competition_ranks
from monitor.export.repository import ScoredDay, scores_between
from monitor.export.sheets import sheet
from monitor.milestones.figures import milestone_figures
from monitor.scoring.score import DayStatus

__all__ = ["PERIOD_ZH", "Period", "period_bounds", "previous_bounds", "summarise", "write_summary"]
# Period, period_bounds and previous_bounds are the Calendar's (monitor.core.calendar); named here too for the
# callers that still import them from the summaries.

PERIOD_ZH = {Period.week: "周报", Period.month: "月报", Period.quarter: "季报"}


@dataclass(frozen=True)
class SiteSummary:
    site_id: str
    name: str
    district: str
    batch: str
    scored_days: int
    average_score: float | None
    previous_average: float | None
    change: float | None
    rank: int | None
    idle_days: int
    longest_idle_run: int
    outage_days: int
    average_coverage: float | None


@dataclass(frozen=True)
class DistrictSummary:
    district: str
    average_score: float | None
    previous_average: float | None
    change: float | None
    rank: int | None


def _average(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _change(now: float | None, before: float | None) -> float | None:
    return round(now - before, 1) if now is not None and before is not None else None


def summarise(
    session: Session, config: AppConfig, period: Period, day: dt.date
) -> tuple[tuple[dt.date, dt.date], list[SiteSummary], list[DistrictSummary]]:
    bounds, before = period_bounds(period, day), previous_bounds(period, day)

    def scores_in(first: dt.date, last: dt.date) -> dict[str, list[ScoredDay]]:
        out: dict[str, list[ScoredDay]] = defaultdict(list)
        for row in scores_between(session, first, last):
            out[row.site_id].append(row)
        return out

    now, prev = scores_in(*bounds), scores_in(*before)
    averages = {s.id: _average([r.score for r in now[s.id] if r.score is not None]) for s in config.sites}
    previous = {s.id: _average([r.score for r in prev[s.id] if r.score is not None]) for s in config.sites}
    ranks = competition_ranks({k: v for k, v in averages.items() if v is not None})
    sites = []
    for s in sorted(config.sites, key=lambda s: s.id):
        rows = now[s.id]
        run = longest = 0
        for r in rows:
            run = run + 1 if r.status is DayStatus.idle else 0
            longest = max(longest, run)
        coverages = [float(c) for r in rows if (c := r.components.coverage) is not None]
        avg, before_avg = averages[s.id], previous[s.id]
        sites.append(
            SiteSummary(
                s.id,
                s.name,
                s.district,
                s.batch.value,
                sum(1 for r in rows if r.score is not None),
                avg,
                before_avg,
                _change(avg, before_avg),
                ranks.get(s.id),
                sum(1 for r in rows if r.status is DayStatus.idle),
                longest,
                sum(1 for r in rows if r.status is DayStatus.camera_outage),
                round(sum(coverages) / len(coverages), 4) if coverages else None,
            )
        )
    by_district: dict[str, list[SiteSummary]] = defaultdict(list)
    for row in sites:
        by_district[row.district].append(row)
    d_avg = {d: _average([r.average_score for r in rs if r.average_score is not None]) for d, rs in by_district.items()}
    d_prev = {
        d: _average([r.previous_average for r in rs if r.previous_average is not None]) for d, rs in by_district.items()
    }
    d_rank = competition_ranks({d: v for d, v in d_avg.items() if v is not None})
    districts = sorted(
        (
            DistrictSummary(
                d,
                d_avg[d],
                d_prev[d],
                _change(d_avg[d], d_prev[d]),
                d_rank.get(d),
            )
            for d in by_district
        ),
        key=lambda d: (d.rank is None, d.rank or 0, d.district),
    )
    return bounds, sites, districts


def write_summary(session: Session, config: AppConfig, period: Period, day: dt.date, today: dt.date) -> Path:
    """The period's workbook; ``today``: the local date now (a running period's start rate is as of today)."""
    (first, last), sites, districts = summarise(session, config, period, day)
    wb = Workbook()
    ranked = sorted(sites, key=lambda r: (r.rank is None, r.rank or 0, r.site_id))
    sheet(
        wb,
        "项目汇总",
        [
            "排名",
            "项目编号",
            "项目名称",
            "区县",
            "批次",
            "评分天数",
            "平均得分",
            "上期平均",
            "环比变化",
            "停工天数",
            "最长连续停工",
            "视频中断天数",
            "平均覆盖率",
        ],
        [
            [
                r.rank,
                r.site_id,
                r.name,
                r.district,
                BATCH_ZH[r.batch],
                r.scored_days,
                r.average_score,
                r.previous_average,
                r.change,
                r.idle_days,
                r.longest_idle_run,
                r.outage_days,
                r.average_coverage,
            ]
            for r in ranked
        ],
        first=True,
    )
    sheet(
        wb,
        "区县汇总",
        ["排名", "区县", "平均得分", "上期平均", "环比变化"],
        [[d.rank, d.district, d.average_score, d.previous_average, d.change] for d in districts],
    )
    sheet(
        wb,
        "连续停工",
        ["项目编号", "项目名称", "区县", "最长连续停工(天)"],
        [[r.site_id, r.name, r.district, r.longest_idle_run] for r in sites if r.longest_idle_run >= 3],
    )
    # The start rate as of the period's end, or today while it runs (the same figures as the API's).
    figures = milestone_figures(session, config, first, min(last, today))
    add_sheets(wb, figures, {r.site_id: (r.name, r.district) for r in sites})
    stamp = dt.datetime.combine(last, dt.time(0, 0))
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.title = f"重点项目视频监测{PERIOD_ZH[period]} {first}~{last}"
    raw = io.BytesIO()
    wb.save(raw)
    folder = Path(config.export.folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"summary-{period.value}-{first.isoformat()}.xlsx"
    path.write_bytes(normalised_zip(raw.getvalue(), stamp))
    return path
