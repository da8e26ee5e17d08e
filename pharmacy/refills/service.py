"""Prescription refills without Rasa: what can be refilled, submitting a refill, renewal requests,
refill events and the plain-words summary the chat confirms.

Whether a refill is allowed is decided by ``pharmacy.refills.policy.decide_refill`` only, and again
at submit time: an answer given earlier in the chat is never trusted. "Exactly once" is left to
the database's unique constraints (a refill order per prescription state, a renewal request per
prescription state), never to a check-then-insert, so it holds across processes.

Every function that takes a customer reference and an Rx number checks that the prescription is
that customer's; a failed check raises ``RefillRequestError`` with a message fit for logs.

Functions take the caller's ``Session`` and never commit (README, "How it fits together"), except
``submit_refill``, which owns its transactions: see there why.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pharmacy import repositories
from pharmacy.database import insert_unless_present, session_scope
from pharmacy.identity import RX_NUMBER
from pharmacy.models import (
    Address,
    Customer,
    DeliveryMethod,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusEvent,
    Prescription,
)
from pharmacy.refills.models import (
    CustomerConversation,
    RefillEvent,
    RefillEventKind,
    RenewalRequest,
)
from pharmacy.refills.policy import (
    RefillDecision,
    RefillOutcome,
    RefillPolicyConfig,
    decide_refill,
    format_day,
)
from pharmacy.settings import load_settings

ORDER_NUMBER_BASE = 200000  # demo orders are EP-100001..; refill orders EP-200000 + row id
SHIP_BUSINESS_DAYS = 3
PICKUP_BUSINESS_DAYS = 1

Delivery = str | int  # "pickup" or the id of one of the customer's addresses


class RefillRequestError(ValueError):
    """The request does not fit the customer (unknown customer, not their prescription or
    address, unusable delivery). The message names no person and no medicine."""


@dataclass(frozen=True)
class RefillSettings:
    reminder_lead_days: int = 3  # remind this many days before a refill is due
    policy: RefillPolicyConfig = field(default_factory=RefillPolicyConfig)

    @classmethod
    def from_env(cls) -> RefillSettings:
        """The process's refill settings, as ``pharmacy.settings`` read and checked them."""
        settings = load_settings()
        return cls(settings.refill_reminder_lead_days, settings.refill_policy)


@dataclass(frozen=True)
class SubmitResult:
    order_number: str | None  # None when the policy refused the refill
    created: bool  # False: refused, or this refill had already been submitted
    decision: RefillDecision


# ----------------------------------------------------------------------------- finding


def refillable_prescriptions(
    session: Session,
    customer_reference: str,
    today: date,
    config: RefillPolicyConfig | None = None,
) -> list[tuple[Prescription, RefillDecision]]:
    """The customer's active prescriptions, each with today's refill decision."""
    customer = repositories.customer_by_reference(session, customer_reference)
    if customer is None:
        return []
    config = config or RefillPolicyConfig.from_env()
    return [
        (rx, decide_refill(rx, today, config))
        for rx in repositories.active_prescriptions(session, customer.id)
    ]


def match_prescription(prescriptions: Sequence[Prescription], text: str) -> Prescription | None:
    """The one prescription ``text`` names, by Rx number or by medicine; None if none or several.

    A typed Rx number wins: if it is not one of ``prescriptions``, nothing matches (no guessing
    by name then). Medicine names go through the knowledge base's recogniser, which knows brand
    names and misspellings, and then a plain substring check of the names on the prescriptions.
    """
    if not text or not text.strip():
        return None
    typed = {f"RX{match.group(1)}" for match in RX_NUMBER.finditer(text)}
    if typed:
        return _only([rx for rx in prescriptions if rx.rx_number.upper() in typed])
    recognised = _recognised_medicine_ids(text)
    lowered = text.lower()
    return _only(
        [rx for rx in prescriptions if rx.medicine_id in recognised or _named_in(rx, lowered)]
    )


def _recognised_medicine_ids(text: str) -> set[str]:
    from pharmacy.knowledge import default_recognizer  # builds spaCy on first use

    return {mention.medicine_id for mention in default_recognizer().find(text)}


def _named_in(prescription: Prescription, lowered_text: str) -> bool:
    medicine_id = prescription.medicine_id.lower()
    names = {
        prescription.medicine_name.lower(),
        medicine_id,
        medicine_id.replace("_", " "),
        medicine_id.replace("_", "-"),
    }
    return any(name in lowered_text for name in names)


def _only(found: Sequence[Prescription]) -> Prescription | None:
    unique = {rx.id: rx for rx in found}
    return next(iter(unique.values())) if len(unique) == 1 else None


# ----------------------------------------------------------------------------- submitting


