"""The daily progress score of a site: pure functions of the day's samples. See docs/scoring.md."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from monitor.config import ScoringConfig


class DayStatus(StrEnum):
    active = "active"  # 正常施工
    low_activity = "low_activity"  # 施工不足
    idle = "idle"  # 停工
    camera_outage = "camera_outage"  # 视频中断: too little was seen to judge
    not_expected = "not_expected"  # 未要求: signed but not started, holiday, day off
    not_started = "not_started"  # 未到施工时段: today, before the working hours begin


@dataclass(frozen=True)
class Observation:
    """One camera in one sampling slot."""

    slot_at: dt.datetime
    camera: str
    status: str
    activity: float | None = None
    moving_workers: int | None = None
    working_machines: int | None = None


@dataclass(frozen=True)
class DayInput:
    site_id: str
    day: dt.date
    work_expected: bool
    """False for a signed-batch site not started yet, a holiday or a day off."""
    cameras: int
    expected_slots: int
    """Sampling slots in the working hours, per camera."""
    interval_seconds: int
    observations: Sequence[Observation]
    structure_change: float | None = None
    """Largest share of a structure zone that changed since the previous reference day."""
    started: bool = True
    """False while the day's working hours have not begun (a running score before work): nothing to judge."""
    observe: bool = False
    """A working day of a signed-batch site: not expected, but judged anyway (``observed_status``) so that its
    start can be seen on camera."""


@dataclass(frozen=True)
class DayScore:
    site_id: str
    day: dt.date
    score: float | None
    status: DayStatus
    components: dict[str, Any] = field(default_factory=dict)


def score_day(day: DayInput, rules: ScoringConfig) -> DayScore:
    expected = day.cameras * day.expected_slots
    seen = [o for o in day.observations if o.status == "online"]
    coverage = min(1.0, len(seen) / expected) if expected else 0.0

    by_slot: dict[dt.datetime, list[Observation]] = defaultdict(list)
    for o in seen:
        by_slot[o.slot_at].append(o)
    covered_slots = len(by_slot)
    active_slots = sum(
        1 for obs in by_slot.values() if max((o.activity or 0.0) for o in obs) >= rules.active_sample_level
    )
    hours_per_slot = day.interval_seconds / 3600
    # The same worker may stand in two cameras' view: take the most any camera saw in a slot.
    worker_slots = sum(max((o.moving_workers or 0) for o in obs) for obs in by_slot.values())
    machine_slots = sum(max((o.working_machines or 0) for o in obs) for obs in by_slot.values())
    # Averages over the slots seen; slots nobody saw are assumed like them (coverage says how much).
    avg_workers = worker_slots / covered_slots if covered_slots else 0.0
    avg_machines = machine_slots / covered_slots if covered_slots else 0.0
    working_hours = day.expected_slots * hours_per_slot
    active_share = active_slots / covered_slots if covered_slots else 0.0
    structure = day.structure_change or 0.0

    # Workers and machines earn the work points together: a crew of eight without machines is as much a working
    # site as an excavator at work (docs/scoring.md, "why these values").
    parts = {
        "activity": active_share,
        "work": min(1.0, avg_workers / rules.workers_target + avg_machines / rules.machines_target),
        "structure": min(1.0, structure / rules.structure_change_target),
    }
    w = rules.weights
    points = {
        "activity": w.activity * parts["activity"],
        "work": w.work * parts["work"],
        "structure": w.structure * parts["structure"],
    }
    raw = round(sum(points.values()), 1)
    components: dict[str, Any] = {
        "coverage": round(coverage, 4),
        "samples_expected": expected,
        "samples_seen": len(seen),
        "active_share": round(active_share, 4),
        "avg_moving_workers": round(avg_workers, 3),
        "avg_working_machines": round(avg_machines, 3),
        "worker_hours": round(avg_workers * working_hours, 2),
        "machine_hours": round(avg_machines * working_hours, 2),
        "structure_change": round(structure, 4) if day.structure_change is not None else None,
        "points": {k: round(v, 1) for k, v in points.items()},
    }
    if not day.work_expected:
        if day.observe and day.started:
            observed = _judge(raw, coverage, rules)
            components["observed_status"] = observed.value
            components["observed_score"] = None if observed is DayStatus.camera_outage else raw
        return DayScore(day.site_id, day.day, None, DayStatus.not_expected, components)
    if not day.started:
        return DayScore(day.site_id, day.day, None, DayStatus.not_started, components)
    status = _judge(raw, coverage, rules)
    return DayScore(day.site_id, day.day, None if status is DayStatus.camera_outage else raw, status, components)


def _judge(raw: float, coverage: float, rules: ScoringConfig) -> DayStatus:
    if coverage < rules.outage_coverage:
        return DayStatus.camera_outage
    if raw >= rules.active_score:
        return DayStatus.active
    if raw < rules.idle_score:
        return DayStatus.idle
    return DayStatus.low_activity
