"""The milestone warnings: a start overdue, a production overdue, a started site idle, progress lagging (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
from monitor.config import Batch, MilestoneRules


@dataclass(frozen=True)
class MilestoneFact:
    site_id: str
    name: str
    batch: Batch
    """The site's batch today (a confirmed start has moved a signed site to started)."""
    planned_start: dt.date | None
    planned_production: dt.date | None
    idle_working_days: int
    """Working days in a row, up to the last scored one, whose status is idle."""
    planned_completion: dt.date | None
    completed: bool
    growth: float | None
    """Structure growth over the last ``flat_weeks`` weeks; None when it is not measured (no structure zone,
    or fewer weeks of scores)."""


def milestone_conditions(facts: Iterable[MilestoneFact], today: dt.date, rules: MilestoneRules) -> list[Condition]:
    out = []
    for f in facts:
        if f.batch is Batch.signed and f.planned_start is not None:
            late = (today - f.planned_start).days
            if late > rules.start_overdue_grace_days:
                out.append(
                    Condition(
                        AlertKey(f.site_id, None, AlertType.start_overdue),
                        Severity.warning,
                        f"{f.name}: 计划开工日期 {f.planned_start} 已过 {late} 天，视频未见开工（未按期开工）",
                        {"planned_start": str(f.planned_start), "days_late": late},
                    )
                )
        if f.batch is not Batch.started:
            continue
        if f.planned_production is not None:
            late = (today - f.planned_production).days
            if late > rules.production_overdue_grace_days:
                out.append(
                    Condition(
                        AlertKey(f.site_id, None, AlertType.production_overdue),
                        Severity.warning,
                        f"{f.name}: 计划投产日期 {f.planned_production} 已过 {late} 天，尚未投产（未按期投产）",
                        {"planned_production": str(f.planned_production), "days_late": late},
                    )
                )
        if f.idle_working_days >= rules.idle_working_days:
            out.append(
                Condition(
                    AlertKey(f.site_id, None, AlertType.started_idle),
                    Severity.warning,
                    f"{f.name}: 已开工项目连续 {f.idle_working_days} 个工作日停工",
                    {"idle_working_days": f.idle_working_days},
                )
            )
        ahead = f.planned_completion is not None and f.planned_completion > today and not f.completed
        if ahead and f.growth is not None and f.growth < rules.flat_growth_below:
            out.append(
                Condition(
                    AlertKey(f.site_id, None, AlertType.progress_lagging),
                    Severity.warning,
                    f"{f.name}: 近 {rules.flat_weeks} 周主体结构增长 {f.growth:.1%}，计划竣工 "
                    f"{f.planned_completion}（进度滞后）",
                    {
                        "growth": round(f.growth, 4),
                        "weeks": rules.flat_weeks,
                        "planned_completion": str(f.planned_completion),
                    },
                )
            )
    return out
