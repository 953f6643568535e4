"""The weekly list (周交办清单) as a workbook: each assignment given in the week or still open in it."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from sqlalchemy.orm import Session

from monitor.assignments import repository
from monitor.assignments.repository import Assignment
from monitor.assignments.rules import STATE_ZH, state_on, xml_safe
from monitor.config import AppConfig
from monitor.core.calendar import Period, period_bounds
from monitor.core.wording import headers, problem_words

HEADERS = headers(
    [
        "number",
        "site_id",
        "site",
        "district",
        "unit",
        "problem",
        "ask",
        "assigned_by",
        "assigned_on",
        "deadline",
        "status",
        "reply",
        "resumed",
        "closed_on",
    ]
)


def week_assignments(
    session: Session, config: AppConfig, day: dt.date, unit: str | None
) -> tuple[tuple[dt.date, dt.date], list[Assignment]]:
    """The week (Monday to Sunday) holding ``day`` and its assignments: given by its end and not closed
    before its start."""
    first, last = period_bounds(Period.week, day)
    rows = []
    for row in repository.assignments(session, unit=unit):
        given = config.calendar.day_of(row.assigned_at)
        closed = config.calendar.day_of(row.closed_at) if row.closed_at else None
        if given <= last and (closed is None or closed >= first):
            rows.append(row)
    return (first, last), rows


def weekly_workbook(
    session: Session, config: AppConfig, day: dt.date, unit: str | None, today: dt.date
) -> tuple[bytes, str]:
    """(the .xlsx bytes, a file name) of the week holding ``day``, for one unit or all; states as of ``today``
    (the local date now) or the week's end, whichever is first."""
    from monitor.export.sheets import sheet

    (first, last), rows = week_assignments(session, config, day, unit)
    sites = {s.id: s for s in config.sites}
    as_of = min(last, today)
    # Rows written by a login name (before display names were kept, or by a script) read as the person's name.
    people = repository.display_names(session)
    table = []
    for r in sorted(rows, key=lambda r: (r.unit, r.deadline, r.id)):
        site = sites.get(r.site_id)
        state = state_on(r.state, r.deadline, as_of)
        table.append(
            [
                r.id,
                r.site_id,
                site.name if site else "",
                site.district if site else "",
                r.unit,
                problem_words(r.problem),
                r.ask,
                people.get(r.assigned_by) or r.assigned_by,
                config.calendar.day_of(r.assigned_at).isoformat(),
                r.deadline.isoformat(),
                STATE_ZH[state],
                r.reply,
                r.resumed_on.isoformat() if r.resumed_on else "",
                config.calendar.day_of(r.closed_at).isoformat() if r.closed_at else "",
            ]
        )
    wb = Workbook()
    table = [[xml_safe(v) if isinstance(v, str) else v for v in row] for row in table]
    sheet(wb, "周交办清单", HEADERS, table, first=True)
    wb.properties.title = xml_safe(f"周交办清单 {first}~{last}" + (f" {unit}" if unit else ""))
    raw = io.BytesIO()
    wb.save(raw)
    return raw.getvalue(), f"assignments-week-{first.isoformat()}.xlsx"
