"""The milestone endpoints: a viewer reads, an operator confirms or rejects a start, an admin changes planned
dates (recorded); the start rate follows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from monitor.config import AppConfig, parse_config
from monitor.milestones.starts import propose_starts
from monitor.store import models
from monitor.store.repo import sync_config
from tests.fixtures.clock import NOW
from tests.helpers import config_dict, logged_in

pytestmark = pytest.mark.calendar  # follows the pinned NOW: scripts/calendar-check runs it at the edges


def D(days_ago: int) -> str:
    """The local date ``days_ago`` days before the tests' NOW."""
    return str(NOW.astimezone(ZoneInfo("Asia/Shanghai")).date() - dt.timedelta(days=days_ago))


def _config() -> AppConfig:
    data = config_dict(["rtsp://127.0.0.1:8554/a", "rtsp://127.0.0.1:8554/b"])
    today = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()
    data["sites"][1]["batch"] = "signed"  # site2, 高新区
    data["sites"][1]["milestones"] = {
        "start": {"planned": str(today - dt.timedelta(days=10))},
        "completion": {"planned": str(today + dt.timedelta(days=400))},
    }
    return parse_config(data)


@pytest.fixture
def config() -> AppConfig:
    return _config()


@pytest.fixture
def app_sessions(sessions: sessionmaker[Session], config: AppConfig) -> sessionmaker[Session]:
    today = NOW.astimezone(config.tz).date()
    with sessions() as s:
        sync_config(s, config, clock=lambda: NOW)
        for back, status in ((5, "idle"), (4, "idle"), (3, "active"), (2, "active"), (1, "active")):
            s.add(
                models.DailyScore(
                    site_id="site2",
                    day=today - dt.timedelta(days=back),
                    score=None,
                    status="not_expected",
                    components={"observed_status": status, "observed_score": 80.0 if status == "active" else 5.0},
                    computed_at=NOW,
                )
            )
        s.commit()
        propose_starts(s, config, today - dt.timedelta(days=1), NOW)
    return sessions


def _client(sessions: sessionmaker[Session], tmp_path: Path, config: AppConfig, role: str) -> TestClient:
    return logged_in(TestClient(create_app(sessions, tmp_path, config=config, clock=lambda: NOW)), sessions, role)


def test_viewer_reads_the_chart_and_cannot_decide(
    app_sessions: sessionmaker[Session], tmp_path: Path, config: AppConfig
) -> None:
    viewer = _client(app_sessions, tmp_path, config, "viewer")
    chart = viewer.get("/api/sites/site2/milestones").json()
    today = NOW.astimezone(config.tz).date()
    assert chart["batch"] == "signed"
    by = {m["milestone"]: m for m in chart["milestones"]}
    assert by["start"]["state"] == "overdue" and by["completion"]["state"] == "pending"
    assert by["production"]["state"] == "no_plan"
    (proposal,) = chart["proposals"]
    assert proposal["state"] == "pending" and proposal["day"] == str(today - dt.timedelta(days=3))
    assert [e["status"] for e in proposal["evidence"]] == ["active", "active", "active"]
    assert "rtsp" not in str(chart)
    assert viewer.post(f"/api/sites/site2/start-proposals/{proposal['id']}/confirm", json={}).status_code == 403
    assert viewer.put("/api/sites/site2/milestones/start", json={"planned": str(today)}).status_code == 403
    assert viewer.get("/api/sites/nowhere/milestones").status_code == 404
    assert [p["id"] for p in viewer.get("/api/start-proposals").json()] == [proposal["id"]]


