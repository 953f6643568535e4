"""The alerts stage's queries, and the only ones: the facts of the rules (the cameras' health, a site's recent
samples and scores, the idle alerts an operator closed, the milestone dates) and the alerts themselves (read,
opened, changed, acknowledged, resolved). Frozen values with the status enums come back, never ORM rows; the
writes do not commit (the lifecycle does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from monitor.alerts.rules import AlertKey, AlertState, AlertType, CameraFact, Condition, Severity
from monitor.config import Milestone
from monitor.core.clock import ensure_utc
from monitor.core.values import CameraStatus, Cause
from monitor.scoring.score import DayStatus
from monitor.store import models


def _cause(value: str | None) -> Cause | None:
    return Cause(value) if value is not None and value in Cause._value2member_map_ else None


def camera_facts(session: Session) -> list[CameraFact]:
    """Every active camera's health as stored."""
    return [
        CameraFact(
            c.site_id, c.camera_id, CameraStatus(c.status), c.status_since, c.status_reason, _cause(c.status_cause)
        )
        for c in session.scalars(select(models.Camera).where(models.Camera.active))
    ]


@dataclass(frozen=True)
class SiteCameras:
    """A site's active cameras: when each last showed a live picture, and whether one is live now."""

    last_live: tuple[dt.datetime, ...]
    live_now: bool


def site_cameras(session: Session, site_id: str) -> SiteCameras:
    rows = session.execute(
        select(models.Camera.last_online_at, models.Camera.status).where(
            models.Camera.site_id == site_id, models.Camera.active
        )
    ).all()
    return SiteCameras(
        tuple(ensure_utc(t) for t, _ in rows if t is not None),
        any(status == CameraStatus.online.value for _, status in rows),
    )


def last_active_slot(
    session: Session, site_id: str, start: dt.datetime, now: dt.datetime, level: float
) -> dt.datetime | None:
    """The slot of the site's last sample at least ``level`` active in [start, now]."""
    at = session.scalars(
        select(models.Sample.slot_at)
        .where(
            models.Sample.site_id == site_id,
            models.Sample.slot_at >= start,
            models.Sample.slot_at <= now,
            models.Sample.activity >= level,
        )
        .order_by(models.Sample.slot_at.desc())
        .limit(1)
    ).first()
    return ensure_utc(at) if at is not None else None


def online_samples(session: Session, site_id: str, start: dt.datetime, now: dt.datetime) -> int:
    """The site's samples in [start, now] that showed a live picture."""
    return int(
        session.scalar(
            select(func.count(models.Sample.id)).where(
                models.Sample.site_id == site_id,
                models.Sample.status == CameraStatus.online.value,
                models.Sample.slot_at >= start,
                models.Sample.slot_at <= now,
            )
        )
        or 0
    )


@dataclass(frozen=True)
class PastDay:
    day: dt.date
    status: DayStatus
    coverage: float | None


def days_before(session: Session, site_id: str, today: dt.date, limit: int = 60) -> list[PastDay]:
    """The site's scored days before ``today``, newest first."""
    rows = session.execute(
        select(models.DailyScore.day, models.DailyScore.status, models.DailyScore.components)
        .where(models.DailyScore.site_id == site_id, models.DailyScore.day < today)
        .order_by(models.DailyScore.day.desc())
        .limit(limit)
    )
    return [PastDay(day, DayStatus(status), (components or {}).get("coverage")) for day, status, components in rows]


def idle_closed_by_hand_at(session: Session, site_id: str) -> dt.datetime | None:
    """When an operator last closed the site's idle alert by hand."""
    at = session.scalars(
        select(models.Alert.resolved_at)
        .where(
            models.Alert.site_id == site_id,
            models.Alert.type == AlertType.site_idle.value,
            models.Alert.resolved_by.is_not(None),
        )
        .order_by(models.Alert.resolved_at.desc())
        .limit(1)
    ).first()
    return ensure_utc(at) if at is not None else None


@dataclass(frozen=True)
class StructureLevel:
    """A site's structure curve on its latest scored day up to a date (``structure_cumulative``)."""

    day: dt.date
    cumulative: float


