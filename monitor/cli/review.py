"""sitemon report (the review pack) and sitemon assignments (the weekly list, for operators)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from monitor.cli.common import DEFAULT_CONFIG, CommandError, Subparsers, add_db, config_and_day, database, wall_clock

log = logging.getLogger("sitemon")


def cmd_report(args: argparse.Namespace) -> int:
    from monitor.core.calendar import Period
    from monitor.review.pack import write

    config, day = config_and_day(args)
    today = config.calendar.day_of(wall_clock())
    if day > today:
        raise CommandError(f"--date {day} has not happened yet (today is {today})")
    with database(args.database_url, config) as session:
        path = write(session, config, Period(args.period), day, today, Path(args.out) if args.out else None)
    print(f"docx\t{path}")
    return 0


def cmd_assignments(args: argparse.Namespace) -> int:
    from monitor.assignments.rules import State, state_on
    from monitor.assignments.store import listed
    from monitor.assignments.weekly import weekly_workbook

    if args.date is None:  # today where the sites are
        from monitor.config import ConfigError, load_config

        try:
            args.date = load_config(args.config).calendar.day_of(wall_clock()).isoformat()
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
    config, day = config_and_day(args)
    with database(args.database_url, config) as session:
        if args.assignments_command == "weekly":
            body, name = weekly_workbook(session, config, day, args.unit, config.calendar.day_of(wall_clock()))
            path = Path(args.out) if args.out else Path(config.export.folder) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            print(f"xlsx\t{path}")
            return 0
        for a in listed(session, unit=args.unit):
            state = state_on(State(a.state), a.deadline, day)
            if state is State.closed and not args.all:
                continue
            print(f"{a.id}\t{a.site_id}\t{a.unit}\t{a.problem}\t{a.deadline}\t{state.value}\t{a.ask}")
    return 0


def add_parser(sub: Subparsers) -> None:
    """`report`, `assignments`."""
    rp = sub.add_parser("report", help="the review pack (月讲评 / 季总结) as a Word document")
    rp.add_argument("--period", choices=["month", "quarter"], default="month")
    rp.add_argument("--date", required=True, help="a local day YYYY-MM-DD of the period")
    rp.add_argument("--config", default=DEFAULT_CONFIG)
    rp.add_argument("--out", help="the .docx to write (default: the export folder)")
    add_db(rp)
    rp.set_defaults(func=cmd_report)

    asg = sub.add_parser("assignments", help="assignments to responsible units (周交办)")
    asg_sub = asg.add_subparsers(dest="assignments_command", required=True)
    for name, what in (("list", "assignments not closed (all with --all)"), ("weekly", "the weekly list as .xlsx")):
        p = asg_sub.add_parser(name, help=what)
        p.add_argument("--config", default=DEFAULT_CONFIG)
        p.add_argument("--date", help="a day (of the week), YYYY-MM-DD (default: today)")
        p.add_argument("--unit", help="one responsible unit")
        if name == "list":
            p.add_argument("--all", action="store_true")
        else:
            p.add_argument("--out", help="the .xlsx to write (default: the export folder)")
        add_db(p)
        p.set_defaults(func=cmd_assignments)