def test_operator_confirms_the_start_and_it_counts_in_the_start_rate(
    app_sessions: sessionmaker[Session], tmp_path: Path, config: AppConfig
) -> None:
    operator = _client(app_sessions, tmp_path, config, "operator")
    today = NOW.astimezone(config.tz).date()
    before = operator.get("/api/milestones/figures?period=quarter").json()
    rates = {r["group"]: r for r in before["start_rates"]}
    assert list(rates) == ["高新区", "全部"]
    assert (rates["高新区"]["due"], rates["高新区"]["started"], rates["高新区"]["rate"]) == (1, 0, 0.0)

    (proposal,) = operator.get("/api/start-proposals").json()
    done = operator.post(f"/api/sites/site2/start-proposals/{proposal['id']}/confirm", json={"note": "现场核实"})
    assert done.status_code == 200 and done.json()["state"] == "confirmed"
    assert done.json()["decided_by"] == "operator 测试"
    again = operator.post(f"/api/sites/site2/start-proposals/{proposal['id']}/confirm", json={})
    assert again.status_code == 409
    assert operator.post("/api/sites/site2/start-proposals/999/reject", json={}).status_code == 404

    chart = operator.get("/api/sites/site2/milestones").json()
    start_day = str(today - dt.timedelta(days=3))
    assert chart["batch"] == "started"
    assert [(p["batch"], p["since"]) for p in chart["periods"]] == [("signed", None), ("started", start_day)]
    assert {m["milestone"]: m["actual"] for m in chart["milestones"]}["start"] == start_day
    sites = {s["id"]: s for s in operator.get("/api/sites").json()}
    assert (sites["site2"]["batch"], sites["site2"]["current_batch"]) == ("signed", "started")
    assert [s["id"] for s in operator.get("/api/sites?batch=started").json()] == ["site1", "site2"]
    # its days since the start were scored again as a started site's (no samples here: camera outage)
    scores = {s["day"]: s["status"] for s in operator.get("/api/sites/site2").json()["scores"]}
    assert scores[start_day] == "camera_outage" and scores[str(today - dt.timedelta(days=4))] == "not_expected"

    after = {r["group"]: r for r in operator.get("/api/milestones/figures?period=quarter").json()["start_rates"]}
    assert (after["高新区"]["due"], after["高新区"]["started"], after["高新区"]["rate"]) == (1, 1, 1.0)
    assert operator.get("/api/milestones/figures?period=year").status_code == 422
    future = str(today + dt.timedelta(days=40))
    assert operator.get(f"/api/milestones/figures?day={future}").status_code == 422


def test_operator_rejects_and_only_an_admin_changes_planned_dates(
    app_sessions: sessionmaker[Session], tmp_path: Path, config: AppConfig
) -> None:
    operator = _client(app_sessions, tmp_path, config, "operator")
    (proposal,) = operator.get("/api/start-proposals").json()
    rejected = operator.post(f"/api/sites/site2/start-proposals/{proposal['id']}/reject", json={"note": "只是围挡"})
    assert rejected.json()["state"] == "rejected" and rejected.json()["note"] == "只是围挡"
    assert operator.get("/api/sites/site2/milestones").json()["batch"] == "signed"
    assert operator.put("/api/sites/site2/milestones/completion", json={"planned": "2028-01-31"}).status_code == 403

    admin = _client(app_sessions, tmp_path, config, "admin")
    changed = admin.put("/api/sites/site2/milestones/completion", json={"planned": "2028-01-31", "note": "调度会调整"})
    assert changed.status_code == 200
    by = {m["milestone"]: m for m in changed.json()["milestones"]}
    assert by["completion"]["planned"] == "2028-01-31" and by["completion"]["planned_by"] == "admin 测试"
    last = changed.json()["changes"][0]
    assert (last["milestone"], last["field"], last["new"], last["by"], last["note"]) == (
        "completion",
        "planned",
        "2028-01-31",
        "admin 测试",
        "调度会调整",
    )
    assert last["old"] == str(NOW.astimezone(config.tz).date() + dt.timedelta(days=400))
    assert admin.put("/api/sites/site2/milestones/opening", json={"planned": "2028-01-31"}).status_code == 422


def test_admin_records_when_a_milestone_was_reached_but_not_the_start(
    app_sessions: sessionmaker[Session], tmp_path: Path, config: AppConfig
) -> None:
    admin = _client(app_sessions, tmp_path, config, "admin")
    today = NOW.astimezone(config.tz).date()
    yesterday = str(today - dt.timedelta(days=1))
    done = admin.put("/api/sites/site1/milestones/structure_complete", json={"actual": yesterday})  # started
    assert done.status_code == 200
    node = {m["milestone"]: m for m in done.json()["milestones"]}["structure_complete"]
    assert (node["planned"], node["actual"], node["state"]) == (None, yesterday, "on_time")
    # planned was not given: the completion's planned date stays
    kept = admin.put("/api/sites/site2/milestones/completion", json={"actual": None}).json()
    assert {m["milestone"]: m for m in kept["milestones"]}["completion"]["planned"] == str(
        today + dt.timedelta(days=400)
    )
    start = admin.put("/api/sites/site2/milestones/start", json={"actual": yesterday})
    assert start.status_code == 422 and "confirmed start proposal" in start.text
    future = admin.put("/api/sites/site1/milestones/production", json={"actual": str(today + dt.timedelta(days=2))})
    assert future.status_code == 422 and "has not happened yet" in future.text


