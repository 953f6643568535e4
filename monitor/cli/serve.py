"""Commands that run sitemon: run, demo, sweep; config check; database and users."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.cli.common import DEFAULT_CONFIG, Subparsers, add_db, add_http, database, wall_clock
from monitor.config import AppConfig, ConfigError, load_config
from monitor.core.redact import mask_url, needs_encoding

if TYPE_CHECKING:
    from fastapi import FastAPI

    from monitor.service.runtime import Runtime

log = logging.getLogger("sitemon")


def cmd_config_check(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.file)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    cameras = sum(1 for _ in config.cameras())
    print(f"{args.file}: OK ({len(config.sites)} sites, {cameras} cameras)")
    for i, site in enumerate(config.sites):
        for j, camera in enumerate(site.cameras):
            for field, url in (("url", camera.url), ("substream_url", camera.substream_url)):
                if url is not None and needs_encoding(url.get_secret_value()):
                    print(
                        f"warning: sites[{i}].cameras[{j}].{field} ({mask_url(url.get_secret_value())}): "
                        "the user info holds / ? or # as they are; FFmpeg cannot open such a URL: "
                        "percent-encode them (%2F %3F %23)",
                        file=sys.stderr,
                    )
    return 0


def _stop_on_signal(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def plain_http_warning(host: str) -> str | None:
    """Said at start-up when the API is reachable from other machines without TLS in front."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        return None
    return (
        f"the API listens on {host} over plain HTTP: passwords and login cookies cross the network in the clear. "
        "Bind 127.0.0.1 and put a TLS reverse proxy in front (docs/deployment.md)"
    )


def deployment_app(runtime: Runtime) -> FastAPI:
    """The API of a running deployment: its database and config, and what its process knows besides (the
    last sweep, whether the database and the snapshot folder take writes, the snapshot clean-up)."""
    from api import create_app

    config = runtime.config
    app = create_app(
        runtime.sessions,
        runtime.snapshot_root,
        Path(config.export.folder).resolve(),
        config.calendar,
        lambda: runtime.last_sweep_seconds,
        config,
        clock=runtime.clock,
    )
    app.state.storage = runtime.storage
    app.state.snapshot_writes = runtime.snapshot_writes
    app.state.snapshot_cleanup = runtime.snapshot_cleanup
    return app


def _serve(args: argparse.Namespace, config_path: Path, database_url: str | None, api: bool) -> int:
    import uvicorn

    from monitor.service.runtime import build_runtime
    from monitor.service.scheduling import build_jobs

    try:
        config = load_config(config_path)
        runtime = build_runtime(config, database_url, clock=wall_clock, source=str(config_path))
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    # uvicorn re-raises SIGTERM once it has shut down; turn it into an orderly stop here.
    signal.signal(signal.SIGTERM, _stop_on_signal)
    jobs = build_jobs(runtime)
    jobs.start()
    where = "on the workers of queue " + config.execution.queue if config.execution.distributed else "in this process"
    log.info(
        "sampling %d cameras every %d s %s", sum(1 for _ in config.cameras()), config.sampling.interval_seconds, where
    )
    try:
        if api:
            app = deployment_app(runtime)
            log.info("API on http://%s:%d/api/sites", args.host, args.port)
            if warning := plain_http_warning(args.host):
                log.warning("%s", warning)
            proxies = args.trusted_proxy
            server = uvicorn.Config(app, host=args.host, port=args.port, log_config=None, forwarded_allow_ips=proxies)
            uvicorn.Server(server).run()
        else:
            import threading

            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        jobs.stop()
        runtime.close()
        log.info("stopped")
    return 0


def _config_or_none(path: str) -> AppConfig | None:
    """The configuration, or None after logging every error in it."""
    try:
        return load_config(path)
    except ConfigError as exc:
        log.error("%s", exc)
        return None


def cmd_worker(args: argparse.Namespace) -> int:
    """A Celery worker for `execution.mode: celery`: takes cameras from the broker, stores samples."""
    from monitor.execution.worker import WorkerStartError, run_worker

    config = _config_or_none(args.config)
    if config is None:
        return 2
    if not config.execution.distributed:
        log.error("%s: execution.mode is 'local'; a worker needs execution.mode 'celery' and a broker_url", args.config)
        return 2
    try:
        return run_worker(
            config,
            args.database_url,
            concurrency=args.concurrency,
            hostname=args.hostname,
            loglevel=args.log_level,
            source=args.config,
            clock=wall_clock,
        )
    except (ConfigError, WorkerStartError) as exc:
        log.error("%s", exc)
        return 2


def cmd_workers(args: argparse.Namespace) -> int:
    """The broker, the tasks waiting, the workers that answer; exit 1 when no worker would sample."""
    from monitor.execution.status import cluster_status

    config = _config_or_none(args.config)
    if config is None:
        return 2
    if not config.execution.distributed:
        print(f"{args.config}: execution.mode is 'local': this process samples, there are no workers")
        return 0
    status = cluster_status(config.execution, timeout=args.timeout)
    print(f"broker\t{status.broker}\t{'reachable' if status.reachable else 'UNREACHABLE: ' + status.error}")
    if not status.reachable:
        return 1
    queued = "unknown (no worker has declared it yet)" if status.queued is None else str(status.queued)
    print(f"queue\t{config.execution.queue}\t{queued} task(s) waiting")
    for name in status.workers:
        print(f"worker\t{name}\tanswers")
    if not status.workers:
        print("no worker answered: cameras are not being sampled")
        return 1
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    return _serve(args, Path(args.config), args.database_url, not args.no_api)


