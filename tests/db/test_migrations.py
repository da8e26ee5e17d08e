"""Migrations on a database that already holds data, as an existing install has (SQLite: its
batch migrations rebuild tables that other tables' rows point at)."""

from alembic import command
from sqlalchemy import text

from pharmacy.database import alembic_config, get_engine
from pharmacy.demo_data import seed
from tests.conftest import DEMO_TODAY


def _keys(url):
    with get_engine(url).connect() as connection:
        return dict(
            connection.execute(
                text("SELECT id, idempotency_key FROM orders WHERE id <= 4 ORDER BY id")
            ).all()
        )


def _set(url, sql):
    with get_engine(url).begin() as connection:
        connection.execute(text(sql))


def test_a_seeded_database_upgrades_to_head_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'installed.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0005")
    seed(url, today=DEMO_TODAY)
    _set(url, "UPDATE orders SET idempotency_key = 'refill:K', status = 'cancelled' WHERE id = 1")

    command.upgrade(config, "head")
    # Allowed from 0006 on: the cancelled refill ordered again, and two cancelled copies of one.
    _set(url, "UPDATE orders SET idempotency_key = 'refill:K', status = 'received' WHERE id = 2")
    _set(
        url,
        "UPDATE orders SET idempotency_key = 'refill:C', status = 'cancelled' WHERE id IN (3, 4)",
    )

    command.downgrade(config, "0005")
    assert _keys(url) == {1: None, 2: "refill:K", 3: "refill:C", 4: None}
    command.upgrade(config, "head")
    with get_engine(url).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM orders")).scalar() == 200
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
