"""The deployment's jobs: their settings, the lease that keeps them to one process, and catch-up."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_SUBMITTED
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from detectors import CategoryMap
from monitor.config import Category, parse_config
from monitor.core.values import CameraKey, CameraStatus, Counts, Sample
from monitor.scoring.daily import days_to_catch_up, score_days
from monitor.service import jobs as job_functions
from monitor.service.leadership import DAILY_MISFIRE_GRACE_S, LEASE_TTL, Leadership
from monitor.service.runtime import build_runtime
from monitor.service.schedule import ALERT_RULES as ALERT_RULES_JOB_ID
from monitor.service.schedule import ALERT_WEBHOOK as ALERT_WEBHOOK_JOB_ID
from monitor.service.schedule import ASSIGNMENT_STATES as ASSIGNMENT_STATES_JOB_ID
from monitor.service.schedule import CATCH_UP as CATCH_UP_JOB_ID
from monitor.service.schedule import DAILY_SCORE as DAILY_SCORE_JOB_ID
from monitor.service.schedule import LED_JOBS
from monitor.service.schedule import RUNNING_SCORE as RUNNING_SCORE_JOB_ID
from monitor.service.schedule import SWEEP as SWEEP_JOB_ID
from monitor.service.scheduling import build_jobs, build_scheduler
from monitor.store import models
from monitor.store.lease import acquire
from monitor.store.repo import camera_pks, record_sample, sync_config
from tests.fixtures.clock import fixed, wall_now
from tests.fixtures.servers import SAMPLE_VIDEO
from tests.helpers import config_dict
from tests.monitor.fakes import NAMES, FakeDetector


def _runtime(tmp_path: Path, **overrides: Any):  # type: ignore[no-untyped-def]
    data = config_dict(**overrides)
    data["sampling"]["snapshot_dir"] = str(tmp_path / "snaps")
    detector = (FakeDetector(), CategoryMap.build({"person": Category.worker}, NAMES))
    return build_runtime(parse_config(data), f"sqlite:///{tmp_path / 'db.sqlite'}", clock=wall_now, detector=detector)


def test_daily_jobs_coalesce_and_tolerate_a_late_start(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    scheduler = build_scheduler(runtime)
    try:
        daily = scheduler.get_job(DAILY_SCORE_JOB_ID)
        sweep = scheduler.get_job(SWEEP_JOB_ID)
        assert isinstance(daily.trigger, CronTrigger) and str(daily.trigger.timezone) == "Asia/Shanghai"
        assert "hour='20', minute='30'" in str(daily.trigger)
        assert daily.coalesce and daily.misfire_grace_time == DAILY_MISFIRE_GRACE_S
        assert sweep.coalesce and sweep.max_instances == 1 and sweep.misfire_grace_time == 60
        assert {j.id for j in scheduler.get_jobs()} >= {SWEEP_JOB_ID, DAILY_SCORE_JOB_ID, CATCH_UP_JOB_ID}
    finally:
        runtime.close()


def test_the_alert_webhook_job_exists_with_a_webhook_and_waits_for_the_lease(tmp_path: Path) -> None:
    plain = _runtime(tmp_path / "a")
    with_hook = _runtime(tmp_path / "b", alerts={"webhook": {"url": "https://dispatch.example/alerts"}})
    try:
        assert build_scheduler(plain).get_job(ALERT_WEBHOOK_JOB_ID) is None
        job = build_scheduler(with_hook).get_job(ALERT_WEBHOOK_JOB_ID)
        assert job is not None and job.next_run_time is None  # paused until this process holds the lease
        assert ALERT_WEBHOOK_JOB_ID in LED_JOBS
    finally:
        plain.close()
        with_hook.close()


def test_only_the_lease_holder_runs_the_jobs_and_a_standby_takes_over(tmp_path: Path) -> None:
    first, second = _runtime(tmp_path), _runtime(tmp_path)  # two processes, one database
    s1, s2 = build_scheduler(first), build_scheduler(second)
    a, b = Leadership(first, s1, "A"), Leadership(second, s2, "B")
    try:
        assert a.tick() is True and b.tick() is False
        assert s1.get_job(SWEEP_JOB_ID).next_run_time is not None
        assert s2.get_job(SWEEP_JOB_ID).next_run_time is None  # paused: standing by
        assert s2.get_job(DAILY_SCORE_JOB_ID).next_run_time is None
        a.release()
        assert b.tick() is True
        assert s2.get_job(SWEEP_JOB_ID).next_run_time is not None
        assert s2.get_job(DAILY_SCORE_JOB_ID).next_run_time is not None
        assert a.tick() is False
    finally:
        first.close()
        second.close()


def test_an_expired_lease_can_be_taken(sessions: sessionmaker[Session]) -> None:
    t0 = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
    with sessions() as s:
        assert acquire(s, "scheduler", "A", LEASE_TTL, t0)
        assert not acquire(s, "scheduler", "B", LEASE_TTL, t0 + dt.timedelta(seconds=30))
        assert acquire(s, "scheduler", "A", LEASE_TTL, t0 + dt.timedelta(seconds=30))  # renewal
        assert acquire(s, "scheduler", "B", LEASE_TTL, t0 + dt.timedelta(seconds=200))  # A went silent


def test_days_missed_while_stopped_are_found_and_scored_once(sessions: sessionmaker[Session]) -> None:
    config = parse_config(config_dict([str(SAMPLE_VIDEO)] * 2))
    key = CameraKey("site1", "cam1")
    with sessions() as s:
        sync_config(s, config, fixed())
        pk = camera_pks(s)[key]
        slot = dt.datetime(2026, 11, 24, 2, tzinfo=dt.UTC)  # 10:00 on the 24th in Shanghai
        record_sample(s, pk, Sample(key, slot, slot, CameraStatus.online, counts=Counts(1, 0, 0)))
        now = dt.datetime(2026, 11, 27, 13, tzinfo=dt.UTC)  # 21:00 on the 27th, after the 20:30 run
        days = days_to_catch_up(s, config, now)
        assert days == [dt.date(2026, 11, d) for d in (24, 25, 26, 27)]
        score_days(s, config, days[:2], now=now)
        assert days_to_catch_up(s, config, now) == [dt.date(2026, 11, 26), dt.date(2026, 11, 27)]
        before_run = dt.datetime(2026, 11, 27, 11, tzinfo=dt.UTC)  # 19:00 on the 27th: today not yet due
        assert days_to_catch_up(s, config, before_run) == [dt.date(2026, 11, 26)]


def test_when_the_database_takes_writes_again_missed_days_are_looked_for(tmp_path: Path) -> None:
    from sqlalchemy.exc import OperationalError

    from monitor.store.faults import StorageFault

    runtime = _runtime(tmp_path)
    scheduler = build_scheduler(runtime)
    leader = Leadership(runtime, scheduler, "A")
    try:
        assert leader.tick() is True
        scheduler.remove_job(CATCH_UP_JOB_ID)  # the start-up catch-up has run
        runtime.storage.failed(StorageFault.disk_full, OperationalError("x", {}, Exception("disk is full")), "test")
        assert leader.tick() is True  # the lease renews (the disk has room again)
        job = scheduler.get_job(CATCH_UP_JOB_ID)
        assert job is not None and job.next_run_time is not None
        scheduler.remove_job(CATCH_UP_JOB_ID)
        assert leader.tick() is True
        assert scheduler.get_job(CATCH_UP_JOB_ID) is None  # only on a recovery
    finally:
        runtime.close()


def test_after_each_sweep_the_running_score_the_assignments_and_the_alert_rules_run_as_jobs_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given a deployment's scheduler, when the sweep job runs, then the running score, the assignments' states
    and the alert rules follow as their own jobs, in that order, each once; a failing running score does not
    hold back the rest."""
    runtime = _runtime(tmp_path)
    ran: list[str] = []
    done = threading.Event()
    real_score = job_functions.score_running

    def score(*args: Any) -> None:
        ran.append(RUNNING_SCORE_JOB_ID)
        real_score(*args)
        raise RuntimeError("the running score failed")  # the rules must still run

    def states(*args: Any) -> None:
        ran.append(ASSIGNMENT_STATES_JOB_ID)

    def rules(*args: Any) -> None:
        ran.append(ALERT_RULES_JOB_ID)
        done.set()

    monkeypatch.setattr(job_functions, "score_running", score)
    monkeypatch.setattr(job_functions, "update_assignments", states)
    monkeypatch.setattr(job_functions, "evaluate_alerts", rules)
    jobs = build_jobs(runtime, start_now=False)
    seen: list[str] = []
    jobs.scheduler.add_listener(lambda event: seen.append(event.job_id), EVENT_JOB_SUBMITTED)
    for job in jobs.scheduler.get_jobs():
        if job.id != SWEEP_JOB_ID:
            job.pause()
    jobs.scheduler.modify_job(SWEEP_JOB_ID, next_run_time=wall_now())  # APScheduler runs on real time
    jobs.start()
    try:
        assert done.wait(30), ran
        assert runtime.last_sweep is not None and runtime.last_sweep.samples
    finally:
        jobs.stop()
    assert ran == [RUNNING_SCORE_JOB_ID, ASSIGNMENT_STATES_JOB_ID, ALERT_RULES_JOB_ID]
    assert seen[:4] == [SWEEP_JOB_ID, RUNNING_SCORE_JOB_ID, ASSIGNMENT_STATES_JOB_ID, ALERT_RULES_JOB_ID]
    with runtime.sessions() as session:  # the real running score ran before the failure was raised
        assert session.scalars(select(models.DailyScore)).first() is not None
    runtime.close()
