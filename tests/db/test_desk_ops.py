"""The agent desk's ticket operations on a real database (SQLite, or PostgreSQL in CI).

The seeded database is shared with other tests: every ticket made here has its own conversation
id, assertions look only at those tickets, and they are closed again after each test.
"""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta
from typing import Callable, Iterator, List

import pytest
from sqlalchemy import func, select, update

from pharmacy.db import session_scope
from pharmacy.handoff import HandoffContext, HandoffReason, request_handoff
from pharmacy.handoff import desk_ops
from pharmacy.handoff.agents import (
    Agent,
    DeskAuditLog,
    authenticate,
    create_agent,
    verify_password,
)
from pharmacy.handoff.models import HandoffMessage, HandoffTicket, TicketStatus
from pharmacy.handoff.queue import open_queue

T0 = datetime(2026, 11, 23, 10, 0, 0)
PASSWORD = "correct horse battery"


@pytest.fixture
def open_ticket(seeded_database: str) -> Iterator[Callable[..., int]]:
    made: List[int] = []

    def make(reason: HandoffReason, at: datetime = T0, **context) -> int:
        with session_scope(seeded_database) as session:
            place = request_handoff(session, HandoffContext(
                conversation_id=f"desk-test-{uuid.uuid4()}", reason=reason,
                transcript=[("customer", "I need a person please", at),
                            ("bot", "Let me get someone.", at)],
                **context), now=at)
        made.append(place.ticket_id)
        return place.ticket_id

    yield make
    with session_scope(seeded_database) as session:  # out of the other tests' queues
        session.execute(update(HandoffTicket)
                        .where(HandoffTicket.id.in_(made),
                               HandoffTicket.status.in_([TicketStatus.WAITING, TicketStatus.CLAIMED]))
                        .values(status=TicketStatus.RESOLVED, closed_at=T0)
                        .execution_options(synchronize_session=False))


@pytest.fixture
def new_agent(seeded_database: str) -> Callable[[str], int]:
    def make(role: str = "agent", name: str = "Dana") -> int:
        with session_scope(seeded_database) as session:
            return create_agent(session, f"{role}-{uuid.uuid4().hex[:10]}", name, role, PASSWORD).id
    return make


def _agent(session, agent_id: int) -> Agent:
    return session.get(Agent, agent_id)


def _audit_actions(url: str, agent_id: int) -> List[str]:
    with session_scope(url) as session:
        return list(session.scalars(select(DeskAuditLog.action)
                                    .where(DeskAuditLog.agent_id == agent_id)
                                    .order_by(DeskAuditLog.id)))


def test_queue_is_ordered_by_priority_then_age_and_filtered_by_role(
        seeded_database, open_ticket, new_agent):
    normal_old = open_ticket(HandoffReason.USER_REQUEST, T0)
    normal_new = open_ticket(HandoffReason.LOW_CONFIDENCE, T0 + timedelta(minutes=5))
    delivery = open_ticket(HandoffReason.DELIVERY_PROBLEM, T0 + timedelta(minutes=9))
    clinical = open_ticket(HandoffReason.PHARMACIST_ONLY, T0 + timedelta(minutes=1))
    emergency = open_ticket(HandoffReason.EMERGENCY, T0 + timedelta(minutes=10))
    mine = {normal_old, normal_new, delivery, clinical, emergency}
    agent_id, pharmacist_id = new_agent("agent"), new_agent("pharmacist")

    with session_scope(seeded_database) as session:
        for_agent = [t["id"] for t in open_queue(session, _agent(session, agent_id))
                     if t["id"] in mine]
        for_pharmacist = [t["id"] for t in open_queue(session, _agent(session, pharmacist_id))
                          if t["id"] in mine]

    assert for_agent == [delivery, normal_old, normal_new]
    assert for_pharmacist == [emergency, clinical, delivery, normal_old, normal_new]


def test_ten_simultaneous_claims_leave_exactly_one_owner(seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(HandoffReason.USER_REQUEST)
    agent_ids = [new_agent("agent") for _ in range(10)]
    start = threading.Barrier(len(agent_ids))
    results: dict = {}
    errors: list = []

    def try_claim(agent_id: int) -> None:
        try:
            start.wait()
            with session_scope(seeded_database) as session:
                results[agent_id] = desk_ops.claim(
                    session, ticket_id, _agent(session, agent_id), T0 + timedelta(minutes=1))
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=try_claim, args=(agent_id,)) for agent_id in agent_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    winners = [agent_id for agent_id, won in results.items() if won]
    assert len(results) == 10 and len(winners) == 1
    with session_scope(seeded_database) as session:
        ticket = session.get(HandoffTicket, ticket_id)
        assert ticket.status is TicketStatus.CLAIMED
        assert ticket.claimed_by == winners[0]
        joins = session.scalar(select(func.count(HandoffMessage.id)).where(
            HandoffMessage.ticket_id == ticket_id, HandoffMessage.sender == "system"))
    assert joins == 1


