"""sitemon starts list / confirm / reject."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.cli import main
from monitor.config import parse_config
from monitor.core.clock import Clock
from monitor.store import make_engine, make_session_factory, migrate, models
from monitor.store.repo import sync_config
from tests.fixtures.clock import NOW, fixed
from tests.helpers import config_dict, write_config

pytestmark = pytest.mark.calendar  # follows the pinned NOW: scripts/calendar-check runs it at the edges


def test_an_operator_lists_confirms_and_rejects_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_clock: Clock
) -> None:
    data = config_dict(["rtsp://127.0.0.1:8554/a", "rtsp://127.0.0.1:8554/b"])
    for site in data["sites"]:
        site["batch"] = "signed"
    path = write_config(tmp_path / "camera_config.yaml", data)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    today = NOW.astimezone(parse_config(data).tz).date()
    with make_session_factory(engine)() as s:
        sync_config(s, parse_config(data), fixed())
        for site in ("site1", "site2"):
            s.add(
                models.StartProposal(
                    site_id=site,
                    day=today - dt.timedelta(days=2),
                    last_day=today,
                    evidence=[{"day": str(today), "status": "active"}],
                    state="pending",
                    proposed_at=NOW,
                    note="",
                )
            )
        s.commit()
        ids = {p.site_id: p.id for p in s.scalars(select(models.StartProposal))}
    db = ["--database-url", url]
    assert main(["starts", "list", *db]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert main(["starts", "confirm", "site1", str(ids["site1"]), "--by", "值班员", "--config", str(path), *db]) == 0
    assert "3 day(s) scored again" in capsys.readouterr().out
    assert main(["starts", "reject", "site2", str(ids["site2"]), "--by", "值班员", "--note", "围挡", *db]) == 0
    assert main(["starts", "reject", "site2", str(ids["site2"]), "--by", "值班员", *db]) == 1  # not pending
    assert main(["starts", "list", *db]) == 0
    assert capsys.readouterr().out.splitlines() == [f"start proposal {ids['site2']} of site2 rejected by 值班员"]
    with make_session_factory(engine)() as s:
        states = {p.site_id: p.state for p in s.scalars(select(models.StartProposal))}
        started = s.scalars(select(models.BatchPeriod.site_id)).all()
    assert states == {"site1": "confirmed", "site2": "rejected"} and started == ["site1"]
    engine.dispose()
