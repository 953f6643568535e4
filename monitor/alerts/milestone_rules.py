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


def _overdue(
    f: MilestoneFact, kind: AlertType, field: str, planned: dt.date, today: dt.date, grace_days: int, sentence: str
) -> list[Condition]:
    """A warning once ``planned`` is more than ``grace_days`` behind ``today`` (未按期开工 / 未按期投产)."""
    late = (today - planned).days
    if late <= grace_days:
        return []
    text = f"{f.name}: " + sentence.format(planned=planned, late=late)
    return [
        Condition(AlertKey(f.site_id, None, kind), Severity.warning, text, {field: str(planned), "days_late": late})
    ]


def milestone_conditions(facts: Iterable[MilestoneFact], today: dt.date, rules: MilestoneRules) -> list[Condition]:
    out = []
    for f in facts:
        if f.batch is Batch.signed and f.planned_start is not None:
            out += _overdue(
                f,
                AlertType.start_overdue,
                "planned_start",
                f.planned_start,
                today,
                rules.start_overdue_grace_days,
                "计划开工日期 {planned} 已过 {late} 天，视频未见开工（未按期开工）",
            )
        if f.batch is not Batch.started:
            continue
        if f.planned_production is not None:
            out += _overdue(
                f,
                AlertType.production_overdue,
                "planned_production",
                f.planned_production,
                today,
                rules.production_overdue_grace_days,
                "计划投产日期 {planned} 已过 {late} 天，尚未投产（未按期投产）",
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
