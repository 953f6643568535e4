"""`sitemon sites import` as a user runs it: the sample sheet to a config `sitemon config check` accepts."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from monitor.cli.site_template import EXAMPLE, HEADERS, write_template
from monitor.config.camera import NETWORK_SCHEMES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
PASSWORDS = sorted({str(row["密码"]) for row in EXAMPLE if row.get("密码")})
VARIABLES = [
    "CAM_CD_2026_001_NORTH_USER",
    "CAM_CD_2026_001_NORTH_PASSWORD",
    "CAM_CD_2026_001_SOUTH_USER",
    "CAM_CD_2026_001_SOUTH_PASSWORD",
    "CAM_GX_2026_014_GATE_USER",
    "CAM_GX_2026_014_GATE_PASSWORD",
]
BASE = "# our deployment\ntimezone: Asia/Shanghai  # where days are counted\ndetector:\n  model: m.pt\n"

SCHEMES = ", ".join(f"{s}://" for s in NETWORK_SCHEMES)  # the config's, whatever they grow to


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = os.environ | {"PYTHONPATH": str(ROOT)} | (env or {})
    command = [sys.executable, "-m", "monitor.cli", "--log-level", "DEBUG", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=full, timeout=120)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "m.pt").write_bytes(b"")
    (tmp_path / "base.yaml").write_text(BASE + "sites: []\n", encoding="utf-8")
    return tmp_path


def test_the_sample_sheets_in_the_repository_are_the_ones_the_template_writes(tmp_path: Path) -> None:
    write_template(tmp_path)
    assert (tmp_path / "sites-template.csv").read_bytes() == (EXAMPLES / "sites-template.csv").read_bytes()
    assert (EXAMPLES / "sites-template.csv").read_bytes().startswith("\ufeff项目编号,".encode())  # Excel's BOM
    ours, theirs = (
        load_workbook(p).worksheets[0] for p in (tmp_path / "sites-template.xlsx", EXAMPLES / "sites-template.xlsx")
    )
    assert list(ours.values) == list(theirs.values)
    assert next(iter(theirs.values)) == tuple(HEADERS)


@pytest.mark.parametrize("sheet", ["sites-template.xlsx", "sites-template.csv"])
def test_the_sample_sheet_becomes_a_config_that_config_check_accepts_and_no_secret_is_written(
    folder: Path, sheet: str
) -> None:
    result = _run("sites", "import", str(EXAMPLES / sheet), "--base", "base.yaml", "--out", "out.yaml", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert [line.strip() for line in result.stdout.splitlines()[-len(VARIABLES) :]] == VARIABLES
    text = (folder / "out.yaml").read_text(encoding="utf-8")
    assert text.startswith("# our deployment\ntimezone: Asia/Shanghai  # where days are counted\n")
    assert "${CAM_CD_2026_001_NORTH_PASSWORD}@10.20.1.11:554" in text
    for secret in PASSWORDS:
        assert secret not in text + result.stdout + result.stderr
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]

    check = _run("config", "check", "out.yaml", cwd=folder)
    assert check.returncode == 1 and "CAM_CD_2026_001_NORTH_PASSWORD" in check.stderr  # not set yet
    env = {name: ("admin" if name.endswith("_USER") else "Pw-" + name) for name in VARIABLES}
    check = _run("config", "check", "out.yaml", cwd=folder, env=env)
    assert check.returncode == 0, check.stderr
    assert "out.yaml: OK (3 sites, 4 cameras)" in check.stdout
    config = yaml.safe_load(text)
    assert [s["batch"] for s in config["sites"]] == ["started", "signed", "in_production"]
    assert config["sites"][0]["milestones"]["start"] == {"planned": dt.date(2026, 3, 1), "actual": dt.date(2026, 3, 5)}


def _bad_sheet(path: Path) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["2026年重点项目摄像机清单"])  # a title row above the header
    ws.append(["序号", *HEADERS])
    good = dict(EXAMPLE[0])
    rows = [
        good,
        {**good, "摄像机编号": "south", "批次": "开干"},
        {**EXAMPLE[2], "摄像机地址": "ftp://admin:Leak-Pw-999@10.0.0.1/x", "用户名": "", "密码": ""},
        {**EXAMPLE[3], "计划开工": "2026-02-30", "总投资(万元)": "很多"},
    ]
    for number, row in enumerate(rows, start=1):
        ws.append([number, *(row.get(h) for h in HEADERS)])
    book.save(path)


def test_a_sheet_with_errors_names_each_one_and_writes_nothing(folder: Path) -> None:
    _bad_sheet(folder / "bad.xlsx")
    before = (folder / "base.yaml").read_bytes()
    result = _run("sites", "import", "bad.xlsx", "--merge", "--out", "base.yaml", cwd=folder)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "bad.xlsx: 4 error(s):",
        "  row 4, 批次: '开干' is not one of 签约/开工/投产",
        "  row 5, 摄像机地址: 'ftp://' is not one of " + SCHEMES,
        "  row 6, 总投资(万元): '很多' is not a number (万元, e.g. 68000)",
        "  row 6, 计划开工: '2026-02-30' is not a date (YYYY-MM-DD, e.g. 2026-03-01)",
        "nothing written",
    ]
    assert "columns not read: 序号" in result.stdout
    assert (folder / "base.yaml").read_bytes() == before
    assert "Leak-Pw" not in result.stdout + result.stderr + "".join(p.name for p in folder.iterdir())


MERGE_BASE = """# our deployment
detector:
  model: m.pt
