"""Tables of refills and refill reminders: renewal requests, reminders sent, refill events and the
chat where a customer can be reached.

Each "exactly once" promise is a unique constraint here, so that it holds across processes:
a renewal per prescription state (``dedupe_key``), a reminder per due date of a prescription,
a remembered conversation per customer.
"""

from __future__ import annotations

import enum

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint

from pharmacy.models import Base, string_enum


class ReminderStatus(str, enum.Enum):
    SENT = "sent"
    FAILED = "failed"  # a later run sends it again and updates the row in place


class RefillEventKind(str, enum.Enum):
    OFFERED = "offered"  # an in-chat refill prompt
    SUBMITTED = "submitted"
    REMINDER_SENT = "reminder_sent"
    REMINDER_OPENED = "reminder_opened"


class RenewalRequest(Base):
    """A request to the prescriber to renew a prescription (rule R6)."""

    __tablename__ = "renewal_requests"

    id = Column(Integer, primary_key=True)
    prescription_id = Column(Integer, ForeignKey("prescriptions.id"), nullable=False, index=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    reason_code = Column(String(40), nullable=False)
    conversation_id = Column(String(255))
    created_at = Column(DateTime, nullable=False)
    # "renewal:<prescription id>:<refills used>:<date written>": one request per prescription state.
    dedupe_key = Column(String(120), nullable=False, unique=True)


class ReminderSend(Base):
    """One refill reminder pushed into a customer's chat."""

    __tablename__ = "reminder_sends"
    __table_args__ = (
        UniqueConstraint("prescription_id", "due_date", name="uq_reminder_prescription_due"),
    )

    id = Column(Integer, primary_key=True)
    prescription_id = Column(Integer, ForeignKey("prescriptions.id"), nullable=False)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    due_date = Column(Date, nullable=False)
    conversation_id = Column(String(255), nullable=False, index=True)
    sent_at = Column(DateTime, nullable=False)
    status = Column(string_enum(ReminderStatus), nullable=False)
    shown_at = Column(DateTime)  # when the chat said it (set by the reminder action)


class RefillEvent(Base):
    """Refill prompts and submissions, for the refill-conversion metric (rules, section 7)."""

    __tablename__ = "refill_events"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), index=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, index=True)
    prescription_id = Column(Integer, ForeignKey("prescriptions.id"))
    kind = Column(string_enum(RefillEventKind), nullable=False)
    created_at = Column(DateTime, nullable=False)


class CustomerConversation(Base):
    """The customer's latest verified chat: where refill reminders are delivered."""

    __tablename__ = "customer_conversations"

    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), nullable=False, unique=True)
    conversation_id = Column(String(255), nullable=False)
    updated_at = Column(DateTime, nullable=False)
