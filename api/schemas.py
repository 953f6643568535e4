"""What the API returns. Kept apart from the tables; no camera URL or credential appears here."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from monitor.store.sites import SiteInfo


class HealthOut(BaseModel):
    status: str = Field(
        description="ok, or degraded when the database does not answer or take writes, or snapshots are not written"
    )
    database: str = Field(description="ok, unavailable, read_only, disk_full or file_missing")
    reason: str = Field(default="", description="Why the database (or else the snapshot folder) is not ok")
    samples_held: int = Field(default=0, description="Samples waiting in memory for the database")
    snapshots: str = Field(
        default="ok",
        description="ok, or why this process's last snapshot was not written: disk_full, read_only, "
        "no_permission, failed",
    )
    version: str


class SampleOut(BaseModel):
    id: int
    slot_at: dt.datetime
    captured_at: dt.datetime
    status: str
    reason: str
    cause: str | None = Field(default=None, description="Machine-readable cause of the status (see docs/api.md)")
    workers: int | None
    machinery: int | None
    vehicles: int | None
    snapshot_url: str | None = Field(description="Annotated JPEG of this sample, if one was written")


class CameraOut(BaseModel):
    id: str
    name: str
    status: str
    status_reason: str
    status_cause: str | None = Field(default=None, description="Machine-readable cause of the status")
    status_since: dt.datetime | None
    last_sample_at: dt.datetime | None
    latest_sample: SampleOut | None


class SiteBase(BaseModel):
    """What every view of a site shows: who it is, and its cameras with their health and latest sample."""

    id: str
    name: str
    district: str
    batch: str
    """The configured batch (a signed site stays in the signed programme)."""
    current_batch: str
    """The batch today: a confirmed start moves a signed site to started."""
    responsible_unit: str
    planned_investment: float | None
    cameras: list[CameraOut]


def site_fields(site: SiteInfo, cameras: list[CameraOut], current_batch: str | None = None) -> dict[str, Any]:
    """The SiteBase fields of a site."""
    return {
        "id": site.id,
        "name": site.name,
        "district": site.district,
        "batch": site.batch,
        "current_batch": current_batch or site.batch,
        "responsible_unit": site.responsible_unit,
        "planned_investment": site.planned_investment,
        "cameras": cameras,
    }


class SiteOut(SiteBase):
    today_score: float | None = Field(default=None, description="Today's running score (recomputed each sweep)")
    today_status: str | None = None
    last_update: datetime | None = None


class AssignmentOut(BaseModel):
    id: int
    site_id: str
    site_name: str
    district: str
    unit: str
    alert_id: int | None
    problem: str
    ask: str
    deadline: dt.date
    assigned_by: str
    assigned_at: dt.datetime
    state: str
    reply: str
    replied_by: str | None
    replied_at: dt.datetime | None
    resumed_on: dt.date | None
    closed_by: str | None
    closed_at: dt.datetime | None
    close_note: str
    photo_url: str | None = Field(default=None, description="The unit's photo with its reply, if it sent one")
