"""Time, sampling and detector sections."""

from __future__ import annotations

import datetime as dt
import logging
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from monitor.config.base import ConfigModel
from monitor.core.calendar import zone
from monitor.core.values import Category

log = logging.getLogger(__name__)


def from_config_folder(data: Any, key: str, info: ValidationInfo) -> Any:
    """A relative path written in the file under ``key`` is taken from the file's folder. An omitted key
    keeps its default relative to the working directory, where it always was (a service's
    WorkingDirectory, not /etc beside the file)."""
    base_dir = (info.context or {}).get("base_dir")
    value = data.get(key) if isinstance(data, dict) else None
    if base_dir is None or not isinstance(value, str) or not value.strip():
        return data
    path = Path(value.strip()).expanduser()
    return {**data, key: str(path if path.is_absolute() else (base_dir / path).resolve())}


COUNTED_CATEGORIES: tuple[Category, ...] = (Category.worker, Category.machinery, Category.vehicle)


class WorkingHours(ConfigModel):
    """Local working hours; activity is judged only inside them."""

    start: dt.time = Field(default=dt.time(7, 0), description="Start, local time (HH:MM)")
    end: dt.time = Field(default=dt.time(19, 0), description="End, local time (HH:MM)")
    weekdays: list[int] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5, 6, 7], description="ISO weekdays worked (1 = Monday)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if self.end <= self.start:
            raise ValueError(f"end {self.end:%H:%M} must be after start {self.start:%H:%M}")
        if not self.weekdays or any(d < 1 or d > 7 for d in self.weekdays):
            raise ValueError("weekdays must be ISO weekday numbers 1..7")
        return self


class SamplingMode(StrEnum):
    snapshot = "snapshot"  # connect, take the first decodable frame, disconnect
    persistent = "persistent"  # keep the stream open; hand out the newest frame


class Transport(StrEnum):
    tcp = "tcp"
    udp = "udp"


class SamplingConfig(ConfigModel):
    """How often and how patiently frames are pulled."""

    interval_seconds: int = Field(default=300, ge=5, le=86_400, description="Seconds between sweeps")
    max_workers: int = Field(default=16, ge=1, le=256, description="Cameras sampled at once")
    open_timeout_seconds: float = Field(default=10.0, gt=0, le=120, description="Connect timeout")
    read_timeout_seconds: float = Field(default=10.0, gt=0, le=120, description="Frame read timeout")
    keyframe_wait_seconds: float = Field(
        default=10.0,
        gt=0,
        le=120,
        description="How long a persistent stream may send packets before its first key frame (its key frame interval)",
    )
    mode: SamplingMode = Field(default=SamplingMode.snapshot, description="snapshot or persistent (per camera too)")
    transport: Transport = Field(default=Transport.tcp, description="RTSP transport: tcp or udp (per camera too)")
    camera_deadline_seconds: float | None = Field(
        default=None, gt=0, le=600, description="Give up on a camera after this long (default: open + read + 5 s)"
    )
    detect_batch: int = Field(default=8, ge=1, le=64, description="Frames per detector call")
    snapshot_dir: str = Field(default="var/snapshots", description="Where annotated JPEGs go")
    snapshot_max_width: int = Field(default=1280, ge=160, le=7680, description="Wider snapshots are scaled down")
    snapshot_quality: int = Field(default=85, ge=30, le=100, description="JPEG quality")
    snapshot_min_confidence: float = Field(
        default=0.35,
        ge=0,
        le=1,
        description="Boxes drawn on a snapshot only above this confidence (counting uses detector.confidence)",
    )
    snapshot_language: Literal["zh", "en"] = Field(default="zh", description="Language of a snapshot's box labels")
    misfire_grace_seconds: int = Field(default=60, ge=1, description="How late a sweep may still start")
    max_held_samples: int = Field(
        default=100_000,
        ge=100,
        le=10_000_000,
        description="Samples held in memory while the database cannot be written; beyond, the oldest are dropped",
    )
    snapshot_retention_days: int = Field(
        default=30, ge=1, le=3650, description="Snapshots older than this many days are deleted"
    )
    snapshot_evidence_days: int = Field(
        default=365,
        ge=1,
        le=3650,
        description="Each assessed day keeps one snapshot per camera (its busiest sample) this many days",
    )
    snapshot_budget_gb: float | None = Field(
        default=None, gt=0, le=100_000, description="Disk budget of the snapshot folder; oldest days go first"
    )
    snapshot_cleanup_at: dt.time = Field(
        default=dt.time(3, 32, 30), description="Daily snapshot clean-up, local time (off the sampling slots)"
    )

    @model_validator(mode="after")
    def _evidence_outlives_snapshots(self) -> SamplingConfig:
        if self.snapshot_evidence_days < self.snapshot_retention_days:
            raise ValueError(
                f"snapshot_evidence_days ({self.snapshot_evidence_days}) must be at least "
                f"snapshot_retention_days ({self.snapshot_retention_days})"
            )
        return self

    @model_validator(mode="before")
    @classmethod
    def _snapshot_dir_from_config_folder(cls, data: Any, info: ValidationInfo) -> Any:
        return from_config_folder(data, "snapshot_dir", info)