sites:
  - id: OLD-1
    name: 老项目
    district: 城西区
    batch: started
    cameras:
      - id: c1
        url: rtsp://10.9.9.9/1
  - id: CD-2026-001
    name: 旧名称
    district: 城东区
    batch: signed
    responsible_unit: 旧单位
    cameras:
      - id: north
        url: rtsp://old/1
        zones:
          site: [[0.0, 0.1], [1.0, 0.1], [1.0, 1.0]]
      - id: crane
        url: rtsp://10.9.9.8/1
# after the sites
export:
  folder: var/exports
"""


def test_merge_updates_the_sheets_sites_and_keeps_and_lists_the_rest(folder: Path) -> None:
    (folder / "camera_config.yaml").write_text(MERGE_BASE, encoding="utf-8")
    result = _run("sites", "import", str(EXAMPLES / "sites-template.csv"), "--merge", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "kept, not in the sheet: OLD-1" in result.stdout
    assert "cameras kept, not in the sheet: CD-2026-001/crane" in result.stdout
    text = (folder / "camera_config.yaml").read_text(encoding="utf-8")
    assert text.startswith("# our deployment\n") and "# after the sites\nexport:\n  folder: var/exports\n" in text
    assert "        zones:\n          site: [[0.0, 0.1], [1.0, 0.1], [1.0, 1.0]]\n" in text  # as it was written
    sites = {s["id"]: s for s in yaml.safe_load(text)["sites"]}
    assert list(sites) == ["OLD-1", "CD-2026-001", "GX-2026-014", "LG-2025-007"]
    updated = sites["CD-2026-001"]
    assert updated["name"] == "城东污水处理厂二期" and updated["batch"] == "started"
    north, crane, south = updated["cameras"]
    assert north["zones"]["site"][0] == [0.0, 0.1] and "${CAM_CD_2026_001_NORTH_PASSWORD}" in north["url"]
    assert crane["id"] == "crane" and south["id"] == "south"


def test_an_existing_config_is_not_replaced_without_merge_or_base(folder: Path) -> None:
    (folder / "camera_config.yaml").write_text(MERGE_BASE, encoding="utf-8")
    result = _run("sites", "import", str(EXAMPLES / "sites-template.csv"), cwd=folder)
    assert result.returncode == 2 and "--merge" in result.stderr
    assert (folder / "camera_config.yaml").read_text(encoding="utf-8") == MERGE_BASE


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_a_csv_in_gbk_or_plain_utf8_is_read(folder: Path, encoding: str) -> None:
    text = (EXAMPLES / "sites-template.csv").read_text(encoding="utf-8-sig")
    (folder / "sheet.csv").write_bytes(text.encode(encoding))
    for extra in ([], ["--encoding", encoding]):
        result = _run("sites", "import", "sheet.csv", "--base", "base.yaml", "--out", "out.yaml", *extra, cwd=folder)
        assert result.returncode == 0, result.stderr
        sites = yaml.safe_load((folder / "out.yaml").read_text(encoding="utf-8"))["sites"]
        assert [s["name"] for s in sites] == ["城东污水处理厂二期", "高新区智能物流园", "临港新材料产业园"]


def test_the_sheets_passwords_are_scrubbed_from_every_log_line(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.cli import main
    from monitor.core.redact import forget_secrets, redact_text

    monkeypatch.chdir(folder)
    forget_secrets()
    try:
        assert (
            main(["sites", "import", str(EXAMPLES / "sites-template.xlsx"), "--base", "base.yaml", "--out", "o.yaml"])
            == 0
        )
        for secret in PASSWORDS:
            assert redact_text(f"a library said: bad password {secret}") == "a library said: bad password ***"
    finally:
        forget_secrets()


def test_without_a_base_a_new_config_is_started_and_checked_before_it_is_written(folder: Path) -> None:
    sheet = str(EXAMPLES / "sites-template.csv")
    result = _run("sites", "import", sheet, cwd=folder)
    assert result.returncode == 1 and "detector.model: model not found" in result.stderr
    assert result.stderr.rstrip().endswith("nothing written") and not (folder / "camera_config.yaml").exists()
    (folder / "models" / "sitemon-construction-yolov8n_openvino_model").mkdir(parents=True)
    result = _run("sites", "import", sheet, cwd=folder)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((folder / "camera_config.yaml").read_text(encoding="utf-8"))
    assert config["timezone"] == "Asia/Shanghai" and len(config["sites"]) == 3
    umask = os.umask(0)
    os.umask(umask)
    assert (folder / "camera_config.yaml").stat().st_mode & 0o777 == 0o666 & ~umask  # as a new file is, not 0600


def test_a_base_whose_sites_block_cannot_be_cut_out_is_written_whole(folder: Path) -> None:
    base = """detector:
  model: m.pt
sites:
  - {id: A-1, name: A, district: D, batch: started, milestones: {start: {planned: &day 2026-01-01}},
     cameras: [{id: c, url: "rtsp://h/1"}]}
holidays: [*day]
"""
    (folder / "anchored.yaml").write_text(base, encoding="utf-8")
    sheet = str(EXAMPLES / "sites-template.csv")
    result = _run("sites", "import", sheet, "--merge", "--out", "anchored.yaml", cwd=folder)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((folder / "anchored.yaml").read_text(encoding="utf-8"))
    assert [s["id"] for s in config["sites"]] == ["A-1", "CD-2026-001", "GX-2026-014", "LG-2025-007"]
    assert config["holidays"] == [dt.date(2026, 1, 1)]