DEMO_USER, DEMO_PASSWORD = "demo", "sitemon-demo"  # the demo's own database only; documented in the README


def _ensure_demo_user(database_url: str) -> None:
    from monitor.store.users import Role, account, add_user

    with database(database_url) as session:
        if account(session, DEMO_USER) is None:
            add_user(session, DEMO_USER, DEMO_PASSWORD, Role.admin, display_name="演示管理员", now=wall_clock())


def cmd_demo(args: argparse.Namespace) -> int:
    from monitor.demo.config import DEMO_DIR, demo_config, write_demo_config
    from monitor.demo.receiver import DemoReceiver
    from monitor.demo.setup import UNIT_USER, cached_working_hours, ensure_history

    shared = Path(args.shared)
    if not (shared / "videos").is_dir():
        log.error("sample footage not found under %s/videos (use --shared DIR)", shared)
        return 2
    try:
        receiver = DemoReceiver.on_free_port(DEMO_DIR, args.receiver_port).start()
    except OSError as exc:
        log.error("the demo's records receiver cannot start (%s): its records would go nowhere", exc)
        return 2
    mapping = demo_config(shared, args.interval, clock=wall_clock, receiver_port=receiver.port)
    kept = cached_working_hours(mapping, days=args.days)
    if kept is not None:  # a second start the same day: today's window opens where the first start's did
        mapping["working_hours"] = kept
    path = write_demo_config(mapping)
    url = args.database_url or f"sqlite:///{(DEMO_DIR / 'sitemon.db').resolve()}"
    stats = ensure_history(mapping, shared, url, wall_clock(), days=args.days, clock=wall_clock)
    if stats is not None:
        log.info(
            "demo history built: %d days, %d samples in %.1f s (%.1f s CPU)",
            stats.days,
            stats.samples,
            stats.seconds,
            stats.cpu_seconds,
        )
    _ensure_demo_user(url)
    log.info("demo config written to %s; log in as '%s' or '%s' (see README)", path, DEMO_USER, UNIT_USER)
    try:
        return _serve(args, path, url, api=True)
    finally:
        receiver.close()


def cmd_sweep(args: argparse.Namespace) -> int:
    from monitor.service.runtime import build_runtime
    from monitor.service.schedule import sweep_cycle

    try:
        runtime = build_runtime(load_config(args.config), args.database_url, clock=wall_clock, source=args.config)
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    try:
        result = sweep_cycle(runtime)
    finally:
        runtime.close()
    for s in result.samples:
        counts = s.counts
        detail = (
            f"workers={counts.workers} machinery={counts.machinery} vehicles={counts.vehicles}" if counts else s.reason
        )
        print(f"{s.camera}\t{s.status.value}\t{detail}")
    return 0


def cmd_db_redact(args: argparse.Namespace) -> int:
    from monitor.cli.common import CommandError, database
    from monitor.store.redaction import redact_stored

    if args.config:
        try:
            load_config(args.config)  # makes its secrets known
        except ConfigError as exc:
            raise CommandError(str(exc)) from None
    with database(args.database_url) as session:
        changed = redact_stored(session)
    for column, count in changed.items():
        print(f"{column}\t{count}")
    log.info("%d stored text(s) rewritten", sum(changed.values()))
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from monitor.store import make_engine, migrate

    engine = make_engine(args.database_url)
    migrate(engine)
    engine.dispose()
    log.info("database schema is up to date")
    return 0


def add_parser(sub: Subparsers) -> None:
    """`config check`, `run`, `worker`, `workers`, `demo`, `sweep`, `db`."""
    from monitor.demo.config import DEMO_RECEIVER_PORT

    config = sub.add_parser("config", help="configuration tools")
    config_sub = config.add_subparsers(dest="config_command", required=True)
    check = config_sub.add_parser("check", help="validate a configuration file; list every error")
    check.add_argument("file")
    check.set_defaults(func=cmd_config_check)

    run = sub.add_parser("run", help="sample on schedule and serve the API")
    run.add_argument("--config", default=DEFAULT_CONFIG)
    run.add_argument("--no-api", action="store_true", help="sample only")
    add_db(run)
    add_http(run)
    run.set_defaults(func=cmd_run)

    worker = sub.add_parser("worker", help="take cameras from the broker (execution.mode: celery)")
    worker.add_argument("--config", default=DEFAULT_CONFIG)
    worker.add_argument("--concurrency", type=int, default=2, help="tasks at a time; they share one model")
    worker.add_argument("--hostname", help="worker name, e.g. sitemon@host-1 (default: celery@<host>)")
    add_db(worker)
    worker.set_defaults(func=cmd_worker)

    workers = sub.add_parser("workers", help="Celery: the broker, tasks waiting and the workers that answer")
    workers.add_argument("--config", default=DEFAULT_CONFIG)
    workers.add_argument("--timeout", type=float, default=2.0, help="seconds to wait for answers")
    workers.set_defaults(func=cmd_workers)

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
    demo.set_defaults(func=cmd_demo)

    sweep = sub.add_parser("sweep", help="sample every camera once now, store and print the results")
    sweep.add_argument("--config", default=DEFAULT_CONFIG)
    add_db(sweep)
    sweep.set_defaults(func=cmd_sweep)

    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply migrations")
    add_db(upgrade)
    upgrade.set_defaults(func=cmd_db_upgrade)
    redact = db_sub.add_parser("redact", help="mask passwords that older versions stored in reasons and errors")
    add_db(redact)
    redact.add_argument("--config", help="the configuration whose secrets to scrub too (default: URLs only)")
    redact.set_defaults(func=cmd_db_redact)
