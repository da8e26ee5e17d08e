"""Tables of the handoff queue: a ticket per handoff, the messages exchanged in it, and the count
of new tickets per client that limits floods."""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from pharmacy.models import Base, string_enum


class HandoffReason(str, enum.Enum):
    USER_REQUEST = "user_request"
    PHARMACIST_ONLY = "pharmacist_only"
    LOW_CONFIDENCE = "low_confidence"
    IDENTITY_FAILED = "identity_failed"
    EMERGENCY = "emergency"
    DELIVERY_PROBLEM = "delivery_problem"


class TicketStatus(str, enum.Enum):
    WAITING = "waiting"
    CLAIMED = "claimed"
    RETURNED = "returned"  # given back to the bot
    RESOLVED = "resolved"
    CALLBACK_REQUESTED = "callback_requested"  # out of hours: a person calls or writes back


class HandoffTicket(Base):
    """What a human needs to take over one conversation (pharmacy rules, section 6)."""

    __tablename__ = "handoff_tickets"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    # Keyed hash of the client's address (from the chat channel): the queue groups a script's
    # tickets from many new chats into one row.
    client_address_key = Column(String(32), index=True)
    reason = Column(string_enum(HandoffReason), nullable=False)
    priority = Column(Integer, nullable=False)  # 1 urgent, 2 high, 3 normal
    required_role = Column(String(16), nullable=False)  # "agent" or "pharmacist"
    status = Column(string_enum(TicketStatus), nullable=False, default=TicketStatus.WAITING)
    verified = Column(Boolean, nullable=False, default=False)
    customer_reference = Column(String(16))
    order_number = Column(String(16))
    rx_number = Column(String(16))
    last_intent = Column(String(80))
    question = Column(Text)
    summary = Column(Text, nullable=False)
    context_json = Column(Text, nullable=False, default="{}")  # whitelisted slots only
    created_at = Column(DateTime, nullable=False)
    claimed_by = Column(Integer)
    claimed_at = Column(DateTime)
    first_reply_at = Column(DateTime)
    closed_at = Column(DateTime)

    messages: list[HandoffMessage] = relationship(
        "HandoffMessage", back_populates="ticket", order_by="HandoffMessage.id"
    )


class HandoffMessage(Base):
    __tablename__ = "handoff_messages"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("handoff_tickets.id"), nullable=False, index=True)
    sender = Column(String(16), nullable=False)  # customer, bot, agent, system
    agent_id = Column(Integer)  # who wrote it, for agent messages
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)
    # Agent and system messages are pushed into the shopper's chat once; this marks it done.
    delivered_at = Column(DateTime)

    ticket: HandoffTicket = relationship("HandoffTicket", back_populates="messages")


class SatisfactionRating(Base):
    """The 1-5 rating asked for after a human hands the conversation back (CSAT)."""

    __tablename__ = "satisfaction_ratings"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    ticket_id = Column(Integer, ForeignKey("handoff_tickets.id"))
    rating = Column(Integer, nullable=False)
    created_at = Column(DateTime, nullable=False)


class TicketQuota(Base):
    """New tickets opened by one client (a conversation, or a verified customer) in one clock
    hour; ``pharmacy.handoff.limits`` counts them."""

    __tablename__ = "handoff_ticket_quota"

    client_key = Column(String(300), primary_key=True)  # "conversation:<id>" or "customer:<ref>"
    window_start = Column(DateTime, primary_key=True, index=True)
    count = Column(Integer, nullable=False)
