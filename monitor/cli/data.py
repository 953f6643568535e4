"""Commands on the stored data: scores, assessment exports, alerts, users."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import logging
import os

from monitor.cli.common import DEFAULT_CONFIG, CommandError, Subparsers, add_db, config_and_day, database, wall_clock
from monitor.config import AppConfig

log = logging.getLogger("sitemon")


def _day_that_began(args: argparse.Namespace, now: dt.datetime) -> tuple[AppConfig, dt.date]:
    """--date, refused when it has not begun: scores and records for it would describe nothing seen."""
    from monitor.export.job import day_refusal

    config, day = config_and_day(args)
    if (problem := day_refusal(config, day, now)) is not None:
        raise CommandError(f"--date {problem}")
    return config, day


def cmd_score(args: argparse.Namespace) -> int:
    from monitor.scoring.daily import score_days

    now = wall_clock()
    config, day = _day_that_began(args, now)
    sites = set(args.site) if args.site else None
    unknown = (sites or set()) - {s.id for s in config.sites}
    if unknown:
        raise CommandError(f"unknown site(s) {', '.join(sorted(unknown))} in {args.config}")
    with database(args.database_url, config) as session:
        results = score_days(session, config, [day], sites, now=now)
    for r in results:
        score = "-" if r.score is None else f"{r.score:.1f}"
        print(f"{r.day}\t{r.site_id}\t{score}\t{r.status.value}")
    return 0


def cmd_export_day(args: argparse.Namespace) -> int:
    from monitor.export.files import ExportWriteError
    from monitor.export.job import export_day
    from monitor.export.records import resend
    from monitor.export.summary import Period, write_summary

    now = wall_clock()
    config, day = _day_that_began(args, now)
    with database(args.database_url, config) as session:
        if args.period:
            print(f"xlsx\t{write_summary(session, config, Period(args.period), day, config.calendar.day_of(now))}")
            return 0
        try:
            files = export_day(session, config, day, now)
        except ExportWriteError as exc:
            log.error("%s: %s", config.export.folder, exc.strerror)
            return 1
        if args.resend:
            print(f"{resend(session, day, now, set(args.site) if args.site else None)} record(s) queued again")
    for kind, path in files.items():
        print(f"{kind}\t{path}")
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from monitor.alerts import repository
    from monitor.alerts.lifecycle import OPEN_STATES, acknowledge, close

    with database(args.database_url) as session:
        if args.alerts_command == "close":
            if close(session, args.id, args.by, wall_clock(), args.note) is None:
                log.error("alert %d is not open (unknown, or already resolved)", args.id)
                return 1
            print(f"alert {args.id} closed by {args.by}")
            return 0
        if args.alerts_command == "ack":
            if acknowledge(session, args.id, args.by, wall_clock()) is None:
                log.error("alert %d is not open (unknown, already acknowledged or resolved)", args.id)
                return 1
            print(f"alert {args.id} acknowledged by {args.by}")
            return 0
        for a in repository.alerts(session, None if args.all else OPEN_STATES, limit=args.limit):
            print(
                f"{a.id}\t{a.opened_at:%Y-%m-%d %H:%M}Z\t{a.state.value}\t{a.severity.value}\t{a.site_id}\t{a.type}\t{a.message}"
            )
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from monitor.store import users

    with database(args.database_url) as session:
        try:
            if args.users_command == "list":
                for listed in users.listing(session, wall_clock()):
                    u = listed.account
                    state = "active" if u.active else "disabled"
                    line = f"{u.username}\t{u.role.name}\t{u.display_name}\t{state}\t{listed.sessions} session(s)"
                    print(line if listed.unit is None else f"{line}\t{listed.unit}")
                return 0
            if args.users_command == "add":
                role = users.Role.parse(args.role)
                if (role is users.Role.unit) != bool(args.unit):
                    raise users.UserError("--unit goes with --role unit, and only with it")
                users.add_user(
                    session, args.username, _password(args.username), role, args.name or "", now=wall_clock()
                )
                if args.unit:
                    from monitor.assignments.units import bind

                    bind(session, args.username, args.unit)
                print(f"user {args.username} ({args.role}) added")
            elif args.users_command == "passwd":
                ended = users.set_password(session, args.username, _password(args.username))
                print(f"password of {args.username} changed; {ended} session(s) ended")
            elif args.users_command == "revoke":
                print(f"{users.revoke_sessions(session, args.username)} session(s) of {args.username} ended")
            else:
                ended = users.set_active(session, args.username, args.users_command == "enable")
                print(f"user {args.username} {args.users_command}d; {ended} session(s) ended")
        except ValueError as exc:  # UserError, or an unknown role
            raise CommandError(str(exc)) from None
    return 0


def _password(username: str) -> str:
    return os.environ.get("SITEMON_PASSWORD") or getpass.getpass(f"password for {username}: ")


def add_parser(sub: Subparsers) -> None:
    """`score`, `users`, `alerts`."""
    sc = sub.add_parser("score", help="(re)compute the daily score of every site, or of some, for a day")
    sc.add_argument("--config", default=DEFAULT_CONFIG)
    sc.add_argument("--date", required=True, help="local date YYYY-MM-DD")
    sc.add_argument("--site", action="append", help="site id (repeatable); default: all sites")
    add_db(sc)
    sc.set_defaults(func=cmd_score)

    us = sub.add_parser("users", help="manage dashboard users (unit, viewer, operator, admin)")
    us_sub = us.add_subparsers(dest="users_command", required=True)
    us_add = us_sub.add_parser("add", help="add a user; the password comes from $SITEMON_PASSWORD or a prompt")
    us_add.add_argument("username")
    us_add.add_argument("--role", required=True, choices=["unit", "viewer", "operator", "admin"])
    us_add.add_argument("--unit", help="with --role unit: the responsible unit, as the sites' responsible_unit")
    us_add.add_argument("--name", help="display name, e.g. 张三")
    add_db(us_add)
    us_add.set_defaults(func=cmd_users)
    us_list = us_sub.add_parser("list", help="users, roles, whether active, live sessions")
    add_db(us_list)
    us_list.set_defaults(func=cmd_users)
    for name, what in (
        ("disable", "disable a user and end their sessions"),
        ("enable", "enable a disabled user"),
        ("passwd", "set a user's password ($SITEMON_PASSWORD or a prompt) and end their sessions"),
        ("revoke", "end every session of a user (log them out everywhere)"),
    ):
        us_cmd = us_sub.add_parser(name, help=what)
        us_cmd.add_argument("username")
        add_db(us_cmd)
        us_cmd.set_defaults(func=cmd_users)

    al = sub.add_parser("alerts", help="list, acknowledge or close alerts")
    al_sub = al.add_subparsers(dest="alerts_command", required=True)
    al_list = al_sub.add_parser("list", help="open alerts (all with --all)")
    al_list.add_argument("--all", action="store_true")
    al_list.add_argument("--limit", type=int, default=200)
    add_db(al_list)
    al_list.set_defaults(func=cmd_alerts)
    al_ack = al_sub.add_parser("ack", help="acknowledge an open alert")
    al_ack.add_argument("id", type=int)
    al_ack.add_argument("--by", required=True, help="who acknowledges (name or user id)")
    add_db(al_ack)
    al_ack.set_defaults(func=cmd_alerts)
    al_close = al_sub.add_parser(
        "close", help="close an alert by an operator's word (an idle alert stays closed until work is seen)"
    )
    al_close.add_argument("id", type=int)
    al_close.add_argument("--by", required=True, help="who closes it (name or user id)")
    al_close.add_argument("--note", default="", help="why (e.g. 批准停工)")
    add_db(al_close)
    al_close.set_defaults(func=cmd_alerts)
