"""Opening a handoff ticket with its context (or adding to the conversation's open one, within
the per-client limit of new tickets), and the shopper's place in the queue."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pharmacy.handoff.agents import CLAIMABLE_ROLES, Agent
from pharmacy.handoff.conversation import latest_ticket
from pharmacy.handoff.limits import client_keys, take_ticket_quota
from pharmacy.handoff.models import HandoffMessage, HandoffReason, HandoffTicket, TicketStatus
from pharmacy.settings import load_settings

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
    customer_reference: str | None = None
    order_number: str | None = None
    rx_number: str | None = None
    last_intent: str | None = None
    question: str | None = None
    slots: dict[str, object] = field(default_factory=dict)
    transcript: list[tuple[str, str, datetime]] = field(default_factory=list)  # sender, text, time
    client_address_key: str | None = None  # the channel's keyed hash of the client's address


@dataclass(frozen=True)
class QueuePlace:
    ticket_id: int | None
    position: int  # 1 = next
    expected_wait_minutes: int
    already_open: bool
    limited: bool = False  # the client's hourly limit of new tickets is reached: none was opened


def summarise(context: HandoffContext) -> str:
    lines = [
        REASON_WORDS[context.reason] + (f': "{context.question}"' if context.question else ".")
    ]
    who = (
        f"Verified customer {context.customer_reference}."
        if context.verified
        else "Identity NOT verified: share nothing about orders or prescriptions."
    )
    lines.append(who)
    about = [
        f"order {context.order_number}" if context.order_number else "",
        f"prescription {context.rx_number}" if context.rx_number else "",
        f"last intent {context.last_intent}" if context.last_intent else "",
    ]
    about = [part for part in about if part]
    if about:
        lines.append("About " + ", ".join(about) + ".")
    return "\n".join(lines)


def request_handoff(
    session: Session,
    context: HandoffContext,
    now: datetime,
    per_hour: int | None = None,
    per_address: int | None = None,
) -> QueuePlace:
    """Add to the conversation's open ticket, or open one with the context.

    A client (the conversation, and the verified customer) opens at most ``per_hour`` new tickets
    per clock hour (TICKETS_PER_CLIENT_PER_HOUR), a client address at most ``per_address``
    (TICKETS_PER_ADDRESS_PER_HOUR); beyond it a request is refused, except an
    emergency, which is never lost: it reopens the conversation's latest ticket, or opens one.
    """
    ticket = _open_ticket(session, context.conversation_id)
    if ticket is not None:
        _add_request(session, ticket, context, now)
        return _place(session, ticket, already_open=True)
    settings = load_settings()
    limit = settings.tickets_per_client_per_hour if per_hour is None else per_hour
    address_limit = settings.tickets_per_address_per_hour if per_address is None else per_address
    customer = context.customer_reference if context.verified else None
    keys = client_keys(
        context.conversation_id, customer, context.client_address_key, limit, address_limit
    )
    if not take_ticket_quota(session, keys, now):
        if context.reason is not HandoffReason.EMERGENCY:
            return QueuePlace(None, 0, 0, already_open=False, limited=True)
        ticket = latest_ticket(session, context.conversation_id)
        if ticket is not None:
            _reopen(ticket)
            _add_request(session, ticket, context, now)
            return _place(session, ticket, already_open=False)
    ticket = _new_ticket(context, now)
    session.add(ticket)
    return _place(session, ticket, already_open=False)


def _open_ticket(session: Session, conversation_id: str) -> HandoffTicket | None:
    return session.scalar(
        select(HandoffTicket)
        .where(
            HandoffTicket.conversation_id == conversation_id,
            HandoffTicket.status.in_(OPEN_STATUSES),
        )
        .order_by(HandoffTicket.id.desc())
        .limit(1)
    )


def _new_ticket(context: HandoffContext, now: datetime) -> HandoffTicket:
    ticket = HandoffTicket(
        conversation_id=context.conversation_id,
        reason=context.reason,
        priority=PRIORITY[context.reason],
        required_role=_role_for(context.reason),
        status=TicketStatus.WAITING,
        verified=context.verified,
        customer_reference=context.customer_reference if context.verified else None,
        client_address_key=context.client_address_key,
        order_number=context.order_number,
        rx_number=context.rx_number,
        last_intent=context.last_intent,
        question=context.question,
        summary=summarise(context),
        context_json=json.dumps(
            {k: v for k, v in context.slots.items() if k in SLOT_WHITELIST and v is not None},
            default=str,
        ),
        created_at=now,
    )
    for sender, text, at in context.transcript:
        ticket.messages.append(HandoffMessage(sender=sender, text=text, created_at=at))
    return ticket


def _add_request(
    session: Session, ticket: HandoffTicket, context: HandoffContext, now: datetime
) -> None:
    """A further request in a ticket's conversation: its words join the transcript (an emergency
    is answered by the assistant, never relayed, so this is how the desk sees it), and a more
    urgent reason raises the ticket's priority."""
    if context.question:
        ticket.messages.append(
            HandoffMessage(sender="customer", text=context.question, created_at=now)
        )
    if PRIORITY[context.reason] >= ticket.priority:
        return
    ticket.priority = PRIORITY[context.reason]
    ticket.reason = context.reason
    ticket.summary = summarise(context) + "\n(Escalated from an earlier handoff.)"
    ticket.required_role = _role_for(context.reason, ticket.required_role)
    if ticket.claimed_by is not None and not _may_claim(session, ticket.claimed_by, ticket):
        # The person in the chat may not take this reason: back to the queue for one who may.
        _reopen(ticket)


def _reopen(ticket: HandoffTicket) -> None:
    ticket.status = TicketStatus.WAITING
    ticket.claimed_by = ticket.claimed_at = ticket.closed_at = None


def _role_for(reason: HandoffReason, current: str = "agent") -> str:
    return "pharmacist" if reason in PHARMACIST_REASONS else current


def _may_claim(session: Session, agent_id: int, ticket: HandoffTicket) -> bool:
    role = session.scalar(select(Agent.role).where(Agent.id == agent_id))
    return ticket.required_role in CLAIMABLE_ROLES.get(role, ())


def _place(session: Session, ticket: HandoffTicket, already_open: bool) -> QueuePlace:
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
            | (
                (HandoffTicket.priority == ticket.priority)
                & (HandoffTicket.created_at <= ticket.created_at)
                & (HandoffTicket.id < ticket.id)
            ),
        )
    )
    return int(ahead or 0) + 1
