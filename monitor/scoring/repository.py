"""The scoring stage's queries, and the only ones: what the day's score is computed from (cameras, samples,
structure references) and the daily scores themselves. Everything comes back as frozen values with the
status enums (``CameraStatus``, ``DayStatus``), never as ORM rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from monitor.core.calendar import Window
from monitor.core.values import CameraStatus
from monitor.scoring.score import DayScore, DayStatus, Observation
from monitor.store import models


@dataclass(frozen=True)
class StructureRef:
    """A camera's reference picture of its structure zone on a day (PNG bytes)."""

    day: dt.date
    image_png: bytes


@dataclass(frozen=True)
class StoredDay:
    """A site's stored score of one day."""

    site_id: str
    day: dt.date
    status: DayStatus
    score: float | None
    components: dict[str, Any]


@dataclass(frozen=True)
class CameraRef:
    """An active camera: its key in the database and its names."""

    pk: int
    site_id: str
    camera_id: str


def active_cameras(session: Session, site_id: str | None = None) -> list[CameraRef]:
    """The active cameras (of one site, or all), by site and camera id."""
    query = select(models.Camera.id, models.Camera.site_id, models.Camera.camera_id).where(models.Camera.active)
    if site_id is not None:
        query = query.where(models.Camera.site_id == site_id)
    return [
        CameraRef(pk, sid, cid)
        for pk, sid, cid in session.execute(query.order_by(models.Camera.site_id, models.Camera.camera_id))
    ]


def observations(session: Session, site_id: str, cameras: dict[int, str], window: Window) -> list[Observation]:
    """The site's samples of the given cameras (pk -> camera id) in ``window``."""
    rows = session.execute(
        select(
            models.Sample.slot_at,
            models.Sample.camera_pk,
            models.Sample.status,
            models.Sample.activity,
            models.Sample.moving_workers,
            models.Sample.working_machines,
        ).where(
            models.Sample.site_id == site_id,
            models.Sample.camera_pk.in_(list(cameras)),
            models.Sample.slot_at >= window[0],
            models.Sample.slot_at < window[1],
        )
    )
    return [
        Observation(slot_at, cameras[pk], CameraStatus(status), activity, moving, working)
        for slot_at, pk, status, activity, moving, working in rows
    ]


def latest_structure_refs(session: Session, camera_pk: int, day: dt.date, count: int = 2) -> list[StructureRef]:
    """The camera's newest structure references up to ``day``, newest first."""
    rows = session.execute(
        select(models.StructureRef.day, models.StructureRef.image_png)
        .where(models.StructureRef.camera_pk == camera_pk, models.StructureRef.day <= day)
        .order_by(models.StructureRef.day.desc())
        .limit(count)
    )
    return [StructureRef(d, png) for d, png in rows]


def store_score(session: Session, result: DayScore, now: dt.datetime) -> None:
    """Write (or replace) the site's score of the day; the structure's cumulative change carries on from the
    day before. Not committed."""
    row = session.scalars(
        select(models.DailyScore).where(
            models.DailyScore.site_id == result.site_id, models.DailyScore.day == result.day
        )
    ).one_or_none() or models.DailyScore(site_id=result.site_id, day=result.day)
    previous = session.scalars(
        select(models.DailyScore)
        .where(models.DailyScore.site_id == result.site_id, models.DailyScore.day < result.day)
        .order_by(models.DailyScore.day.desc())
        .limit(1)
    ).one_or_none()
    components = dict(result.components)
    before = (previous.components or {}).get("structure_cumulative", 0.0) if previous else 0.0
    components["structure_cumulative"] = round(before + (components.get("structure_change") or 0.0), 4)
    row.score, row.status, row.components, row.computed_at = result.score, result.status.value, components, now
    session.add(row)


_STORED = (
    models.DailyScore.site_id,
    models.DailyScore.day,
    models.DailyScore.status,
    models.DailyScore.score,
    models.DailyScore.components,
)


def _stored(site_id: str, day: dt.date, status: str, score: float | None, components: Any) -> StoredDay:
    return StoredDay(site_id, day, DayStatus(status), score, components or {})


def scores_on(session: Session, day: dt.date) -> list[StoredDay]:
    """Every site's stored score of ``day``, by site."""
    rows = session.execute(select(*_STORED).where(models.DailyScore.day == day).order_by(models.DailyScore.site_id))
    return [_stored(*row) for row in rows]


