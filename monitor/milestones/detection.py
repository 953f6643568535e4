"""The start seen on camera: the first sustained construction of a signed site (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from monitor.config import MilestoneRules


class ProposalState(StrEnum):
    """What became of a start seen on camera: an operator confirms or rejects it."""

    pending = "pending"  # 待确认
    confirmed = "confirmed"  # 已确认: the site is started from its day
    rejected = "rejected"  # 已否决: the site stays signed; its days are not proposed again


@dataclass(frozen=True)
class WorkingDay:
    """One working day of a signed site, as the cameras judged it (``observed_status``; None: not scored)."""

    day: dt.date
    status: str | None

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class StartSeen:
    day: dt.date
    """The proposed start: the first active day of the window."""
    window: tuple[WorkingDay, ...]
    """The consecutive working days that hold the active days, ending on the day the rule was met."""


def detect_start(days: Sequence[WorkingDay], rules: MilestoneRules) -> StartSeen | None:
    """The first run of ``start_window_days`` consecutive working days (fewer at the beginning of ``days``) with
    at least ``start_active_days`` active ones, ended at the earliest day the rule holds. ``days`` are the
    site's working days in order, with no gap: a working day that was not scored counts as not active."""
    for end in range(len(days)):
        window = days[max(0, end - rules.start_window_days + 1) : end + 1]
        if window[-1].active and sum(d.active for d in window) >= rules.start_active_days:
            first = next(d for d in window if d.active)
            kept = tuple(d for d in window if d.day >= first.day)
            return StartSeen(first.day, kept)
    return None
