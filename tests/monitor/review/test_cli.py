"""`sitemon report`, `sitemon assignments` and `sitemon users add --role unit` as a user runs them."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from monitor.assignments.store import NewAssignment, create
from monitor.cli import main
from monitor.config import parse_config
from monitor.core.clock import Clock
from monitor.store import make_engine, make_session_factory, migrate, models
from monitor.store.repo import sync_config
from tests.fixtures.clock import NOW, fixed
from tests.helpers import config_dict, write_config

pytestmark = pytest.mark.calendar  # follows the pinned NOW: scripts/calendar-check runs it at the edges


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, cli_clock: Clock) -> Callable[..., Ran]:
    """``sitemon ARGS`` in this process, on the tests' pinned clock (a subprocess would read the real one)."""
    monkeypatch.setenv("SITEMON_PASSWORD", "correct-horse-battery")

    def _run(*args: str) -> Ran:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse refuses a bad argument by exiting, as the command would
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return _run


def test_report_assignments_and_unit_users_from_the_command_line(tmp_path: Path, run: Callable[..., Ran]) -> None:
    data = config_dict(["rtsp://127.0.0.1:8554/a"], export={"folder": str(tmp_path / "out")})
    data["sites"][0]["responsible_unit"] = "城东建设公司"
    path = write_config(tmp_path / "c.yaml", data)
    config = parse_config(data)
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(db)
    migrate(engine)
    now = NOW
    today = now.astimezone(config.tz).date()
    with make_session_factory(engine)() as s:
        sync_config(s, config, fixed())
        for back in range(1, 8):
            s.add(
                models.DailyScore(
                    site_id="site1",
                    day=today - dt.timedelta(days=back),
                    score=5.0,
                    status="idle",
                    components={},
                    computed_at=NOW,
                )
            )
        s.commit()
        create(s, config, NewAssignment("site1", "idle", "请复工"), "调度员", now)
    engine.dispose()

    listed = run("assignments", "list", "--config", str(path), "--database-url", db)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split("\t")[1:4] == ["site1", "城东建设公司", "idle"]
    weekly = run("assignments", "weekly", "--config", str(path), "--database-url", db, "--date", str(today))
    assert weekly.returncode == 0, weekly.stderr
    book = load_workbook(weekly.stdout.strip().split("\t")[1])
    assert [r[1] for r in book.active.iter_rows(min_row=2, values_only=True)] == ["site1"]

    day = today - dt.timedelta(days=1)
    report = run("report", "--period", "month", "--date", str(day), "--config", str(path), "--database-url", db)
    assert report.returncode == 0, report.stderr
    kind, written = report.stdout.strip().split("\t")
    assert kind == "docx" and Path(written).parent == tmp_path / "out"
    doc = Document(io.BytesIO(Path(written).read_bytes()))
    assert any("红榜" in p.text for p in doc.paragraphs)
    future = run("report", "--date", str(today + dt.timedelta(days=1)), "--config", str(path), "--database-url", db)
    assert future.returncode == 2 and "has not happened yet" in future.stderr
    bad = run("report", "--period", "year", "--date", str(day), "--config", str(path))
    assert bad.returncode == 2 and "--period" in bad.stderr

    added = run("users", "add", "cd-unit", "--role", "unit", "--unit", "城东建设公司", "--database-url", db)
    assert added.returncode == 0, added.stderr
    missing = run("users", "add", "x-unit", "--role", "unit", "--database-url", db)
    assert missing.returncode == 2 and "--unit goes with --role unit" in missing.stderr
    assert (
        "cd-unit\tunit\tcd-unit\tactive\t0 session(s)\t城东建设公司"
        in run("users", "list", "--database-url", db).stdout
    )
    engine = make_engine(db)
    with make_session_factory(engine)() as s:
        (member,) = s.query(models.UnitMember).all()
        assert member.unit == "城东建设公司"
    engine.dispose()