def refill_idempotency_key(prescription: Prescription) -> str:
    """Same key for every submission of the same refill; a new fill changes the counters."""
    return f"refill:{prescription.id}:{prescription.refills_used}:{prescription.last_fill_date}"


def submit_refill(
    customer_reference: str,
    rx_number: str,
    delivery: Delivery,
    today: date,
    now: datetime,
    conversation_id: str | None = None,
    config: RefillPolicyConfig | None = None,
    *,
    database_url: str | None = None,
) -> SubmitResult:
    """Place the refill order, once: a repeated or concurrent submission returns the same order
    with ``created=False``. Refused (no order) unless the policy allows the refill today.

    Owns its transactions (``database_url``: None for the configured database): the order's
    unique idempotency key decides between concurrent submissions, and the loser's conflict
    ends its transaction, so the winner's order is read in a second one."""
    config = config or RefillPolicyConfig.from_env()
    key: str | None = None
    decision: RefillDecision | None = None
    try:
        with session_scope(database_url) as session:
            customer, rx = _owned_prescription(session, customer_reference, rx_number)
            method, address = _delivery(session, customer, delivery)
            decision = decide_refill(rx, today, config)
            if decision.outcome is not RefillOutcome.ALLOWED:
                return SubmitResult(None, False, decision)
            key = refill_idempotency_key(rx)
            price = repositories.medicine_price(session, rx.medicine_id)
            order = _refill_order(customer, rx, method, address, key, price, now)
            session.add(order)
            session.flush()  # the unique idempotency key decides here, or at commit
            order.order_number = f"EP-{ORDER_NUMBER_BASE + order.id}"  # ids never collide
            add_refill_event(
                session, RefillEventKind.SUBMITTED, customer.id, rx.id, conversation_id, now
            )
            return SubmitResult(order.order_number, True, decision)
    except IntegrityError:
        existing = _order_number_for_key(database_url, key) if key else None
        if existing is None or decision is None:  # another constraint: not a repeat submission
            raise
        return SubmitResult(existing, False, decision)


def _refill_order(
    customer: Customer,
    rx: Prescription,
    method: DeliveryMethod,
    address: Address | None,
    key: str,
    price: int | None,
    now: datetime,
) -> Order:
    return Order(
        # Placeholder until the row id is known; never committed.
        order_number=f"NEW-{uuid.uuid4().hex[:12]}",
        customer=customer,
        status=OrderStatus.RECEIVED,
        delivery_method=method,
        address=address,
        total_cents=price,
        placed_at=now,
        idempotency_key=key,
        items=[
            OrderItem(
                prescription=rx,
                description=f"{rx.medicine_name} {rx.strength}",
                quantity=rx.quantity,
                price_cents=price,
            )
        ],
        history=[OrderStatusEvent(status=OrderStatus.RECEIVED, occurred_at=now)],
    )


def _order_number_for_key(database_url: str | None, key: str) -> str | None:
    with session_scope(database_url) as session:
        return live_order_number(session, key)


def live_order_number(session: Session, key: str) -> str | None:
    """The order holding this refill; a cancelled order holds nothing (the unique index on
    live orders' keys agrees), so the refill can be ordered again."""
    return session.scalar(
        select(Order.order_number).where(
            Order.idempotency_key == key, Order.status != OrderStatus.CANCELLED
        )
    )


def _delivery(
    session: Session, customer: Customer, delivery: Delivery
) -> tuple[DeliveryMethod, Address | None]:
    if isinstance(delivery, str) and delivery.strip().lower() == DeliveryMethod.PICKUP.value:
        return DeliveryMethod.PICKUP, None
    try:
        address_id = int(delivery)
    except (TypeError, ValueError):
        raise RefillRequestError("delivery must be 'pickup' or an address id") from None
    address = session.get(Address, address_id)
    if address is None or address.customer_id != customer.id:
        raise RefillRequestError("the address is not one of this customer's")
    return DeliveryMethod.SHIP, address


# ----------------------------------------------------------------------------- renewals, events


def request_renewal(
    session: Session,
    customer_reference: str,
    rx_number: str,
    reason_code: str,
    now: datetime,
    conversation_id: str | None = None,
    config: RefillPolicyConfig | None = None,
    today: date | None = None,
) -> bool:
    """Record a renewal request to the prescriber (R6); True if new, False if already recorded.

    Only for a prescription the policy says needs renewal today; anything else (Schedule II
    needs a new prescription, a refillable one needs no renewal) raises RefillRequestError.
    ``today`` is the pharmacy's date the decision was shown for (default: ``now``'s date).
    """
    config = config or RefillPolicyConfig.from_env()
    customer, rx = _owned_prescription(session, customer_reference, rx_number)
    decision = decide_refill(rx, today or now.date(), config)
    if decision.outcome is not RefillOutcome.NEEDS_RENEWAL:
        raise RefillRequestError(f"no renewal when the refill decision is {decision.reason_code}")
    # The dedupe key decides, also between concurrent requests: one request per state.
    return insert_unless_present(
        session,
        RenewalRequest,
        {
            "prescription_id": rx.id,
            "customer_id": customer.id,
            "reason_code": reason_code,
            "conversation_id": conversation_id,
            "created_at": now,
            "dedupe_key": f"renewal:{rx.id}:{rx.refills_used}:{rx.date_written}",
        },
        unique=["dedupe_key"],
    )


