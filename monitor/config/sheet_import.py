"""The commission's sheet of projects and cameras -> the ``sites`` of camera_config.yaml (docs/site-import.md).

Pure: rows in, site mappings, the environment variables they refer to and every error (row and column) out.
One row per camera; the rows of one 项目编号 are one site. Credentials never reach the mapping: each
becomes a ``${CAM_<SITE>_<CAMERA>_USER}`` / ``_PASSWORD`` reference in the camera's URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic import ValidationError

from monitor.config.camera import NETWORK_SCHEMES, SiteConfig, authority_problem
from monitor.config.sheet_columns import BY_KEY, FIELD_HEADERS, Column, cell_text, column_for, parse_cell
from monitor.core.redact import mask_url, split_url


@dataclass(frozen=True)
class SheetError:
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}" if self.column else f"row {self.row}: {self.message}"


@dataclass(frozen=True)
class SheetImport:
    sites: list[dict[str, Any]]
    """One mapping per project, in the sheet's order, holding only what the sheet says (blank cells left out)."""
    variables: list[str]
    """The environment variables the URLs refer to: names only."""
    errors: list[SheetError]
    ignored_columns: list[str]
    secrets: list[str] = field(default_factory=list, repr=False)
    """The passwords read: to be scrubbed from every log (``monitor.core.redact.add_secret``), never written."""
    warnings: list[SheetError] = field(default_factory=list)
    """Rows left out that are no error: the notes below the projects (``注：...``)."""


def variable_name(site: str, camera: str, what: str) -> str:
    return "_".join(re.sub(r"[^A-Za-z0-9]", "_", part).upper() for part in ("CAM", site, camera, what))


@dataclass
class _Site:
    row: int
    values: dict[str, tuple[int, object]] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    cameras: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


