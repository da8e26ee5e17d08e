"""Order status in plain words, from the orders database and, when it answers, the carrier.

Only called for a verified customer, and only with orders that belong to them: ``orders_of`` and
``order_of`` are the gate (someone else's order looks exactly like an unknown one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from pharmacy import repositories
from pharmacy.models import DeliveryMethod, Order, OrderStatus, ShipmentStatus

ORDER_STATUS_WORDS = {
    OrderStatus.RECEIVED: "received",
    OrderStatus.PROCESSING: "being prepared by the pharmacy",
    OrderStatus.AWAITING_PRESCRIBER: "waiting for your prescriber to confirm",
    OrderStatus.READY_FOR_PICKUP: "ready for pickup",
    OrderStatus.SHIPPED: "shipped",
    OrderStatus.DELIVERED: "delivered",
    OrderStatus.PICKED_UP: "picked up",
    OrderStatus.CANCELLED: "cancelled",
}
SHIPMENT_STATUS_WORDS = {
    ShipmentStatus.LABEL_CREATED: "label created, waiting for the carrier to pick it up",
    ShipmentStatus.IN_TRANSIT: "in transit",
    ShipmentStatus.OUT_FOR_DELIVERY: "out for delivery today",
    ShipmentStatus.DELIVERED: "delivered",
    ShipmentStatus.EXCEPTION: "delayed",
}
# An address can still be changed until the parcel is handed to the carrier.
ADDRESS_CHANGEABLE = {OrderStatus.RECEIVED, OrderStatus.PROCESSING, OrderStatus.AWAITING_PRESCRIBER}
RECENT_ORDER_LIMIT = 5


@dataclass(frozen=True)
class LiveStatus:
    """What the carrier said, reduced to what the answer needs."""

    status: str
    detail: str
    last_scan_place: str | None
    last_scan_time: datetime | None
    estimated_delivery: date | None


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


def order_title(order: Order) -> str:
    items = ", ".join(item.description.split(" ")[0] for item in order.items) or "order"
    return f"{order.order_number} · {items} · {ORDER_STATUS_WORDS[order.status]}"


def _day(value: date) -> str:
    return f"{value:%A}, {value:%B} {value.day}"


def _moment(value: datetime) -> str:
    return f"{value:%b} {value.day} at {value:%H:%M}"


def describe_order(order: Order, live: LiveStatus | None, carrier_unavailable: bool) -> str:
    """The status answer: what, where it is, when it arrives, and what to expect at the door."""
    items = ", ".join(item.description for item in order.items)
    lines = [f"Order {order.order_number} ({items}) is {ORDER_STATUS_WORDS[order.status]}."]
    lines.append(
        "So far: "
        + " → ".join(
            f"{ORDER_STATUS_WORDS[event.status]} {_moment(event.occurred_at)}"
            for event in order.history
        )
    )
    shipment = order.shipment
    if order.delivery_method is DeliveryMethod.PICKUP or shipment is None:
        return "\n".join(lines)
    if live is not None:
        line = f"Live tracking ({shipment.carrier} {shipment.tracking_number}): {live.detail or live.status}"
        if live.last_scan_place and live.last_scan_time:
            line += f"; last scan {live.last_scan_place}, {_moment(live.last_scan_time)}"
        lines.append(line + ".")
        eta = live.estimated_delivery
    else:
        words = SHIPMENT_STATUS_WORDS[shipment.status]
        lines.append(f"Our records say: {words} ({shipment.carrier} {shipment.tracking_number}).")
        if carrier_unavailable:
            lines.append(
                "Live tracking from the carrier is unavailable right now; please try again later."
            )
        eta = shipment.estimated_delivery
    if shipment.status is not ShipmentStatus.DELIVERED and eta:
        lines.append(f"Expected delivery: {_day(eta)}.")
    if shipment.signature_required and shipment.status is not ShipmentStatus.DELIVERED:
        lines.append(
            "This parcel contains a controlled medicine: someone aged 18 or over must sign "
            "for it and show ID at the door."
        )
    return "\n".join(lines)


def is_delayed(order: Order, live: LiveStatus | None) -> bool:
    status = live.status if live else (order.shipment.status.value if order.shipment else None)
    return status == ShipmentStatus.EXCEPTION.value
