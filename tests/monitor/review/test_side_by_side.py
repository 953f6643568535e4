"""The review pack shows each listed site's picture of the period beside the last period's (周期对比)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import numpy as np
from docx import Document

from monitor.core.calendar import Calendar
from monitor.review.document import render
from monitor.review.figures import Headline, ListedSite, ReviewFigures

TZ = Calendar(ZoneInfo("Asia/Shanghai"))


def _figures(before: str | None) -> ReviewFigures:
    at = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
    site = ListedSite(
        "s1", "测试工地", "城东区", "城建公司", 30.0, 6, 0, 0, 6, (), "s1/now.jpg", "1号摄像机", at,
        before, "1号摄像机", at - dt.timedelta(days=30),
    )  # fmt: skip
    headline = Headline(1, 20, 30.0, 0.2, 1, 0, 0, 0, 0, 0)
    first, last = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    return ReviewFigures("month", first, last, last, headline, (), (site,), (), (), ())


def test_this_months_picture_beside_last_months(tmp_path: Path) -> None:
    (tmp_path / "s1").mkdir()
    for name, shade in (("now", 90), ("then", 180)):
        cv2.imwrite(str(tmp_path / "s1" / f"{name}.jpg"), np.full((90, 160, 3), shade, np.uint8))
    doc = Document(io.BytesIO(render(_figures("s1/then.jpg"), tmp_path, 20, TZ)))
    (grid,) = [t for t in doc.tables if len(t.columns) == 2 and "上月" in t.cell(1, 0).text]
    assert grid.cell(1, 0).text.startswith("上月 · 1号摄像机 · 2026-10-28")
    assert grid.cell(1, 1).text.startswith("本月 · 1号摄像机 · 2026-11-27")
    assert len(doc.inline_shapes) == 3  # the two pictures and the daily chart
    # without last month's picture: this month's alone
    alone = Document(io.BytesIO(render(_figures(None), tmp_path, 20, TZ)))
    assert len(alone.inline_shapes) == 2 and not any(
        "上月" in t.cell(1, 0).text for t in alone.tables if len(t.rows) > 1
    )
