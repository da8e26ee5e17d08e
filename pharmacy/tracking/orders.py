"""Which orders a customer may ask about, and frozen views of them that outlive the session.

Only called for a verified customer, and only with orders that belong to them: ``orders_of`` and
``order_of`` are the gate (someone else's order looks exactly like an unknown one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from pharmacy import repositories
from pharmacy.models import DeliveryMethod, Order, OrderStatus, ShipmentStatus

# An address can still be changed until the parcel is handed to the carrier.
ADDRESS_CHANGEABLE = frozenset(
    {OrderStatus.RECEIVED, OrderStatus.PROCESSING, OrderStatus.AWAITING_PRESCRIBER}
)
RECENT_ORDER_LIMIT = 5


def orders_of(session: Session, customer_reference: str) -> list[Order]:
    customer = repositories.customer_by_reference(session, customer_reference)
    if customer is None:
        return []
    return repositories.recent_orders(session, customer.id, limit=RECENT_ORDER_LIMIT)


def order_of(session: Session, customer_reference: str, order_number: str) -> Order | None:
    """The order if it belongs to this customer; None for unknown and for someone else's."""
    order = repositories.order_by_number(session, order_number)
    if order is None or order.customer.reference != customer_reference:
        return None
    return order


@dataclass(frozen=True)
class OrderChoice:
    """One order in a list to pick from."""

    order_number: str
    status: OrderStatus
    item_names: tuple[str, ...]  # the first word of each item ("Atorvastatin")


@dataclass(frozen=True)
class HistoryStep:
    status: OrderStatus
    occurred_at: datetime  # naive UTC


@dataclass(frozen=True)
class ShipmentView:
    id: int
    carrier: str
    tracking_number: str
    status: ShipmentStatus
    signature_required: bool
    estimated_delivery: date | None


@dataclass(frozen=True)
class OrderView:
    id: int
    order_number: str
    status: OrderStatus
    delivery_method: DeliveryMethod
    items: tuple[str, ...]  # full descriptions
    history: tuple[HistoryStep, ...]  # oldest first
    shipment: ShipmentView | None


def choice_of(order: Order) -> OrderChoice:
    return OrderChoice(
        order.order_number,
        OrderStatus(order.status),
        tuple(item.description.split(" ")[0] for item in order.items),
    )


def view_of(order: Order) -> OrderView:
    shipment = order.shipment
    return OrderView(
        id=order.id,
        order_number=order.order_number,
        status=OrderStatus(order.status),
        delivery_method=DeliveryMethod(order.delivery_method),
        items=tuple(item.description for item in order.items),
        history=tuple(HistoryStep(e.status, e.occurred_at) for e in order.history),
        shipment=None
        if shipment is None
        else ShipmentView(
            id=shipment.id,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            status=ShipmentStatus(shipment.status),
            signature_required=bool(shipment.signature_required),
            estimated_delivery=shipment.estimated_delivery,
        ),
    )