def site_scores_after(session: Session, site_id: str, after: dt.date) -> list[StoredDay]:
    """The site's stored scores of the days after ``after``, oldest first."""
    rows = session.execute(
        select(*_STORED)
        .where(models.DailyScore.site_id == site_id, models.DailyScore.day > after)
        .order_by(models.DailyScore.day)
    )
    return [_stored(*row) for row in rows]


def values_between(session: Session, first: dt.date, last: dt.date) -> Iterator[tuple[str, float]]:
    """(site, score) of every stored score from ``first`` to ``last`` that has a value."""
    rows = session.execute(
        select(models.DailyScore.site_id, models.DailyScore.score).where(
            models.DailyScore.day >= first, models.DailyScore.day <= last, models.DailyScore.score.is_not(None)
        )
    )
    return ((site_id, float(score)) for site_id, score in rows if score is not None)


def scored_on(session: Session, day: dt.date) -> bool:
    """Whether any site has a score for ``day``."""
    return session.scalars(select(models.DailyScore.id).where(models.DailyScore.day == day)).first() is not None


def sites_scored_on(session: Session, day: dt.date) -> set[str]:
    return set(session.scalars(select(models.DailyScore.site_id).where(models.DailyScore.day == day)))


def first_sample_at(session: Session) -> dt.datetime | None:
    """The slot of the oldest sample stored."""
    return session.scalars(select(models.Sample.slot_at).order_by(models.Sample.slot_at).limit(1)).first()


def statuses_between(session: Session, first: dt.date, last: dt.date) -> Iterator[tuple[str, dt.date, DayStatus]]:
    """(site, day, status) of every stored score from ``first`` to ``last``."""
    rows = session.execute(
        select(models.DailyScore.site_id, models.DailyScore.day, models.DailyScore.status).where(
            models.DailyScore.day >= first, models.DailyScore.day <= last
        )
    )
    return ((site_id, day, DayStatus(status)) for site_id, day, status in rows)


def red_site_statuses(
    session: Session, first: dt.date, last: dt.date, red: frozenset[str], not_judged: frozenset[str]
) -> Iterator[tuple[str, dt.date, DayStatus]]:
    """(site, day, status) from ``first`` to ``last`` of only the sites whose latest judged day (a status not in
    ``not_judged``) in that span is one of ``red``. Each site's latest judged day is one index lookup: at
    1,000 sites, reading every site's days took the wall's red list 1.2 s (bench/year_postgres.py)."""
    score = models.DailyScore
    latest = (
        select(score.status)
        .where(score.site_id == models.Site.id, score.day >= first, score.day <= last, score.status.not_in(not_judged))
        .order_by(score.day.desc())
        .limit(1)
        .scalar_subquery()
    )
    sites = [site_id for site_id, status in session.execute(select(models.Site.id, latest)) if status in red]
    if not sites:
        return iter(())
    rows = session.execute(
        select(score.site_id, score.day, score.status).where(
            score.day >= first, score.day <= last, score.site_id.in_(sites)
        )
    )
    return ((site_id, day, DayStatus(status)) for site_id, day, status in rows)


def sample_counts(session: Session, window: Window) -> dict[int, tuple[int, int]]:
    """Each camera's samples in ``window``: (taken, online)."""
    online = func.sum(case((models.Sample.status == CameraStatus.online.value, 1), else_=0))
    rows = session.execute(
        select(models.Sample.camera_pk, func.count(), online)
        .where(models.Sample.slot_at >= window[0], models.Sample.slot_at < window[1])
        .group_by(models.Sample.camera_pk)
    )
    return {pk: (int(taken), int(up or 0)) for pk, taken, up in rows}


def fault_counts(session: Session, window: Window) -> Iterator[tuple[str, str, CameraStatus, str | None, int]]:
    """(site, camera, status, cause, samples) of the samples in ``window`` that were not online."""
    rows = session.execute(
        select(models.Camera.site_id, models.Camera.camera_id, models.Sample.status, models.Sample.cause, func.count())
        .join(models.Camera, models.Camera.id == models.Sample.camera_pk)
        .where(
            models.Sample.slot_at >= window[0],
            models.Sample.slot_at < window[1],
            models.Sample.status != CameraStatus.online.value,
        )
        .group_by(models.Camera.site_id, models.Camera.camera_id, models.Sample.status, models.Sample.cause)
    )
    return ((site_id, camera_id, CameraStatus(status), cause, int(n)) for site_id, camera_id, status, cause, n in rows)
