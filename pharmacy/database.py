"""The database: the one engine and session factory of the project, and preparing the database
(Alembic migrations and the demo seed) for `make run`, the tests and operators:

    python -m pharmacy.database migrate|prepare|reset [--today YYYY-MM-DD]

An engine is built once per database URL; each unit of work gets its own session through
``session_scope``. Nothing touches the database at import time.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from pharmacy import clock
from pharmacy.models import Base, Customer
from pharmacy.settings import load_settings

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# ----------------------------------------------------------------------------- engine, sessions


def get_engine(database_url: str | None = None) -> Engine:
    """The engine for ``database_url``, or for the configured ``DATABASE_URL``."""
    return _engine_for(database_url or load_settings().database_url)


@cache
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite"):
        # SQLAlchemy 1.4 opens a new file connection per session by default (NullPool), and each
        # new one runs the PRAGMAs below: a pool keeps them, which is most of a session's cost.
        pooling = {} if _in_memory(url) else {"poolclass": QueuePool, "pool_size": 8}
        engine = create_engine(
            url,
            future=True,
            connect_args={"timeout": 30, "check_same_thread": False},
            **pooling,
        )
        event.listen(engine, "connect", _tune_sqlite)
    else:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    return engine


def _in_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url


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


def insert_unless_present(
    session: Session,
    model: type[Base],
    values: Mapping[str, Any],
    unique: Sequence[str],
    update: Mapping[str, Any] | None = None,
) -> bool:
    """Insert a row in the caller's transaction; if a row with the same ``unique`` columns
    exists (or a concurrent one commits first), apply ``update`` to it instead, or leave it.
    True if a row was inserted or updated.

    One statement (INSERT ... ON CONFLICT), so a lost race does not end the transaction the way
    a unique-key IntegrityError would: exactly-once without owning the transaction.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        insert = sqlite.insert(model)
    elif dialect == "postgresql":
        insert = postgresql.insert(model)
    else:  # the two databases the project supports (README, "Configuration")
        raise NotImplementedError(f"no upsert for {dialect}")
    statement = insert.values(**values)
    if update:
        statement = statement.on_conflict_do_update(index_elements=list(unique), set_=dict(update))
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(unique))
    return session.execute(statement).rowcount == 1


# ----------------------------------------------------------------------------- preparing


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # "%" would be read as interpolation by configparser (passwords may contain it).
    url = (database_url or load_settings().database_url).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    return config


def migrate(database_url: str | None = None) -> None:
    url = database_url or load_settings().database_url
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")


def is_seeded(database_url: str | None = None) -> bool:
    with session_scope(database_url) as session:
        return bool(session.scalar(select(func.count(Customer.id))))


def prepare(database_url: str | None = None, today: date | None = None) -> bool:
    """Migrate, then load the demo data into an empty database. Returns True if it seeded."""
    from pharmacy.demo_data import seed  # the generator is only needed on first start

    migrate(database_url)
    if is_seeded(database_url):
        return False
    seed(database_url, today=today or clock.current().today())
    return True


def main(argv: list | None = None) -> None:
    parser = argparse.ArgumentParser(description="Create, migrate and seed the pharmacy database.")
    parser.add_argument("action", choices=["migrate", "prepare", "reset"])
    parser.add_argument("--today", type=date.fromisoformat, help="reference date for demo data")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.action == "migrate":
        migrate()
    elif args.action == "reset":
        from pharmacy.schema import metadata

        metadata.drop_all(get_engine())
        with get_engine().begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        prepare(today=args.today)
    else:
        seeded = prepare(today=args.today)
        log.info("database ready (%s)", "demo data loaded" if seeded else "already seeded")


if __name__ == "__main__":
    main()
