"""The scheduler lease after a `kill -9`: a lease held by a process of this host that is gone is taken at once
(before: the restarted process waited out the lease, a minute of samples lost); one held by a live process,
or by a process on another host, runs out as before. The holders are real processes on a real database."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.service.leadership import LEASE_NAME, LEASE_TTL
from monitor.store import make_engine, make_session_factory, migrate
from monitor.store.lease import acquire, holder_gone, holder_id
from tests.fixtures.clock import NOW
from tests.fixtures.servers import ROOT

HOLD = """
import datetime as dt, sys, time
from monitor.store import make_engine, make_session_factory
from monitor.store.lease import acquire, holder_id
sessions = make_session_factory(make_engine(sys.argv[1]))
holder = holder_id()
with sessions() as session:
    assert acquire(session, sys.argv[2], holder, dt.timedelta(seconds=60), dt.datetime.fromisoformat(sys.argv[3]))
print(holder, flush=True)
time.sleep(600)
"""


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'sitemon.db'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    yield url


def _holding(url: str) -> tuple[subprocess.Popen[str], str]:
    """Another `sitemon run` of this host: a process that took the lease at NOW and runs on."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, url, LEASE_NAME, NOW.isoformat()], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def test_a_lease_of_a_killed_process_is_taken_at_once_and_a_live_ones_is_not(database: str) -> None:
    sessions = make_session_factory(make_engine(database))
    soon = NOW + dt.timedelta(seconds=2)  # well within the dead holder's 60 s
    live, live_holder = _holding(database)
    try:
        assert live_holder.startswith(f"{socket.gethostname()}:{live.pid}:")
        with sessions() as s:
            assert not acquire(s, LEASE_NAME, holder_id(), LEASE_TTL, soon)  # it runs: it keeps the lease
    finally:
        live.kill()
        live.wait(10)
    dead, dead_holder = _holding(database)
    os.kill(dead.pid, signal.SIGKILL)  # kill -9 mid-sweep
    os.waitid(os.P_PID, dead.pid, os.WEXITED | os.WNOWAIT)  # it has died; its parent has not reaped it yet
    try:
        with sessions() as s:
            # Killed but not yet reaped by its parent (a zombie) is as gone as reaped.
            assert holder_gone(dead_holder)
            me = holder_id()
            assert acquire(s, LEASE_NAME, me, LEASE_TTL, soon)
            assert not acquire(s, LEASE_NAME, holder_id(), LEASE_TTL, soon)  # now ours, and we run
    finally:
        dead.wait(10)
    assert holder_gone(dead_holder)


@pytest.mark.parametrize(
    "holder",
    [
        f"another-host:{os.getpid() + 400_000}:abcd1234:4026531836",  # elsewhere: cannot tell, so it runs out
        f"{socket.gethostname()}:999999999:abcd1234",  # an older process's holder, without its namespace
        f"{socket.gethostname()}:{os.getpid()}:abcd1234:{holder_id().rsplit(':', 1)[1]}",  # this process runs
        "A",
    ],
    ids=["another-host", "no-namespace", "this-process", "a-name"],
)
def test_holders_that_are_not_known_to_be_gone(holder: str) -> None:
    assert holder_gone(holder) is False
