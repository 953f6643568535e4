"""`sitemon sites import` against sheets made to hurt it or cut short by mistake: a workbook that declares a
sheet of 17 billion cells, one that unpacks to 290 MB, a declared size smaller than its data, a field of
131,073 characters, broken XML, formulas, notes below the projects, full-width letters, a port past 65535.

Each runs the real command on a real file; the memory of the hostile ones is the command's own peak (VmHWM)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from monitor.cli.site_template import EXAMPLE, HEADERS
from tests.monitor.test_cli_sites import BASE, EXAMPLES, ROOT, _run

SHEET_XML = "xl/worksheets/sheet1.xml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "m.pt").write_bytes(b"")
    (tmp_path / "base.yaml").write_text(BASE + "sites: []\n", encoding="utf-8")
    return tmp_path


def _workbook(path: Path, rows: list[dict[str, object]], extra: list[list[object]] = ()) -> Path:  # type: ignore[assignment]
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(HEADERS)
    for row in rows:
        ws.append([row.get(h) for h in HEADERS])
    for cells in extra:
        ws.append(cells)
    for cell in (c for r in ws.iter_rows() for c in r if isinstance(c.value, str)):
        cell.data_type = "s"  # text as typed, "=..." included (a formula cell would be read as its value)
    book.save(path)
    return path


def _patch(path: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """The workbook with one of its parts rewritten (the zip written anew)."""
    with zipfile.ZipFile(path) as src:
        parts = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in parts:
            dst.writestr(info.filename, change(data) if info.filename == part else data)
    return path


def _projects(count: int) -> list[dict[str, object]]:
    return [
        {**EXAMPLE[3], "项目编号": f"P-{i:03d}", "摄像机地址": f"rtsp://10.0.0.{i}/1", "用户名": "", "密码": ""}
        for i in range(1, count + 1)
    ]


def _errors(stderr: str) -> list[str]:
    """The error lines the command logged (its log lines carry the level)."""
    return [line.split(": ", 1)[1] for line in stderr.splitlines() if " ERROR " in line]


MEASURED = """
import atexit, runpy, sys

def peak():  # this process's own high-water mark: what it took after exec, not its parent's pages at fork
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("PEAK_RSS_KB " + line.split()[1] + "\\n")

atexit.register(peak)
sys.argv = ["sitemon", *sys.argv[1:]]
runpy.run_module("monitor.cli", run_name="__main__")
"""


def _run_measured(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """The command and its own peak resident memory in MB (VmHWM at its exit), within 4 GB of address space."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    command = [sys.executable, "-c", MEASURED, *args]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, preexec_fn=limit)
    lines = done.stderr.splitlines()
    peaks = [int(line.split()[1]) for line in lines if line.startswith("PEAK_RSS_KB ")]
    assert peaks, done.stderr[-2000:]
    stderr = "".join(line + "\n" for line in lines if not line.startswith("PEAK_RSS_KB "))
    return subprocess.CompletedProcess(command, done.returncode, done.stdout, stderr), peaks[-1] / 1024


@pytest.mark.slow
def test_hostile_workbooks_are_refused_by_their_caps_in_bounded_memory(folder: Path) -> None:
    """Given the sample sheet as the yardstick, when a workbook declares A1:XFD1048576 (17 billion cells in
    6 KB) or unpacks to 290 MB, then the import names the cap it hit and its memory stays near the sample's
    (before: 2.4 GB and more)."""
    sample, sample_mb = _run_measured(
        ["sites", "import", str(EXAMPLES / "sites-template.xlsx"), "--base", "base.yaml", "--out", "a.yaml"], folder
    )
    assert sample.returncode == 0, sample.stderr

    declared = _workbook(folder / "declared.xlsx", _projects(1))
    last_cell = b'<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>'  # a formatted, empty corner

    def declare(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)
        return xml.replace(b"</sheetData>", last_cell)

    _patch(declared, SHEET_XML, declare)
    assert declared.stat().st_size < 8_000
    result, declared_mb = _run_measured(
        ["sites", "import", "declared.xlsx", "--base", "base.yaml", "--out", "b.yaml"], folder
    )
    assert result.returncode == 0, result.stderr  # its one project, read as the rows that are there
    assert [s["id"] for s in yaml.safe_load((folder / "b.yaml").read_text(encoding="utf-8"))["sites"]] == ["P-001"]
    assert declared_mb < sample_mb + 64, (declared_mb, sample_mb)

    bomb = _workbook(folder / "bomb.xlsx", _projects(1))
    row = '<row r="{n}"><c r="R{n}" t="inlineStr"><is><t>' + "备注" * 500 + "</t></is></c></row>"

    def inflate(xml: bytes) -> bytes:
        head, tail = xml.split(b"</sheetData>")
        return head + "".join(row.format(n=n) for n in range(3, 100_000)).encode() + b"</sheetData>" + tail

    _patch(bomb, SHEET_XML, inflate)
    with zipfile.ZipFile(bomb) as z:
        unpacked = sum(i.file_size for i in z.infolist())
    assert unpacked > 250 << 20 and bomb.stat().st_size < 4 << 20
    result, bomb_mb = _run_measured(["sites", "import", "bomb.xlsx", "--base", "base.yaml", "--out", "c.yaml"], folder)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    mb = f"{unpacked / 1024 / 1024:.0f} MB"
    assert _errors(result.stderr) == [f"bomb.xlsx: {mb} unpacked, over the cap of 32 MB for a workbook"]
    assert bomb_mb < sample_mb + 64, (bomb_mb, sample_mb)
    assert not (folder / "c.yaml").exists()


