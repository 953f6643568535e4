"""The `sitemon` command."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from monitor.config import ConfigError, load_config
from monitor.logs import setup_logging

log = logging.getLogger("sitemon")

DEFAULT_CONFIG = "camera_config.yaml"


def _cmd_config_check(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.file)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    cameras = sum(1 for _ in config.cameras())
    print(f"{args.file}: OK ({len(config.sites)} sites, {cameras} cameras)")
    return 0


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _serve(config_path: Path, database_url: str | None, host: str, port: int, api: bool) -> int:
    import uvicorn

    from api import create_app
    from monitor.runtime import build_runtime
    from monitor.scheduling import build_scheduler

    try:
        config = load_config(config_path)
        runtime = build_runtime(config, database_url, source=str(config_path))
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    # uvicorn re-raises SIGTERM once it has shut down; turn it into an orderly stop here.
    signal.signal(signal.SIGTERM, _stop_on_signal)
    scheduler = build_scheduler(runtime)
    scheduler.start()
    log.info("sampling %d cameras every %d s", sum(1 for _ in config.cameras()), config.sampling.interval_seconds)
    try:
        if api:
            app = create_app(
                runtime.sessions,
                runtime.snapshot_root,
                Path(config.export.folder).resolve(),
                config.tz,
                lambda: runtime.last_sweep_seconds,
                config,
            )
            log.info("API on http://%s:%d/api/sites", host, port)
            uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_config=None)).run()
        else:
            import threading

            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown(wait=True)
        leadership = getattr(scheduler, "leadership", None)
        if leadership is not None:
            leadership.release()
        runtime.close()
        log.info("stopped")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    return _serve(Path(args.config), args.database_url, args.host, args.port, not args.no_api)


DEMO_USER, DEMO_PASSWORD = "demo", "sitemon-demo"  # the demo's own database only; documented in the README


def _ensure_demo_user(database_url: str) -> None:
    from sqlalchemy import select

    from monitor.store import make_engine, make_session_factory, migrate, models
    from monitor.users import Role, add_user

    engine = make_engine(database_url)
    migrate(engine)
    with make_session_factory(engine)() as session:
        if session.scalars(select(models.User).where(models.User.username == DEMO_USER)).first() is None:
            add_user(session, DEMO_USER, DEMO_PASSWORD, Role.admin, display_name="演示管理员")
    engine.dispose()


def _cmd_users(args: argparse.Namespace) -> int:
    import getpass
    import os

    from sqlalchemy import select

    from monitor.store import make_engine, make_session_factory, migrate, models
    from monitor.users import Role, UserError, add_user

    engine = make_engine(args.database_url)
    migrate(engine)
    code = 0
    with make_session_factory(engine)() as session:
        if args.users_command == "add":
            password = os.environ.get("SITEMON_PASSWORD") or getpass.getpass(f"password for {args.username}: ")
            try:
                add_user(session, args.username, password, Role.parse(args.role), args.name or "")
                print(f"user {args.username} ({args.role}) added")
            except (UserError, ValueError) as exc:
                log.error("%s", exc)
                code = 2
        else:
            for u in session.scalars(select(models.User).order_by(models.User.username)):
                print(f"{u.username}\t{u.role}\t{u.display_name}\t{'active' if u.active else 'disabled'}")
    engine.dispose()
    return code


def _cmd_demo(args: argparse.Namespace) -> int:
    from monitor.demo import DEMO_DIR, write_demo_config

    shared = Path(args.shared)
    if not (shared / "videos").is_dir():
        log.error("sample footage not found under %s/videos (use --shared DIR)", shared)
        return 2
    path = write_demo_config(shared, args.interval)
    url = args.database_url or f"sqlite:///{(DEMO_DIR / 'sitemon.db').resolve()}"
    _ensure_demo_user(url)
    log.info("demo config written to %s; log in as user '%s' (see README)", path, DEMO_USER)
    return _serve(path, url, args.host, args.port, api=True)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from monitor.runtime import build_runtime

    try:
        runtime = build_runtime(load_config(args.config), args.database_url, source=args.config)
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    try:
        result = runtime.sweep()
    finally:
        runtime.close()
    for s in result.samples:
        counts = s.counts
        detail = (
            f"workers={counts.workers} machinery={counts.machinery} vehicles={counts.vehicles}" if counts else s.reason
        )
        print(f"{s.camera}\t{s.status.value}\t{detail}")
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    import datetime as dt

    from monitor.daily import score_days
    from monitor.store import make_engine, make_session_factory, migrate
    from monitor.store.repo import sync_config

    try:
        config = load_config(args.config)
        day = dt.date.fromisoformat(args.date)
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    except ValueError:
        log.error("--date must be YYYY-MM-DD, got %r", args.date)
        return 2
    sites = set(args.site) if args.site else None
    unknown = (sites or set()) - {s.id for s in config.sites}
    if unknown:
        log.error("unknown site(s) %s in %s", ", ".join(sorted(unknown)), args.config)
        return 2
    engine = make_engine(args.database_url)
    migrate(engine)
    with make_session_factory(engine)() as session:
        sync_config(session, config)
        results = score_days(session, config, [day], sites)
    engine.dispose()
    for r in results:
        score = "-" if r.score is None else f"{r.score:.1f}"
        print(f"{r.day}\t{r.site_id}\t{score}\t{r.status.value}")
    return 0


def _cmd_alerts(args: argparse.Namespace) -> int:
    import datetime as dt

    from sqlalchemy import select

    from monitor.alerts.lifecycle import OPEN_STATES, acknowledge
    from monitor.store import make_engine, make_session_factory, migrate, models

    engine = make_engine(args.database_url)
    migrate(engine)
    code = 0
    with make_session_factory(engine)() as session:
        if args.alerts_command == "ack":
            event = acknowledge(session, args.id, args.by, dt.datetime.now(dt.UTC))
            if event is None:
                log.error("alert %d is not open (unknown, already acknowledged or resolved)", args.id)
                code = 1
            else:
                print(f"alert {args.id} acknowledged by {args.by}")
        else:
            query = select(models.Alert).order_by(models.Alert.opened_at.desc()).limit(args.limit)
            if not args.all:
                query = query.where(models.Alert.state.in_(OPEN_STATES))
            for a in session.scalars(query):
                print(
                    f"{a.id}\t{a.opened_at:%Y-%m-%d %H:%M}Z\t{a.state}\t{a.severity}\t{a.site_id}\t{a.type}\t{a.message}"
                )
    engine.dispose()
    return code


def _cmd_train(args: argparse.Namespace) -> int:
    from detectors.training import publish, train

    run = train(
        Path(args.data),
        Path(args.base),
        args.epochs,
        args.imgsz,
        Path(args.out),
        args.name,
        device=args.device,
        batch=args.batch,
        workers=args.workers,
    )
    target = publish(run, Path(args.publish)) if args.publish else run.weights
    log.info("trained %d epochs at %d px in %.0f s: %s", run.epochs, run.image_size, run.seconds, target)
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from detectors.evaluate import evaluate, format_report
    from detectors.ultralytics_backend import UltralyticsDetector

    detector = UltralyticsDetector(args.model, image_size=args.imgsz, confidence=0.001)
    categories = dict(item.split("=", 1) for item in args.category)
    report = evaluate(detector, Path(args.data), categories, split=args.split, threshold=args.conf)
    print(format_report(report))
    if args.json:
        import dataclasses
        import json

        Path(args.json).write_text(json.dumps(dataclasses.asdict(report), indent=2), encoding="utf-8")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    if args.date:
        return _export_assessment(args)
    if not args.weights:
        log.error("give --date YYYY-MM-DD (the day's assessment) or --weights FILE.pt (a model)")
        return 2
    return _export_model(args)


def _export_assessment(args: argparse.Namespace) -> int:
    import datetime as dt

    from monitor.export.job import export_day
    from monitor.export.outbox import resend
    from monitor.store import make_engine, make_session_factory, migrate
    from monitor.store.repo import sync_config

    try:
        config = load_config(args.config)
        day = dt.date.fromisoformat(args.date)
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    except ValueError:
        log.error("--date must be YYYY-MM-DD, got %r", args.date)
        return 2
    engine = make_engine(args.database_url)
    migrate(engine)
    now = dt.datetime.now(dt.UTC)
    with make_session_factory(engine)() as session:
        sync_config(session, config)
        if args.period:
            from monitor.export.summary import Period, write_summary

            print(f"xlsx\t{write_summary(session, config, Period(args.period), day)}")
            engine.dispose()
            return 0
        files = export_day(session, config, day, now)
        if args.resend:
            print(f"{resend(session, day, now, set(args.site) if args.site else None)} record(s) queued again")
    engine.dispose()
    for kind, path in files.items():
        print(f"{kind}\t{path}")
    return 0


def _export_model(args: argparse.Namespace) -> int:
    from detectors.evaluate import dataset_split, read_image
    from detectors.export import agreement, export_openvino
    from detectors.ultralytics_backend import UltralyticsDetector

    out = export_openvino(Path(args.weights), args.imgsz, Path(args.out) if args.out else None)
    images, _ = dataset_split(Path(args.data), "val")
    frames = [read_image(p) for p in images[: args.check_images]]
    reference = UltralyticsDetector(args.weights, image_size=args.imgsz)
    candidate = UltralyticsDetector(out, image_size=args.imgsz)
    result = agreement(reference, candidate, frames)
    print(
        f"{out}: {result.matched}/{result.reference_boxes} boxes of the .pt model found again on "
        f"{result.frames} images ({result.match_rate:.1%}), largest confidence gap {result.max_confidence_gap:.3f}"
    )
    if result.match_rate < args.min_match:
        log.error(
            "the export disagrees with the .pt model (%.1f%% < %.1f%%)", result.match_rate * 100, args.min_match * 100
        )
        return 1
    return 0


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    from monitor.store import make_engine, migrate

    engine = make_engine(args.database_url)
    migrate(engine)
    engine.dispose()
    log.info("database schema is up to date")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitemon", description="Construction progress monitor")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    sub = parser.add_subparsers(dest="command", required=True)

    def add_db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--database-url", help="SQLAlchemy URL (default: $SITEMON_DATABASE_URL or var/sitemon.db)")

    def add_http(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)

    config = sub.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(dest="config_command", required=True)
    check = config_sub.add_parser("check", help="validate a configuration file; list every error")
    check.add_argument("file")
    check.set_defaults(func=_cmd_config_check)

    run = sub.add_parser("run", help="sample on schedule and serve the API")
    run.add_argument("--config", default=DEFAULT_CONFIG)
    run.add_argument("--no-api", action="store_true", help="sample only")
    add_db(run)
    add_http(run)
    run.set_defaults(func=_cmd_run)

    demo = sub.add_parser("demo", help="run on the sample footage with SQLite")
    demo.add_argument("--shared", default="../shared", help="folder holding videos/ and models/")
    demo.add_argument("--interval", type=int, default=20, help="seconds between sweeps")
    add_db(demo)
    add_http(demo)
    demo.set_defaults(func=_cmd_demo)

    sweep = sub.add_parser("sweep", help="sample every camera once now, store and print the results")
    sweep.add_argument("--config", default=DEFAULT_CONFIG)
    add_db(sweep)
    sweep.set_defaults(func=_cmd_sweep)

    sc = sub.add_parser("score", help="(re)compute the daily score of every site, or of some, for a day")
    sc.add_argument("--config", default=DEFAULT_CONFIG)
    sc.add_argument("--date", required=True, help="local date YYYY-MM-DD")
    sc.add_argument("--site", action="append", help="site id (repeatable); default: all sites")
    add_db(sc)
    sc.set_defaults(func=_cmd_score)

    us = sub.add_parser("users", help="manage dashboard users (viewer, operator, admin)")
    us_sub = us.add_subparsers(dest="users_command", required=True)
    us_add = us_sub.add_parser("add", help="add a user; the password comes from $SITEMON_PASSWORD or a prompt")
    us_add.add_argument("username")
    us_add.add_argument("--role", required=True, choices=["viewer", "operator", "admin"])
    us_add.add_argument("--name", help="display name, e.g. 张三")
    add_db(us_add)
    us_add.set_defaults(func=_cmd_users)
    us_list = us_sub.add_parser("list")
    add_db(us_list)
    us_list.set_defaults(func=_cmd_users)

    al = sub.add_parser("alerts", help="list or acknowledge alerts")
    al_sub = al.add_subparsers(dest="alerts_command", required=True)
    al_list = al_sub.add_parser("list", help="open alerts (all with --all)")
    al_list.add_argument("--all", action="store_true")
    al_list.add_argument("--limit", type=int, default=200)
    add_db(al_list)
    al_list.set_defaults(func=_cmd_alerts)
    al_ack = al_sub.add_parser("ack", help="acknowledge an open alert")
    al_ack.add_argument("id", type=int)
    al_ack.add_argument("--by", required=True, help="who acknowledges (name or user id)")
    add_db(al_ack)
    al_ack.set_defaults(func=_cmd_alerts)

    tr = sub.add_parser("train", help="fine-tune the detector on a YOLO dataset")
    tr.add_argument("--data", default="../shared/datasets/construction-site-safety/data.yaml")
    tr.add_argument("--base", default="../shared/models/yolov8n-coco-base.pt", help="checkpoint to start from")
    tr.add_argument("--epochs", type=int, default=100)
    tr.add_argument("--imgsz", type=int, default=640)
    tr.add_argument("--batch", type=int, default=16)
    tr.add_argument("--workers", type=int, default=2, help="data loader processes")
    tr.add_argument("--device", default="cpu", help="cpu or a CUDA device such as 0")
    tr.add_argument("--out", default="runs/train", help="folder for training runs")
    tr.add_argument("--name", default="construction")
    tr.add_argument("--publish", help="copy the best weights here, e.g. models/sitemon-construction.pt")
    tr.set_defaults(func=_cmd_train)

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
    ev.add_argument("--json", help="also write the report here")
    ev.set_defaults(func=_cmd_eval)

    ex = sub.add_parser(
        "export", help="--date D: the day's assessment (xlsx, csv, json); --weights W: a model to OpenVINO"
    )
    ex.add_argument("--date", help="local day YYYY-MM-DD: write its assessment files and queue its records")
    ex.add_argument("--config", default=DEFAULT_CONFIG)
    ex.add_argument("--period", choices=["week", "month", "quarter"], help="with --date: the summary of its period")
    ex.add_argument("--resend", action="store_true", help="with --date: deliver the day's records again")
    ex.add_argument("--site", action="append", help="with --resend: only these sites")
    add_db(ex)
    ex.add_argument("--weights", help=".pt weights to export to OpenVINO")
    ex.add_argument("--imgsz", type=int, default=640)
    ex.add_argument("--out", help="target *_openvino_model folder (default: beside the weights)")
    ex.add_argument(
        "--data", default="../shared/datasets/construction-site-safety/data.yaml", help="images to check on"
    )
    ex.add_argument("--check-images", type=int, default=50)
    ex.add_argument("--min-match", type=float, default=0.95)
    ex.set_defaults(func=_cmd_export)

    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply migrations")
    add_db(upgrade)
    upgrade.set_defaults(func=_cmd_db_upgrade)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_level)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
