"""The alert of an assignment past its deadline (交办逾期): pure, one per site. The assignments themselves
are in ``monitor.assignments``; this is only how their overdue state becomes an alert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from monitor.alerts.rules import AlertKey, AlertType, Condition, Severity
from monitor.assignments.rules import OverdueFact


def overdue_conditions(overdue: Iterable[OverdueFact], today: dt.date) -> list[Condition]:
    """One alert per site holding overdue assignments (交办逾期): raised once, kept while any is overdue,
    resolved when each is replied to or closed."""
    by_site: dict[str, list[OverdueFact]] = {}
    for fact in overdue:
        by_site.setdefault(fact.site_id, []).append(fact)
    out = []
    for site_id, facts in sorted(by_site.items()):
        facts.sort(key=lambda f: f.assignment_id)
        late = max((today - f.deadline).days for f in facts)
        ids = "、".join(f"#{f.assignment_id}" for f in facts)
        out.append(
            Condition(
                AlertKey(site_id, None, AlertType.assignment_overdue),
                Severity.warning,
                f"交办事项 {ids} 已逾期（责任单位: {facts[0].unit}，最长逾期 {late} 天）",
                {"assignments": [f.assignment_id for f in facts], "unit": facts[0].unit},
            )
        )
    return out
