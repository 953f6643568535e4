"""The architecture holds: no import cycles anywhere (lazy imports included)."""

from __future__ import annotations

import re
from pathlib import Path

import grimp


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph("monitor", "api", "detectors")
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "b", "c", "d"):
        graph.add_module(name)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="c")
    graph.add_import(importer="c", imported="a")
    graph.add_import(importer="c", imported="d")
    assert _cycles(graph) == [["a", "b", "c"]]


def test_the_architecture_page_names_every_package_table_and_create_app_parameter() -> None:
    """docs/architecture.md is kept true: a new package, table or app parameter must be described there."""
    import inspect
    from pathlib import Path

    from api.app import create_app
    from monitor.store import models

    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "architecture.md").read_text()
    packages = [p.parent.relative_to(root).as_posix() for p in (root / "monitor").glob("*/__init__.py")]
    packages += ["api", "detectors", "api/routers", "monitor/migrations"]
    missing = [p for p in packages if f"`{p}/`" not in page and f"`{p}`" not in page]
    assert missing == [], f"not in docs/architecture.md: {missing}"
    tables = sorted(models.Base.metadata.tables)
    assert [t for t in tables if f"| `{t}` |" not in page] == []
    params = list(inspect.signature(create_app).parameters)
    assert f"create_app({', '.join(params)})" in page


def _wall_clock_reads(root: Path, folders: tuple[str, ...], allowed: set[str], pattern: str) -> list[str]:
    reads = re.compile(pattern)
    found = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            if name in allowed or name.startswith("monitor/migrations/"):
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if reads.search(line):
                    found.append(f"{name}:{number}: {line.strip()}")
    return found


READS_THE_CLOCK = r"\b(?:dt\.)?(?:datetime\.now|datetime\.utcnow|date\.today)\(|\butc_now\(\)"


def test_only_the_composition_root_reads_the_wall_clock() -> None:
    """Everything takes an injected clock; only the CLI's one clock (``monitor/cli/common.py``, handed on to
    all it builds) and the clock module read the real one. APScheduler's own first run time is real time."""
    root = Path(__file__).resolve().parents[1]
    allowed = {"monitor/core/clock.py", "monitor/cli/common.py", "monitor/service/scheduling.py"}
    assert _wall_clock_reads(root, ("monitor", "api", "detectors"), allowed, READS_THE_CLOCK) == []
    scheduling = (root / "monitor/service/scheduling.py").read_text()
    assert [m.group(0) for m in re.finditer(READS_THE_CLOCK, scheduling)] == ["utc_now()"]


def test_no_test_reads_the_wall_clock() -> None:
    """Every test takes its time from tests/fixtures/clock.py (a pinned NOW, moved by SITEMON_TEST_NOW for the
    calendar check), so a test cannot pass on one date and fail on another."""
    root = Path(__file__).resolve().parents[1]
    pattern = READS_THE_CLOCK + r"|\btime\.time\(\)|\bdatetime\.today\("
    found = _wall_clock_reads(root, ("tests",), {"tests/fixtures/clock.py"}, pattern)
    found = [f for f in found if not f.startswith("tests/test_architecture.py")]
    assert found == []


ZONE_CONVERSION = (
    r"\.astimezone\((?!\s*(?:dt\.)?UTC\s*\))"  # to anything but UTC
    r"|\bZoneInfo\("
    r"|\.replace\(tzinfo=(?!\s*(?:dt\.)?UTC\b|None\b)"
    r"|\.combine\(.*,\s*[\w.]*\btz\)"  # a local date and time in a zone
)


def test_only_the_calendar_converts_between_zones() -> None:
    """Which local day, which local time, which period: ``monitor/core/calendar.py`` answers, nothing else
    converts an instant to or from the local zone by hand."""
    root = Path(__file__).resolve().parents[1]
    allowed = {"monitor/core/calendar.py"}
    assert _wall_clock_reads(root, ("monitor", "api", "detectors"), allowed, ZONE_CONVERSION) == []


CLOCK_DEFAULT = r"\butc_now\b(?!\()|\bdefault(?:_factory)?=\s*(?:dt\.)?datetime\.(?:now|utcnow)\b"


