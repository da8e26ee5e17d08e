"""The desk's queue: the open tickets a role may see, filtered by reason, priority and state,
searched, and with repeated tickets from one client collapsed into one row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased

from pharmacy.handoff.agents import VISIBLE_ROLES, Agent
from pharmacy.handoff.desk_ops import queue_item
from pharmacy.handoff.models import HandoffMessage, HandoffReason, HandoffTicket, TicketStatus
from pharmacy.handoff.service import OPEN_STATUSES, PRIORITY, REASON_WORDS

MAX_SEARCH_CHARS = 100
PRIORITIES = sorted(set(PRIORITY.values()))


class BadFilter(ValueError):
    """A queue filter the API does not know, or a search that is too long."""


@dataclass(frozen=True)
class QueueFilter:
    reason: HandoffReason | None = None
    priority: int | None = None
    state: TicketStatus | None = None
    search: str = ""
    collapse: bool = True

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> QueueFilter:
        """From the API's query parameters reason, priority, state, q and collapse (0 to list
        every ticket); an empty parameter is no filter, a wrong one is BadFilter."""
        reason, priority, state = (
            query.get(name, "").strip() for name in ("reason", "priority", "state")
        )
        search = query.get("q", "").strip()
        if len(search) > MAX_SEARCH_CHARS:
            raise BadFilter("q")
        try:
            return cls(
                reason=HandoffReason(reason) if reason else None,
                priority=_one_of(int(priority), PRIORITIES) if priority else None,
                state=_one_of(TicketStatus(state), OPEN_STATUSES) if state else None,
                search=search,
                collapse=query.get("collapse", "1") != "0",
            )
        except ValueError as error:
            raise BadFilter(str(error)) from None


def filter_options() -> dict[str, Any]:
    """What the page offers in its filters."""
    return {
        "reasons": [
            {"value": reason.value, "text": REASON_WORDS[reason]} for reason in HandoffReason
        ],
        "priorities": PRIORITIES,
        "states": [state.value for state in OPEN_STATUSES],
    }


def open_queue(
    session: Session, agent: Agent, wanted: QueueFilter = QueueFilter()
) -> list[dict[str, Any]]:
    """Waiting and claimed tickets this agent's role may see, most urgent and oldest first; with
    ``collapse`` one row per client, carrying how many tickets it stands for and their ids."""
    claimer = aliased(Agent)
    query = (
        select(HandoffTicket, claimer.display_name)
        .outerjoin(claimer, claimer.id == HandoffTicket.claimed_by)
        .where(
            HandoffTicket.status.in_([wanted.state] if wanted.state else OPEN_STATUSES),
            HandoffTicket.required_role.in_(VISIBLE_ROLES.get(agent.role, ())),
        )
        .order_by(HandoffTicket.priority, HandoffTicket.created_at, HandoffTicket.id)
    )
    if wanted.reason:
        query = query.where(HandoffTicket.reason == wanted.reason)
    if wanted.priority:
        query = query.where(HandoffTicket.priority == wanted.priority)
    if wanted.search:
        query = query.where(_matches(wanted.search))
    rows: dict[str, dict[str, Any]] = {}
    for ticket, claimer_name in session.execute(query).all():
        key = _client(ticket) if wanted.collapse else str(ticket.id)
        row = rows.setdefault(key, {**queue_item(ticket, claimer_name, agent), "ticket_ids": []})
        row["ticket_ids"].append(ticket.id)
        row["repeats"] = len(row["ticket_ids"])
    return list(rows.values())


def _client(ticket: HandoffTicket) -> str:
    # The verified customer when known (several chats), else the client's address (a script's
    # many new chats), else the conversation.
    if ticket.customer_reference:
        return f"customer:{ticket.customer_reference}"
    if ticket.client_address_key:
        return f"address:{ticket.client_address_key}"
    return f"conversation:{ticket.conversation_id}"


def _matches(search: str):
    """Customer reference, order or Rx number, question, summary or any message containing the
    text, case-insensitively; % and _ in it are literal."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"

    def contains(column):
        return column.ilike(pattern, escape="\\")

    in_messages = exists().where(
        HandoffMessage.ticket_id == HandoffTicket.id, contains(HandoffMessage.text)
    )
    return or_(
        contains(HandoffTicket.customer_reference),
        contains(HandoffTicket.order_number),
        contains(HandoffTicket.rx_number),
        contains(HandoffTicket.question),
        contains(HandoffTicket.summary),
        in_messages,
    )


def _one_of(value, allowed):
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {list(allowed)}")
    return value