def structure_level(session: Session, site_id: str, on_or_before: dt.date) -> StructureLevel | None:
    row = session.execute(
        select(models.DailyScore.day, models.DailyScore.components)
        .where(models.DailyScore.site_id == site_id, models.DailyScore.day <= on_or_before)
        .order_by(models.DailyScore.day.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    day, components = row
    return StructureLevel(day, float((components or {}).get("structure_cumulative") or 0.0))


@dataclass(frozen=True)
class MilestoneDates:
    """A site's planned and actual date of one milestone, as stored."""

    planned: dt.date | None
    actual: dt.date | None


def milestone_dates(session: Session) -> dict[tuple[str, Milestone], MilestoneDates]:
    """(site, milestone) -> its dates, for every milestone stored."""
    rows = session.execute(
        select(
            models.SiteMilestone.site_id,
            models.SiteMilestone.milestone,
            models.SiteMilestone.planned,
            models.SiteMilestone.actual,
        )
    )
    return {(site_id, Milestone(m)): MilestoneDates(planned, actual) for site_id, m, planned, actual in rows}


@dataclass(frozen=True)
class StoredAlert:
    """An alert as stored, with the names of its site and camera."""

    id: int
    site_id: str
    site_name: str
    camera_id: str | None
    """The camera's id in the config (None: a site alert)."""
    camera_name: str | None
    """The camera's name, else its id."""
    camera_cause: str | None
    """The camera's ``Cause`` now, as stored."""
    type: str
    """An ``AlertType`` value (the history may hold types no rule raises any more)."""
    severity: Severity
    state: AlertState
    message: str
    details: dict[str, Any]
    opened_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolve_note: str | None

    @property
    def key(self) -> AlertKey:
        """One alert is open per key."""
        return AlertKey(self.site_id, self.camera_id, AlertType(self.type))


def _find(session: Session, *where: ColumnElement[bool], limit: int | None = None) -> list[StoredAlert]:
    """The alerts that match ``where``, newest first."""
    query = (
        select(models.Alert, models.Site.name, models.Camera.camera_id, models.Camera.name, models.Camera.status_cause)
        .outerjoin(models.Site, models.Site.id == models.Alert.site_id)
        .outerjoin(models.Camera, models.Camera.id == models.Alert.camera_pk)
        .where(*where)
        .order_by(models.Alert.opened_at.desc(), models.Alert.id.desc())
        .limit(limit)
    )
    return [
        StoredAlert(
            id=a.id,
            site_id=a.site_id,
            site_name=site_name if site_name is not None else a.site_id,
            camera_id=camera_id,
            camera_name=(camera_name or camera_id) if camera_id is not None else None,
            camera_cause=cause if camera_id is not None else None,
            type=a.type,
            severity=Severity(a.severity),
            state=AlertState(a.state),
            message=a.message,
            details=a.details or {},
            opened_at=a.opened_at,
            acknowledged_at=a.acknowledged_at,
            acknowledged_by=a.acknowledged_by,
            resolved_at=a.resolved_at,
            resolved_by=a.resolved_by,
            resolve_note=a.resolve_note,
        )
        for a, site_name, camera_id, camera_name, cause in session.execute(query)
    ]


def alerts(
    session: Session,
    states: Collection[AlertState] | None = None,
    site_id: str | None = None,
    type: str | None = None,
    limit: int | None = None,
) -> list[StoredAlert]:
    """Alerts in any of ``states`` (None: all), of one site and type if given, newest first."""
    where: list[ColumnElement[bool]] = []
    if states is not None:
        where.append(models.Alert.state.in_([s.value for s in states]))
    if site_id is not None:
        where.append(models.Alert.site_id == site_id)
    if type is not None:
        where.append(models.Alert.type == type)
    return _find(session, *where, limit=limit)


def alert(session: Session, alert_id: int) -> StoredAlert | None:
    found = _find(session, models.Alert.id == alert_id)
    return found[0] if found else None


def open_alert(session: Session, condition: Condition, now: dt.datetime) -> int:
    """Record a new open alert for ``condition``; its id. Flushed, not committed."""
    key = condition.key
    camera_pk = (
        session.scalars(
            select(models.Camera.id).where(
                models.Camera.site_id == key.site_id, models.Camera.camera_id == key.camera_id
            )
        ).first()
        if key.camera_id
        else None
    )
    row = models.Alert(
        site_id=key.site_id,
        camera_pk=camera_pk,
        type=key.type.value,
        severity=condition.severity.value,
        state=AlertState.open.value,
        message=condition.message,
        details=condition.details,
        opened_at=now,
    )
    session.add(row)
    session.flush()
    return row.id


def _change(session: Session, alert_id: int, **values: Any) -> None:
    session.execute(update(models.Alert).where(models.Alert.id == alert_id).values(**values))


def reword(session: Session, alert_id: int, condition: Condition) -> None:
    """The alert's message and details become the condition's."""
    _change(session, alert_id, message=condition.message, details=condition.details)


def escalate(session: Session, alert_id: int, condition: Condition) -> None:
    """The alert takes the condition's severity, message and details."""
    _change(session, alert_id, severity=condition.severity.value, message=condition.message, details=condition.details)


def mark_acknowledged(session: Session, alert_id: int, by: str, now: dt.datetime) -> None:
    _change(session, alert_id, state=AlertState.acknowledged.value, acknowledged_at=now, acknowledged_by=by)


def mark_resolved(
    session: Session, alert_id: int, now: dt.datetime, by: str | None = None, note: str | None = None
) -> None:
    """Resolved at ``now``: its condition cleared (``by`` None), or an operator's word (``by``, ``note``)."""
    values: dict[str, Any] = {"state": AlertState.resolved.value, "resolved_at": now}
    if by is not None:
        values |= {"resolved_by": by, "resolve_note": note}
    _change(session, alert_id, **values)
