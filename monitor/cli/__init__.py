"""The `sitemon` command. Each command module registers its own subcommands (``add_parser(sub)``), in one
style; ``build_parser`` only lists the modules."""

from __future__ import annotations

import argparse
import logging

from monitor.cli import cameras, data, model, outbox, replay, review, serve, sites, starts
from monitor.cli.common import CommandError
from monitor.core.logs import setup_logging
from monitor.core.memory import limit_arenas

log = logging.getLogger("sitemon")

COMMANDS = (serve, data, starts, sites, cameras, outbox, review, model, replay)
"""The command modules, in the order `sitemon --help` lists their subcommands."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitemon", description="Construction progress monitor")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    limit_arenas()  # before any thread: RSS stays flat over months of sweeps (monitor/core/memory.py)
    args = build_parser().parse_args(argv)
    setup_logging(args.log_level)
    try:
        code: int = args.func(args)
    except CommandError as exc:
        log.error("%s", exc)
        return 2
    return code
