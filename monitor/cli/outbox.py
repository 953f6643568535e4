"""sitemon outbox: what waits, what went out and what was given up, for both receivers; retry the given up."""

from __future__ import annotations

import argparse

from monitor.cli.common import Subparsers, database, wall_clock

TOPICS = ("assessment", "alert")
STATES = ("pending", "delivered", "failed")


def cmd_outbox(args: argparse.Namespace) -> int:
    from monitor.delivery import outbox, repository

    with database(args.database_url) as session:
        if args.outbox_command == "retry":
            count = outbox.retry(session, args.topic, wall_clock())
            print(f"{count} given-up {args.topic} message(s) queued again")
            return 0
        for r in repository.entries(session, args.topic, args.state, args.limit):
            print(
                f"{r.id}\t{r.topic}\t{r.key}\t{r.state}\t{r.attempts}\t{r.next_attempt_at:%Y-%m-%d %H:%M}Z\t{r.last_error}"
            )
    return 0


def add_parser(sub: Subparsers) -> None:
    ob = sub.add_parser("outbox", help="the delivery outbox: list its messages, retry the given-up ones")
    ob_sub = ob.add_subparsers(dest="outbox_command", required=True)
    ob_list = ob_sub.add_parser("list", help="messages, newest first: id, topic, key, state, attempts, next, error")
    ob_list.add_argument("--topic", choices=TOPICS)
    ob_list.add_argument("--state", choices=STATES)
    ob_list.add_argument("--limit", type=int, default=200)
    ob_retry = ob_sub.add_parser("retry", help="send the messages given up after max_attempts again")
    ob_retry.add_argument("--topic", choices=TOPICS, required=True)
    for p in (ob_list, ob_retry):
        p.add_argument("--database-url", help="SQLAlchemy URL (default: $SITEMON_DATABASE_URL or var/sitemon.db)")
        p.set_defaults(func=cmd_outbox)
