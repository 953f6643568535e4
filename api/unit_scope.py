"""What a responsible unit's user (role ``unit``) may call: deny by default.

Every endpoint behind the login runs ``auth.current_user``; for a unit user it lets through only the paths
below, each of which answers with that unit's own sites, scores and assignments and nothing else. A new
endpoint is closed to units until it is added here (tests/api/test_unit_isolation.py walks every route)."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.requests import HTTPConnection

UNIT_PATHS = frozenset(
    {
        "/api/auth/me",
        "/api/auth/password",
        "/api/assignments",
        "/api/assignments/weekly.xlsx",
        "/api/assignments/{assignment_id}",
        "/api/assignments/{assignment_id}/reply",
        "/api/assignments/{assignment_id}/evidence",
        "/api/assignments/{assignment_id}/photo",
        "/api/unit/sites",
        "/api/unit/sites/{site_id}/scores",
        "/api/unit/samples/{sample_id}/snapshot",
        "/api/sites/{site_id}/timelapse",
        "/api/wording",
        "/api/map",
        "/api/map/tiles/{z}/{x}/{y}",  # base-map pictures only: nothing of any site
    }
)


def refuse_outside_scope(connection: HTTPConnection) -> None:
    route = connection.scope.get("route")
    path = getattr(route, "path", None)
    if path not in UNIT_PATHS:
        raise HTTPException(403, "a responsible unit's account sees only its own sites and assignments")