class _Reader:
    def __init__(self, header_row: int, header: Sequence[object]) -> None:
        self.errors: list[SheetError] = []
        self.ignored: list[str] = []
        self.columns: dict[int, Column] = {}
        seen: dict[str, int] = {}
        for index, cell in enumerate(header):
            text = cell_text(cell)
            column = column_for(text) if text else None
            if column is None:
                if text:
                    self.ignored.append(text)
                continue
            if column.header in seen:
                self.errors.append(SheetError(header_row, text, f"the column {column.header} is given twice"))
            seen[column.header] = index
            self.columns[index] = column
        for column in BY_KEY.values():
            if column.required and column.header not in seen:
                self.errors.append(SheetError(header_row, column.header, "the column is missing"))
        self.sites: dict[str, _Site] = {}
        self.variables: list[str] = []
        self.var_rows: dict[str, int] = {}
        self.secrets: list[str] = []

    def row(self, number: int, cells: Sequence[object]) -> None:
        values: dict[tuple[str, str], object] = {}
        for index, column in self.columns.items():
            raw = cells[index] if index < len(cells) else None
            if cell_text(raw) == "":
                continue
            try:
                values[(column.level, column.key)] = parse_cell(column, raw)
            except ValueError as exc:
                self.errors.append(SheetError(number, column.header, str(exc)))
                values[(column.level, column.key)] = None  # bad, but given: no second "is blank" error
        site_id = values.get(("site", "id"))
        if ("site", "id") not in values:
            self.errors.append(SheetError(number, "项目编号", "is blank"))
        if not isinstance(site_id, str):
            return
        site = self.sites.setdefault(site_id, _Site(number))
        site.rows.append(number)
        for (level, key), value in values.items():
            if level != "site" or key == "id" or value is None:
                continue
            first = site.values.setdefault(key, (number, value))
            if first[1] != value:
                header = BY_KEY[("site", key)].header
                self.errors.append(
                    SheetError(number, header, f"'{value}' differs from row {first[0]} ('{first[1]}') of {site_id}")
                )
        self.camera(number, site_id, site, values)

    def camera(self, number: int, site_id: str, site: _Site, values: dict[tuple[str, str], object]) -> None:
        for key in ("id", "url"):
            if ("camera", key) not in values:
                self.errors.append(SheetError(number, BY_KEY[("camera", key)].header, "is blank"))
        camera_id, url = values.get(("camera", "id")), values.get(("camera", "url"))
        if not isinstance(camera_id, str):
            return
        for other, known in site.cameras:
            if known["id"] == camera_id:
                self.errors.append(
                    SheetError(number, "摄像机编号", f"'{camera_id}' is already row {other} of {site_id}")
                )
                return
        camera: dict[str, Any] = {"id": camera_id}
        if values.get(("camera", "name")) is not None:
            camera["name"] = values[("camera", "name")]
        credentials = _credentials(values)
        if isinstance(url, str):
            camera["url"], credentials = self.url(number, site_id, camera_id, "摄像机地址", url, credentials)
            substream = values.get(("camera", "substream_url"))
            if isinstance(substream, str):
                camera["substream_url"], _ = self.url(number, site_id, camera_id, "子码流地址", substream, credentials)
        if values.get(("camera", "transport")) is not None:
            camera["transport"] = values[("camera", "transport")]
        site.cameras.append((number, camera))

    def url(
        self, number: int, site: str, camera: str, header: str, url: str, given: tuple[str, str]
    ) -> tuple[str, tuple[str, str]]:
        """The URL with its credentials as ${VAR} references, and the credentials (for the sub-stream)."""
        parts = split_url(url)
        if parts is None:
            self.errors.append(SheetError(number, header, "is not a URL (e.g. rtsp://10.0.0.1:554/Streaming/101)"))
            return mask_url(url), given
        if parts.scheme.lower() not in NETWORK_SCHEMES:
            schemes = ", ".join(f"{s}://" for s in NETWORK_SCHEMES)
            self.errors.append(SheetError(number, header, f"'{parts.scheme}://' is not one of {schemes}"))
            return mask_url(url), given
        if (problem := authority_problem(url)) is not None:
            self.errors.append(SheetError(number, header, f"{problem}: {mask_url(url)}"))
            return mask_url(url), given
        if parts.password:
            self.secrets.append(parts.password)
        user, password = given
        if parts.userinfo is not None and "${" not in parts.userinfo:
            inline = (parts.username or "", parts.password or "")
            if any(given) and inline != given:
                self.errors.append(
                    SheetError(
                        number,
                        header,
                        "holds a user name and password other than 用户名/密码 (or 摄像机地址) give: give them once",
                    )
                )
                return mask_url(url), given
            user, password = inline
        elif parts.userinfo is not None:
            return url, given  # already ${VAR} references
        if not user and not password:
            return url, (user, password)
        if not user:
            self.errors.append(SheetError(number, "用户名", "is blank, but 密码 is given"))
            return mask_url(url), given
        userinfo = "${" + self.variable(number, site, camera, "USER") + "}"
        if password:
            self.secrets.append(password)
            userinfo += ":${" + self.variable(number, site, camera, "PASSWORD") + "}"
        return parts.without_userinfo().replace("://", f"://{userinfo}@", 1), (user, password)

    def variable(self, number: int, site: str, camera: str, what: str) -> str:
        name = variable_name(site, camera, what)
        first = self.var_rows.setdefault(name, number)
        if first != number:
            self.errors.append(SheetError(number, "摄像机编号", f"its variable {name} is also row {first}'s"))
        elif name not in self.variables:
            self.variables.append(name)
        return name

    def result(self, warnings: list[SheetError] | None = None) -> SheetImport:
        sites = [self.site_mapping(site_id, site) for site_id, site in self.sites.items()]
        errors = sorted(self.errors, key=lambda e: e.row)  # stable: a row's errors in its columns' order
        return SheetImport(sites, self.variables, errors, self.ignored, sorted(set(self.secrets)), warnings or [])

    def site_mapping(self, site_id: str, site: _Site) -> dict[str, Any]:
        mapping: dict[str, Any] = {"id": site_id}
        for key, (_, value) in site.values.items():
            *path, last = key.split(".")
            target = mapping
            for part in path:
                target = target.setdefault(part, {})
            target[last] = value
        complete = bool(site.cameras)
        for column in BY_KEY.values():
            if column.level == "site" and column.required and column.key not in mapping:
                complete = False
                if not any(e.row in site.rows and e.column == column.header for e in self.errors):
                    self.errors.append(SheetError(site.row, column.header, f"is blank on every row of {site_id}"))
        mapping["cameras"] = [camera for _, camera in site.cameras]
        if complete:
            self.validate(site, mapping)
        return mapping

    def validate(self, site: _Site, mapping: dict[str, Any]) -> None:
        """What only the whole site can say (milestones in order, a signed site not started)."""
        try:
            SiteConfig.model_validate(mapping, context={"resolve_sources": False})
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                message = str(err["msg"]).removeprefix("Value error, ")
                for name, words in FIELD_HEADERS.items():
                    message = message.replace(f"milestones.{name}", words).replace(name, words)
                row, header = site.row, cast(str | None, None)
                if len(loc) >= 3 and loc[0] == "cameras" and isinstance(loc[1], int) and loc[1] < len(site.cameras):
                    row = site.cameras[loc[1]][0]
                    header = _header("camera", str(loc[2]))
                elif loc and loc[0] != "milestones":
                    header = _header("site", str(loc[0]))
                named = next((h for h in FIELD_HEADERS.values() if message.startswith(f"{h}: ")), None)
                if header is None and named is not None:
                    header, message = named, message[len(named) + 2 :]
                if header is not None and any(e.row == row and e.column == header for e in self.errors):
                    continue  # that cell's error is said already
                self.errors.append(SheetError(row, header, message))


