"""The whole of camera_config.yaml."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from pydantic import Field, field_validator, model_validator

from monitor.config.api import ApiConfig
from monitor.config.assignments import AssignmentRules, ReviewRules
from monitor.config.base import ConfigModel
from monitor.config.camera import CameraConfig, SiteConfig
from monitor.config.execution import ExecutionConfig
from monitor.config.map import MapConfig
from monitor.config.milestones import MilestoneRules
from monitor.config.outputs import AlertsConfig, ExportConfig
from monitor.config.settings import (
    DetectorConfig,
    PictureConfig,
    SamplingConfig,
    SamplingMode,
    ScoringConfig,
    WorkingHours,
    validate_timezone,
)
from monitor.core.calendar import Calendar, zone

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"
"""The dispatch center's zone: where days are counted when nothing else is said."""


def default_calendar() -> Calendar:
    """The calendar of a deployment that says nothing but its zone (an API run without a config)."""
    return Calendar(zone(DEFAULT_TIMEZONE))


class AppConfig(ConfigModel):
    """Root of the configuration file."""

    timezone: str = Field(default=DEFAULT_TIMEZONE, description="IANA zone in which days are counted")
    working_hours: WorkingHours = Field(default_factory=WorkingHours)
    holidays: list[dt.date] = Field(default_factory=list, description="Local dates with no work expected")
    sampling: SamplingConfig = Field(default_factory=SamplingConfig)
    picture: PictureConfig = Field(
        default_factory=PictureConfig, description="When a picture is frozen or blank (formerly `health`)"
    )
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    milestones: MilestoneRules = Field(default_factory=MilestoneRules)
    export: ExportConfig = Field(default_factory=ExportConfig)
    assignments: AssignmentRules = Field(default_factory=AssignmentRules)
    review: ReviewRules = Field(default_factory=ReviewRules)
    execution: ExecutionConfig = Field(default_factory=ExecutionConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    map: MapConfig = Field(default_factory=MapConfig, description="The map page: county boundaries, base map")
    detector: DetectorConfig
    sites: list[SiteConfig] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _renamed_sections(cls, data: Any) -> Any:
        """``health`` (the picture's frozen and blank rules) is now ``picture``; the old name still loads."""
        if isinstance(data, dict) and "health" in data:
            if "picture" in data:
                raise ValueError("both 'health' and 'picture': 'health' is the old name of 'picture'; keep one")
            data = {("picture" if key == "health" else key): value for key, value in data.items()}
            log.warning("the config section 'health' is now 'picture' (frozen and blank pictures); rename it")
        return data

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return validate_timezone(value)

    @field_validator("sites")
    @classmethod
    def _unique_site_ids(cls, sites: list[SiteConfig]) -> list[SiteConfig]:
        seen: dict[str, int] = {}
        for index, site in enumerate(sites):
            if site.id in seen:
                raise ValueError(f"duplicate site id '{site.id}' at sites[{seen[site.id]}] and sites[{index}]")
            seen[site.id] = index
        return sites

    @model_validator(mode="after")
    def _snapshot_mode_when_distributed(self) -> AppConfig:
        # A worker takes whichever cameras come; a stream kept open per camera would be open in every worker.
        if not self.execution.distributed:
            return self
        where = ["sampling.mode"] if self.sampling.mode is SamplingMode.persistent else []
        where += [
            f"sites[{i}].cameras[{j}].mode"
            for i, site in enumerate(self.sites)
            for j, camera in enumerate(site.cameras)
            if camera.mode is SamplingMode.persistent
        ]
        if where:
            raise ValueError(
                f"{', '.join(where[:5])}: 'persistent' keeps a stream open in one process; "
                "with execution.mode 'celery' use 'snapshot'"
            )
        return self

    @property
    def tz(self) -> dt.tzinfo:
        """The zone itself (what APScheduler's triggers take); days and times come from ``calendar``."""
        return zone(self.timezone)

    @property
    def calendar(self) -> Calendar:
        """Local days, working hours, holidays and sampling slots (``monitor.core.calendar``)."""
        hours = self.working_hours
        return Calendar(
            zone(self.timezone),
            hours.start,
            hours.end,
            frozenset(hours.weekdays),
            frozenset(self.holidays),
            self.sampling.interval_seconds,
        )

    def cameras(self) -> Iterator[tuple[SiteConfig, CameraConfig]]:
        for site in self.sites:
            for camera in site.cameras:
                yield site, camera
