"""Configuration: camera_config.yaml validated into frozen pydantic models."""

from monitor.config.camera import Batch, CameraConfig, SiteConfig
from monitor.config.execution import ExecutionConfig, ExecutionMode
from monitor.config.geometry import NamedPolygon, Zones
from monitor.config.loader import ConfigError, FieldError, load_config, parse_config
from monitor.config.milestones import Milestone, MilestoneDates, MilestoneRules, SiteMilestones
from monitor.config.outputs import AlertsConfig
from monitor.config.root import AppConfig, default_calendar
from monitor.config.settings import (
    COUNTED_CATEGORIES,
    DetectorConfig,
    PictureConfig,
    SamplingConfig,
    SamplingMode,
    ScoringConfig,
    Transport,
    WorkingHours,
)
from monitor.config.tiling import TilingConfig
from monitor.core.values import Category

__all__ = [
    "COUNTED_CATEGORIES",
    "AlertsConfig",
    "AppConfig",
    "Batch",
    "CameraConfig",
    "Category",
    "ConfigError",
    "DetectorConfig",
    "ExecutionConfig",
    "ExecutionMode",
    "FieldError",
    "Milestone",
    "MilestoneDates",
    "MilestoneRules",
    "NamedPolygon",
    "PictureConfig",
    "SamplingConfig",
    "SamplingMode",
    "ScoringConfig",
    "SiteConfig",
    "SiteMilestones",
    "TilingConfig",
    "Transport",
    "WorkingHours",
    "Zones",
    "default_calendar",
    "load_config",
    "parse_config",
]