class PictureConfig(ConfigModel):
    """When a picture counts as frozen or black."""

    frozen_after_samples: int = Field(
        default=3, ge=2, le=100, description="Repeated pictures in a row (outside masks) that make a camera frozen"
    )
    frozen_noise_level: int = Field(
        default=5,
        ge=0,
        le=50,
        description="Grey levels a pixel must change by: a live sensor's noise exceeds it, a re-encoded repeat does not",
    )
    frozen_max_changed_area: float = Field(
        default=0.06,
        ge=0,
        lt=0.5,
        description="Share of the picture (10x10 cells) that may change in a repeated picture: an unmasked clock",
    )
    uniform_max_std: float = Field(
        default=4.0, ge=0, le=50, description="Grey-level spread below which a picture is blank"
    )

    @model_validator(mode="before")
    @classmethod
    def _retired_keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and "frozen_max_changed_fraction" in data:
            data = {k: v for k, v in data.items() if k != "frozen_max_changed_fraction"}
            log.warning(
                "picture.frozen_max_changed_fraction is no longer used and is ignored: a frozen picture is now one "
                "repeated without sensor noise (picture.frozen_noise_level, picture.frozen_max_changed_area); "
                "remove the key"
            )
        return data


DEFAULT_CATEGORIES: dict[str, Category] = {
    "person": Category.worker,
    "truck": Category.vehicle,
    "car": Category.vehicle,
    "bus": Category.vehicle,
}


