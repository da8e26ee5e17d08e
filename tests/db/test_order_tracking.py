"""The tracking core on a real database, against the fake carrier run as a real HTTP server.

The carrier reads a seeded database of its own (``carrier_world_database``) and ours is another
(``tracking_database``), so a test can make the carrier report a status our records do not have.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import event, select, update

from pharmacy.carrier import CarrierClient, TrackingInfo
from pharmacy.database import get_engine, session_scope
from pharmacy.models import Order, OrderStatus, OrderStatusEvent, Shipment, ShipmentStatus
from pharmacy.tracking import (
    TrackingKind,
    address_options,
    apply_address_change,
    record_carrier_status,
    track_order,
)
from pharmacy.tracking.address import CHANGED_NOTE, AddressKind
from pharmacy.tracking.status import DELIVERED_NOTE, LiveStatus, _read
from pharmacy.tracking.text import status_text
from tests.conversation.helpers import MARIA, ROBERT, order_numbers, persona_order_with_shipment
from tests.unit.test_carrier_client import (  # clean_server: autouse, it resets faults per test
    CarrierServer,
    carrier_server,
    clean_server,  # noqa: F401
    make_client,
)

TABLES_TESTS_ADD_TO = [OrderStatusEvent]
NOW = datetime(2026, 12, 2, 15, 0)


@pytest.fixture(scope="module")
def seeded_database(tracking_database: str) -> str:
    """Our records, which these tests change (and put back)."""
    return tracking_database


@pytest.fixture(scope="module")
def server(
    carrier_world_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CarrierServer]:
    yield from carrier_server(carrier_world_database, tmp_path_factory)


@pytest.fixture
def in_transit(seeded_database: str, server: CarrierServer) -> Iterator[str]:
    """Maria's order in transit; its shipment and order are put back as seeded afterwards, in
    our database and in the carrier's."""
    order_number = persona_order_with_shipment(seeded_database, MARIA[0], ShipmentStatus.IN_TRANSIT)
    saved = {}
    for url in (seeded_database, server.database_url):
        with session_scope(url) as session:
            order = session.scalar(select(Order).where(Order.order_number == order_number))
            assert order is not None and order.shipment is not None
            saved[url] = (order.status, order.shipment.tracking_number)
    assert saved[seeded_database][1] == saved[server.database_url][1], "carrier knows the parcel"
    yield order_number
    for url, (status, tracking_number) in saved.items():
        with session_scope(url) as session:
            session.execute(
                update(Shipment)
                .where(Shipment.tracking_number == tracking_number)
                .values(status=ShipmentStatus.IN_TRANSIT, delivered_at=None)
            )
            session.execute(
                update(Order).where(Order.order_number == order_number).values(status=status)
            )


def _carrier_says(server: CarrierServer, order_number: str, status: ShipmentStatus) -> None:
    with session_scope(server.database_url) as session:
        order = session.scalar(select(Order).where(Order.order_number == order_number))
        assert order is not None and order.shipment is not None
        order.shipment.status = status
        order.shipment.delivered_at = NOW if status is ShipmentStatus.DELIVERED else None


class ConnectionWatch:
    """Counts the database connections checked out of the pool at any moment."""

    def __init__(self, database_url: str) -> None:
        self.engine = get_engine(database_url)
        self.open = 0
        self._lock = threading.Lock()
        event.listen(self.engine, "checkout", self._out)
        event.listen(self.engine, "checkin", self._in)

    def _out(self, *_: object) -> None:
        with self._lock:
            self.open += 1

    def _in(self, *_: object) -> None:
        with self._lock:
            self.open -= 1

    def close(self) -> None:
        event.remove(self.engine, "checkout", self._out)
        event.remove(self.engine, "checkin", self._in)


class WatchedClient(CarrierClient):
    """The real client, noting how many database connections were open when it was called."""

    watch: ConnectionWatch
    open_during_calls: list[int]

    def track(self, tracking_number: str) -> TrackingInfo:
        self.open_during_calls.append(self.watch.open)
        return super().track(tracking_number)


def watched_client(server: CarrierServer, watch: ConnectionWatch, **overrides) -> WatchedClient:
    plain = make_client(server, **overrides)
    client = WatchedClient(plain.settings)
    client.watch, client.open_during_calls = watch, []
    return client


def test_a_shipped_order_gets_the_carriers_live_status(seeded_database, server, in_transit):
    answer = track_order(MARIA[0], in_transit, NOW, make_client(server), seeded_database)
    assert answer.kind is TrackingKind.STATUS and answer.order_number == in_transit
    assert answer.live is not None and answer.live.status == "in_transit"
    assert not answer.carrier_unavailable and not answer.recorded and not answer.delayed
    assert "Live tracking (RapidParcel" in status_text(answer)


def test_no_database_connection_is_open_while_the_carrier_answers_slowly(
    seeded_database, server, in_transit
):
    server.fault("slow", delay_ms=800)
    watch = ConnectionWatch(seeded_database)
    try:
        client = watched_client(server, watch)
        answer = track_order(MARIA[0], in_transit, NOW, client, seeded_database)
    finally:
        watch.close()
    assert answer.live is not None  # the slow answer arrived, and came within the read timeout
    assert client.open_during_calls == [0]  # no session, so no transaction, during the call
    assert watch.open == 0


