"""Alert rules: which conditions hold now. Pure functions of facts and an injected time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from monitor.config import AlertsConfig
from monitor.core.values import Cause

FAULTS = frozenset({"offline", "unauthorized", "not_found", "stream_error", "unknown"})


class AlertType(StrEnum):
    site_idle = "site_idle"  # 停工预警
    camera_offline = "camera_offline"  # 摄像机离线
    camera_frozen = "camera_frozen"  # 画面冻结
    camera_black = "camera_black"  # 黑屏
    low_coverage = "low_coverage"  # 覆盖率低
    camera_moved = "camera_moved"  # 视角变化: knocked or turned to a new view
    camera_unstable = "camera_unstable"  # 视角不稳定: the view never holds still
    start_overdue = "start_overdue"  # 未按期开工: planned start passed, no start seen
    production_overdue = "production_overdue"  # 未按期投产: a started site past its planned production date
    started_idle = "started_idle"  # 开工后停工: a started site idle N working days in a row
    progress_lagging = "progress_lagging"  # 进度滞后: structure flat for N weeks, completion still ahead
    assignment_overdue = "assignment_overdue"  # 交办逾期: an assignment past its deadline, not replied or closed


class Severity(StrEnum):
    warning = "warning"
    critical = "critical"


class AlertState(StrEnum):
    open = "open"  # 未处理
    acknowledged = "acknowledged"  # 已确认: an operator has seen it; it stays until its condition clears
    resolved = "resolved"  # 已解除: its condition cleared, or an operator closed it


OPEN_STATES = (AlertState.open, AlertState.acknowledged)
"""The states of an alert that is not resolved: one per site, camera and type."""


@dataclass(frozen=True)
class AlertKey:
    site_id: str
    camera_id: str | None
    type: AlertType


@dataclass(frozen=True)
class Condition:
    """An alert condition that holds now."""

    key: AlertKey
    severity: Severity
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CameraFact:
    site_id: str
    camera_id: str
    status: str
    status_since: dt.datetime | None
    reason: str = ""
    cause: str | None = None
    """The ``Cause`` of the camera's status, as stored."""


@dataclass(frozen=True)
class OpenAlert:
    """What the rules need to know of an alert that is open."""

    opened_at: dt.datetime
    acknowledged: bool = False


@dataclass(frozen=True)
class SiteFact:
    site_id: str
    name: str
    started: bool
    """Started batch: work is expected."""
    working_now: bool
    """Now is inside today's working hours on a working day."""
    worked_hours_today: float
    """Working hours elapsed today so far."""
    hours_since_activity: float | None
    """Working hours since the last active sample today (None: none today)."""
    coverage_recent: float
    """Share of expected samples seen in the idle window: below 0.5 the cameras, not the site, are down."""
    idle_days_in_a_row: int
    last_day: dt.date | None = None
    last_day_coverage: float | None = None
    last_activity_at: dt.datetime | None = None
    """The slot of the last active sample today: evidence of work."""
    no_video_since: dt.datetime | None = None
    """While no camera of the site is live: since when (its cameras' last live picture)."""
    idle_closed_at: dt.datetime | None = None
    """When an operator last closed the site's idle alert by hand (their word holds until work is seen)."""
    live_now: bool = True
    """A camera of the site shows a live picture now (its latest sample is online)."""


def camera_conditions(
    cameras: Iterable[CameraFact],
    now: dt.datetime,
    rules: AlertsConfig,
    open_alerts: Mapping[AlertKey, OpenAlert] | None = None,
) -> list[Condition]:
    open_alerts = open_alerts or {}
    out = []
    for c in cameras:
        moved = AlertKey(c.site_id, c.camera_id, AlertType.camera_moved)
        held = moved in open_alerts and not open_alerts[moved].acknowledged
        if held and not (c.status == "online" and c.cause == Cause.view_changed):
            # A new view asks a person to check the zones: the alert stays until someone acknowledges it, and
            # the next samples of that view (no longer new) do not close it.
            out.append(Condition(moved, Severity.warning, f"摄像机 {c.camera_id} 视角变化 (待核对, 保持)", {}))
        if c.status in FAULTS and c.status_since is not None:
            minutes = (now - c.status_since).total_seconds() / 60
            if minutes >= rules.offline_after_minutes:
                out.append(
                    Condition(
                        AlertKey(c.site_id, c.camera_id, AlertType.camera_offline),
                        Severity.critical,
                        f"摄像机 {c.camera_id} 离线 {minutes:.0f} 分钟: {c.reason}",
                        {"status": c.status, "since": c.status_since.isoformat(), "reason": c.reason, "cause": c.cause},
                    )
                )
        elif c.status == "frozen":
            out.append(
                Condition(
                    AlertKey(c.site_id, c.camera_id, AlertType.camera_frozen),
                    Severity.warning,
                    f"摄像机 {c.camera_id} 画面冻结: {c.reason}",
                    {"reason": c.reason, "cause": c.cause},
                )
            )
        elif c.status == "online" and c.cause == Cause.view_changed:
            out.append(
                Condition(
                    AlertKey(c.site_id, c.camera_id, AlertType.camera_moved),
                    Severity.warning,
                    f"摄像机 {c.camera_id} 视角变化（被碰动或转动），请核对监测区域: {c.reason}",
                    {"reason": c.reason, "cause": c.cause},
                )
            )
        elif c.status == "unstable":
            out.append(
                Condition(
                    AlertKey(c.site_id, c.camera_id, AlertType.camera_unstable),
                    Severity.warning,
                    f"摄像机 {c.camera_id} 视角不稳定，画面一直在移动: {c.reason}",
                    {"reason": c.reason, "cause": c.cause, "status": c.status},
                )
            )
        elif c.status == "black":
            out.append(
                Condition(
                    AlertKey(c.site_id, c.camera_id, AlertType.camera_black),
                    Severity.warning,
                    f"摄像机 {c.camera_id} 黑屏或无图像",
                    {"reason": c.reason, "cause": c.cause},
                )
            )
    return out


