"""The pack's charts, drawn with matplotlib (Agg) in a font that has the Chinese glyphs."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from functools import cache

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

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


def daily_scores_chart(title: str, scores: Sequence[tuple[dt.date, float | None, str]]) -> bytes:
    """Bars of a site's daily scores coloured by status (PNG)."""
    fig, ax = _figure(6.0, 2.2)
    days = [d.strftime("%m-%d") for d, _, _ in scores]
    values = [v if v is not None else 0.0 for _, v, _ in scores]
    colours = [STATUS_COLOUR.get(st, "#9e9e9e") for _, _, st in scores]
    ax.bar(days, values, color=colours, width=0.8)
    ax.set_ylim(0, 100)
    ax.set_ylabel("日得分")
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelsize=7, rotation=45)
    ax.xaxis.set_major_locator(MaxNLocator(16))  # a quarter's 90 days stay readable
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


def county_chart(counties: Sequence[tuple[str, float | None]]) -> bytes:
    """Horizontal bars of the counties' average scores, best on top (PNG)."""
    fig, ax = _figure(6.0, max(1.6, 0.4 * len(counties) + 0.8))
    names = [c for c, _ in counties][::-1]
    values = [v or 0.0 for _, v in counties][::-1]
    ax.barh(names, values, color="#1565c0")
    for y, v in enumerate(values):
        ax.text(v + 1, y, f"{v:.1f}", va="center", fontsize=8)
    ax.set_xlim(0, 105)
    ax.set_xlabel("平均得分")
    ax.set_title("区县排名", fontsize=10)
    return _png(fig)
