"""The migrated schema and the demo data, on a real database (SQLite, or PostgreSQL in CI)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from pharmacy import repositories
from pharmacy.database import get_engine, is_seeded, prepare, session_scope
from pharmacy.demo_data import CATALOGUE, PERSONAS
from pharmacy.models import (
    Consent,
    ConsentKind,
    Customer,
    MedicinePrice,
    Order,
    OrderStatus,
    Prescription,
    Shipment,
    ShipmentStatus,
)
from tests.conftest import DEMO_TODAY

TABLES = {
    "customers",
    "addresses",
    "consents",
    "prescribers",
    "prescriptions",
    "orders",
    "order_items",
    "order_status_events",
    "shipments",
    "medicine_prices",
    "alembic_version",
}


def _count(url, model):
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_migration_creates_every_table(seeded_database):
    assert TABLES <= set(inspect(get_engine(seeded_database)).get_table_names())


def _demo_orders(url):
    # Orders placed by other tests (refills are EP-2xxxxx) are not part of the demo data.
    with session_scope(url) as session:
        return session.scalar(select(func.count(Order.id)).where(Order.order_number.like("EP-1%")))


def test_demo_data_has_the_promised_size(seeded_database):
    assert _count(seeded_database, Customer) == 50
    assert _count(seeded_database, Prescription) == 150
    assert _demo_orders(seeded_database) == 200


def test_prepare_twice_does_not_duplicate_anything(seeded_database):
    assert prepare(seeded_database, today=DEMO_TODAY) is False
    assert is_seeded(seeded_database)
    assert _demo_orders(seeded_database) == 200


def test_every_order_and_shipment_state_is_present(seeded_database):
    with session_scope(seeded_database) as session:
        order_states = set(session.scalars(select(Order.status).distinct()))
        shipment_states = set(session.scalars(select(Shipment.status).distinct()))
    assert order_states == set(OrderStatus)
    assert shipment_states == set(ShipmentStatus)


def _persona_prescriptions(url, reference):
    with session_scope(url) as session:
        customer = repositories.customer_by_reference(session, reference)
        return {p.medicine_id: p for p in repositories.active_prescriptions(session, customer.id)}


def test_refill_edge_cases_from_the_rules_document_are_seeded(seeded_database):
    maria = _persona_prescriptions(seeded_database, "C-1001")
    assert maria["atorvastatin"].days_supply == 30
    assert DEMO_TODAY - maria["atorvastatin"].last_fill_date == timedelta(days=23)
    assert DEMO_TODAY - maria["metformin"].last_fill_date == timedelta(days=22)
    assert maria["lisinopril"].days_supply == 90

    james = _persona_prescriptions(seeded_database, "C-1002")
    assert james["oxycodone"].dea_schedule == "II"
    assert james["alprazolam"].dea_schedule == "IV"
    assert james["alprazolam"].refills_used == 5 and james["alprazolam"].refills_remaining == 0
    assert (DEMO_TODAY - james["zolpidem"].date_written).days > 182

    aisha = _persona_prescriptions(seeded_database, "C-1003")
    assert (DEMO_TODAY - aisha["sertraline"].date_written).days == 366
    assert aisha["amoxicillin"].refills_remaining == 0


def test_controlled_substance_shipments_need_a_signature(seeded_database):
    with session_scope(seeded_database) as session:
        for shipment in session.scalars(select(Shipment)):
            controlled = any(
                item.prescription and item.prescription.is_controlled
                for item in shipment.order.items
            )
            assert shipment.signature_required == controlled


def test_order_history_is_in_time_order_and_ends_in_the_current_status(seeded_database):
    with session_scope(seeded_database) as session:
        customer = repositories.customer_by_reference(session, "C-1004")
        orders = [
            o
            for o in repositories.recent_orders(session, customer.id, limit=20)
            if o.order_number.startswith("EP-1")
        ]  # not orders placed by other tests
        assert len(orders) == 6
        assert [o.placed_at for o in orders] == sorted((o.placed_at for o in orders), reverse=True)
        for order in orders:
            times = [event.occurred_at for event in order.history]
            assert times == sorted(times)
            assert order.history[-1].status == order.status


def test_lookups_accept_lowercase_and_spaces(seeded_database):
    with session_scope(seeded_database) as session:
        customer = repositories.customer_by_reference(session, PERSONAS[0].reference)
        order = repositories.recent_orders(session, customer.id, limit=1)[0]
        found = repositories.order_by_number(session, f"  {order.order_number.lower()} ")
        assert found is not None and found.id == order.id
        assert repositories.order_by_number(session, "EP-999999") is None
        rx = customer.prescriptions[0].rx_number
        assert repositories.prescription_by_rx_number(session, rx.lower()).rx_number == rx
        tracking = order.shipment.tracking_number
        assert repositories.shipment_by_tracking_number(session, tracking).order_id == order.id


def test_unique_constraints_hold_in_the_database(seeded_database):
    with pytest.raises(IntegrityError):
        with session_scope(seeded_database) as session:
            maria = repositories.customer_by_reference(session, "C-1001")
            session.add(
                Consent(
                    customer=maria,
                    kind=ConsentKind.REFILL_REMINDERS,
                    granted_at=maria.created_at,
                    source="test",
                )
            )
            session.flush()


def test_demo_data_is_deterministic_for_a_given_day(tmp_path):
    def snapshot(url):
        prepare(url, today=DEMO_TODAY)
        with session_scope(url) as session:
            return [
                (p.rx_number, p.medicine_id, p.last_fill_date, p.customer.reference)
                for p in session.scalars(select(Prescription).order_by(Prescription.id))
            ]

    assert snapshot(f"sqlite:///{tmp_path / 'a.db'}") == snapshot(f"sqlite:///{tmp_path / 'b.db'}")


def test_the_seed_puts_every_catalogue_price_in_the_database(seeded_database):
    with session_scope(seeded_database) as session:
        prices = dict(
            session.execute(select(MedicinePrice.medicine_id, MedicinePrice.price_cents)).all()
        )
    assert prices == {entry.medicine_id: entry.price_cents for entry in CATALOGUE.values()}