def test_a_declared_size_smaller_than_the_data_cuts_nothing(folder: Path) -> None:
    sheet = _workbook(folder / "small.xlsx", _projects(13))
    _patch(sheet, SHEET_XML, lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Q2"', xml))
    result = _run("sites", "import", "small.xlsx", "--base", "base.yaml", "--out", "out.yaml", cwd=folder)
    assert result.returncode == 0, result.stderr
    sites = yaml.safe_load((folder / "out.yaml").read_text(encoding="utf-8"))["sites"]
    assert len(sites) == 13 and "13 sites" in result.stdout


def test_broken_xml_and_an_oversized_csv_field_are_one_line_naming_the_row(folder: Path) -> None:
    broken = _workbook(folder / "broken.xlsx", _projects(3))
    _patch(broken, SHEET_XML, lambda xml: xml.replace(b'<row r="3"', b'<row r="3"<<', 1))
    result = _run("sites", "import", "broken.xlsx", "--base", "base.yaml", "--out", "out.yaml", cwd=folder)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    (line,) = _errors(result.stderr)
    assert line.startswith("broken.xlsx: row 3: the worksheet cannot be read (") and "\n" not in line

    header = ",".join(HEADERS)
    project = ["P-1", "名称", "城东区", "开工", "", "", "", "", "", "", "", "", "", "", "c1", "", "rtsp://10.0.0.1/1"]
    long = [*project[:4], "x" * 131_073, *project[5:]]
    text = "\n".join([header, ",".join(project), ",".join(long)]) + "\n"
    (folder / "long.csv").write_text(text, encoding="utf-8")
    result = _run("sites", "import", "long.csv", "--base", "base.yaml", "--out", "out.yaml", cwd=folder)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert _errors(result.stderr) == ["long.csv: row 3, column E: a cell of 131,073 characters, over the cap of 32,767"]
    assert not (folder / "out.yaml").exists()


def test_formulas_are_refused_by_row_and_column(folder: Path) -> None:
    rows = _projects(3)
    rows[0]["项目名称"] = '=HYPERLINK("http://evil.example","点此")'
    rows[1]["区县"] = "+cmd|' /C calc'!A0"
    rows[2]["责任单位"] = "@SUM(1+1)"
    rows[2]["摄像机名称"] = "-2+3"
    _workbook(folder / "formulas.xlsx", rows)
    result = _run("sites", "import", "formulas.xlsx", "--base", "base.yaml", "--out", "out.yaml", cwd=folder)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "formulas.xlsx: 4 error(s):" and lines[-1] == "nothing written"
    assert lines[1:-1] == [
        "  row 2, 项目名称: starts with '=', which a spreadsheet runs as a formula: write the text without it",
        "  row 3, 区县: starts with '+', which a spreadsheet runs as a formula: write the text without it",
        "  row 4, 责任单位: starts with '@', which a spreadsheet runs as a formula: write the text without it",
        "  row 4, 摄像机名称: starts with '-', which a spreadsheet runs as a formula: write the text without it",
    ]


def test_notes_below_the_projects_are_skipped_with_a_warning_and_full_width_codes_are_read(folder: Path) -> None:
    rows = _projects(2)
    rows[0].update(
        {
            "项目编号": "ＣＤ－２０２６－００１",
            "批次": "ｓｉｇｎｅｄ",
            "传输方式": "ＴＣＰ",
            "总投资(万元)": "６８，０００",
        }
    )
    notes = [["注：1. 投资单位为万元；2. 摄像机地址由各区县报送。"], [None], ["备注：以上数据截至11月。"]]
    _workbook(folder / "notes.xlsx", rows, notes)
    result = _run("sites", "import", "notes.xlsx", "--base", "base.yaml", "--out", "out.yaml", cwd=folder)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "notes.xlsx: warning: row 4: a note below the projects, not read: 注：1. 投资单位为万元；2. 摄像机地址由各区县报送。",
        "notes.xlsx: warning: row 6: a note below the projects, not read: 备注：以上数据截至11月。",
    ]
    sites = yaml.safe_load((folder / "out.yaml").read_text(encoding="utf-8"))["sites"]
    first = sites[0]
    assert (first["id"], first["batch"], first["planned_investment"]) == ("CD-2026-001", "signed", 68000)
    assert first["cameras"][0]["transport"] == "tcp"
    # A note between projects is no note: that row is an error.
    _workbook(
        folder / "middle.xlsx", [_projects(1)[0]], [["注：下面还有项目"], list(_projects(2)[1].get(h) for h in HEADERS)]
    )
    result = _run("sites", "import", "middle.xlsx", "--base", "base.yaml", "--out", "out2.yaml", cwd=folder)
    assert result.returncode == 1 and "row 3, 项目编号: '注：下面还有项目' is not an id" in result.stderr


