"""Changing an order's delivery address until it ships: the options, the choice, the change."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select, update

from pharmacy.database import session_scope
from pharmacy.models import Order, OrderStatus, OrderStatusEvent
from pharmacy.tracking.orders import ADDRESS_CHANGEABLE, OrderChoice, choice_of, order_of, orders_of

CHANGED_NOTE = "delivery address changed in chat"


class AddressKind(enum.Enum):
    PICK_ORDER = "pick_order"  # which order? (none or several)
    NOT_FOUND = "not_found"
    SHIPPED = "shipped"  # too late: it has left the pharmacy
    ONLY_ONE = "only_one"  # no other saved address to send it to
    CHOOSE = "choose"


@dataclass(frozen=True)
class SavedAddress:
    id: int
    label: str  # "Work"
    city: str


@dataclass(frozen=True)
class AddressOptions:
    kind: AddressKind
    order_number: str | None = None
    status: OrderStatus | None = None  # SHIPPED: where the order is now
    orders: tuple[OrderChoice, ...] = ()  # PICK_ORDER
    addresses: tuple[SavedAddress, ...] = field(default=())  # CHOOSE: all but the current one


@dataclass(frozen=True)
class AddressChoice:
    order_number: str
    address: SavedAddress


def address_options(
    customer_reference: str, order_number: str | None, database_url: str | None = None
) -> AddressOptions:
    with session_scope(database_url) as session:
        if not order_number:
            orders = orders_of(session, customer_reference)
            if len(orders) != 1:
                return AddressOptions(
                    AddressKind.PICK_ORDER, orders=tuple(choice_of(o) for o in orders)
                )
            order = orders[0]
        else:
            found = order_of(session, customer_reference, order_number)
            if found is None:
                return AddressOptions(AddressKind.NOT_FOUND, order_number=order_number)
            order = found
        if order.status not in ADDRESS_CHANGEABLE:
            return AddressOptions(
                AddressKind.SHIPPED,
                order_number=order.order_number,
                status=OrderStatus(order.status),
            )
        others = tuple(
            SavedAddress(a.id, a.label, a.city)
            for a in order.customer.addresses
            if a.id != order.address_id
        )
        if not others:
            return AddressOptions(AddressKind.ONLY_ONE)
        return AddressOptions(AddressKind.CHOOSE, order_number=order.order_number, addresses=others)


def chosen_address(
    customer_reference: str,
    order_number: str | None,
    address_id: str | None,
    text: str,
    database_url: str | None = None,
) -> AddressChoice | None:
    """The address the shopper picked (by button, or by naming its label), when the order and
    the address are theirs and the change is still allowed."""
    with session_scope(database_url) as session:
        order = order_of(session, customer_reference, order_number) if order_number else None
        if order is None or order.status not in ADDRESS_CHANGEABLE:
            return None
        addresses = order.customer.addresses
        chosen = [a for a in addresses if address_id and str(a.id) == str(address_id)]
        chosen = chosen or [a for a in addresses if a.label.lower() in text.lower()]
        if not chosen:
            return None
        return AddressChoice(
            order.order_number, SavedAddress(chosen[0].id, chosen[0].label, chosen[0].city)
        )


def apply_address_change(
    customer_reference: str,
    order_number: str,
    address_id: str,
    now: datetime,
    database_url: str | None = None,
) -> SavedAddress | None:
    """Send the order to the shopper's saved address ``address_id``; None if it may not (any
    more). The update is conditional on the order still being changeable, so a parcel handed to
    the carrier in the meantime keeps its address; confirming twice records one change."""
    with session_scope(database_url) as session:
        order = order_of(session, customer_reference, order_number)
        if order is None or order.status not in ADDRESS_CHANGEABLE:
            return None
        address = next((a for a in order.customer.addresses if str(a.id) == str(address_id)), None)
        if address is None:
            return None
        saved = SavedAddress(address.id, address.label, address.city)
        changed = session.execute(
            update(Order)
            .where(Order.id == order.id, Order.status.in_(ADDRESS_CHANGEABLE))
            .where(or_(Order.address_id.is_(None), Order.address_id != address.id))
            .values(address_id=address.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed == 1:
            session.add(
                OrderStatusEvent(
                    order_id=order.id, status=order.status, occurred_at=now, note=CHANGED_NOTE
                )
            )
            return saved
        status, current = session.execute(
            select(Order.status, Order.address_id).where(Order.id == order.id)
        ).one()
        # Nothing changed: already going there (a repeated confirmation), or it just shipped.
        return saved if status in ADDRESS_CHANGEABLE and current == address.id else None
