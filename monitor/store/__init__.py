"""Persistence: tables, engine set-up, migrations and the pipeline's writes."""

from monitor.store.db import database_url, make_engine, make_session_factory, migrate

__all__ = ["database_url", "make_engine", "make_session_factory", "migrate"]
