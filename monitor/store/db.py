"""Engines, sessions and migrations."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from monitor.core.redact import add_url_secrets, redact_text
from monitor.store.faults import MISSING_FILE_TEXT

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///var/sitemon.db"
DATABASE_URL_ENV = "SITEMON_DATABASE_URL"


def database_url(explicit: str | None = None) -> str:
    """The URL given, else $SITEMON_DATABASE_URL, else SQLite under var/."""
    url = explicit or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL
    # Plain postgresql:// means psycopg2 to SQLAlchemy; we ship psycopg 3.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _watch_sqlite_file(engine: Engine, path: Path) -> None:
    """Never write into a database file that was deleted (or replaced) under the running process.

    SQLite keeps writing into an unlinked file, and would create a new empty one on the next connect:
    both go unnoticed. Each connection remembers which file it opened; one whose file is gone is dropped
    when taken from the pool, and a new connection to a missing file fails instead of creating one."""
    missing_logged = [False]

    def connect_existing(_dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
        if not path.exists():
            if not missing_logged[0]:
                log.error("database file %s is missing: nothing is written until it is restored", path)
                missing_logged[0] = True
            raise sqlite3.OperationalError(f"{MISSING_FILE_TEXT}: {path}")
        missing_logged[0] = False
        return None

    def explain_cannot_open(context: ExceptionContext) -> None:
        # A WAL database on a read-only filesystem cannot even be opened: "unable to open database file".
        orig = context.original_exception
        if not (isinstance(orig, sqlite3.OperationalError) and "unable to open" in str(orig)):
            return
        if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
            return
        raise OperationalError(
            context.statement,
            context.parameters,
            sqlite3.OperationalError(f"attempt to write a readonly database: {path}"),
        ) from orig

    def remember_file(_dbapi_connection: Any, record: Any) -> None:
        record.info["file_id"] = _file_id(path)

    def check_file(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        now = _file_id(path)
        if now != record.info.get("file_id"):
            if now is not None:
                log.warning("database file %s was replaced; reopening it", path)
            raise DisconnectionError(f"database file {path} was deleted or replaced")

    event.listen(engine, "do_connect", connect_existing)
    event.listen(engine, "handle_error", explain_cannot_open)
    event.listen(engine, "connect", remember_file)
    event.listen(engine, "checkout", check_file)


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    add_url_secrets(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database).resolve() if parsed.database and parsed.database != ":memory:" else None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            sqlite3.connect(path).close()  # create it now; later a missing file is an error (see above)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        if path is not None:
            _watch_sqlite_file(engine, path)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    log.info("database: %s", redact_text(parsed.render_as_string(hide_password=True)))
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (creates every table on a new database)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def schema_revision(engine: Engine) -> tuple[str | None, str | None]:
    """(the database's schema revision, the newest this code knows); equal when it is up to date."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations"))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, script.get_current_head()