def test_a_port_past_65535_is_refused_by_the_import_config_check_and_probe(folder: Path) -> None:
    rows = _projects(2)
    rows[1]["摄像机地址"] = "rtsp://admin:Port-Pw-1@127.0.0.1:99999/cam"
    rows[0]["摄像机地址"] = "rtsp://cam_01.site-a.local:554/1"  # a host name with _ and - is fine
    _workbook(folder / "ports.xlsx", rows)
    result = _run("sites", "import", "ports.xlsx", "--base", "base.yaml", "--out", "out.yaml", cwd=folder)
    assert result.returncode == 1
    assert (
        "  row 3, 摄像机地址: port '99999' is not a number from 1 to 65535: rtsp://admin:***@127.0.0.1:99999/cam"
        in (result.stderr.splitlines())
    )
    assert "Port-Pw-1" not in result.stderr + result.stdout
    config = yaml.safe_load(BASE)
    config["sites"] = [
        {"id": "a", "name": "A", "district": "D", "batch": "started", "cameras": [{"id": "c", "url": url}]}
        for url in ("rtsp://127.0.0.1:99999/cam",)
    ]
    config["sites"].append(
        {"id": "b", "name": "B", "district": "D", "batch": "started", "cameras": [{"id": "c", "url": "rtsp://[::1/x"}]}
    )
    (folder / "ports.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    check = _run("config", "check", "ports.yaml", cwd=folder)
    assert check.returncode == 1
    assert "sites[0].cameras[0].url: port '99999' is not a number from 1 to 65535" in check.stderr
    assert "sites[1].cameras[0].url: '[::1' is not a host" in check.stderr
    probe = _run("cameras", "probe", "rtsp://127.0.0.1:99999/cam", "--timeout", "2", cwd=folder)
    assert probe.returncode == 2 and "ArgumentError" not in probe.stdout + probe.stderr
    assert "port '99999' is not a number from 1 to 65535" in probe.stderr


@pytest.mark.parametrize("value", ["inf", "1e400", "nan", "-inf"])
def test_an_infinite_investment_is_refused(folder: Path, value: str) -> None:
    rows = _projects(1)
    rows[0]["总投资(万元)"] = value
    _workbook(folder / "inf.xlsx", rows)
    result = _run("sites", "import", "inf.xlsx", "--base", "base.yaml", "--out", "out.yaml", cwd=folder)
    assert result.returncode == 1
    assert f"  row 2, 总投资(万元): '{value}' is not a number (万元, e.g. 68000)" in result.stderr.splitlines()


def test_config_check_refuses_a_nul_in_a_name_and_an_infinite_investment(folder: Path) -> None:
    text = BASE + (
        "sites:\n"
        '  - {id: a, name: "城东\\0工地", district: D, batch: started, planned_investment: .inf,\n'
        '     cameras: [{id: c, name: "北\\0侧", url: "rtsp://10.0.0.1/1"}]}\n'
        "  - {id: b, name: B, district: D, batch: started, planned_investment: 1e400,\n"
        '     cameras: [{id: c, url: "rtsp://10.0.0.2/1"}]}\n'
    )
    (folder / "nul.yaml").write_text(text, encoding="utf-8")
    check = _run("config", "check", "nul.yaml", cwd=folder)
    assert check.returncode == 1
    assert check.stderr.splitlines()[1:] == [
        "  sites[0].name: holds a NUL character (\\u0000), which the database cannot store",
        "  sites[0].planned_investment: Input should be a finite number",
        "  sites[0].cameras[0].name: holds a NUL character (\\u0000), which the database cannot store",
        "  sites[1].planned_investment: Input should be a finite number",
    ]
