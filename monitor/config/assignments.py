"""Assignments to responsible units (周交办) and the review pack (月讲评): see docs/assignments.md."""

from __future__ import annotations

from pydantic import Field, model_validator

from monitor.config.base import ConfigModel


class AssignmentRules(ConfigModel):
    """Deadlines of assignments and when sitemon sees an idle site working again."""

    deadline_days: int = Field(default=7, ge=1, le=90, description="Days to the deadline when none is given")
    resumed_after_days: int = Field(
        default=3, ge=1, le=30, description="Active days in a row after the assignment that mark 活动已恢复"
    )


class ReviewRules(ConfigModel):
    """Which sites the review pack lists (红黄榜) and how many it shows with a photo and a chart."""

    red_days: int = Field(
        default=3, ge=1, le=90, description="Idle or outage days in a row that put a site on the red list"
    )
    yellow_days: int = Field(
        default=1,
        ge=1,
        le=90,
        description="Idle, outage or low-activity days in the period that put a site on the yellow list",
    )
    max_site_pages: int = Field(default=20, ge=0, le=200, description="Listed sites shown with a photo and a chart")

    @model_validator(mode="after")
    def _yellow_not_above_red(self) -> ReviewRules:
        if self.yellow_days > self.red_days:
            raise ValueError("yellow_days must not be above red_days")
        return self