@pytest.mark.parametrize(
    ("site", "milestone", "body", "field", "message"),
    [
        # site2 is signed and its start not confirmed: it cannot have completed anything
        ("site2", "completion", {"actual": "1970-01-02"}, "actual", "1970-01-02 is not a date of the programme"),
        ("site2", "completion", {"actual": D(8)}, "actual", "the site has not started (no confirmed start)"),
        ("site2", "structure_complete", {"actual": D(8)}, "actual", "the site has not started"),
        ("site1", "completion", {"planned": "1970-01-02"}, "planned", "1970-01-02 is not a date of the programme"),
        ("site1", "completion", {"planned": "2999-01-01"}, "planned", "2999-01-01 is not a date of the programme"),
        ("site1", "structure_complete", {"actual": D(8), "note": "核\u0007实"}, "note", "control character"),
        ("site1", "completion", {"actual": D(27)}, "actual", f"{D(27)} is before the structure_complete date"),
        ("site1", "structure_complete", {"actual": D(1)}, "actual", "is after the completion date"),
    ],
)
def test_dates_a_site_cannot_have_reached_and_control_characters_in_notes_are_refused(
    app_sessions: sessionmaker[Session],
    tmp_path: Path,
    config: AppConfig,
    site: str,
    milestone: str,
    body: dict[str, str],
    field: str,
    message: str,
) -> None:
    admin = _client(app_sessions, tmp_path, config, "admin")
    assert admin.put("/api/sites/site1/milestones/structure_complete", json={"actual": D(18)}).status_code == 200
    assert admin.put("/api/sites/site1/milestones/completion", json={"actual": D(3)}).status_code == 200
    before = admin.get(f"/api/sites/{site}/milestones").json()["changes"]
    answer = admin.put(f"/api/sites/{site}/milestones/{milestone}", json=body)
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["detail"]
    assert error["loc"] == ["body", field] and message in error["msg"]
    assert admin.get(f"/api/sites/{site}/milestones").json()["changes"] == before  # nothing recorded


def test_an_operators_note_on_a_start_proposal_holds_no_control_characters(
    app_sessions: sessionmaker[Session], tmp_path: Path, config: AppConfig
) -> None:
    operator = _client(app_sessions, tmp_path, config, "operator")
    (proposal,) = operator.get("/api/start-proposals").json()
    refused = operator.post(f"/api/sites/site2/start-proposals/{proposal['id']}/reject", json={"note": "围\x1b[2J挡"})
    assert refused.status_code == 422 and "control character" in refused.text
    assert operator.get("/api/start-proposals").json()[0]["state"] == "pending"


def test_admin_records_production_the_batch_moves_and_the_rate_counts_it(
    app_sessions: sessionmaker[Session], tmp_path: Path, config: AppConfig
) -> None:
    admin = _client(app_sessions, tmp_path, config, "admin")
    # site1 started (configured), planned into production three days ago: 未按期投产 until it is recorded
    admin.put("/api/sites/site1/milestones/production", json={"planned": D(3)}).raise_for_status()
    figures = admin.get("/api/milestones/figures?period=quarter").json()
    east = {r["group"]: r for r in figures["production_rates"]}["城东区"]
    assert (east["due"], east["on_time"], east["rate"]) == (1, 0, 0.0)
    chart = admin.put("/api/sites/site1/milestones/production", json={"actual": D(4)}).json()
    assert chart["batch"] == "in_production"
    assert [(p["batch"], p["since"]) for p in chart["periods"]] == [("started", None), ("in_production", D(4))]
    figures = admin.get("/api/milestones/figures?period=quarter").json()
    east = {r["group"]: r for r in figures["production_rates"]}["城东区"]
    assert (east["due"], east["on_time"], east["in_production"], east["rate"]) == (1, 1, 1, 1.0)
    # a signed site that has not started cannot be in production
    refused = admin.put("/api/sites/site2/milestones/production", json={"actual": D(1)})
    assert refused.status_code == 422


def test_the_figures_are_built_once_per_data_version_and_a_recorded_date_is_served_at_once(
    app_sessions: sessionmaker[Session], tmp_path: Path, config: AppConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every dashboard asks the figures on each live update: one build per data version and day (the data
    version follows every milestone date recorded), and a date an admin records shows in the next answer."""
    from api.routers import progress

    builds: list[int] = []
    read = progress.site_dates
    monkeypatch.setattr(progress, "site_dates", lambda s: builds.append(1) or read(s))
    admin = _client(app_sessions, tmp_path, config, "admin")
    first = admin.get("/api/milestones/figures?period=quarter").json()
    assert admin.get("/api/milestones/figures?period=quarter").json() == first
    assert len(builds) == 1
    admin.get("/api/milestones/figures?period=month").raise_for_status()  # another question: its own build
    assert len(builds) == 2
    admin.put("/api/sites/site1/milestones/production", json={"planned": D(3)}).raise_for_status()
    after = admin.get("/api/milestones/figures?period=quarter").json()
    assert len(builds) == 3 and after != first
    east = {r["group"]: r for r in after["production_rates"]}["城东区"]
    assert (east["due"], east["on_time"]) == (1, 0)
