"""What the API watches, read in one place: the cameras' health and the detector's time for ``/metrics``
(``api/metrics.py``), the marks that move when something changes for the live feed (``api/live_feed.py``) and
the data version that keys the answer cache (``api/views.py``). Frozen values come back, never ORM rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.core.values import CameraStatus
from monitor.store import models

OPEN_ALERT_STATES = ("open", "acknowledged")


@dataclass(frozen=True)
class CameraHealth:
    """An active camera's stored status and when it last gave a sample."""

    site_id: str
    camera_id: str
    status: CameraStatus
    last_sample_at: dt.datetime | None


def active_cameras(session: Session) -> list[CameraHealth]:
    return [
        CameraHealth(site_id, camera_id, CameraStatus(status), last_sample_at)
        for site_id, camera_id, status, last_sample_at in session.execute(
            select(models.Camera.site_id, models.Camera.camera_id, models.Camera.status, models.Camera.last_sample_at)
            .where(models.Camera.active)
            .order_by(models.Camera.id)
        )
    ]


def mean_detect_ms(session: Session, last: int = 500) -> float | None:
    """The detector's mean time per frame over the ``last`` samples that were detected (None before any)."""
    recent = (
        select(models.Sample.detect_ms)
        .where(models.Sample.detect_ms.is_not(None))
        .order_by(models.Sample.id.desc())
        .limit(last)
        .subquery()
    )
    mean = session.scalar(select(func.avg(recent.c.detect_ms)))
    return float(mean) if mean is not None else None


@dataclass(frozen=True)
class ChangeMarks:
    """Marks that move once something of their kind changed: the newest sample, the last score computed, the
    alerts (in all and still open), the newest milestone change and start proposal, the proposals decided."""

    last_sample: int | None
    last_scored_at: dt.datetime | None
    alerts: int
    open_alerts: int
    last_milestone_change: int | None
    last_proposal: int | None
    decided_proposals: int


def change_marks(session: Session) -> ChangeMarks:
    alert, proposal = models.Alert, models.StartProposal
    return ChangeMarks(
        last_sample=session.scalar(select(func.max(models.Sample.id))),
        last_scored_at=session.scalar(select(func.max(models.DailyScore.computed_at))),
        alerts=session.scalar(select(func.count(alert.id))) or 0,
        open_alerts=session.scalar(select(func.count(alert.id)).where(alert.state.in_(OPEN_ALERT_STATES))) or 0,
        last_milestone_change=session.scalar(select(func.max(models.MilestoneChange.id))),
        last_proposal=session.scalar(select(func.max(proposal.id))),
        decided_proposals=session.scalar(select(func.count(proposal.id)).where(proposal.state != "pending")) or 0,
    )


@dataclass(frozen=True)
class DataVersion:
    """Marks that move whenever a sample, a score, a camera or site, a batch period or a milestone date
    changes: the newest sample, the last score computed, the newest camera sample, the sites and cameras in
    service, the last change the configuration made to a site (its name, district, batch, unit, place), the
    batch periods, the newest recorded change of a milestone date (every change is recorded)."""

    last_sample: int | None
    last_scored_at: dt.datetime | None
    last_camera_sample_at: dt.datetime | None
    active_sites: int | None
    active_cameras: int | None
    last_site_change: dt.datetime | None
    batch_periods: int | None
    last_milestone_change: int | None


def data_version(session: Session) -> DataVersion:
    """The marks, read by index lookups (and two counts over the small sites and cameras tables)."""
    return DataVersion(
        session.scalar(select(func.max(models.Sample.id))),
        session.scalar(select(func.max(models.DailyScore.computed_at))),
        session.scalar(select(func.max(models.Camera.last_sample_at))),
        session.scalar(select(func.count(models.Site.id)).where(models.Site.active)),
        session.scalar(select(func.count(models.Camera.id)).where(models.Camera.active)),
        session.scalar(select(func.max(models.Site.updated_at))),
        session.scalar(select(func.count(models.BatchPeriod.id))),
        session.scalar(select(func.max(models.MilestoneChange.id))),
    )
