"""The columns of the commission's site sheet (docs/site-import.md) and how each cell is read.

Pure: cell values in (as openpyxl or the csv module give them), Python values or a message out.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from monitor.config.camera import Batch
from monitor.config.settings import Transport
from monitor.core.cells import formula_like


@dataclass(frozen=True)
class Column:
    header: str
    """The header as the template writes it."""
    level: str
    """``site`` (the same on every row of a project) or ``camera``."""
    key: str
    """Where the value goes: a SiteConfig / CameraConfig field, ``milestones.start.planned``, or a
    credential (``username``, ``password``)."""
    kind: str = "text"
    """``text``, ``id``, ``batch``, ``number``, ``longitude``, ``latitude``, ``date``, ``transport``, ``url`` or
    ``secret``."""
    required: bool = False
    max_length: int = 200


_MILESTONES = (("开工", "start"), ("主体完工", "structure_complete"), ("竣工", "completion"), ("投产", "production"))

COLUMNS: tuple[Column, ...] = (
    Column("项目编号", "site", "id", "id", required=True),
    Column("项目名称", "site", "name", required=True),
    Column("区县", "site", "district", required=True, max_length=100),
    Column("批次", "site", "batch", "batch", required=True),
    Column("责任单位", "site", "responsible_unit"),
    Column("总投资(万元)", "site", "planned_investment", "number"),
    Column("经度", "site", "longitude", "longitude"),
    Column("纬度", "site", "latitude", "latitude"),
    *(Column(f"计划{zh}", "site", f"milestones.{en}.planned", "date") for zh, en in _MILESTONES),
    *(Column(f"实际{zh}", "site", f"milestones.{en}.actual", "date") for zh, en in _MILESTONES),
    Column("摄像机编号", "camera", "id", "id", required=True),
    Column("摄像机名称", "camera", "name", max_length=100),
    Column("摄像机地址", "camera", "url", "url", required=True),
    Column("子码流地址", "camera", "substream_url", "url"),
    Column("用户名", "camera", "username", "secret"),
    Column("密码", "camera", "password", "secret"),
    Column("传输方式", "camera", "transport", "transport"),
)
BY_KEY = {(c.level, c.key): c for c in COLUMNS}
MACHINE_KINDS = frozenset({"id", "batch", "number", "longitude", "latitude", "date", "transport"})
DEGREES = {"longitude": 180, "latitude": 90}
"""WGS-84 degrees (GPS, 天地图): a coordinate copied from 高德 or 百度 is offset; see docs/map.md."""
"""Cells read as codes, not prose: full-width letters and digits are folded (NFKC) before they are read."""
FIELD_HEADERS = {
    f"{en}.{which}": f"{'计划' if which == 'planned' else '实际'}{zh}"
    for zh, en in _MILESTONES
    for which in ("planned", "actual")
}
FIELD_HEADERS["longitude/latitude"] = "经度/纬度"
"""``start.planned`` -> ``计划开工``: milestone (and coordinate) messages in the sheet's words."""

BATCHES = {"签约": Batch.signed, "开工": Batch.started, "投产": Batch.in_production} | {b.value: b for b in Batch}
_ALIASES = {
    "经度(wgs84)": "经度",
    "纬度(wgs84)": "纬度",
    "经度(wgs-84)": "经度",
    "纬度(wgs-84)": "纬度",
    "总投资": "总投资(万元)",
    "投资(万元)": "总投资(万元)",
    "传输": "传输方式",
    "子码流": "子码流地址",
}
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def normalise_header(text: str) -> str:
    """Full-width brackets and spaces folded: ``总投资（万元）`` and `` 总投资 (万元) `` are one header."""
    text = text.replace("（", "(").replace("）", ")").replace("\u3000", "")
    return re.sub(r"\s+", "", text).lower()


_HEADERS = {normalise_header(c.header): c for c in COLUMNS} | {
    normalise_header(alias): next(c for c in COLUMNS if c.header == header) for alias, header in _ALIASES.items()
}


def column_for(header: str) -> Column | None:
    """The column a header names; a trailing note in brackets is allowed (``批次(签约/开工/投产)``)."""
    key = normalise_header(header)
    if key in _HEADERS:
        return _HEADERS[key]
    return _HEADERS.get(re.sub(r"\([^()]*\)$", "", key))


def cell_text(value: object) -> str:
    """A cell as text: numbers without a trailing ``.0``, dates as ISO, blanks as ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_cell(column: Column, value: object) -> object:
    """The value for the config; ValueError with a message fit to follow ``row N, HEADER:``.

    A secret's value never appears in a message.
    """
    if isinstance(value, dt.datetime | dt.date) and column.kind == "date":
        return value.date() if isinstance(value, dt.datetime) else value
    shown = text = cell_text(value)  # messages quote the cell as it is written
    if "\x00" in text:
        raise ValueError("holds a NUL character (\\u0000), which the database cannot store")
    if column.kind in MACHINE_KINDS:
        text = unicodedata.normalize("NFKC", text)  # ＴＣＰ, Ｐ－１, ２０２６年: typed with a full-width input method
    elif column.kind == "text" and formula_like(text) and len(text) > 1:
        raise ValueError(f"starts with '{shown[0]}', which a spreadsheet runs as a formula: write the text without it")
    if column.kind == "id":
        if not _SLUG.match(text):
            raise ValueError(
                f"'{shown}' is not an id: letters, digits, _ . - (starting with a letter or digit), at most 64"
            )
        return text
    if column.kind == "batch":
        if text not in BATCHES:
            raise ValueError(f"'{shown}' is not one of 签约/开工/投产")
        return BATCHES[text].value
    if column.kind == "number":
        try:
            number = float(text.replace(",", "").replace("，", ""))
        except ValueError:
            raise ValueError(f"'{shown}' is not a number (万元, e.g. 68000)") from None
        if not math.isfinite(number):
            raise ValueError(f"'{shown}' is not a number (万元, e.g. 68000)")
        if number < 0:
            raise ValueError(f"'{shown}' must be 0 or more")
        return int(number) if number.is_integer() else number
    if column.kind in DEGREES:
        limit = DEGREES[column.kind]
        try:
            degrees = float(text)
        except ValueError:
            raise ValueError(f"'{shown}' is not a number of degrees (WGS-84, e.g. 118.7969)") from None
        if not math.isfinite(degrees) or not -limit <= degrees <= limit:
            raise ValueError(f"'{shown}' is outside -{limit}..{limit} degrees")
        return degrees
    if column.kind == "date":
        match = _DATE.match(text)
        try:
            if match is None:
                raise ValueError
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise ValueError(f"'{shown}' is not a date (YYYY-MM-DD, e.g. 2026-03-01)") from None
    if column.kind == "transport":
        lowered = text.lower()
        if lowered not in {t.value for t in Transport}:
            raise ValueError(f"'{shown}' is not one of tcp/udp")
        return lowered
    if column.kind in ("text", "secret") and len(text) > column.max_length:
        raise ValueError(f"longer than {column.max_length} characters")
    return text
