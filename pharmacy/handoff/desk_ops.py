"""What an agent or a pharmacist does with handoff tickets: open, follow, claim, reply, hand back
(the queue itself is ``pharmacy.handoff.queue``).

No web code here; the desk server calls these inside one ``session_scope`` per request. Every
ticket view and every action leaves a row in ``desk_audit_log``. Errors are exceptions the server
maps onto HTTP statuses (TicketNotFound 404, NotPermitted 403, TicketConflict 409, BadReply 400).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pharmacy.handoff.agents import CLAIMABLE_ROLES, VISIBLE_ROLES, Agent, audit
from pharmacy.handoff.conversation import CLOSED
from pharmacy.handoff.models import HandoffMessage, HandoffTicket, TicketStatus
from pharmacy.handoff.service import REASON_WORDS, SLOT_WHITELIST
from pharmacy.privacy import redact

# Everything the shopper is shown by the desk, in one place.
JOINED_TEXT = "{name} from our pharmacy team has joined the chat."
LEFT_TEXT = "The pharmacy team has left the chat; the assistant is back."
RESOLVED_TEXT = "The pharmacy team has marked this conversation as resolved; the assistant is back."
CANNED_REPLIES = [
    "Thanks for waiting. I'm looking into this for you now.",
    "Could you tell me the order number or the Rx number this is about?",
    "I've checked your order and I'll explain what's happening in a moment.",
    "Is there anything else I can help you with today?",
    "Thanks for chatting with us. I'll hand you back to the assistant now.",
]
MAX_REPLY_CHARS = 2000


class DeskError(Exception):
    """Base of the refusals the desk shows to staff."""


class TicketNotFound(DeskError):
    pass


class NotPermitted(DeskError):
    """Wrong role for the ticket, or not the agent who claimed it."""


class TicketConflict(DeskError):
    """Someone else claimed it first, or it is no longer open."""


class BadReply(DeskError):
    pass


def may_read(agent: Agent, ticket: HandoffTicket) -> bool:
    """Open tickets for the agent's role; a closed one only for the person who handled it and for
    supervisors (minimum necessary: a finished conversation is nobody else's business)."""
    if ticket.required_role not in VISIBLE_ROLES.get(agent.role, ()):
        return False
    return (
        ticket.status not in CLOSED or agent.id == ticket.claimed_by or agent.role == "supervisor"
    )


def open_feed(session: Session, agent: Agent, ticket_id: int | None, now: datetime) -> None:
    """Audits that the agent opened the live feed (the queue), with the ticket it follows when
    the agent may read that ticket; the feed itself checks again every time it sends."""
    ticket = session.get(HandoffTicket, ticket_id) if ticket_id else None
    audit(
        session,
        agent.id,
        "open_feed",
        now,
        ticket.id if ticket is not None and may_read(agent, ticket) else None,
    )


def ticket_view(
    session: Session, ticket_id: int, agent: Agent, now: datetime | None = None
) -> dict[str, Any]:
    """The minimum-necessary picture of one ticket with its transcript (audited)."""
    ticket = _visible_ticket(session, ticket_id, agent)
    audit(session, agent.id, "view_ticket", now or datetime.utcnow(), ticket.id)
    return ticket_json(session, ticket, agent)


def ticket_json(
    session: Session, ticket: HandoffTicket, agent: Agent, after_message_id: int = 0
) -> dict[str, Any]:
    """A ticket's whitelisted fields and its messages after ``after_message_id`` (not audited:
    the live feed calls it every second for a ticket already opened through ``ticket_view``)."""
    claimer_name = None
    if ticket.claimed_by is not None:
        claimer_name = session.scalar(
            select(Agent.display_name).where(Agent.id == ticket.claimed_by)
        )
    context = json.loads(ticket.context_json or "{}")
    messages = session.scalars(
        select(HandoffMessage)
        .where(HandoffMessage.ticket_id == ticket.id, HandoffMessage.id > after_message_id)
        .order_by(HandoffMessage.id)
    ).all()
    return {
        **queue_item(ticket, claimer_name, agent),
        "summary": ticket.summary,
        "question": ticket.question,
        "customer_reference": ticket.customer_reference,
        "order_number": ticket.order_number,
        "rx_number": ticket.rx_number,
        "last_intent": ticket.last_intent,
        "context": {key: value for key, value in context.items() if key in SLOT_WHITELIST},
        "claimed_at": _iso(ticket.claimed_at),
        "first_reply_at": _iso(ticket.first_reply_at),
        "closed_at": _iso(ticket.closed_at),
        "messages": [_message_json(message) for message in messages],
    }


def claim(session: Session, ticket_id: int, agent: Agent, now: datetime) -> bool:
    """Take a waiting ticket. True for the one agent whose update won; False if it was gone."""
    row = session.execute(
        select(HandoffTicket.required_role).where(HandoffTicket.id == ticket_id)
    ).first()
    if row is None:
        raise TicketNotFound(ticket_id)
    if row.required_role not in CLAIMABLE_ROLES.get(agent.role, ()):
        raise NotPermitted(ticket_id)
    # One conditional UPDATE: the database decides the winner, so there is no read-then-write race.
    result = session.execute(
        update(HandoffTicket)
        .where(
            HandoffTicket.id == ticket_id,
            HandoffTicket.status == TicketStatus.WAITING,
            HandoffTicket.required_role.in_(CLAIMABLE_ROLES[agent.role]),
        )
        .values(status=TicketStatus.CLAIMED, claimed_by=agent.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        audit(session, agent.id, "claim_lost", now, ticket_id)
        return False
    _add_message(session, ticket_id, "system", JOINED_TEXT.format(name=agent.display_name), now)
    audit(session, agent.id, "claim", now, ticket_id)
    return True


def reply(
    session: Session, ticket_id: int, agent: Agent, text: str, now: datetime
) -> HandoffMessage:
    """The claiming agent's message to the shopper; delivered later by Rasa."""
    text = (text or "").strip()
    if not text:
        raise BadReply("empty")
    if len(text) > MAX_REPLY_CHARS:
        raise BadReply("too long")
    ticket = _owned_ticket(session, ticket_id, agent)
    if ticket.first_reply_at is None:
        ticket.first_reply_at = now
    message = _add_message(session, ticket.id, "agent", text, now, agent_id=agent.id)
    audit(session, agent.id, "reply", now, ticket.id)
    return message


def return_to_bot(session: Session, ticket_id: int, agent: Agent, now: datetime) -> None:
    """Hand the conversation back to the assistant and tell the shopper."""
    _close(session, ticket_id, agent, now, TicketStatus.RETURNED, LEFT_TEXT, "return_to_bot")


def resolve(session: Session, ticket_id: int, agent: Agent, now: datetime) -> None:
    """Close the ticket as done; the shopper is told the assistant is back."""
    _close(session, ticket_id, agent, now, TicketStatus.RESOLVED, RESOLVED_TEXT, "resolve")


def conversation_of(session: Session, ticket_id: int) -> str | None:
    return session.scalar(
        select(HandoffTicket.conversation_id).where(HandoffTicket.id == ticket_id)
    )


def _close(
    session: Session,
    ticket_id: int,
    agent: Agent,
    now: datetime,
    status: TicketStatus,
    notice: str,
    action: str,
) -> None:
    ticket = _owned_ticket(session, ticket_id, agent)
    ticket.status = status
    ticket.closed_at = now
    _add_message(session, ticket.id, "system", notice, now)
    audit(session, agent.id, action, now, ticket.id)


def _visible_ticket(session: Session, ticket_id: int, agent: Agent) -> HandoffTicket:
    ticket = session.get(HandoffTicket, ticket_id)
    if ticket is None:
        raise TicketNotFound(ticket_id)
    if not may_read(agent, ticket):
        raise NotPermitted(ticket_id)
    return ticket


def _owned_ticket(session: Session, ticket_id: int, agent: Agent) -> HandoffTicket:
    ticket = _visible_ticket(session, ticket_id, agent)
    if ticket.claimed_by != agent.id:
        raise NotPermitted(ticket_id)
    if ticket.status is not TicketStatus.CLAIMED:
        raise TicketConflict(ticket_id)
    return ticket


def _add_message(
    session: Session,
    ticket_id: int,
    sender: str,
    text: str,
    now: datetime,
    agent_id: int | None = None,
) -> HandoffMessage:
    message = HandoffMessage(
        ticket_id=ticket_id,
        sender=sender,
        agent_id=agent_id,
        text=text,
        created_at=now,
        delivered_at=None,
    )
    session.add(message)
    session.flush()
    return message


def queue_item(ticket: HandoffTicket, claimer_name: str | None, agent: Agent) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "reason": ticket.reason.value,
        "reason_text": REASON_WORDS[ticket.reason],
        "priority": ticket.priority,
        "required_role": ticket.required_role,
        "status": ticket.status.value,
        "verified": bool(ticket.verified),
        "created_at": _iso(ticket.created_at),
        "claimed_by_name": claimer_name,
        "claimed_by_me": ticket.claimed_by == agent.id,
    }


def _message_json(message: HandoffMessage) -> dict[str, Any]:
    # Shoppers' words are redacted again: lines added during the handoff bypass the transcript filter.
    text = redact(message.text) if message.sender == "customer" else message.text
    return {
        "id": message.id,
        "sender": message.sender,
        "text": text,
        "created_at": _iso(message.created_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None
