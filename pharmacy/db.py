"""The one engine and session factory of the project.

An engine is built once per database URL; each unit of work gets its own session through
``session_scope``. Nothing touches the database at import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from pharmacy.settings import load_settings


def get_engine(database_url: str | None = None) -> Engine:
    """The engine for ``database_url``, or for the configured ``DATABASE_URL``."""
    return _engine_for(database_url or load_settings().database_url)


@cache
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, future=True, connect_args={"timeout": 30, "check_same_thread": False}
        )
        event.listen(engine, "connect", _tune_sqlite)
    else:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    return engine


def _tune_sqlite(dbapi_connection, _record) -> None:
    # WAL lets the Rasa server, the action server and the web app read while one of them writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@cache
def _session_factory(url: str) -> sessionmaker:
    return sessionmaker(bind=_engine_for(url), future=True, expire_on_commit=False)


@contextmanager
def session_scope(database_url: str | None = None) -> Iterator[Session]:
    """A session inside one transaction: committed on success, rolled back on error."""
    session = _session_factory(database_url or load_settings().database_url)()
    try:
        with session.begin():
            yield session
    finally:
        session.close()