class DetectorConfig(ConfigModel):
    """The YOLO model and how its classes map to our categories."""

    model: str = Field(description="Model path: .pt, .onnx or a *_openvino_model folder")
    image_size: int = Field(default=640, ge=64, le=2048, multiple_of=32, description="Inference size (px)")
    confidence: float = Field(default=0.25, gt=0, lt=1, description="Minimum detection confidence")
    category_confidence: dict[Category, float] = Field(
        default_factory=dict,
        description="A category's own minimum confidence, in place of confidence (e.g. worker: 0.10)",
    )
    iou: float = Field(default=0.45, gt=0, lt=1, description="NMS IoU threshold")
    device: str = Field(default="cpu", description="cpu, or a CUDA device such as 0")
    categories: dict[str, Category] = Field(
        default_factory=lambda: dict(DEFAULT_CATEGORIES),
        description="Model class name -> worker / machinery / vehicle / ignored; unlisted classes are ignored",
    )

    @field_validator("category_confidence")
    @classmethod
    def _category_confidence(cls, value: dict[Category, float]) -> dict[Category, float]:
        for category, minimum in value.items():
            if category is Category.ignored:
                raise ValueError("ignored classes are never counted: give worker, machinery or vehicle")
            if not 0 < minimum < 1:
                raise ValueError(f"{category.value}: must be between 0 and 1 (exclusive), got {minimum}")
        return value

    @field_validator("model", mode="before")
    @classmethod
    def _model_exists(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("must be a model path")
        path = Path(value.strip()).expanduser()
        base_dir = (info.context or {}).get("base_dir")
        if not path.is_absolute() and base_dir is not None:
            path = (base_dir / path).resolve()
        if not path.exists():
            raise ValueError(f"model not found: {path} (a .pt, .onnx or *_openvino_model folder)")
        if path.is_dir() and not path.name.endswith("_openvino_model"):
            raise ValueError(f"model folder must be named *_openvino_model: {path}")
        return str(path)


def validate_timezone(name: str) -> str:
    zone(name)
    return name


def grab_deadline(sampling: SamplingConfig) -> float:
    """Seconds one grab may take in all (connect, answer, body, first key frame): open + read timeout."""
    return sampling.open_timeout_seconds + sampling.read_timeout_seconds


def camera_deadline(sampling: SamplingConfig) -> float:
    """Seconds after which a sweep stops waiting for one camera: past its grab's own deadline (a persistent
    stream's first grab waits open + key frame wait), a grab is stuck and the sweep abandons it."""
    if sampling.camera_deadline_seconds is not None:
        return sampling.camera_deadline_seconds
    return sampling.open_timeout_seconds + max(sampling.read_timeout_seconds, sampling.keyframe_wait_seconds) + 5.0


class ScoringWeights(ConfigModel):
    """Points of each component; they must add up to 100."""

    activity: float = Field(default=45, ge=0, le=100, description="Share of working hours with activity")
    work: float = Field(
        default=45,
        ge=0,
        le=100,
        description="Moving workers and working machines together against their targets (a crew alone, or a "
        "machine alone, can earn them all)",
    )
    structure: float = Field(default=10, ge=0, le=100, description="Structure change against the target")

    @model_validator(mode="before")
    @classmethod
    def _separate_workers_and_machinery(cls, data: Any) -> Any:
        """Before issue 25 workers and machines had points of their own; their sum is now ``work``."""
        if isinstance(data, dict) and ({"workers", "machinery"} & set(data)):
            if "work" in data:
                raise ValueError("give either work, or the retired workers and machinery, not both")
            data = dict(data)
            data["work"] = float(data.pop("workers", 0) or 0) + float(data.pop("machinery", 0) or 0)
            log.warning(
                "scoring.weights.workers and .machinery are now one weight, scoring.weights.work (%g): a crew "
                "without machines can earn it too (docs/scoring.md); rename them",
                data["work"],
            )
        return data

    @model_validator(mode="after")
    def _sum_to_100(self) -> ScoringWeights:
        total = self.activity + self.work + self.structure
        if abs(total - 100) > 1e-6:
            raise ValueError(f"weights must add up to 100, they add up to {total:g}")
        return self


class ScoringConfig(ConfigModel):
    """The daily progress score: see docs/scoring.md."""

    run_at: dt.time = Field(default=dt.time(20, 30), description="Local time of the daily scoring job")
    weights: ScoringWeights = Field(default_factory=ScoringWeights)
    workers_target: float = Field(
        default=3, gt=0, description="Average moving workers over the working hours that earn the work points"
    )
    machines_target: float = Field(
        default=1, gt=0, description="Average working machines over the working hours that earn the work points"
    )
    structure_change_target: float = Field(
        default=0.03, gt=0, le=1, description="Share of the structure zone changed in a day for the full points"
    )
    activity_saturation: float = Field(
        default=4,
        gt=0,
        description="Moving workers + 2 x working machines + moving vehicles for a sample's full activity",
    )
    active_sample_level: float = Field(default=0.25, ge=0, le=1, description="A sample at or above this is active")
    motion_in_box: float = Field(
        default=0.015, gt=0, lt=1, description="Share of a box's pixels that must change for its object to be moving"
    )
    machine_jitter: float = Field(
        default=0.5,
        gt=0,
        le=5,
        description="A machine whose box centre moved more than this x the box's size (beyond detector jitter) moved",
    )
    view_change_shift: float = Field(
        default=0.02,
        gt=0,
        le=1,
        description="Camera movement beyond this share of the picture's width is a new view (knocked), not sway",
    )
    view_change_turn: float = Field(
        default=1.5, gt=0, le=90, description="Camera rotation beyond this many degrees is a new view, not sway"
    )
    global_change_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="When more of the picture than this changed at once (light, weather), no activity is read",
    )
    active_score: float = Field(default=50, ge=0, le=100, description="A day at or above this score is active")
    idle_score: float = Field(default=15, ge=0, le=100, description="A day below this score is idle (standstill)")
    outage_coverage: float = Field(
        default=0.5, ge=0, le=1, description="Below this coverage the day is a camera outage, not idleness"
    )

    @model_validator(mode="after")
    def _ordered(self) -> ScoringConfig:
        if self.idle_score > self.active_score:
            raise ValueError("idle_score must not be above active_score")
        return self
