"""The review pack as a Word document (.docx) with Chinese text, from gathered figures."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from monitor.assignments.rules import xml_safe
from monitor.core.calendar import Calendar
from monitor.core.cells import neutralised
from monitor.core.wording import headers, table
from monitor.review.charts import county_chart, daily_scores_chart
from monitor.review.figures import ListedSite, ReviewFigures, photo_file

log = logging.getLogger(__name__)
PERIOD_TITLE = {"month": "月讲评", "quarter": "季总结", "week": "周交办"}
TITLE = "重点项目视频监测{what}（{first} 至 {last}）"
STATUS_ZH = table("day_status")
BODY_FONT, HEADING_FONT = "宋体", "微软雅黑"
"""What the commission's Windows PCs have (SimSun, Microsoft YaHei); where they are missing (here, on Linux)
the document's language, zh-CN, makes the renderer fall back to a Simplified Chinese face (Noto Sans CJK SC)."""
LATIN_FONT = "Times New Roman"
LANGUAGE = "zh-CN"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _fonts(doc: DocumentObject) -> None:
    """Every style in the Windows fonts for Chinese (宋体 for text, 微软雅黑 for headings), the document in
    zh-CN (python-docx's template says ja-JP, which made LibreOffice pick the Japanese face), and the font
    table naming the face installed here as each font's alternative."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if run_defaults is not None:
        lang = run_defaults.find(qn("w:lang"))
        if lang is None:
            lang = run_defaults.makeelement(qn("w:lang"), {})
            run_defaults.append(lang)
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid", "Caption"):
        style = doc.styles[name]
        east_asian = HEADING_FONT if name.startswith(("Title", "Heading")) else BODY_FONT
        style.font.name = LATIN_FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), east_asian)
        fonts.set(qn("w:hint"), "eastAsia")
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = rpr.makeelement(qn("w:lang"), {})
            rpr.append(lang)
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)
    doc.styles["Normal"].font.size = Pt(10.5)


def _table(doc: DocumentObject, headers: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = xml_safe(text)
        cell.paragraphs[0].runs[0].bold = True
    for row in rows:  # names, units and notes as text, also once pasted into a spreadsheet
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = xml_safe(neutralised(text))


def reason(site: ListedSite) -> str:
    """Why a site is listed, in words: its idle, outage and low-activity days."""
    parts = [
        f"{STATUS_ZH[status]} {n} 天"
        for status, n in (
            ("idle", site.idle_days),
            ("camera_outage", site.outage_days),
            ("low_activity", site.low_days),
        )
        if n
    ]
    return "、".join(parts)


def _site_rows(sites: tuple[ListedSite, ...]) -> list[list[str]]:
    return [
        [
            s.name,
            s.district,
            s.responsible_unit or "—",
            _num(s.average_score),
            str(s.longest_down_run),
            reason(s),
        ]
        for s in sites
    ]


SITE_HEADERS = headers(["site", "district", "unit", "average_score", "longest_run", "reason"])


def caption(site: ListedSite, calendar: Calendar) -> str:
    """A photo's caption: the site, the camera and the local time it was taken."""
    at = f"{calendar.local(site.photo_at):%Y-%m-%d %H:%M}" if site.photo_at else "时间不详"
    return f"{site.name} · {site.photo_camera or '摄像机'} · {at}"


def _side_by_side(
    doc: DocumentObject, site: ListedSite, earlier: Path, photo: Path, period: str, calendar: Calendar
) -> None:
    """This period's picture beside the last one's (周期对比): what changed on the site since."""
    last, this = ("上季度", "本季度") if period == "quarter" else ("上月", "本月")
    grid = doc.add_table(rows=2, cols=2)
    pictures = (
        (earlier, last, site.photo_before_camera, site.photo_before_at),
        (photo, this, site.photo_camera, site.photo_at),
    )
    for column, (path, label, camera, at) in enumerate(pictures):
        grid.cell(0, column).paragraphs[0].add_run().add_picture(str(path), width=Cm(7.8))
        when = f"{calendar.local(at):%Y-%m-%d %H:%M}" if at else "时间不详"
        grid.cell(1, column).text = xml_safe(f"{label} · {camera or '摄像机'} · {when}")
    doc.add_paragraph(xml_safe(f"{site.name}：{last}与{this}现场对比"), style="Caption")


