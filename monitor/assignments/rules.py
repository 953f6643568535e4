"""The rules of an assignment's life, pure: states, what may happen in each, overdue, activity resumed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from monitor.core.wording import table, word
from monitor.scoring.score import DayStatus


class State(StrEnum):
    open = "open"  # 待办
    replied = "replied"  # 已回复: the unit says it is done, the operator checks
    closed = "closed"  # 已销号
    overdue = "overdue"  # 已逾期: open past its deadline


STATE_ZH = {state: word("assignment_state", state.value) for state in State}
PROBLEM_ZH = table("problem")
IDLE_PROBLEMS = frozenset({"idle", "site_idle", "started_idle", "start_overdue", "progress_lagging"})
"""Problems that a site working again answers: sitemon watches these for 活动已恢复."""
ISSUES = {
    "idle": "idle",
    "site_idle": "idle",
    "started_idle": "idle",
    "outage": "outage",
    "camera_offline": "outage",
    "camera_frozen": "outage",
    "camera_black": "outage",
    "low_coverage": "outage",
    "camera_moved": "camera_moved",
    "start_overdue": "start_overdue",
    "production_overdue": "production_overdue",
    "progress_lagging": "progress_lagging",
}
"""What an assignment (or an alert) is about, as one issue: a site has one open assignment per issue."""


def issue_of(problem: str) -> str | None:
    """The issue of a problem or alert type; None for "other" and an operator's own words (never a repeat)."""
    return ISSUES.get(problem)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def xml_safe(text: str) -> str:
    """``text`` without the control characters an .xlsx or .docx cannot hold (tab and new lines stay)."""
    return _CONTROL.sub("", text)


def no_control_characters(text: str) -> str:
    """For free-text fields: refuse what the weekly list and the pack could not print."""
    if _CONTROL.search(text):
        raise ValueError("holds a control character (only tab and new lines are allowed)")
    return text


class AssignmentError(ValueError):
    """A step the assignment's state does not allow (the API answers 409), or a new assignment's field that
    cannot be (``field``: the API answers 422 naming it)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def state_on(stored: State, deadline: dt.date, today: dt.date) -> State:
    """The state as of ``today``: an open assignment past its deadline is overdue."""
    if stored is State.open and today > deadline:
        return State.overdue
    return stored


def check_reply(state: State) -> None:
    if state not in (State.open, State.overdue):
        raise AssignmentError(f"an assignment that is {state.value} cannot be replied to")


def check_close(state: State) -> None:
    if state is State.closed:
        raise AssignmentError("the assignment is closed already")


class Repeated(AssignmentError):
    """The site has an assignment on the same issue that is not closed: a second one is given only when asked
    again on purpose."""

    def __init__(self, existing_id: int, state: str) -> None:
        super().__init__(f"assignment {existing_id} on the same site and issue is {state}, not closed")
        self.existing_id = existing_id
        self.state = state


class NoWorkSeen(AssignmentError):
    """Closing (销号) while the cameras showed no active day since the assignment: only when confirmed."""


def check_close_evidence(active_days: int, confirmed: bool) -> None:
    if active_days == 0 and not confirmed:
        raise NoWorkSeen("the cameras show no active day since the assignment: confirm to close anyway")


def check_deadline(deadline: dt.date, today: dt.date) -> None:
    if deadline < today:
        raise AssignmentError(f"deadline {deadline} is in the past (today is {today})", "deadline")


def activity_resumed(days: Sequence[tuple[dt.date, str]], since: dt.date, needed: int) -> dt.date | None:
    """The day the site completed ``needed`` active days in a row on or after ``since`` (the assignment's
    day), or None. ``days`` are (day, status) in order; days with no work expected (not_expected) neither
    count nor break the run; any other status starts it again."""
    run = 0
    for day, status in days:
        if day < since or status == DayStatus.not_expected:
            continue
        run = run + 1 if status == DayStatus.active else 0
        if run >= needed:
            return day
    return None


@dataclass(frozen=True)
class OverdueFact:
    assignment_id: int
    site_id: str
    unit: str
    deadline: dt.date
