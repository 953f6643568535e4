"""Helpers shared by the sitemon commands."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
from collections.abc import Iterator
from typing import TypeAlias

from sqlalchemy.orm import Session

from monitor.config import AppConfig, ConfigError, load_config
from monitor.core.clock import Clock, utc_now

log = logging.getLogger("sitemon")

CLOCK: Clock = utc_now
"""The wall clock. The CLI is the composition root: the one place sitemon reads it, handing ``wall_clock`` on
to everything it builds (the runtime, the API, the demo). Tests pin it by replacing ``CLOCK``."""


def wall_clock() -> dt.datetime:
    return CLOCK()


DEFAULT_CONFIG = "camera_config.yaml"

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What each command module's ``add_parser(sub)`` registers its subcommands on (``monitor.cli.build_parser``)."""


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database-url", help="SQLAlchemy URL (default: $SITEMON_DATABASE_URL or var/sitemon.db)")


def add_http(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to bind; keep 127.0.0.1 behind a TLS proxy")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--trusted-proxy",
        default="127.0.0.1",
        help="address(es) whose X-Forwarded-For/-Proto are believed (comma-separated; the TLS proxy)",
    )


class CommandError(Exception):
    """A bad argument or file: logged, exit code 2."""


def config_and_day(args: argparse.Namespace) -> tuple[AppConfig, dt.date]:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    try:
        return config, dt.date.fromisoformat(args.date)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, got {args.date!r}") from None


@contextlib.contextmanager
def database(url: str | None, config: AppConfig | None = None) -> Iterator[Session]:
    """A session on the migrated database (the config's sites synced first, when one is given)."""
    from monitor.store import make_engine, make_session_factory, migrate
    from monitor.store.repo import sync_config

    engine = make_engine(url)
    try:
        migrate(engine)
        with make_session_factory(engine)() as session:
            if config is not None:
                sync_config(session, config, wall_clock)
            yield session
    finally:
        engine.dispose()