def render(figures: ReviewFigures, snapshot_root: Path, max_site_pages: int, calendar: Calendar) -> bytes:
    """The .docx bytes: headline, county ranking, red and yellow lists, start rates, assignments per unit,
    and a photo and a chart of each listed site (up to ``max_site_pages``)."""
    doc = Document()
    _fonts(doc)
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2.2)
    what = PERIOD_TITLE.get(figures.period, figures.period)
    title = doc.add_heading(TITLE.format(what=what, first=figures.first, last=figures.last), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    h = figures.headline
    doc.add_paragraph(f"统计截至 {figures.as_of}。")
    doc.add_heading("一、总体情况", level=1)
    doc.add_paragraph(
        f"纳入监测项目 {h.sites} 个，评分 {h.scored_site_days} 个项目日，平均得分 {_num(h.average_score)} 分，"
        f"正常施工占比 {_pct(h.active_share)}；视频中断 {h.outage_site_days} 个项目日（无法评分，排名中按 0 分计）。"
        f"红榜（连续停工或视频中断）{h.red_sites} 个，黄榜 {h.yellow_sites} 个。"
        f"本期交办 {h.assignments_opened} 件，销号 {h.assignments_closed} 件，逾期 {h.assignments_overdue} 件。"
    )
    doc.add_heading("二、区县排名", level=1)
    doc.add_paragraph("按综合得分排名：视频中断日计 0 分，看不到的日子不能抬高排名。")
    _table(
        doc,
        [
            "排名",
            "区县",
            "项目数",
            "评分日",
            "视频中断日",
            "正常施工占比",
            "平均得分（评分日）",
            "综合得分（中断日计0分）",
        ],
        [
            [
                str(c.rank or "—"),
                c.district,
                str(c.sites),
                str(c.judged_days - c.outage_days),
                str(c.outage_days),
                _pct(c.active_share),
                _num(c.average_score),
                _num(c.overall),
            ]
            for c in figures.counties
        ],
    )
    if figures.counties:
        chart = county_chart([(c.district, c.overall) for c in figures.counties], "综合得分（中断日计0分）")
        doc.add_picture(io.BytesIO(chart), width=Cm(15))
    doc.add_heading("三、红榜（连续停工或视频中断）", level=1)
    if figures.red:
        _table(doc, SITE_HEADERS, _site_rows(figures.red))
    else:
        doc.add_paragraph("本期无。")
    doc.add_heading("四、黄榜（施工不足、停工或视频中断）", level=1)
    if figures.yellow:
        _table(doc, SITE_HEADERS, _site_rows(figures.yellow))
    else:
        doc.add_paragraph("本期无。")
    doc.add_heading("五、开工率与投产率", level=1)
    doc.add_heading("开工率（签约项目）", level=2)
    if figures.start_rates:
        _table(
            doc,
            ["区县", "签约项目", "应开工", "已开工", "开工率", "本期开工"],
            [
                [
                    r["district"],
                    str(r["signed"]),
                    str(r["due"]),
                    str(r["started"]),
                    _pct(r["rate"]),
                    str(r["started_in_period"]),
                ]
                for r in figures.start_rates
            ],
        )
    doc.add_heading("投产率（开工项目按期投产）", level=2)
    if figures.production_rates:
        _table(
            doc,
            ["区县", "开工项目", "应投产", "按期投产", "已投产", "投产率", "本期投产"],
            [
                [
                    r["district"],
                    str(r["started"]),
                    str(r["due"]),
                    str(r["on_time"]),
                    str(r["in_production"]),
                    _pct(r["rate"]),
                    str(r["in_production_in_period"]),
                ]
                for r in figures.production_rates
            ],
        )
    doc.add_heading("六、交办事项办理情况（按责任单位）", level=1)
    if figures.units:
        _table(
            doc,
            ["责任单位", "本期交办", "本期销号", "逾期", "未办结"],
            [[u.unit, str(u.opened), str(u.closed), str(u.overdue), str(u.still_open)] for u in figures.units],
        )
    else:
        doc.add_paragraph("本期无交办事项。")
    listed = [*figures.red, *figures.yellow][:max_site_pages]
    if listed:
        doc.add_heading("七、上榜项目现场图片与每日得分", level=1)
    for site in listed:
        unit = site.responsible_unit or "未填责任单位"
        doc.add_heading(xml_safe(f"{site.name}（{site.district}，{unit}）"), level=2)
        photo, earlier = photo_file(snapshot_root, site.photo), photo_file(snapshot_root, site.photo_before)
        if photo is not None and earlier is not None:
            _side_by_side(doc, site, earlier, photo, figures.period, calendar)
        elif photo is not None:
            doc.add_picture(str(photo), width=Cm(12))
            doc.add_paragraph(xml_safe(caption(site, calendar)), style="Caption")
        else:
            doc.add_paragraph("本期无现场图片。")
        days = "、".join(f"{STATUS_ZH.get(k, k)} {n} 天" for k, n in _status_counts(site).items())
        doc.add_paragraph(f"每日状态：{days or '无评分'}。")
        chart = daily_scores_chart(f"{site.name} 每日得分", site.scores, figures.first, figures.as_of, STATUS_ZH)
        doc.add_picture(io.BytesIO(chart), width=Cm(15))
    core = doc.core_properties
    core.title = TITLE.format(what=what, first=figures.first, last=figures.last)
    core.author = "sitemon"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _status_counts(site: ListedSite) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, _, status in site.scores:
        counts[status] = counts.get(status, 0) + 1
    return counts
