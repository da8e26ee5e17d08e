"""Database tables of the pharmacy: customers, prescriptions, orders and shipments.

Columns marked PHI (date of birth, address, phone, insurance id) are never logged or said in chat;
``pharmacy.privacy`` is the place that masks them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base, relationship

Base: Any = declarative_base()  # untyped in SQLAlchemy 1.4: subclasses are checked as Any


def string_enum(enum_class: type) -> Enum:
    # Stored as plain strings with a CHECK constraint: same schema on SQLite and PostgreSQL.
    return Enum(
        enum_class,
        native_enum=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class PrescriptionStatus(str, enum.Enum):
    ACTIVE = "active"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    TRANSFERRED_OUT = "transferred_out"


class OrderStatus(str, enum.Enum):
    RECEIVED = "received"
    PROCESSING = "processing"
    AWAITING_PRESCRIBER = "awaiting_prescriber"
    READY_FOR_PICKUP = "ready_for_pickup"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    PICKED_UP = "picked_up"
    CANCELLED = "cancelled"


class ShipmentStatus(str, enum.Enum):
    LABEL_CREATED = "label_created"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"


class DeliveryMethod(str, enum.Enum):
    SHIP = "ship"
    PICKUP = "pickup"


class ConsentKind(str, enum.Enum):
    REFILL_REMINDERS = "refill_reminders"
    HEALTH_DATA_PERSONALISATION = "health_data_personalisation"


class Customer(Base):
    """A shopper with an account. ``reference`` is the id agents and logs may show."""

    __tablename__ = "customers"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, unique=True)
    first_name = Column(String(80), nullable=False)
    last_name = Column(String(80), nullable=False)
    date_of_birth = Column(Date, nullable=False)  # PHI
    phone = Column(String(32), nullable=False)  # PHI
    email = Column(String(200), nullable=False, unique=True)
    insurance_member_id = Column(String(40))  # PHI
    created_at = Column(DateTime, nullable=False, default=datetime.utcnow)

    addresses: list[Address] = relationship(
        "Address", back_populates="customer", order_by="Address.id"
    )
    prescriptions: list[Prescription] = relationship(
        "Prescription", back_populates="customer", order_by="Prescription.id"
    )
    orders: list[Order] = relationship("Order", back_populates="customer", order_by="Order.id")
    consents: list[Consent] = relationship("Consent", back_populates="customer")


class Address(Base):
    """A saved delivery address (PHI as a whole)."""

    __tablename__ = "addresses"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    label = Column(String(40), nullable=False)
    line1 = Column(String(200), nullable=False)
    line2 = Column(String(200))
    city = Column(String(100), nullable=False)
    state = Column(String(2), nullable=False)
    postal_code = Column(String(10), nullable=False)
    is_default = Column(Boolean, nullable=False, default=False)

    customer: Customer = relationship("Customer", back_populates="addresses")


class Consent(Base):
    """A consent given separately for one purpose (PIPL art. 29); revoking keeps the record."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("customer_id", "kind", name="uq_consent_customer_kind"),)

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False)
    kind = Column(string_enum(ConsentKind), nullable=False)
    granted_at = Column(DateTime, nullable=False)
    revoked_at = Column(DateTime)
    source = Column(String(40), nullable=False)

    customer: Customer = relationship("Customer", back_populates="consents")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class MedicinePrice(Base):
    """What the pharmacy charges, before insurance, for one fill of a medicine (a prescription's
    quantity of it). No row: the price is not known, and the chat says none."""

    __tablename__ = "medicine_prices"
    __table_args__ = (CheckConstraint("price_cents >= 0", name="ck_medicine_price_not_negative"),)

    medicine_id = Column(String(64), primary_key=True)  # as in Prescription.medicine_id
    price_cents = Column(Integer, nullable=False)


class Prescriber(Base):
    __tablename__ = "prescribers"

    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    npi = Column(String(10), nullable=False, unique=True)
    clinic = Column(String(160), nullable=False)
    phone = Column(String(32), nullable=False)


