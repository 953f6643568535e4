"""Small builders shared by tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from monitor.demo.config import SAMPLE_CCTV_SECONDS
from tests.fixtures.clock import NOW
from tests.fixtures.servers import COCO_MODEL, SAMPLE_VIDEO


def _loop(url: str) -> dict[str, Any]:
    """The sample footage is CCTV for its first 24 s only (then black, then an end card)."""
    return {"file_loop_seconds": SAMPLE_CCTV_SECONDS} if url == str(SAMPLE_VIDEO) else {}


def config_dict(urls: list[str] | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid configuration mapping with one site per URL (default: the sample video)."""
    urls = urls or [str(SAMPLE_VIDEO)]
    data: dict[str, Any] = {
        "timezone": "Asia/Shanghai",
        "sampling": {"interval_seconds": 60, "max_workers": 4, "open_timeout_seconds": 5, "read_timeout_seconds": 5},
        "detector": {"model": str(COCO_MODEL)},
        "sites": [
            {
                "id": f"site{i + 1}",
                "name": f"测试工地{i + 1}",
                "district": "城东区" if i % 2 == 0 else "高新区",
                "batch": "started",
                "cameras": [{"id": "cam1", "url": url, **_loop(url)}],
            }
            for i, url in enumerate(urls)
        ],
    }
    data.update(copy.deepcopy(overrides))
    return data


def write_config(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def logged_in(client: Any, sessions: Any, role: str = "admin", username: str | None = None) -> Any:
    """Create a user with ``role`` and log ``client`` in as them (Bearer token on every request)."""
    from monitor.store.users import Role, add_user

    name = username or f"{role}-user"
    with sessions() as s:
        add_user(s, name, "correct-horse-battery", Role[role], display_name=f"{role} 测试", now=NOW)
    token = client.post("/api/auth/login", json={"username": name, "password": "correct-horse-battery"}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    client.cookies.clear()
    return client