def test_no_default_reads_the_real_clock() -> None:
    """A parameter, field or ORM column defaulting to the real clock would let a forgotten argument read the
    wall clock unnoticed: every clock is handed down from the CLI (``monitor/cli/``) or given by a test."""
    root = Path(__file__).resolve().parents[1]
    allowed = {"monitor/core/clock.py"}
    found = _wall_clock_reads(root, ("monitor", "api", "detectors"), allowed, CLOCK_DEFAULT)
    found = [
        f
        for f in found
        if not f.startswith("monitor/cli/") and not f.split(": ", 1)[1].startswith(("from ", "import "))
    ]
    assert found == []


def test_the_zone_is_named_only_by_the_config() -> None:
    """The default zone is the config's (``monitor.config.root.DEFAULT_TIMEZONE``); nothing else names one."""
    root = Path(__file__).resolve().parents[1]
    allowed = {"monitor/config/root.py", "monitor/core/calendar.py", "monitor/config/settings.py"}
    assert _wall_clock_reads(root, ("monitor", "api"), allowed, r"[\"']Asia/Shanghai[\"']") == []


def test_the_architecture_page_shows_the_table_of_jobs() -> None:
    """The jobs are declared once (``monitor/service/schedule.py``); the page shows that very table."""
    from monitor.service.schedule import JOBS, jobs_markdown

    page = (Path(__file__).resolve().parents[1] / "docs" / "architecture.md").read_text()
    shown = page.split("<!-- jobs: generated from monitor/service/schedule.py -->\n", 1)[1].split("\n<!-- /jobs -->")[0]
    assert shown == jobs_markdown()
    assert len({job.id for job in JOBS}) == len(JOBS)


NOT_IN_A_REPOSITORY_YET = 0
"""Modules outside ``monitor/store/`` and the ``*/repository.py`` modules that still import the tables
(pyproject.toml's list of exceptions to the repository contract). Only ever lowered."""
SELECTS_OUTSIDE_REPOSITORIES = 0
"""``select(`` written outside ``monitor/store/`` and the repositories. Only ever lowered."""


def test_the_tables_are_queried_in_repositories_and_the_exceptions_only_shrink() -> None:
    root = Path(__file__).resolve().parents[1]
    config = (root / "pyproject.toml").read_text()
    exceptions = re.findall(r'^\s+"([\w.]+) -> monitor\.store\.models",$', config, re.M)
    assert len(exceptions) <= NOT_IN_A_REPOSITORY_YET, "the repository contract's exceptions only shrink"
    assert not [e for e in exceptions if e.endswith(".repository")]
    selects = 0
    for folder in ("monitor", "api"):
        for path in (root / folder).rglob("*.py"):
            name = path.relative_to(root).as_posix()
            if name.startswith(("monitor/store/", "monitor/migrations/")) or path.name == "repository.py":
                continue
            selects += len(re.findall(r"\bselect\(", path.read_text()))
    assert selects <= SELECTS_OUTSIDE_REPOSITORIES, "a new query belongs in its stage's repository.py"


def test_the_architecture_page_says_each_thing_once_and_what_the_code_holds() -> None:
    """Each table row and each stage once; the values it lists exist; the modules it calls pure are the
    ones the import contract keeps pure."""
    import tomllib

    from monitor.core import values

    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "architecture.md").read_text()
    tables = re.findall(r"^\| `(\w+)` \|", page, re.M)
    assert sorted(set(tables)) == sorted(tables), "a table described twice"
    stages = re.findall(r"^\| \d+ \| `([\w/]+)` \|", page, re.M)
    assert len(set(stages)) == len(stages), "a stage described twice"
    listed = re.search(r"`values` \(the frozen values between stages: ([^)]*)\)", page)
    assert listed is not None
    assert [n for n in re.findall(r"`(\w+)`", listed.group(1)) if not hasattr(values, n)] == []
    contracts = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    pure = next(c for c in contracts if c["name"].startswith("Rules are pure"))["source_modules"]
    named = page.split("import-linter forbids the rule modules", 1)[1].split("from importing", 1)[0]
    assert sorted(f"monitor.{m}" for m in re.findall(r"`([\w.]+)`", named)) == sorted(pure)
