"""The chat side of a ticket: what the shopper sends while a person is in the chat, what the desk
wrote that the chat has not shown yet, ratings, messages and callback requests out of hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pharmacy.database import session_scope
from pharmacy.handoff.models import HandoffMessage, HandoffTicket, SatisfactionRating, TicketStatus

OPEN = (TicketStatus.WAITING, TicketStatus.CLAIMED, TicketStatus.CALLBACK_REQUESTED)
CLOSED = (TicketStatus.RETURNED, TicketStatus.RESOLVED)


@dataclass(frozen=True)
class Delivery:
    messages: list[str]
    ticket_closed: bool


def latest_ticket(session: Session, conversation_id: str) -> HandoffTicket | None:
    return session.scalar(
        select(HandoffTicket)
        .where(HandoffTicket.conversation_id == conversation_id)
        .order_by(HandoffTicket.id.desc())
        .limit(1)
    )


def add_customer_message(conversation_id: str, text: str) -> bool:
    """Append to the open ticket; False when there is none (the person has left)."""
    with session_scope() as session:
        ticket = latest_ticket(session, conversation_id)
        if ticket is None or ticket.status not in OPEN:
            return False
        ticket.messages.append(
            HandoffMessage(sender="customer", text=text, created_at=datetime.utcnow())
        )
        return True


def take_undelivered(conversation_id: str) -> Delivery:
    """Agent and system messages not yet shown in the chat, oldest first, marked as shown."""
    with session_scope() as session:
        ticket = latest_ticket(session, conversation_id)
        if ticket is None:
            return Delivery([], False)
        pending = session.scalars(
            select(HandoffMessage)
            .where(
                HandoffMessage.ticket_id == ticket.id,
                HandoffMessage.delivered_at.is_(None),
                HandoffMessage.sender.in_(("agent", "system")),
            )
            .order_by(HandoffMessage.id)
            .with_for_update(skip_locked=True)
        ).all()
        now = datetime.utcnow()
        for message in pending:
            message.delivered_at = now
        return Delivery([m.text for m in pending], ticket.status in CLOSED)


def store_rating(conversation_id: str, rating: int) -> None:
    with session_scope() as session:
        ticket = latest_ticket(session, conversation_id)
        session.add(
            SatisfactionRating(
                conversation_id=conversation_id,
                ticket_id=ticket.id if ticket else None,
                rating=rating,
                created_at=datetime.utcnow(),
            )
        )


def leave_message(conversation_id: str, text: str) -> None:
    with session_scope() as session:
        ticket = latest_ticket(session, conversation_id)
        if ticket is not None:
            ticket.messages.append(
                HandoffMessage(sender="customer", text=text, created_at=datetime.utcnow())
            )


def request_callback(conversation_id: str) -> bool:
    with session_scope() as session:
        ticket = latest_ticket(session, conversation_id)
        if ticket is None or ticket.status not in OPEN:
            return False
        ticket.status = TicketStatus.CALLBACK_REQUESTED
        return True
