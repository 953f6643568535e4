"""sitemon starts: the starts seen on camera, for operators without the dashboard."""

from __future__ import annotations

import argparse
import datetime as dt
import logging

from monitor.cli.common import DEFAULT_CONFIG, CommandError, Subparsers, database, wall_clock

log = logging.getLogger("sitemon")


def cmd_starts(args: argparse.Namespace) -> int:
    from monitor.milestones import repository
    from monitor.milestones.detection import ProposalState

    if args.starts_command in ("confirm", "reject"):
        return _decide(args)
    with database(args.database_url) as session:
        state = None if args.all else ProposalState.pending
        for p in repository.proposals(session, state=state, limit=args.limit):
            days = " ".join(f"{e['day']}:{e.get('status')}" for e in p.evidence)
            print(f"{p.id}\t{p.site_id}\t{p.day}\t{p.state}\t{p.decided_by or ''}\t{days}")
    return 0


def _decide(args: argparse.Namespace) -> int:
    from monitor.config import ConfigError, load_config
    from monitor.milestones.starts import ProposalError, confirm_start, reject_start
    from monitor.scoring.daily import score_days

    now = wall_clock()
    try:
        config = load_config(args.config) if args.starts_command == "confirm" else None
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    with database(args.database_url, config) as session:
        try:
            if config is None:
                reject_start(session, args.site, args.id, args.by, now, args.note)
                print(f"start proposal {args.id} of {args.site} rejected by {args.by}")
                return 0
            proposal = confirm_start(session, args.site, args.id, args.by, now, args.note)
        except ProposalError as exc:
            log.error("%s", exc)
            return 1
        today = config.calendar.day_of(now)
        days = [proposal.day + dt.timedelta(days=n) for n in range((today - proposal.day).days + 1)][-92:]
        score_days(session, config, days, {args.site}, now=now)
        print(f"{args.site} started on {proposal.day} (confirmed by {args.by}); {len(days)} day(s) scored again")
    return 0


def add_parser(sub: Subparsers) -> None:
    st = sub.add_parser("starts", help="starts seen on camera: list, confirm or reject them")
    st_sub = st.add_subparsers(dest="starts_command", required=True)
    st_list = st_sub.add_parser("list", help="proposals waiting for an operator (all with --all)")
    st_list.add_argument("--all", action="store_true")
    st_list.add_argument("--limit", type=int, default=200)
    for name, what in (
        ("confirm", "confirm a start: the site is started from its day, and its days since are scored again"),
        ("reject", "reject a start: the site stays signed"),
    ):
        cmd = st_sub.add_parser(name, help=what)
        cmd.add_argument("site")
        cmd.add_argument("id", type=int)
        cmd.add_argument("--by", required=True, help="who decides (name or user id)")
        cmd.add_argument("--note", default="")
        cmd.add_argument("--config", default=DEFAULT_CONFIG)
        cmd.set_defaults(func=cmd_starts)
    for p in st_sub.choices.values():
        p.add_argument("--database-url", help="SQLAlchemy URL (default: $SITEMON_DATABASE_URL or var/sitemon.db)")
    st_list.set_defaults(func=cmd_starts)
