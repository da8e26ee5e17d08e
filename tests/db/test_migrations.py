"""Migrations on a database that already holds data, as an existing install has (SQLite: its
batch migrations rebuild tables that other tables' rows point at)."""

from alembic import command
from sqlalchemy import inspect, text

from pharmacy import demo_data
from pharmacy.database import alembic_config, get_engine
from pharmacy.demo_data import CATALOGUE, seed
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


def test_a_seeded_database_upgrades_to_head_and_back(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'installed.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0005")
    monkeypatch.setattr(demo_data, "_add_prices", lambda session: None)  # no table before 0011
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


def test_0011_moves_prices_into_the_database_keeping_what_orders_were_charged(
    tmp_path, monkeypatch
):
    url = f"sqlite:///{tmp_path / 'before-prices.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0010")
    monkeypatch.setattr(demo_data, "_add_prices", lambda session: None)  # no table before 0011
    seed(url, today=DEMO_TODAY)
    # The latest price charged counts; a medicine never ordered gets no price.
    _set(
        url, "UPDATE order_items SET price_cents = 999 WHERE id = (SELECT max(id) FROM order_items)"
    )
    with get_engine(url).connect() as connection:
        latest_medicine = connection.execute(
            text(
                "SELECT p.medicine_id FROM order_items i "
                "JOIN prescriptions p ON p.id = i.prescription_id ORDER BY i.id DESC LIMIT 1"
            )
        ).scalar_one()
        ordered = set(
            connection.execute(
                text(
                    "SELECT DISTINCT p.medicine_id FROM order_items i "
                    "JOIN prescriptions p ON p.id = i.prescription_id"
                )
            ).scalars()
        )

    never_ordered = sorted(ordered - {latest_medicine})[0]
    _set(
        url,
        "DELETE FROM order_items WHERE prescription_id IN "
        f"(SELECT id FROM prescriptions WHERE medicine_id = '{never_ordered}')",
    )

    command.upgrade(config, "0011")
    with get_engine(url).connect() as connection:
        prices = dict(
            connection.execute(text("SELECT medicine_id, price_cents FROM medicine_prices")).all()
        )
    expected = {medicine: CATALOGUE[medicine].price_cents for medicine in ordered}
    expected[latest_medicine] = 999
    del expected[never_ordered]
    assert prices == expected

    command.downgrade(config, "0010")
    assert "medicine_prices" not in inspect(get_engine(url)).get_table_names()
    command.upgrade(config, "head")
    assert "medicine_prices" in inspect(get_engine(url)).get_table_names()


COVERING = ["timestamp", "type_name", "sender_id", "intent_name", "action_name"]


def _events_indexes(url):
    return {i["name"]: i["column_names"] for i in inspect(get_engine(url)).get_indexes("events")}


def test_0012_indexes_the_tracker_events_by_time_whoever_created_the_table(tmp_path):
    # Rasa ran first: its table gets the index, and keeps its rows.
    rasa_first = f"sqlite:///{tmp_path / 'rasa-first.db'}"
    command.upgrade(alembic_config(rasa_first), "0011")
    _set(
        rasa_first,
        "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
        "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
        "action_name VARCHAR(255), data TEXT)",
    )
    _set(rasa_first, "INSERT INTO events (sender_id, type_name, timestamp) VALUES ('s', 'user', 1)")
    command.upgrade(alembic_config(rasa_first), "head")
    assert _events_indexes(rasa_first)["ix_events_timestamp"][0] == "timestamp"
    with get_engine(rasa_first).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar() == 1
    command.downgrade(alembic_config(rasa_first), "0011")
    assert "ix_events_timestamp" not in _events_indexes(rasa_first)

    # A new install: the table is made as Rasa makes it, which Rasa's own table definition finds.
    new = f"sqlite:///{tmp_path / 'new.db'}"
    command.upgrade(alembic_config(new), "head")
    assert _events_indexes(new) == {
        "ix_events_sender_id": ["sender_id"],
        "ix_events_timestamp": COVERING,
    }
    columns = {c["name"] for c in inspect(get_engine(new)).get_columns("events")}
    assert columns == {
        "id",
        "sender_id",
        "type_name",
        "timestamp",
        "intent_name",
        "action_name",
        "data",
    }
