"""Where is my order: the database, then the carrier, then what changed recorded once.

``track_order`` reads in one short transaction, calls the carrier with no session open (its
retries and timeouts can take seconds, and must not hold a connection or locks meanwhile), and
records a status change the carrier reports in a second short transaction, by conditional update:
two chats tracking the same parcel at once record a delivery once.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from pharmacy import carrier
from pharmacy.database import session_scope
from pharmacy.models import Order, OrderStatus, OrderStatusEvent, Shipment, ShipmentStatus
from pharmacy.tracking.orders import (
    OrderChoice,
    OrderView,
    choice_of,
    order_of,
    orders_of,
    view_of,
)

log = logging.getLogger(__name__)

DELIVERED_NOTE = "delivered, as reported by the carrier"


@dataclass(frozen=True)
class LiveStatus:
    """What the carrier said, reduced to what the answer needs."""

    status: str
    detail: str
    last_scan_place: str | None
    last_scan_time: datetime | None  # naive UTC
    estimated_delivery: date | None


class TrackingKind(enum.Enum):
    NOT_FOUND = "not_found"  # the order asked about is not the shopper's (or does not exist)
    NO_ORDERS = "no_orders"
    PICK = "pick"  # several orders: the shopper picks one
    STATUS = "status"


@dataclass(frozen=True)
class TrackingAnswer:
    kind: TrackingKind
    order_number: str | None = None  # NOT_FOUND: as asked; STATUS: the order's
    choices: tuple[OrderChoice, ...] = ()  # PICK
    order: OrderView | None = None  # STATUS: as read before the carrier was called
    live: LiveStatus | None = None
    carrier_unavailable: bool = False
    recorded: bool = False  # this call recorded a status change the carrier reported

    @property
    def delayed(self) -> bool:
        if self.live is not None:
            return self.live.status == ShipmentStatus.EXCEPTION.value
        shipment = self.order.shipment if self.order else None
        return shipment is not None and shipment.status is ShipmentStatus.EXCEPTION

    @property
    def delayed_eta(self) -> date | None:
        """The carrier's estimate when it gave one, else ours."""
        shipment = self.order.shipment if self.order else None
        return (self.live.estimated_delivery if self.live else None) or (
            shipment.estimated_delivery if shipment else None
        )


def _read(session: Session, reference: str, order_number: str | None) -> TrackingAnswer:
    if order_number:
        order = order_of(session, reference, order_number)
        if order is None:
            return TrackingAnswer(TrackingKind.NOT_FOUND, order_number=order_number)
        orders: list[Order] = [order]
    else:
        orders = orders_of(session, reference)
    if not orders:
        return TrackingAnswer(TrackingKind.NO_ORDERS)
    if len(orders) > 1:
        return TrackingAnswer(TrackingKind.PICK, choices=tuple(choice_of(o) for o in orders))
    view = view_of(orders[0])
    return TrackingAnswer(TrackingKind.STATUS, order_number=view.order_number, order=view)


def live_status(
    client: carrier.CarrierClient, tracking_number: str
) -> tuple[LiveStatus | None, bool]:
    """(live status, carrier unavailable); the carrier being down never fails the answer."""
    try:
        info = client.track(tracking_number)
    except carrier.TrackingNotFound:
        return None, False
    except carrier.CarrierUnavailable as error:
        log.warning("live tracking unavailable: %s", error.reason)
        return None, True
    latest = info.latest_event
    return LiveStatus(
        info.status,
        info.status_detail,
        latest.location if latest else None,
        latest.time.replace(tzinfo=None) if latest else None,
        info.estimated_delivery,
    ), False


def record_carrier_status(
    session: Session, order: OrderView, live: LiveStatus, now: datetime
) -> bool:
    """Record the shipment status the carrier reports if it moved on from the one ``order`` was
    read with; a delivery also moves a shipped order to delivered, with one history step.
    True if this call recorded it (False: nothing new, or another call was first)."""
    shipment = order.shipment
    if shipment is None or shipment.status is ShipmentStatus.DELIVERED:
        return False  # delivered is final: a late or confused scan does not undo it
    try:
        reported = ShipmentStatus(live.status)
    except ValueError:
        return False
    if reported is shipment.status:
        return False
    delivered_at = (live.last_scan_time or now) if reported is ShipmentStatus.DELIVERED else None
    moved = session.execute(
        update(Shipment)
        .where(Shipment.id == shipment.id, Shipment.status == shipment.status)
        .values(status=reported, delivered_at=delivered_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        return False
    if reported is ShipmentStatus.DELIVERED:
        delivered = session.execute(
            update(Order)
            .where(Order.id == order.id, Order.status == OrderStatus.SHIPPED)
            .values(status=OrderStatus.DELIVERED)
            .execution_options(synchronize_session=False)
        ).rowcount
        if delivered == 1:
            session.add(
                OrderStatusEvent(
                    order_id=order.id,
                    status=OrderStatus.DELIVERED,
                    occurred_at=delivered_at,
                    note=DELIVERED_NOTE,
                )
            )
    return True


def track_order(
    customer_reference: str,
    order_number: str | None,
    now: datetime,
    client: carrier.CarrierClient | None = None,
    database_url: str | None = None,
) -> TrackingAnswer:
    """The tracking answer for one of the shopper's orders (or the list to pick from)."""
    with session_scope(database_url) as session:
        answer = _read(session, customer_reference, order_number)
    shipment = answer.order.shipment if answer.order else None
    if answer.order is None or shipment is None:
        return answer
    # No session from here to the second transaction: the carrier may take seconds.
    live, unavailable = live_status(client or carrier.default_client(), shipment.tracking_number)
    recorded = False
    if live is not None:
        with session_scope(database_url) as session:
            recorded = record_carrier_status(session, answer.order, live, now)
    return replace(answer, live=live, carrier_unavailable=unavailable, recorded=recorded)


def problem_orders(
    customer_reference: str, order_number: str | None, database_url: str | None = None
) -> tuple[OrderChoice, ...]:
    """The shopper's orders a delivery problem can be about: the one named, else those that
    have left the pharmacy."""
    with session_scope(database_url) as session:
        if order_number:
            order = order_of(session, customer_reference, order_number)
            return (choice_of(order),) if order else ()
        return tuple(
            choice_of(o)
            for o in orders_of(session, customer_reference)
            if o.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
        )
