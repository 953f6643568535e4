"""Small builders shared by tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from tests.fixtures.servers import COCO_MODEL, SAMPLE_VIDEO


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
                "cameras": [{"id": "cam1", "url": url}],
            }
            for i, url in enumerate(urls)
        ],
    }
    data.update(copy.deepcopy(overrides))
    return data


def write_config(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path