def _header(level: str, key: str) -> str | None:
    column = BY_KEY.get((level, key))
    return column.header if column else None


def _credentials(values: dict[tuple[str, str], object]) -> tuple[str, str]:
    user, password = values.get(("camera", "username")), values.get(("camera", "password"))
    return (user if isinstance(user, str) else "", password if isinstance(password, str) else "")


def note_text(cells: Sequence[object]) -> str | None:
    """The text of a note row (``注：1. 投资以万元计``): text in the first column that is no project id, the
    rest blank, as commission sheets end. None for any other row."""
    first = cell_text(cells[0]) if cells else ""
    if not first or any(cell_text(c) for c in cells[1:]):
        return None
    try:
        parse_cell(BY_KEY[("site", "id")], first)
    except ValueError:
        return first
    return None  # a project id alone: a project row with its cells missing, which is an error


def import_rows(header_row: int, header: Sequence[object], rows: Iterable[tuple[int, Sequence[object]]]) -> SheetImport:
    """``rows``: (row number as the sheet shows it, cells in the header's order). Blank rows are skipped, and
    so are the note rows below the last project (with a warning each)."""
    reader = _Reader(header_row, header)
    if reader.errors:
        return reader.result()
    filled = [(number, cells) for number, cells in rows if any(cell_text(c) for c in cells)]
    warnings: list[SheetError] = []
    while filled and (note := note_text(filled[-1][1])) is not None:
        number, _ = filled.pop()
        shown = note if len(note) <= 30 else note[:30] + "…"
        warnings.insert(0, SheetError(number, None, f"a note below the projects, not read: {shown}"))
    for number, cells in filled:
        reader.row(number, cells)
    if not reader.sites and not reader.errors:
        reader.errors.append(SheetError(header_row, None, "no project below the header row"))
    return reader.result(warnings)


def merge_sites(
    existing: list[dict[str, Any]], sheet: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The sheet's sites over the existing ones: a field the sheet leaves out (a blank cell, a missing column,
    zones, masks, tiling) keeps its value; sites and cameras not in the sheet stay.

    Returns the sites, the ids of sites kept that are not in the sheet, and ``site/camera`` of such cameras.
    """
    by_id = {site["id"]: site for site in sheet}
    kept_sites, kept_cameras = [], []
    merged: list[dict[str, Any]] = []
    for site in existing:
        new = by_id.pop(site.get("id"), None)
        if new is None:
            merged.append(site)
            kept_sites.append(str(site.get("id")))
            continue
        combined = {**site, **{k: v for k, v in new.items() if k not in ("milestones", "cameras")}}
        if "milestones" in new:
            old = dict(site.get("milestones") or {})
            combined["milestones"] = old | {m: {**(old.get(m) or {}), **d} for m, d in new["milestones"].items()}
        sheet_cameras = {camera["id"]: camera for camera in new["cameras"]}
        cameras = []
        for camera in site.get("cameras") or []:
            update = sheet_cameras.pop(camera.get("id"), None)
            if update is None:
                kept_cameras.append(f"{site['id']}/{camera.get('id')}")
            cameras.append(camera if update is None else {**camera, **update})
        combined["cameras"] = cameras + list(sheet_cameras.values())
        merged.append(combined)
    return merged + list(by_id.values()), kept_sites, kept_cameras
