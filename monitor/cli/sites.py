"""`sitemon sites import`: the sites of camera_config.yaml from the commission's sheet (docs/site-import.md)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from monitor.cli.common import DEFAULT_CONFIG, CommandError, Subparsers
from monitor.cli.site_template import write_template
from monitor.config import ConfigError
from monitor.config.loader import StrictLoader, parse_config
from monitor.config.root import DEFAULT_TIMEZONE
from monitor.config.sheet_columns import BY_KEY, column_for
from monitor.config.sheet_files import Rows, SheetReadError, read_rows
from monitor.config.sheet_import import SheetImport, import_rows, merge_sites
from monitor.core.redact import add_secret

log = logging.getLogger(__name__)
HEADER_SEARCH_ROWS = 20
"""A title row or two above the header is common: the header is the first row naming 项目编号."""
STARTER: dict[str, Any] = {
    "timezone": DEFAULT_TIMEZONE,
    "detector": {"model": "models/sitemon-construction-yolov8n_openvino_model"},
}


def add_parser(sub: Subparsers) -> None:
    sites = sub.add_parser("sites", help="the sites of camera_config.yaml")
    sites_sub = sites.add_subparsers(dest="sites_command", required=True)
    imp = sites_sub.add_parser("import", help="build or update the sites from the commission's sheet (.xlsx, .csv)")
    imp.add_argument("file", help="the sheet: .xlsx or .csv, one row per camera (docs/site-import.md)")
    imp.add_argument("--out", default=DEFAULT_CONFIG, help="the config to write (default: %(default)s)")
    imp.add_argument("--merge", action="store_true", help="update the sites of --out (or --base), keep the rest")
    imp.add_argument("--base", help="the config whose other sections (detector, sampling, ...) to keep")
    imp.add_argument("--sheet", help=".xlsx: the worksheet to read (default: the first)")
    imp.add_argument("--encoding", help=".csv: the encoding (default: UTF-8, with or without BOM, else GBK)")
    imp.set_defaults(func=cmd_import)
    tpl = sites_sub.add_parser("template", help="write the sample sheet (sites-template.xlsx and .csv)")
    tpl.add_argument("folder", help="where to write them, e.g. docs/examples")
    tpl.set_defaults(func=cmd_template)


def read_sheet(path: Path, sheet: str | None = None, encoding: str | None = None) -> tuple[int, list[object], Rows]:
    """The header row's number and cells, and every row with data below it with its number as a spreadsheet
    shows it; read within the caps of ``SheetLimits`` (docs/site-import.md)."""
    try:
        rows = read_rows(path, sheet, encoding)
    except SheetReadError as exc:
        raise CommandError(f"{path}: {exc}") from None
    for index, (number, cells) in enumerate(rows):
        if number > HEADER_SEARCH_ROWS:
            break
        columns = {column_for(str(c)) for c in cells if c is not None}
        if BY_KEY[("site", "id")] in columns:
            return number, cells, rows[index + 1 :]
    raise CommandError(f"{path}: no header row naming 项目编号 in its first {HEADER_SEARCH_ROWS} rows")


def _load_yaml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=StrictLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CommandError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise CommandError(f"{path}: the file must hold a mapping at the top")
    return data, text


class _Dumper(yaml.SafeDumper):
    """Block style for mappings, sequences indented under their key, and lists of plain values (polygons,
    dates) on one line, as the hand-written config has them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=not _holds_mapping(value))


def _holds_mapping(value: object) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and any(_holds_mapping(item) for item in value)


_Dumper.add_representer(list, _represent_list)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


def render(data: dict[str, Any], base_text: str | None) -> str:
    """The new file: the base's text with only its ``sites:`` block replaced (its comments elsewhere kept),
    or the whole mapping dumped when the block cannot be found."""
    sites = _dump({"sites": data["sites"]})
    if base_text is not None:
        lines = base_text.splitlines(keepends=True)
        starts = [i for i, line in enumerate(lines) if re.match(r"sites\s*:", line)]
        if len(starts) == 1:
            end = next((j for j in range(starts[0] + 1, len(lines)) if re.match(r"[A-Za-z_]", lines[j])), len(lines))
            while end > starts[0] + 1 and re.match(r"(#.*)?\s*$", lines[end - 1]):
                end -= 1  # comments at the margin just above the next section are that section's
            text = "".join(lines[: starts[0]]) + sites + "".join(lines[end:])
            with contextlib.suppress(yaml.YAMLError):  # e.g. an alias after the block to an anchor in it
                if yaml.safe_load(text) == data:
                    return text
    return _dump(data)


def write_atomic(path: Path, text: str) -> None:
    """All or nothing: a temporary file beside ``path``, renamed over it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:  # as a new file would be (mkstemp makes it 0600)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fail(lines: Sequence[str]) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    print("nothing written", file=sys.stderr)
    return 1


def cmd_import(args: argparse.Namespace) -> int:
    source, out = Path(args.file), Path(args.out)
    if not source.is_file():
        raise CommandError(f"{source}: file not found")
    header_row, header, rows = read_sheet(source, args.sheet, args.encoding)
    result: SheetImport = import_rows(header_row, header, rows)
    for secret in result.secrets:
        add_secret(secret)  # from now on scrubbed from every log line
    if result.ignored_columns:
        print(f"columns not read: {', '.join(result.ignored_columns)}")
    for warning in result.warnings:
        print(f"{source}: warning: {warning}", file=sys.stderr)
    if result.errors:
        return _fail([f"{source}: {len(result.errors)} error(s):", *(f"  {e}" for e in result.errors)])
    base = Path(args.base) if args.base else (out if args.merge else None)
    if not out.parent.is_dir():
        raise CommandError(f"{out.parent}: no such folder")
    if base is None and out.exists():
        raise CommandError(f"{out} exists: --merge to update its sites, or --base {out} to replace them all")
    if base is not None and not base.is_file():
        raise CommandError(f"{base}: file not found")
    data, base_text = _load_yaml(base) if base is not None else (dict(STARTER), None)
    existing = data.get("sites") or []
    if not isinstance(existing, list) or not all(isinstance(s, dict) for s in existing):
        raise CommandError(f"{base}: its sites must be a list of mappings")
    if args.merge:
        sites, kept, kept_cameras = merge_sites(existing, result.sites)
    else:
        sites, kept_cameras = result.sites, []
        kept = [str(s.get("id")) for s in existing if s.get("id") not in {n["id"] for n in result.sites}]
    data = {**data, "sites": sites}
    try:
        parse_config(data, str(out), out.resolve().parent, resolve_sources=False)
    except ConfigError as exc:
        return _fail([str(exc)])
    write_atomic(out, render(data, base_text))
    cameras = sum(len(s["cameras"]) for s in result.sites)
    print(f"{out}: {len(result.sites)} sites, {cameras} cameras from {source}; {len(sites)} sites in all")
    if kept:
        print(f"{'kept, not in the sheet' if args.merge else 'left out, not in the sheet'}: {', '.join(kept)}")
    if kept_cameras:
        print(f"cameras kept, not in the sheet: {', '.join(kept_cameras)}")
    if result.variables:
        print("set these environment variables (e.g. in /etc/sitemon/env; percent-encode / ? # in a value):")
        for name in result.variables:
            print(f"  {name}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    for path in write_template(folder):
        print(path)
    return 0
