"""Opening a handoff ticket with its context, and the shopper's place in the queue."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pharmacy.handoff.models import HandoffMessage, HandoffReason, HandoffTicket, TicketStatus

PRIORITY = {
    HandoffReason.EMERGENCY: 1,
    HandoffReason.IDENTITY_FAILED: 2,
    HandoffReason.DELIVERY_PROBLEM: 2,
    HandoffReason.PHARMACIST_ONLY: 2,
    HandoffReason.USER_REQUEST: 3,
    HandoffReason.LOW_CONFIDENCE: 3,
}
PHARMACIST_REASONS = {HandoffReason.PHARMACIST_ONLY, HandoffReason.EMERGENCY}
REASON_WORDS = {
    HandoffReason.USER_REQUEST: "Customer asked for a person",
    HandoffReason.PHARMACIST_ONLY: "Question needs a pharmacist",
    HandoffReason.LOW_CONFIDENCE: "Assistant did not understand twice",
    HandoffReason.IDENTITY_FAILED: "Identity verification failed",
    HandoffReason.EMERGENCY: "EMERGENCY message",
    HandoffReason.DELIVERY_PROBLEM: "Delivery problem",
}
# Slots a human may see (minimum necessary); anything else in the tracker stays there.
SLOT_WHITELIST = {"order_number", "rx_number", "medicine", "verified_customer", "pending_task"}
OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CLAIMED)
MINUTES_PER_TICKET_AHEAD = 4


@dataclass
class HandoffContext:
    conversation_id: str
    reason: HandoffReason
    verified: bool = False
    customer_reference: Optional[str] = None
    order_number: Optional[str] = None
    rx_number: Optional[str] = None
    last_intent: Optional[str] = None
    question: Optional[str] = None
    slots: Dict[str, object] = field(default_factory=dict)
    transcript: List[Tuple[str, str, datetime]] = field(default_factory=list)  # sender, text, time


@dataclass(frozen=True)
class QueuePlace:
    ticket_id: int
    position: int  # 1 = next
    expected_wait_minutes: int
    already_open: bool


def summarise(context: HandoffContext) -> str:
    lines = [REASON_WORDS[context.reason] + (f": \"{context.question}\"" if context.question else ".")]
    who = (f"Verified customer {context.customer_reference}." if context.verified
           else "Identity NOT verified: share nothing about orders or prescriptions.")
    lines.append(who)
    about = [f"order {context.order_number}" if context.order_number else "",
             f"prescription {context.rx_number}" if context.rx_number else "",
             f"last intent {context.last_intent}" if context.last_intent else ""]
    about = [part for part in about if part]
    if about:
        lines.append("About " + ", ".join(about) + ".")
    return "\n".join(lines)


def request_handoff(session: Session, context: HandoffContext, now: datetime) -> QueuePlace:
    """Open a ticket for the conversation, or return the one already open (raising its priority
    if this reason is more urgent)."""
    ticket = session.scalar(
        select(HandoffTicket)
        .where(HandoffTicket.conversation_id == context.conversation_id,
               HandoffTicket.status.in_(OPEN_STATUSES))
        .order_by(HandoffTicket.id.desc())
    )
    already_open = ticket is not None
    if ticket is None:
        ticket = HandoffTicket(
            conversation_id=context.conversation_id,
            reason=context.reason,
            priority=PRIORITY[context.reason],
            required_role="pharmacist" if context.reason in PHARMACIST_REASONS else "agent",
            status=TicketStatus.WAITING,
            verified=context.verified,
            customer_reference=context.customer_reference if context.verified else None,
            order_number=context.order_number,
            rx_number=context.rx_number,
            last_intent=context.last_intent,
            question=context.question,
            summary=summarise(context),
            context_json=json.dumps(
                {k: v for k, v in context.slots.items() if k in SLOT_WHITELIST and v is not None},
                default=str),
            created_at=now,
        )
        for sender, text, at in context.transcript:
            ticket.messages.append(HandoffMessage(sender=sender, text=text, created_at=at))
        session.add(ticket)
    elif PRIORITY[context.reason] < ticket.priority:
        ticket.priority = PRIORITY[context.reason]
        ticket.reason = context.reason
        ticket.summary = summarise(context) + "\n(Escalated from an earlier handoff.)"
        if context.reason in PHARMACIST_REASONS:
            ticket.required_role = "pharmacist"
    session.flush()
    position = queue_position(session, ticket)
    return QueuePlace(ticket.id, position, position * MINUTES_PER_TICKET_AHEAD, already_open)


def queue_position(session: Session, ticket: HandoffTicket) -> int:
    """1 + the waiting tickets served before this one (higher priority, or same and older)."""
    if ticket.status is not TicketStatus.WAITING:
        return 0
    ahead = session.scalar(
        select(func.count(HandoffTicket.id)).where(
            HandoffTicket.status == TicketStatus.WAITING,
            HandoffTicket.id != ticket.id,
            (HandoffTicket.priority < ticket.priority)
            | ((HandoffTicket.priority == ticket.priority)
               & (HandoffTicket.created_at <= ticket.created_at)
               & (HandoffTicket.id < ticket.id)),
        )
    )
    return int(ahead or 0) + 1
