"""Creating, migrating and seeding the database (used by `make run`, the tests and operators)."""

from __future__ import annotations

import argparse
import logging
from datetime import date
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import func, select

from pharmacy import clock
from pharmacy.db import get_engine, session_scope
from pharmacy.models import Customer
from pharmacy.settings import load_settings

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


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
