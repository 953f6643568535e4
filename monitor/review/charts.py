"""The pack's charts, drawn with matplotlib (Agg) in a font that has the Chinese glyphs."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Mapping, Sequence
from functools import cache

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

log = logging.getLogger(__name__)
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "Source Han Sans SC")
STATUS_COLOUR = {
    "active": "#2e7d32",
    "low_activity": "#f9a825",
    "idle": "#c62828",
    "camera_outage": "#616161",
    "not_expected": "#90caf9",
}


@cache
def cjk_family() -> str | None:
    """The first installed font family with Chinese glyphs (Debian: fonts-noto-cjk), or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    log.warning("no Chinese font found (install fonts-noto-cjk): chart labels may show boxes")
    return None


@cache
def _fonts() -> None:
    """Once per process: the Chinese font first (no pyplot: figures are plain objects, safe in threads)."""
    family = cjk_family()
    matplotlib.rcParams["font.family"] = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False


def _figure(width: float, height: float) -> tuple[Figure, Axes]:
    _fonts()
    fig = Figure(figsize=(width, height), dpi=150)
    return fig, fig.subplots()


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.tight_layout()
    fig.savefig(out, format="png")
    return out.getvalue()


STUB = 2.0
"""The height a day without points is drawn at (a score of 0, or no score): present, never an empty gap."""


def daily_scores_chart(
    title: str,
    scores: Sequence[tuple[dt.date, float | None, str]],
    first: dt.date,
    last: dt.date,
    words: Mapping[str, str] | None = None,
) -> bytes:
    """Bars of a site's daily scores over the period coloured by status, one tick per day, with a legend of the
    statuses it shows (``words``: status -> its wording) over ``first`` to ``last``; a score of 0 or a day without a score (视频中断) is a
    low bar in its colour, so a stopped site's chart is never empty (PNG)."""
    fig, ax = _figure(6.4, 2.6)
    days = [d for d, _, _ in scores]
    span = (last - first).days + 1
    x = [(d - first).days for d in days]
    values = [max(v or 0.0, STUB) for _, v, _ in scores]
    colours = [STATUS_COLOUR.get(st, "#9e9e9e") for _, _, st in scores]
    bars = ax.bar(x, values, color=colours, width=0.8)
    for bar, (_, value, _) in zip(bars, scores, strict=True):
        bar.set_hatch("//" if value is None else "")
    ax.set_ylim(0, 118)  # room above 100 for the legend
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("日得分")
    ax.set_xlabel("日期", fontsize=8)
    ax.set_xlim(-0.6, span - 0.4)
    every = 1 if span <= 31 else 7  # one tick a day; a quarter's labels a week apart
    labels = [(first + dt.timedelta(days=k)).strftime("%m-%d") if k % every == 0 else "" for k in range(span)]
    ax.set_xticks(range(span), labels=labels)
    ax.tick_params(axis="x", labelsize=6, rotation=90)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    shown = [st for st in STATUS_COLOUR if st in {s for _, _, s in scores}]
    if shown:
        handles = [Patch(color=STATUS_COLOUR[st], label=(words or {}).get(st, st)) for st in shown]
        ax.legend(handles=handles, fontsize=7, ncols=len(handles), loc="upper left", frameon=False)
    return _png(fig)


def county_chart(counties: Sequence[tuple[str, float | None]], label: str = "平均得分") -> bytes:
    """Horizontal bars of the counties' scores, best on top; a county without one reads "—", no bar (PNG)."""
    fig, ax = _figure(6.0, max(1.6, 0.4 * len(counties) + 0.8))
    names = [c for c, _ in counties][::-1]
    values = [v for _, v in counties][::-1]
    ax.barh(names, [v or 0.0 for v in values], color="#1565c0")
    for y, v in enumerate(values):
        ax.text((v or 0.0) + 1, y, "—" if v is None else f"{v:.1f}", va="center", fontsize=8)
    ax.set_xlim(0, 105)
    ax.set_xlabel(label)
    ax.set_title("区县排名", fontsize=10)
    return _png(fig)
