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
from monitor.core.cells import neutralised
from monitor.export.report import STATUS_ZH
from monitor.review.charts import cjk_family, county_chart, daily_scores_chart
from monitor.review.figures import ListedSite, ReviewFigures, photo_file

log = logging.getLogger(__name__)
PERIOD_TITLE = {"month": "月讲评", "quarter": "季总结", "week": "周交办"}
TITLE = "重点项目视频监测{what}（{first} 至 {last}）"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _fonts(doc: DocumentObject) -> None:
    """Every style in a font with the Chinese glyphs (the East Asian slot too, which Word reads for Chinese)."""
    family = cjk_family() or "Noto Sans CJK SC"
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid", "Caption"):
        style = doc.styles[name]
        style.font.name = family
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), family)
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


def _site_rows(sites: tuple[ListedSite, ...]) -> list[list[str]]:
    return [
        [
            s.site_id,
            s.name,
            s.district,
            s.responsible_unit,
            _num(s.average_score),
            str(s.idle_days),
            str(s.outage_days),
            str(s.longest_down_run),
        ]
        for s in sites
    ]


SITE_HEADERS = ["项目编号", "项目名称", "区县", "责任单位", "平均得分", "停工天数", "视频中断天数", "最长连续停工/中断"]


def render(figures: ReviewFigures, snapshot_root: Path, max_site_pages: int) -> bytes:
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
        f"正常施工占比 {_pct(h.active_share)}。红榜（连续停工或视频中断）{h.red_sites} 个，黄榜 {h.yellow_sites} 个。"
        f"本期交办 {h.assignments_opened} 件，销号 {h.assignments_closed} 件，逾期 {h.assignments_overdue} 件。"
    )
    doc.add_heading("二、区县排名", level=1)
    _table(
        doc,
        ["排名", "区县", "项目数", "平均得分"],
        [[str(c.rank or "—"), c.district, str(c.sites), _num(c.average_score)] for c in figures.counties],
    )
    if figures.counties:
        doc.add_picture(
            io.BytesIO(county_chart([(c.district, c.average_score) for c in figures.counties])), width=Cm(15)
        )
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
    doc.add_heading("五、开工率（签约项目）", level=1)
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
        doc.add_heading(xml_safe(f"{site.name}（{site.site_id}，{site.district}，{unit}）"), level=2)
        photo = photo_file(snapshot_root, site.photo)
        if photo is not None:
            doc.add_picture(str(photo), width=Cm(12))
            doc.add_paragraph(xml_safe(f"现场图片：{site.photo}"), style="Caption")
        else:
            doc.add_paragraph("本期无现场图片。")
        days = "、".join(f"{STATUS_ZH.get(k, k)} {n} 天" for k, n in _status_counts(site).items())
        doc.add_paragraph(f"每日状态：{days or '无评分'}。")
        doc.add_picture(io.BytesIO(daily_scores_chart(f"{site.name} 每日得分", site.scores)), width=Cm(15))
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
