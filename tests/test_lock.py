"""requirements.lock, the pinned set a vulnerability audit reads, still covers pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name.split("[")[0])] = version.strip()
    return pins


def test_every_declared_dependency_is_pinned_in_the_lock_within_its_bounds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]]
    pins = _pins()
    stale = [
        f"{r.name}{r.specifier} (lock: {pins.get(canonicalize_name(r.name), 'missing')})"
        for r in declared
        if not r.specifier.contains(pins.get(canonicalize_name(r.name), "0.0.0.dev0"), prereleases=True)
        or canonicalize_name(r.name) not in pins
    ]
    assert stale == [], "requirements.lock is stale: run scripts/lock"