def record_offer(
    session: Session,
    conversation_id: str,
    customer_reference: str,
    rx_number: str,
    now: datetime | None = None,
) -> bool:
    """The chat offered this refill (a refill prompt in the conversion metric). Counted once per
    conversation and prescription, however often the shopper changes their mind; True if new."""
    customer, rx = _owned_prescription(session, customer_reference, rx_number)
    offered = session.scalar(
        select(RefillEvent.id)
        .where(
            RefillEvent.kind == RefillEventKind.OFFERED,
            RefillEvent.conversation_id == conversation_id,
            RefillEvent.prescription_id == rx.id,
        )
        .limit(1)
    )
    if offered is not None:
        return False
    add_refill_event(
        session,
        RefillEventKind.OFFERED,
        customer.id,
        rx.id,
        conversation_id,
        now or datetime.utcnow(),
    )
    return True


def add_refill_event(
    session: Session,
    kind: RefillEventKind,
    customer_id: int,
    prescription_id: int | None,
    conversation_id: str | None,
    at: datetime,
) -> None:
    session.add(
        RefillEvent(
            kind=kind,
            customer_id=customer_id,
            prescription_id=prescription_id,
            conversation_id=conversation_id,
            created_at=at,
        )
    )


def remember_conversation(
    session: Session, customer_reference: str, conversation_id: str, now: datetime
) -> None:
    """Keep the customer's latest verified chat (where reminders go). Call on verification."""
    customer_id = _customer(session, customer_reference).id
    latest = {"conversation_id": conversation_id, "updated_at": now}
    # One row per customer; of two concurrent chats the later write is the newer news.
    insert_unless_present(
        session,
        CustomerConversation,
        {"customer_id": customer_id, **latest},
        unique=["customer_id"],
        update=latest,
    )


# ----------------------------------------------------------------------------- lookups


def _customer(session: Session, customer_reference: str) -> Customer:
    customer = repositories.customer_by_reference(session, customer_reference)
    if customer is None:
        raise RefillRequestError("unknown customer reference")
    return customer


def _owned_prescription(
    session: Session, customer_reference: str, rx_number: str
) -> tuple[Customer, Prescription]:
    customer = _customer(session, customer_reference)
    rx = repositories.prescription_by_rx_number(session, rx_number or "")
    if rx is None or rx.customer_id != customer.id:  # one message: do not reveal which
        raise RefillRequestError("no such prescription for this customer")
    return customer, rx


# ----------------------------------------------------------------------------- wording


def is_pickup(delivery: Delivery | DeliveryMethod) -> bool:
    if isinstance(delivery, DeliveryMethod):
        return delivery is DeliveryMethod.PICKUP
    return isinstance(delivery, str) and delivery.strip().lower() == DeliveryMethod.PICKUP.value


def add_business_days(day: date, count: int) -> date:
    """``count`` Mondays-to-Fridays after ``day`` (public holidays are not known here)."""
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def estimated_arrival(today: date, delivery: Delivery | DeliveryMethod) -> date:
    """Pickup: ready the next business day; shipping: delivered in 3 business days."""
    days = PICKUP_BUSINESS_DAYS if is_pickup(delivery) else SHIP_BUSINESS_DAYS
    return add_business_days(today, days)


def summary_line(
    prescription: Prescription, price_cents: int | None, delivery_label: str, today: date
) -> str:
    """What the customer confirms before submitting: medicine, quantity, cost when known
    (``repositories.medicine_price``), and when it arrives. ``delivery_label`` is "pickup" or
    the address's label ("Home"); the address itself is never written into the chat."""
    cost = f", ${price_cents / 100:.2f} before insurance" if price_cents is not None else ""
    medicine = (
        f"{prescription.medicine_name} {prescription.strength} ({prescription.rx_number}), "
        f"quantity {prescription.quantity}{cost}"
    )
    if is_pickup(delivery_label):
        when = format_day(estimated_arrival(today, DeliveryMethod.PICKUP))
        return f"Refill of {medicine}, ready for pickup from {when}."
    when = format_day(estimated_arrival(today, DeliveryMethod.SHIP))
    return (
        f"Refill of {medicine}, delivered to your {delivery_label.strip().lower()} address "
        f"by {when}."
    )