def test_claim_tells_the_shopper_who_joined(seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(HandoffReason.USER_REQUEST)
    agent_id = new_agent("agent", name="Priya")
    with session_scope(seeded_database) as session:
        assert desk_ops.claim(session, ticket_id, _agent(session, agent_id), T0) is True
    with session_scope(seeded_database) as session:
        last = session.get(HandoffTicket, ticket_id).messages[-1]
        assert (last.sender, last.text, last.delivered_at) == (
            "system", "Priya from our pharmacy team has joined the chat.", None)


def test_a_claimed_ticket_cannot_be_claimed_again(seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(HandoffReason.USER_REQUEST)
    first, second = new_agent("agent"), new_agent("pharmacist")
    with session_scope(seeded_database) as session:
        assert desk_ops.claim(session, ticket_id, _agent(session, first), T0)
    with session_scope(seeded_database) as session:
        assert desk_ops.claim(session, ticket_id, _agent(session, second), T0) is False
        assert session.get(HandoffTicket, ticket_id).claimed_by == first


def test_agents_cannot_open_or_claim_pharmacist_tickets(seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(HandoffReason.PHARMACIST_ONLY, question="Can I take this with ibuprofen?")
    agent_id, pharmacist_id = new_agent("agent"), new_agent("pharmacist")
    with session_scope(seeded_database) as session:
        with pytest.raises(desk_ops.NotPermitted):
            desk_ops.claim(session, ticket_id, _agent(session, agent_id), T0)
        with pytest.raises(desk_ops.NotPermitted):
            desk_ops.ticket_view(session, ticket_id, _agent(session, agent_id), T0)
    with session_scope(seeded_database) as session:
        assert session.get(HandoffTicket, ticket_id).status is TicketStatus.WAITING
        assert desk_ops.claim(session, ticket_id, _agent(session, pharmacist_id), T0)


def test_unknown_ticket_is_reported(seeded_database, new_agent):
    agent_id = new_agent("agent")
    with session_scope(seeded_database) as session:
        with pytest.raises(desk_ops.TicketNotFound):
            desk_ops.claim(session, 10 ** 9, _agent(session, agent_id), T0)


def test_only_the_owner_replies_and_the_first_reply_time_is_kept(
        seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(HandoffReason.USER_REQUEST)
    owner, colleague = new_agent("agent"), new_agent("pharmacist")
    with session_scope(seeded_database) as session:
        with pytest.raises(desk_ops.NotPermitted):  # nobody has claimed it yet
            desk_ops.reply(session, ticket_id, _agent(session, owner), "Hello", T0)
    with session_scope(seeded_database) as session:
        desk_ops.claim(session, ticket_id, _agent(session, owner), T0)
    with session_scope(seeded_database) as session:
        with pytest.raises(desk_ops.NotPermitted):
            desk_ops.reply(session, ticket_id, _agent(session, colleague), "Hi, I'm here", T0)
        with pytest.raises(desk_ops.BadReply):
            desk_ops.reply(session, ticket_id, _agent(session, owner), "   ", T0)
    first_at, second_at = T0 + timedelta(minutes=2), T0 + timedelta(minutes=3)
    with session_scope(seeded_database) as session:
        desk_ops.reply(session, ticket_id, _agent(session, owner), "Hello, I'm Dana.", first_at)
    with session_scope(seeded_database) as session:
        desk_ops.reply(session, ticket_id, _agent(session, owner), "Let me check.", second_at)

    with session_scope(seeded_database) as session:
        ticket = session.get(HandoffTicket, ticket_id)
        assert ticket.first_reply_at == first_at
        replies = [m for m in ticket.messages if m.sender == "agent"]
    assert [(m.text, m.agent_id, m.delivered_at) for m in replies] == [
        ("Hello, I'm Dana.", owner, None), ("Let me check.", owner, None)]


def test_return_to_bot_closes_the_ticket_and_tells_the_shopper(
        seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(HandoffReason.USER_REQUEST)
    owner = new_agent("agent")
    with session_scope(seeded_database) as session:
        desk_ops.claim(session, ticket_id, _agent(session, owner), T0)
    closed_at = T0 + timedelta(minutes=7)
    with session_scope(seeded_database) as session:
        desk_ops.return_to_bot(session, ticket_id, _agent(session, owner), closed_at)
    with session_scope(seeded_database) as session:
        ticket = session.get(HandoffTicket, ticket_id)
        assert (ticket.status, ticket.closed_at) == (TicketStatus.RETURNED, closed_at)
        last = ticket.messages[-1]
        assert (last.sender, last.text, last.delivered_at) == (
            "system", "The pharmacy team has left the chat; the assistant is back.", None)
        assert ticket_id not in {t["id"] for t in open_queue(session, _agent(session, owner))}
        with pytest.raises(desk_ops.TicketConflict):
            desk_ops.reply(session, ticket_id, _agent(session, owner), "one more thing", closed_at)


def test_every_view_and_action_is_audited(seeded_database, open_ticket, new_agent):
    first, second = open_ticket(HandoffReason.USER_REQUEST), open_ticket(HandoffReason.USER_REQUEST)
    owner = new_agent("agent")
    steps = [
        lambda s, a: desk_ops.ticket_view(s, first, a, T0),
        lambda s, a: desk_ops.claim(s, first, a, T0),
        lambda s, a: desk_ops.reply(s, first, a, "Hello", T0),
        lambda s, a: desk_ops.return_to_bot(s, first, a, T0),
        lambda s, a: desk_ops.claim(s, second, a, T0),
        lambda s, a: desk_ops.resolve(s, second, a, T0),
    ]
    for step in steps:
        with session_scope(seeded_database) as session:
            step(session, _agent(session, owner))

    with session_scope(seeded_database) as session:
        rows = session.execute(select(DeskAuditLog.action, DeskAuditLog.ticket_id)
                               .where(DeskAuditLog.agent_id == owner)
                               .order_by(DeskAuditLog.id)).all()
    assert [tuple(row) for row in rows] == [
        ("view_ticket", first), ("claim", first), ("reply", first), ("return_to_bot", first),
        ("claim", second), ("resolve", second)]


def test_ticket_view_shows_only_whitelisted_fields(seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(
        HandoffReason.DELIVERY_PROBLEM, verified=True, customer_reference="C-1001",
        order_number="EP-100001", last_intent="track_order",
        slots={"order_number": "EP-100001", "date_of_birth": "1958-03-14", "phone": "5550101234"})
    agent_id = new_agent("agent")
    with session_scope(seeded_database) as session:
        view = desk_ops.ticket_view(session, ticket_id, _agent(session, agent_id), T0)

    assert set(view) == {
        "id", "reason", "reason_text", "priority", "required_role", "status", "verified",
        "created_at", "claimed_by_name", "claimed_by_me", "summary", "question",
        "customer_reference", "order_number", "rx_number", "last_intent", "context",
        "claimed_at", "first_reply_at", "closed_at", "messages"}
    assert view["context"] == {"order_number": "EP-100001"}
    assert (view["verified"], view["customer_reference"], view["priority"]) == (True, "C-1001", 2)
    assert [m["sender"] for m in view["messages"]] == ["customer", "bot"]
    assert "1958" not in repr(view)


def test_passwords_are_salted_and_checked(seeded_database):
    suffix = uuid.uuid4().hex[:8]
    with session_scope(seeded_database) as session:
        one = create_agent(session, f"one-{suffix}", "One", "agent", PASSWORD)
        two = create_agent(session, f"two-{suffix}", "Two", "agent", PASSWORD)
        assert one.password_hash != two.password_hash
        assert PASSWORD not in one.password_hash
        assert verify_password(PASSWORD, one.password_hash)
        assert not verify_password(PASSWORD + "!", one.password_hash)
        assert not verify_password(PASSWORD, "not a hash")
    with session_scope(seeded_database) as session:
        assert authenticate(session, f"one-{suffix}", "wrong password") is None
        assert authenticate(session, f"nobody-{suffix}", PASSWORD) is None
        assert authenticate(session, f"one-{suffix}", PASSWORD).id == one.id
    assert _audit_actions(seeded_database, one.id) == ["login_failed", "login"]


def test_deactivated_agents_cannot_log_in(seeded_database):
    username = f"gone-{uuid.uuid4().hex[:8]}"
    with session_scope(seeded_database) as session:
        create_agent(session, username, "Gone", "agent", PASSWORD).active = False
    with session_scope(seeded_database) as session:
        assert authenticate(session, username, PASSWORD) is None
