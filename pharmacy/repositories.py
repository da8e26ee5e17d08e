"""Read access to customers, prescriptions and orders; every function takes the caller's session.

Callers decide the unit of work (``pharmacy.database.session_scope``); nothing here commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pharmacy.models import (
    Customer,
    MedicinePrice,
    Order,
    Prescription,
    PrescriptionStatus,
    Shipment,
)


def customer_by_reference(session: Session, reference: str) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.reference == reference))


def active_prescriptions(session: Session, customer_id: int) -> list[Prescription]:
    return list(
        session.scalars(
            select(Prescription)
            .where(
                Prescription.customer_id == customer_id,
                Prescription.status == PrescriptionStatus.ACTIVE,
            )
            .order_by(Prescription.medicine_name)
        )
    )


def prescription_by_rx_number(session: Session, rx_number: str) -> Prescription | None:
    return session.scalar(
        select(Prescription).where(Prescription.rx_number == rx_number.strip().upper())
    )


def recent_orders(session: Session, customer_id: int, limit: int = 5) -> list[Order]:
    """The customer's newest orders first, with items, history and shipment loaded."""
    return list(
        session.scalars(
            select(Order)
            .where(Order.customer_id == customer_id)
            .options(
                selectinload(Order.items), selectinload(Order.history), selectinload(Order.shipment)
            )
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(limit)
        )
    )


def order_by_number(session: Session, order_number: str) -> Order | None:
    return session.scalar(select(Order).where(Order.order_number == order_number.strip().upper()))


def shipment_by_tracking_number(session: Session, tracking_number: str) -> Shipment | None:
    return session.scalar(
        select(Shipment).where(Shipment.tracking_number == tracking_number.strip().upper())
    )


def medicine_price(session: Session, medicine_id: str) -> int | None:
    """The price in cents of one fill of the medicine, or None when the pharmacy has none."""
    return session.scalar(
        select(MedicinePrice.price_cents).where(MedicinePrice.medicine_id == medicine_id)
    )