class Prescription(Base):
    """One prescription as written, with its fill history summarised in the refill counters."""

    __tablename__ = "prescriptions"

    id = Column(Integer, primary_key=True)
    rx_number = Column(String(16), nullable=False, unique=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    prescriber_id = Column(Integer, ForeignKey("prescribers.id"), nullable=False)
    medicine_id = Column(String(64), nullable=False)  # id in the drug knowledge base
    medicine_name = Column(String(120), nullable=False)
    strength = Column(String(40), nullable=False)
    directions = Column(Text, nullable=False)
    quantity = Column(Integer, nullable=False)
    days_supply = Column(Integer, nullable=False)
    refills_authorized = Column(Integer, nullable=False)
    refills_used = Column(Integer, nullable=False, default=0)
    date_written = Column(Date, nullable=False)
    dea_schedule = Column(String(3))  # None, "II", "III", "IV" or "V"
    last_fill_date = Column(Date)
    status = Column(
        string_enum(PrescriptionStatus), nullable=False, default=PrescriptionStatus.ACTIVE
    )
    is_maintenance = Column(Boolean, nullable=False, default=False)
    is_specialty = Column(Boolean, nullable=False, default=False)
    auto_refill = Column(Boolean, nullable=False, default=False)

    customer: Customer = relationship("Customer", back_populates="prescriptions")
    prescriber: Prescriber = relationship("Prescriber")

    @property
    def refills_remaining(self) -> int:
        return max(self.refills_authorized - self.refills_used, 0)

    @property
    def is_controlled(self) -> bool:
        return self.dea_schedule is not None

    @property
    def drug_class(self) -> str | None:
        """The knowledge base's class of this medicine (R1 thresholds per class), if known."""
        from pharmacy.knowledge.loader import knowledge_base  # read on first use, not at import

        medicine = knowledge_base().get(self.medicine_id)
        return medicine.class_key if medicine else None


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        Index(
            "uq_orders_live_idempotency_key",
            "idempotency_key",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
    )

    id = Column(Integer, primary_key=True)
    order_number = Column(String(16), nullable=False, unique=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    status = Column(string_enum(OrderStatus), nullable=False)
    delivery_method = Column(string_enum(DeliveryMethod), nullable=False)
    address_id = Column(Integer, ForeignKey("addresses.id"))
    total_cents = Column(Integer)
    placed_at = Column(DateTime, nullable=False)
    # Set by whoever creates the order so that a repeated submission maps onto the same row.
    # Unique among orders that are not cancelled: a cancelled refill can be ordered again.
    idempotency_key = Column(String(80))

    customer: Customer = relationship("Customer", back_populates="orders")
    address: Address | None = relationship("Address")
    items: list[OrderItem] = relationship(
        "OrderItem", back_populates="order", order_by="OrderItem.id"
    )
    history: list[OrderStatusEvent] = relationship(
        "OrderStatusEvent", back_populates="order", order_by="OrderStatusEvent.occurred_at"
    )
    shipment: Shipment | None = relationship("Shipment", back_populates="order", uselist=False)


class OrderItem(Base):
    __tablename__ = "order_items"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, index=True)
    prescription_id = Column(Integer, ForeignKey("prescriptions.id"))  # None for OTC products
    description = Column(String(200), nullable=False)
    quantity = Column(Integer, nullable=False)
    price_cents = Column(Integer)

    order: Order = relationship("Order", back_populates="items")
    prescription: Prescription | None = relationship("Prescription")


class OrderStatusEvent(Base):
    """One step of an order's history, in the order it happened."""

    __tablename__ = "order_status_events"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, index=True)
    status = Column(string_enum(OrderStatus), nullable=False)
    occurred_at = Column(DateTime, nullable=False)
    note = Column(String(200))

    order: Order = relationship("Order", back_populates="history")


class Shipment(Base):
    __tablename__ = "shipments"

    id = Column(Integer, primary_key=True)
    order_id = Column(Integer, ForeignKey("orders.id"), nullable=False, unique=True)
    carrier = Column(String(40), nullable=False)
    tracking_number = Column(String(40), nullable=False, unique=True)
    status = Column(string_enum(ShipmentStatus), nullable=False)
    signature_required = Column(Boolean, nullable=False, default=False)
    shipped_at = Column(DateTime)
    estimated_delivery = Column(Date)
    delivered_at = Column(DateTime)

    order: Order = relationship("Order", back_populates="shipment")