@pytest.mark.parametrize("mode", ["error", "timeout"])
def test_a_failing_carrier_gives_our_records_marked_unavailable(
    seeded_database, server, in_transit, mode
):
    server.fault(mode)
    client = make_client(server, read_timeout=0.5)
    answer = track_order(MARIA[0], in_transit, NOW, client, seeded_database)
    assert answer.kind is TrackingKind.STATUS
    assert answer.live is None and answer.carrier_unavailable and not answer.recorded
    text = status_text(answer)
    assert "Our records say: in transit" in text
    assert "Live tracking from the carrier is unavailable right now" in text


def test_a_parcel_unknown_to_the_carrier_is_not_called_unavailable(
    seeded_database, server, in_transit
):
    server.fault("not_found")
    answer = track_order(MARIA[0], in_transit, NOW, make_client(server), seeded_database)
    assert answer.live is None and not answer.carrier_unavailable
    assert "Our records say: in transit" in status_text(answer)


def test_someone_elses_order_is_not_found_and_the_carrier_is_not_asked(seeded_database, server):
    roberts = order_numbers(seeded_database, ROBERT[0])[0]
    watch = ConnectionWatch(seeded_database)
    try:
        client = watched_client(server, watch)
        answer = track_order(MARIA[0], roberts, NOW, client, seeded_database)
    finally:
        watch.close()
    assert answer.kind is TrackingKind.NOT_FOUND and answer.order_number == roberts
    assert answer.order is None and client.open_during_calls == []


def test_several_orders_give_a_list_to_pick_from(seeded_database, server):
    answer = track_order(ROBERT[0], None, NOW, make_client(server), seeded_database)
    assert answer.kind is TrackingKind.PICK and len(answer.choices) == 5


def test_a_delivery_the_carrier_reports_is_recorded_once_when_tracked_at_once(
    seeded_database, server, in_transit
):
    _carrier_says(server, in_transit, ShipmentStatus.DELIVERED)
    start = threading.Barrier(4)
    answers = []

    def track() -> None:
        start.wait()
        answers.append(track_order(MARIA[0], in_transit, NOW, make_client(server), seeded_database))

    threads = [threading.Thread(target=track) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 4 and all(a.live and a.live.status == "delivered" for a in answers)
    assert sum(a.recorded for a in answers) == 1
    with session_scope(seeded_database) as session:
        order = session.scalar(select(Order).where(Order.order_number == in_transit))
        assert order is not None and order.shipment is not None
        assert order.shipment.status is ShipmentStatus.DELIVERED
        assert order.shipment.delivered_at is not None
        assert order.status is OrderStatus.DELIVERED
        assert [e.note for e in order.history].count(DELIVERED_NOTE) == 1


def test_a_delivered_parcel_is_not_moved_back_by_a_late_scan(seeded_database):
    order_number = persona_order_with_shipment(seeded_database, MARIA[0], ShipmentStatus.DELIVERED)
    with session_scope(seeded_database) as session:
        seen = _read(session, MARIA[0], order_number)
    assert seen.order is not None
    late = LiveStatus("in_transit", "In transit", None, None, None)
    with session_scope(seeded_database) as session:
        assert record_carrier_status(session, seen.order, late, NOW) is False
        shipment = session.scalar(select(Shipment).where(Shipment.id == seen.order.shipment.id))
        assert shipment is not None and shipment.status is ShipmentStatus.DELIVERED


@pytest.fixture
def processing_order(seeded_database: str) -> Iterator[str]:
    order_number = order_numbers(seeded_database, ROBERT[0], OrderStatus.PROCESSING)[0]
    with session_scope(seeded_database) as session:
        order = session.scalar(select(Order).where(Order.order_number == order_number))
        assert order is not None
        address_id = order.address_id
    yield order_number
    with session_scope(seeded_database) as session:
        session.execute(
            update(Order)
            .where(Order.order_number == order_number)
            .values(address_id=address_id, status=OrderStatus.PROCESSING)
        )


def test_confirming_an_address_change_twice_records_one_change(seeded_database, processing_order):
    options = address_options(ROBERT[0], processing_order, seeded_database)
    assert options.kind is AddressKind.CHOOSE and options.addresses
    target = options.addresses[0]
    for _ in range(2):
        done = apply_address_change(
            ROBERT[0], processing_order, str(target.id), NOW, seeded_database
        )
        assert done == target
    with session_scope(seeded_database) as session:
        order = session.scalar(select(Order).where(Order.order_number == processing_order))
        assert order is not None and order.address_id == target.id
        assert [e.note for e in order.history].count(CHANGED_NOTE) == 1


def test_an_order_that_ships_meanwhile_keeps_its_address(seeded_database, processing_order):
    options = address_options(ROBERT[0], processing_order, seeded_database)
    with session_scope(seeded_database) as session:
        session.execute(
            update(Order)
            .where(Order.order_number == processing_order)
            .values(status=OrderStatus.SHIPPED)
        )
    target = options.addresses[0]
    assert (
        apply_address_change(ROBERT[0], processing_order, str(target.id), NOW, seeded_database)
        is None
    )
    shipped = address_options(ROBERT[0], processing_order, seeded_database)
    assert shipped.kind is AddressKind.SHIPPED and shipped.status is OrderStatus.SHIPPED
