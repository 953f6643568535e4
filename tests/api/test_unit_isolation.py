"""A responsible unit's user sees only its own sites, scores and assignments: every route of the API is
called as unit A with unit B's ids and filters, and no answer holds anything of unit B."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from api.unit_scope import UNIT_PATHS
from tests.api.units_world import UNIT_A, UNIT_B, client, seed, world_config
from tests.fixtures.clock import NOW, ticking

# What only unit B's data holds: its sites' ids and names, its unit's name, its alerts' text.
# Logging in or out, or changing the password, would end the walk's own session: tested in test_auth.py.
SESSION_PATHS = ("/api/auth/login", "/api/auth/logout", "/api/auth/password")
B_MARKERS = ("site2", "site3", "测试工地2", "高新秘密工地", UNIT_B)


def test_every_route_as_a_unit_leaks_nothing_of_another_unit(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = world_config()
    ids = seed(sessions, config, tmp_path / "snap", NOW)
    today = NOW.astimezone(config.tz).date()
    operator = client(sessions, config, tmp_path / "snap", "operator")
    b_task = operator.post("/api/assignments", json={"alert_id": ids["alerts"]["site2"], "ask": "高新复工"}).json()
    a_task = operator.post("/api/assignments", json={"alert_id": ids["alerts"]["site1"], "ask": "城东复工"}).json()
    unit_a = client(sessions, config, tmp_path / "snap", "unit-a")

    values = {
        "site_id": "site2",
        "sample_id": str(ids["samples"]["site2"]),
        "alert_id": str(ids["alerts"]["site2"]),
        "assignment_id": str(b_task["id"]),
        "day": str(today),
        "fmt": "xlsx",
        "milestone": "start",
        "proposal_id": "1",
        "username": "unit-b",
        "z": "1",
        "x": "0",
        "y": "0",
    }
    own = {**values, "site_id": "site1", "sample_id": str(ids["samples"]["site1"]), "assignment_id": str(a_task["id"])}
    tricks = f"?unit={UNIT_B}&site=site2&district=高新区&state="
    paths = create_app(sessions, tmp_path, config=config, clock=ticking()).openapi()["paths"]
    walked, allowed_ok = 0, set()
    routes = [*paths.items(), ("/openapi.json", {"get": {}}), ("/docs", {"get": {}})]
    for template, operations in [(t, o) for t, o in routes if t not in SESSION_PATHS]:
        for method in operations:
            for fill in (values, own):
                path = re.sub(r"\{(\w+)\}", lambda m, f=fill: f[m.group(1)], template)  # type: ignore[misc]
                for url in (path, path + tricks):
                    if method == "get":
                        answer = unit_a.get(url)
                    else:
                        answer = unit_a.request(method.upper(), url, json={"note": "试探", "ask": "x"})
                    walked += 1
                    body = (
                        answer.content.decode("utf-8", "replace") if "xlsx" not in template else _cells(answer.content)
                    )
                    if template == "/api/health":  # public
                        assert not any(m in body for m in B_MARKERS), (method, url, body[:300])
                        continue
                    if template not in UNIT_PATHS:
                        assert answer.status_code == 403, (method, url, answer.status_code, body[:200])
                        continue
                    assert answer.status_code in (200, 403, 404, 409, 415, 422), (method, url, answer.status_code)
                    if answer.status_code == 404:  # naming the id asked for, as for one that does not exist
                        body = body.replace("'site2'", "'?'")
                    assert not any(m in body for m in B_MARKERS), (method, url, body[:300])
                    if answer.status_code == 200:
                        allowed_ok.add(template)
    assert walked > 150
    # The unit's own view works: the walk was not just refusals.
    assert {
        "/api/assignments",
        "/api/assignments/{assignment_id}",
        "/api/assignments/{assignment_id}/evidence",
        "/api/assignments/weekly.xlsx",
        "/api/unit/sites",
        "/api/unit/sites/{site_id}/scores",
        "/api/unit/samples/{sample_id}/snapshot",
        "/api/auth/me",
    } <= allowed_ok
    sites = unit_a.get("/api/unit/sites").json()
    assert [(s["site_id"], s["responsible_unit"]) for s in sites] == [("site1", UNIT_A)]
    assert len(unit_a.get("/api/unit/sites/site1/scores?days=30").json()) == 30
    missing = unit_a.get("/api/unit/sites/site999/scores").json()["detail"]
    assert unit_a.get("/api/unit/sites/site2/scores").json()["detail"] == missing.replace("site999", "site2")
    assert b_task["unit"] == UNIT_B  # and unit B's assignment survived the probing replies
    assert operator.get(f"/api/assignments/{b_task['id']}").json()["state"] == "open"


def _cells(content: bytes) -> str:
    import io

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content))
    except Exception:  # not a workbook: an error answer
        return content.decode("utf-8", "replace")
    return " ".join(str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None)


def test_an_admin_adds_a_unit_user_over_the_api(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    config = world_config()
    seed(sessions, config, tmp_path / "snap", NOW)
    admin = client(sessions, config, tmp_path / "snap", "admin")
    body = {"username": "gx-2", "password": "correct-horse-battery", "role": "unit"}
    missing = admin.post("/api/admin/users", json=body)
    assert missing.status_code == 422 and "unit" in missing.text
    wrong = admin.post("/api/admin/users", json={**body, "role": "viewer", "unit": UNIT_B})
    assert wrong.status_code == 422
    # A unit of blanks (found by the schema fuzzing: it was a 500 after the user had been created).
    blank = admin.post("/api/admin/users", json={**body, "unit": " \t"})
    assert blank.status_code == 422 and "responsible unit" in blank.text
    assert "gx-2" not in {u["username"] for u in admin.get("/api/admin/users").json()}
    added = admin.post("/api/admin/users", json={**body, "unit": UNIT_B})
    assert added.status_code == 201 and added.json()["unit"] == UNIT_B
    listed = {u["username"]: u for u in admin.get("/api/admin/users").json()}
    assert listed["gx-2"]["unit"] == UNIT_B and listed["unit-a"]["unit"] == UNIT_A and listed["viewer"]["unit"] is None
    gx = client(sessions, config, tmp_path / "snap", "gx-2")
    assert [s["site_id"] for s in gx.get("/api/unit/sites").json()] == ["site2", "site3"]
    assert gx.get("/api/admin/users").status_code == 403


def test_a_unit_user_bound_to_no_unit_sees_nothing(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    from monitor.store.users import Role, add_user

    config = world_config(site2_unit="")  # a site nobody owns
    ids = seed(sessions, config, tmp_path / "snap", NOW)
    with sessions() as s:
        add_user(s, "lost", "correct-horse-battery", Role.unit, now=NOW)
    lost = client(sessions, config, tmp_path / "snap", "lost")
    assert lost.get("/api/unit/sites").json() == []
    assert lost.get("/api/assignments").json() == []
    assert lost.get("/api/unit/sites/site2/scores").status_code == 404
    assert lost.get(f"/api/unit/samples/{ids['samples']['site2']}/snapshot").status_code == 404


def test_another_units_sample_is_as_missing_as_one_that_does_not_exist(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """Walking the sample ids as unit A: unit B's sample and an id nobody has answer the same 404, word for
    word but the id, so the walk learns neither B's site ids nor when B's cameras were sampled."""
    config = world_config()
    ids = seed(sessions, config, tmp_path / "snap", NOW)
    unit_a = client(sessions, config, tmp_path / "snap", "unit-a")
    theirs, nobodys = ids["samples"]["site2"], max(ids["samples"].values()) + 1000
    answers = {n: unit_a.get(f"/api/unit/samples/{n}/snapshot") for n in (theirs, nobodys)}
    assert [a.status_code for a in answers.values()] == [404, 404]
    assert [a.json()["detail"] for a in answers.values()] == [f"sample {n} has no snapshot" for n in answers]
    assert not any(m in answers[theirs].text for m in B_MARKERS)
    assert unit_a.get(f"/api/unit/samples/{ids['samples']['site1']}/snapshot").status_code == 200  # its own
