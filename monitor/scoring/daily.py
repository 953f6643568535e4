"""Compute and store daily scores from what is in the database (idempotent: same samples, same score)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy.orm import Session

from monitor.config import AppConfig, Batch, SiteConfig
from monitor.core.calendar import expected_samples
from monitor.sampling.structure import structure_change, zone_mask
from monitor.scoring import repository
from monitor.scoring.score import DayInput, DayScore, score_day
from monitor.store.periods import batch_on
from monitor.store.repo import decode_png

log = logging.getLogger(__name__)


def work_expected(config: AppConfig, site: SiteConfig, day: dt.date, batch: Batch | None = None) -> bool:
    """Work is expected on a working day of a site past its signing: ``batch`` is the site's batch on that day
    (a confirmed start moves a signed site on; default: the configured batch)."""
    if (batch or site.batch) is Batch.signed:
        return False
    return config.calendar.working_day(day)


def site_structure_change(
    session: Session, config: AppConfig, site: SiteConfig, day: dt.date, camera_pks: dict[str, int]
) -> float | None:
    """Largest change of any camera's structure zone between the day's reference and the latest earlier one."""
    changes = []
    for camera in site.cameras:
        zone = camera.zones.structure
        pk = camera_pks.get(camera.id)
        if zone is None or pk is None:
            continue
        refs = repository.latest_structure_refs(session, pk, day)
        if len(refs) < 2 or refs[0].day != day:
            continue
        today, before = decode_png(refs[0].image_png), decode_png(refs[1].image_png)
        changes.append(structure_change(before, today, zone_mask(zone, today.shape[:2])))
    return max(changes) if changes else None


def day_input(
    session: Session, config: AppConfig, site: SiteConfig, day: dt.date, now: dt.datetime | None = None
) -> DayInput:
    """The day's samples in working hours. While the day is running (``now`` inside its working hours), only
    the slots elapsed so far are expected: the running score is judged on what could have been seen."""
    window = config.calendar.working_window(day)
    running = now is not None and window[0] < now < window[1]
    if now is not None and running:
        window = (window[0], now)
    interval = config.sampling.interval_seconds
    # Before the working hours (or their first slot) have passed there is nothing to judge yet: no outage.
    early = now is not None and now < window[0]
    started = not early and not (running and expected_samples(window, interval) == 0)
    cams = {c.camera_id: c.pk for c in repository.active_cameras(session, site.id)}
    observations = repository.observations(session, site.id, {pk: cid for cid, pk in cams.items()}, window)
    batch = batch_on(session, site, day)
    return DayInput(
        site_id=site.id,
        day=day,
        work_expected=work_expected(config, site, day, batch),
        observe=batch is Batch.signed and config.calendar.working_day(day),
        cameras=len(cams),
        expected_slots=expected_samples(window, interval),
        interval_seconds=interval,
        observations=observations,
        structure_change=site_structure_change(session, config, site, day, cams),
        started=started,
    )


def score_days(
    session: Session,
    config: AppConfig,
    days: Iterable[dt.date],
    site_ids: set[str] | None = None,
    *,
    now: dt.datetime,
) -> list[DayScore]:
    """Score (or re-score) each site on each day; replaces what was stored for those days. ``now``: when
    (a day still running is scored up to it, and the score is stamped with it)."""
    results = []
    for day in sorted(days):
        for site in config.sites:
            if site_ids is not None and site.id not in site_ids:
                continue
            result = score_day(day_input(session, config, site, day, now), config.scoring)
            repository.store_score(session, result, now)
            results.append(result)
        session.commit()
    log.info("scored %d site-days", len(results))
    return results


def days_to_catch_up(session: Session, config: AppConfig, now: dt.datetime, lookback_days: int = 7) -> list[dt.date]:
    """Finished local days of the last week with a site lacking a score (e.g. the server was down at run time)."""
    last = config.calendar.last_day_past(now, config.scoring.run_at)
    first_sample = repository.first_sample_at(session)
    if first_sample is None:
        return []
    first = max(config.calendar.day_of(first_sample), last - dt.timedelta(days=lookback_days - 1))
    wanted = {s.id for s in config.sites}
    out = []
    day = first
    while day <= last:
        have = repository.sites_scored_on(session, day)
        if wanted - have:
            out.append(day)
        day += dt.timedelta(days=1)
    return out
