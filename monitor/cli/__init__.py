"""The `sitemon` command."""

from __future__ import annotations

import argparse
import logging

from monitor.cli import cameras, data, model, outbox, replay, review, serve, sites, starts
from monitor.cli.common import DEFAULT_CONFIG, CommandError
from monitor.core.logs import setup_logging

log = logging.getLogger("sitemon")


def cmd_export(args: argparse.Namespace) -> int:
    """`--date D`: the day's assessment. A model goes to OpenVINO with `sitemon export-model`."""
    if args.weights:  # the verb once did both; kept working, with a pointer to the command that says it
        log.warning("`sitemon export --weights` is now `sitemon export-model --weights`")
        return model.cmd_export_model(args)
    if not args.date:
        raise CommandError("give --date YYYY-MM-DD (a model is exported with `sitemon export-model`)")
    return data.cmd_export_day(args)


def add_model_export(p: argparse.ArgumentParser, hidden: bool) -> None:
    """The options of `sitemon export-model` (``hidden``: on `sitemon export`, where they used to be)."""

    def shown(text: str) -> str:
        return argparse.SUPPRESS if hidden else text

    p.add_argument("--weights", required=not hidden, help=shown(".pt weights to export to OpenVINO"))
    p.add_argument("--imgsz", type=int, default=640, help=shown("input size of the exported model"))
    p.add_argument("--out", help=shown("target *_openvino_model folder (default: beside the weights)"))
    p.add_argument(
        "--data", default="../shared/datasets/construction-site-safety/data.yaml", help=shown("images to check on")
    )
    p.add_argument("--check-images", type=int, default=50, help=shown("how many images the check compares"))
    p.add_argument("--min-match", type=float, default=0.95, help=shown("share of the .pt's boxes to match"))


