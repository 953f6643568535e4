"""Milestone dates of a site (挂图作战) and the rules that watch them: see docs/milestones.md."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from monitor.config.base import ConfigModel


class Milestone(StrEnum):
    """The nodes of a project's chart, in their order."""

    start = "start"  # 开工
    structure_complete = "structure_complete"  # 主体完工
    completion = "completion"  # 竣工
    production = "production"  # 投产


class MilestoneDates(ConfigModel):
    planned: dt.date | None = Field(default=None, description="Target date (计划)")
    actual: dt.date | None = Field(default=None, description="Date it happened (实际), if before sitemon watched")


class SiteMilestones(ConfigModel):
    """Planned (and, for work done before sitemon, actual) dates of a site's milestones."""

    start: MilestoneDates = Field(default_factory=MilestoneDates, description="开工")
    structure_complete: MilestoneDates = Field(default_factory=MilestoneDates, description="主体完工")
    completion: MilestoneDates = Field(default_factory=MilestoneDates, description="竣工")
    production: MilestoneDates = Field(default_factory=MilestoneDates, description="投产")

    def dates(self, milestone: Milestone) -> MilestoneDates:
        value: MilestoneDates = getattr(self, milestone.value)
        return value

    @model_validator(mode="after")
    def _in_order(self) -> SiteMilestones:
        for which in ("planned", "actual"):
            previous: tuple[str, dt.date] | None = None
            for m in Milestone:
                day = getattr(self.dates(m), which)
                if day is None:
                    continue
                if previous is not None and day < previous[1]:
                    raise ValueError(f"{m.value}.{which} ({day}) is before {previous[0]}.{which} ({previous[1]})")
                previous = (m.value, day)
        return self


class MilestoneRules(ConfigModel):
    """Start seen on camera and the milestone warnings (see docs/milestones.md)."""

    start_active_days: int = Field(
        default=3, ge=1, le=30, description="Active working days within the window that make a start"
    )
    start_window_days: int = Field(
        default=5, ge=1, le=30, description="Consecutive working days in which the active days must fall"
    )
    start_overdue_grace_days: int = Field(
        default=0, ge=0, le=365, description="Days after the planned start before 未按期开工 is raised"
    )
    production_overdue_grace_days: int = Field(
        default=0, ge=0, le=365, description="Days after the planned production before 未按期投产 is raised"
    )
    idle_working_days: int = Field(
        default=5, ge=1, le=60, description="Idle working days in a row of a started site that raise a warning"
    )
    flat_weeks: int = Field(default=3, ge=1, le=26, description="Weeks of flat structure growth that raise 进度滞后")
    flat_growth_below: float = Field(
        default=0.01, ge=0, le=1, description="Structure growth over those weeks below this is flat"
    )

    @model_validator(mode="after")
    def _window_holds_the_days(self) -> MilestoneRules:
        if self.start_active_days > self.start_window_days:
            raise ValueError("start_active_days must not be above start_window_days")
        return self