def site_conditions(
    sites: Iterable[SiteFact], open_alerts: Mapping[AlertKey, OpenAlert], rules: AlertsConfig
) -> list[Condition]:
    """The idle watch and low coverage. An idle alert, once open, closes only on evidence of work (an active
    sample after it opened) or an operator's word: not at night, not in the morning before the idle window has
    passed, and not when the site's picture is lost ("no video since ..."): a stopped site that then loses
    its video stays stopped, as far as anyone knows. An operator's word holds until work is seen again."""
    out = []
    for s in sites:
        idle_key = AlertKey(s.site_id, None, AlertType.site_idle)
        if s.started:
            condition = _idle(s, open_alerts.get(idle_key), rules)
            if condition is not None:
                out.append(condition)
        if s.last_day_coverage is not None and s.last_day_coverage < rules.low_coverage_below:
            out.append(
                Condition(
                    AlertKey(s.site_id, None, AlertType.low_coverage),
                    Severity.warning,
                    f"{s.name}: {s.last_day} 视频覆盖率 {s.last_day_coverage:.0%}",
                    {"day": str(s.last_day), "coverage": s.last_day_coverage},
                )
            )
    return out


def _idle(s: SiteFact, opened: OpenAlert | None, rules: AlertsConfig) -> Condition | None:
    key = AlertKey(s.site_id, None, AlertType.site_idle)
    idle_for = s.hours_since_activity if s.hours_since_activity is not None else s.worked_hours_today
    # Seen enough of late, and seen now: a camera that froze or went dark a moment ago accuses nobody.
    cameras_up = s.coverage_recent >= 0.5 and s.live_now
    if opened is None:
        worked_since_word = s.idle_closed_at is None or (
            s.last_activity_at is not None and s.last_activity_at > s.idle_closed_at
        )
        if s.working_now and cameras_up and idle_for >= rules.idle_after_hours and worked_since_word:
            return _idle_now(s, key, idle_for, rules)
        return None
    if s.last_activity_at is not None and s.last_activity_at > opened.opened_at:
        return None  # work seen since it opened: resolved
    if s.working_now and cameras_up and idle_for >= rules.idle_after_hours:
        return _idle_now(s, key, idle_for, rules)
    if s.working_now and not cameras_up and s.no_video_since is not None:
        since = s.no_video_since.isoformat()
        return Condition(
            key,
            Severity.warning,
            f"{s.name}: 无施工活动，自 {s.no_video_since:%m-%d %H:%M} (UTC) 起无视频，停工未解除",
            {"no_video_since": since, "idle_days_in_a_row": s.idle_days_in_a_row},
        )
    # Outside working hours, early in the day, or no video yet known: nothing new, the alert stays as it is.
    return Condition(key, Severity.warning, f"{s.name}: 无施工活动 (保持)", {})


def _idle_now(s: SiteFact, key: AlertKey, idle_for: float, rules: AlertsConfig) -> Condition:
    escalated = s.idle_days_in_a_row + 1 >= rules.idle_escalate_days
    return Condition(
        key,
        Severity.critical if escalated else Severity.warning,
        f"{s.name}: 已 {idle_for:.1f} 个工作小时无施工活动"
        + (f"，连续 {s.idle_days_in_a_row + 1} 天停工" if escalated else ""),
        {"idle_hours": round(idle_for, 2), "idle_days_in_a_row": s.idle_days_in_a_row},
    )
