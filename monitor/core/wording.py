"""The one catalogue of wordings (``monitor.core.words``), looked up: what a dispatcher reads for a status, a
camera's cause, an alert, a column, in Chinese (the default) or English.

The API serves the whole catalogue to the browser (``GET /api/wording``), so the dashboard and the wall
keep no copy of their own; the exports and the review pack take their words from here too. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from monitor.core.calendar import Calendar
from monitor.core.words import ALERT_TEXT, CAMERA_STATUS, CAUSE, COLUMN, GROUPS, PROBLEM

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
_INDEX = {"zh": 0, "en": 1}


def word(group: str, key: str | None, lang: Lang = "zh") -> str:
    """The wording of ``key`` in ``group`` (``"day_status"``, ``"cause"``...); an unknown key is returned as
    it is (it is then someone's own text, such as an old assignment's problem written in words)."""
    if key is None:
        return ""
    found = GROUPS[group].get(key)
    return found[_INDEX[lang]] if found else key


def table(group: str, lang: Lang = "zh") -> dict[str, str]:
    """A whole group as value -> words (the exports' ``STATUS_ZH`` and the like)."""
    return {key: pair[_INDEX[lang]] for key, pair in GROUPS[group].items()}


def headers(keys: Iterable[str], lang: Lang = "zh") -> list[str]:
    """Column headers, by their keys in the catalogue."""
    return [COLUMN[key][_INDEX[lang]] for key in keys]


def camera_words(status: str, cause: str | None, lang: Lang = "zh") -> str:
    """What a dispatcher reads for a camera: its cause's words, else its status's (an online camera with no
    cause is plainly online)."""
    if cause and cause in CAUSE:
        return CAUSE[cause][_INDEX[lang]]
    return word("camera_status", status, lang) if status in CAMERA_STATUS else word("camera_status", "unknown", lang)


def problem_words(problem: str, lang: Lang = "zh") -> str:
    """An assignment's problem: its own word, an alert type's, or the text an operator wrote."""
    if problem in PROBLEM:
        return word("problem", problem, lang)
    return word("alert_type", problem, lang)


def _pct(value: Any) -> str:
    return f"{float(value):.0%}" if isinstance(value, int | float) else "—"


def _hours(value: Any) -> str:
    return f"{float(value):.1f}" if isinstance(value, int | float) else "—"


def _local_time(iso: str, lang: Lang, calendar: Calendar | None) -> str:
    """An instant as the dispatch center reads it: month, day and time in its time zone."""
    try:
        at = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    at = calendar.local(at) if calendar is not None else at.astimezone(dt.UTC)
    zone = "" if calendar is not None else " UTC"
    return f"{at.month}月{at.day}日 {at:%H:%M}{zone}" if lang == "zh" else f"{at:%m-%d %H:%M}{zone}"


def alert_text(
    alert_type: str,
    details: Mapping[str, Any],
    site: str,
    camera: str | None = None,
    *,
    severity: str = "warning",
    cause: str | None = None,
    lang: Lang = "zh",
    calendar: Calendar | None = None,
) -> str:
    """An alert as a dispatcher reads it, from its type, its site's and camera's names and its details (never
    the engineer's reason text, nor an id). ``cause``: the camera's cause when the details hold none."""
    values: dict[str, Any] = {"site": site, "camera": camera or "", "type": word("alert_type", alert_type, lang)}
    template = alert_type
    if alert_type.startswith("camera_"):
        status = str(details.get("status") or alert_type.removeprefix("camera_"))
        implied = status if status in ("frozen", "black") else None  # the alert's own kind says it exactly
        values["cause"] = camera_words(status, str(details.get("cause") or cause or implied or "") or None, lang)
    elif alert_type == "site_idle" and details.get("no_video_since"):
        template, values["since"] = "site_idle_no_video", _local_time(str(details["no_video_since"]), lang, calendar)
    elif alert_type == "site_idle":
        if "idle_hours" not in details:
            template = "other"  # held outside working hours: nothing measured now
        elif severity == "critical":
            template, values["idle_days"] = "site_idle_days", int(details.get("idle_days_in_a_row", 0)) + 1
        values["idle_hours"] = _hours(details.get("idle_hours"))
    elif alert_type == "low_coverage":
        values["coverage"] = _pct(details.get("coverage"))
    elif alert_type == "progress_lagging":
        values["growth"] = _pct(details.get("growth"))
    elif alert_type == "assignment_overdue":
        values["assignments"] = "、".join(f"#{a}" for a in details.get("assignments", ()))
    pattern = ALERT_TEXT.get(template, ALERT_TEXT["other"])[_INDEX[lang]]
    try:
        return pattern.format_map({**{k: v for k, v in details.items() if k not in values}, **values})
    except (KeyError, ValueError, IndexError):
        return ALERT_TEXT["other"][_INDEX[lang]].format_map(values)


def catalogue() -> dict[str, dict[str, dict[str, str]]]:
    """Every group in every language: ``{"zh": {"day_status": {"idle": "停工", ...}, ...}, "en": {...}}``."""
    return {lang: {group: table(group, lang) for group in GROUPS} for lang in LANGS}