def build_parser() -> argparse.ArgumentParser:
    from monitor.service.demo import DEMO_RECEIVER_PORT

    parser = argparse.ArgumentParser(prog="sitemon", description="Construction progress monitor")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    sub = parser.add_subparsers(dest="command", required=True)

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

    config = sub.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(dest="config_command", required=True)
    check = config_sub.add_parser("check", help="validate a configuration file; list every error")
    check.add_argument("file")
    check.set_defaults(func=serve.cmd_config_check)

    run = sub.add_parser("run", help="sample on schedule and serve the API")
    run.add_argument("--config", default=DEFAULT_CONFIG)
    run.add_argument("--no-api", action="store_true", help="sample only")
    add_db(run)
    add_http(run)
    run.set_defaults(func=serve.cmd_run)

    worker = sub.add_parser("worker", help="take cameras from the broker (execution.mode: celery)")
    worker.add_argument("--config", default=DEFAULT_CONFIG)
    worker.add_argument("--concurrency", type=int, default=2, help="tasks at a time; they share one model")
    worker.add_argument("--hostname", help="worker name, e.g. sitemon@host-1 (default: celery@<host>)")
    add_db(worker)
    worker.set_defaults(func=serve.cmd_worker)

    workers = sub.add_parser("workers", help="Celery: the broker, tasks waiting and the workers that answer")
    workers.add_argument("--config", default=DEFAULT_CONFIG)
    workers.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for answers")
    workers.set_defaults(func=serve.cmd_workers)

    demo = sub.add_parser("demo", help="run on the sample footage with SQLite")
    demo.add_argument("--shared", default="../shared", help="folder holding videos/ and models/")
    demo.add_argument("--interval", type=int, default=20, help="seconds between sweeps")
    demo.add_argument(
        "--days", type=int, default=30, choices=range(1, 91), metavar="1..90", help="days of history (docs/demo.md)"
    )
    demo.add_argument(
        "--receiver-port",
        type=int,
        default=DEMO_RECEIVER_PORT,
        help="port of the demo's records receiver on 127.0.0.1 (default: %(default)s; taken: another one is picked)",
    )
    add_db(demo)
    add_http(demo)
    demo.set_defaults(func=serve.cmd_demo)

    sweep = sub.add_parser("sweep", help="sample every camera once now, store and print the results")
    sweep.add_argument("--config", default=DEFAULT_CONFIG)
    add_db(sweep)
    sweep.set_defaults(func=serve.cmd_sweep)

    sc = sub.add_parser("score", help="(re)compute the daily score of every site, or of some, for a day")
    sc.add_argument("--config", default=DEFAULT_CONFIG)
    sc.add_argument("--date", required=True, help="local date YYYY-MM-DD")
    sc.add_argument("--site", action="append", help="site id (repeatable); default: all sites")
    add_db(sc)
    sc.set_defaults(func=data.cmd_score)

    us = sub.add_parser("users", help="manage dashboard users (unit, viewer, operator, admin)")
    us_sub = us.add_subparsers(dest="users_command", required=True)
    us_add = us_sub.add_parser("add", help="add a user; the password comes from $SITEMON_PASSWORD or a prompt")
    us_add.add_argument("username")
    us_add.add_argument("--role", required=True, choices=["unit", "viewer", "operator", "admin"])
    us_add.add_argument("--unit", help="with --role unit: the responsible unit, as the sites' responsible_unit")
    us_add.add_argument("--name", help="display name, e.g. 张三")
    add_db(us_add)
    us_add.set_defaults(func=data.cmd_users)
    us_list = us_sub.add_parser("list", help="users, roles, whether active, live sessions")
    add_db(us_list)
    us_list.set_defaults(func=data.cmd_users)
    for name, what in (
        ("disable", "disable a user and end their sessions"),
        ("enable", "enable a disabled user"),
        ("passwd", "set a user's password ($SITEMON_PASSWORD or a prompt) and end their sessions"),
        ("revoke", "end every session of a user (log them out everywhere)"),
    ):
        us_cmd = us_sub.add_parser(name, help=what)
        us_cmd.add_argument("username")
        add_db(us_cmd)
        us_cmd.set_defaults(func=data.cmd_users)

    al = sub.add_parser("alerts", help="list, acknowledge or close alerts")
    al_sub = al.add_subparsers(dest="alerts_command", required=True)
    al_list = al_sub.add_parser("list", help="open alerts (all with --all)")
    al_list.add_argument("--all", action="store_true")
    al_list.add_argument("--limit", type=int, default=200)
    add_db(al_list)
    al_list.set_defaults(func=data.cmd_alerts)
    al_ack = al_sub.add_parser("ack", help="acknowledge an open alert")
    al_ack.add_argument("id", type=int)
    al_ack.add_argument("--by", required=True, help="who acknowledges (name or user id)")
    add_db(al_ack)
    al_ack.set_defaults(func=data.cmd_alerts)
    al_close = al_sub.add_parser(
        "close", help="close an alert by an operator's word (an idle alert stays closed until work is seen)"
    )
    al_close.add_argument("id", type=int)
    al_close.add_argument("--by", required=True, help="who closes it (name or user id)")
    al_close.add_argument("--note", default="", help="why (e.g. 批准停工)")
    add_db(al_close)
    al_close.set_defaults(func=data.cmd_alerts)

    starts.add_parser(sub, DEFAULT_CONFIG)
    sites.add_parser(sub, DEFAULT_CONFIG)
    cameras.add_parser(sub)
    outbox.add_parser(sub)
    review.add_parsers(sub, DEFAULT_CONFIG, add_db)

    tr = sub.add_parser("train", help="fine-tune the detector on a YOLO dataset")
    tr.add_argument("--data", default="../shared/datasets/construction-site-safety/data.yaml")
    tr.add_argument("--base", default="../shared/models/yolov8n-coco-base.pt", help="checkpoint to start from")
    tr.add_argument("--epochs", type=int, default=100)
    tr.add_argument("--hours", type=float, help="a time budget instead of --epochs (epochs fitted to it)")
    tr.add_argument("--fraction", type=float, default=1.0, help="share of the training images (a dry run)")
    tr.add_argument("--warmup-epochs", type=float, default=3.0, help="0 to continue trained weights without warm-up")
    tr.add_argument(
        "--classes", help="learn only these classes of the dataset, e.g. Person,machinery,vehicle (a subset copy)"
    )
    tr.add_argument("--lr0", type=float, help="AdamW learning rate (default: Ultralytics' choice by class count)")
    tr.add_argument("--close-mosaic", type=int, default=10, help="the last epochs trained without mosaic")
    tr.add_argument("--imgsz", type=int, default=640)
    tr.add_argument("--batch", type=int, default=16)
    tr.add_argument("--workers", type=int, default=2, help="data loader processes")
    tr.add_argument("--device", default="cpu", help="cpu or a CUDA device such as 0")
    tr.add_argument("--out", default="runs/train", help="folder for training runs")
    tr.add_argument("--name", default="construction")
    tr.add_argument("--publish", help="copy the best weights here, e.g. models/sitemon-construction.pt")
    tr.set_defaults(func=model.cmd_train)

    ev = sub.add_parser("eval", help="AP50, precision and recall per class and category on a YOLO dataset")
    ev.add_argument("--model", required=True, help=".pt, .onnx or *_openvino_model")
    ev.add_argument("--data", default="../shared/datasets/construction-site-safety/data.yaml")
    ev.add_argument("--split", default="val")
    ev.add_argument("--imgsz", type=int, default=640)
    ev.add_argument("--conf", type=float, default=0.25, help="threshold for precision and recall")
    ev.add_argument(
        "--category",
        action="append",
        default=["Person=worker", "machinery=machinery", "vehicle=vehicle"],
        help="class=category (repeatable)",
    )
    ev.add_argument("--tiles", help="tiled detection, COLUMNSxROWS (e.g. 2x2): the tiles plus the whole picture")
    ev.add_argument("--json", help="also write the report here")
    ev.set_defaults(func=model.cmd_eval)

    ex = sub.add_parser("export", help="the day's assessment files (xlsx, csv, json) and their delivery")
    ex.add_argument("--date", help="local day YYYY-MM-DD: write its assessment files and queue its records")
    ex.add_argument("--config", default=DEFAULT_CONFIG)
    ex.add_argument("--period", choices=["week", "month", "quarter"], help="with --date: the summary of its period")
    ex.add_argument("--resend", action="store_true", help="with --date: deliver the day's records again")
    ex.add_argument("--site", action="append", help="with --resend: only these sites")
    add_db(ex)
    add_model_export(ex, hidden=True)
    ex.set_defaults(func=cmd_export)

    exm = sub.add_parser("export-model", help="a trained model (.pt) to OpenVINO, checked against the .pt")
    add_model_export(exm, hidden=False)
    exm.set_defaults(func=model.cmd_export_model)

    replay.add_parser(sub)

    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply migrations")
    add_db(upgrade)
    upgrade.set_defaults(func=serve.cmd_db_upgrade)
    redact = db_sub.add_parser("redact", help="mask passwords that older versions stored in reasons and errors")
    add_db(redact)
    redact.add_argument("--config", help="the configuration whose secrets to scrub too (default: URLs only)")
    redact.set_defaults(func=serve.cmd_db_redact)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_level)
    try:
        code: int = args.func(args)
    except CommandError as exc:
        log.error("%s", exc)
        return 2
    return code
