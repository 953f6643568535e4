"""Commands on the stored data: scores, assessment exports, alerts, users."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import logging
import os

from monitor.cli.common import CommandError, config_and_day, database, wall_clock
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
    from sqlalchemy import select

    from monitor.alerts.lifecycle import OPEN_STATES, acknowledge, close
    from monitor.store import models

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
        query = select(models.Alert).order_by(models.Alert.opened_at.desc()).limit(args.limit)
        if not args.all:
            query = query.where(models.Alert.state.in_(OPEN_STATES))
        for a in session.scalars(query):
            print(f"{a.id}\t{a.opened_at:%Y-%m-%d %H:%M}Z\t{a.state}\t{a.severity}\t{a.site_id}\t{a.type}\t{a.message}")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from monitor.store import users

    with database(args.database_url) as session:
        try:
            if args.users_command == "list":
                from monitor.assignments.units import unit_of

                live = users.session_counts(session, wall_clock())
                for u in users.all_users(session):
                    state = "active" if u.active else "disabled"
                    unit = unit_of(session, u)
                    line = f"{u.username}\t{u.role}\t{u.display_name}\t{state}\t{live.get(u.id, 0)} session(s)"
                    print(line if unit is None else f"{line}\t{unit}")
                return 0
            if args.users_command == "add":
                role = users.Role.parse(args.role)
                if (role is users.Role.unit) != bool(args.unit):
                    raise users.UserError("--unit goes with --role unit, and only with it")
                users.add_user(session, args.username, _password(args.username), role, args.name or "")
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
