"""The milestone figures of a period for the files: start rate and in-production rate per county, on-time shares,
each site's nodes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from monitor.config import AppConfig, Milestone
from monitor.milestones.rates import milestone_state, on_time, production_rates, start_rates
from monitor.store.milestones import site_dates
from monitor.store.periods import batches_today


@dataclass(frozen=True)
class MilestoneFigures:
    first: dt.date
    as_of: dt.date
    start_rates: list[dict[str, Any]]
    on_time: list[dict[str, Any]]
    sites: list[dict[str, Any]]
    production_rates: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "first": self.first.isoformat(),
            "as_of": self.as_of.isoformat(),
            "start_rates": self.start_rates,
            "production_rates": self.production_rates,
            "on_time": self.on_time,
            "sites": self.sites,
        }


def milestone_figures(session: Session, config: AppConfig, first: dt.date, as_of: dt.date) -> MilestoneFigures:
    """The start rate and the in-production rate from ``first`` (the period's first day) as of ``as_of``, on-time shares, and each
    configured site's batch on ``as_of`` with its nodes."""
    dates = {d.site_id: d for d in site_dates(session)}
    batches = batches_today(session, config.sites, as_of)
    sites = []
    for site in sorted(config.sites, key=lambda s: s.id):
        d = dates.get(site.id)
        nodes = {}
        for m in Milestone:
            planned, actual = (d.planned.get(m), d.actual.get(m)) if d else (None, None)
            nodes[m.value] = {
                "planned": planned.isoformat() if planned else None,
                "actual": actual.isoformat() if actual else None,
                "state": milestone_state(planned, actual, as_of),
            }
        sites.append({"site_id": site.id, "batch": batches[site.id].value, "milestones": nodes})
    return MilestoneFigures(
        first,
        as_of,
        [
            {
                "district": r.group,
                "signed": r.signed,
                "due": r.due,
                "started": r.started,
                "rate": r.rate,
                "started_in_period": r.started_in_period,
            }
            for r in start_rates(dates.values(), first, as_of)
        ],
        [
            {"milestone": o.milestone.value, "due": o.due, "on_time": o.on_time, "late": o.late, "share": o.share}
            for o in on_time(dates.values(), as_of)
        ],
        sites,
        [
            {
                "district": r.group,
                "started": r.started,
                "due": r.due,
                "on_time": r.on_time,
                "in_production": r.in_production,
                "rate": r.rate,
                "in_production_in_period": r.in_production_in_period,
            }
            for r in production_rates(dates.values(), first, as_of)
        ],
    )
