"""The agent desk's ticket operations on a real database (SQLite, or PostgreSQL in CI).

The seeded database is shared with other tests: every ticket made here has its own conversation
id, assertions look only at those tickets, and they are closed again after each test.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from pharmacy.database import session_scope
from pharmacy.handoff import HandoffContext, HandoffReason, desk_ops, request_handoff
from pharmacy.handoff.agents import (
    Agent,
    DeskAuditLog,
    authenticate,
    create_agent,
    verify_password,
)
from pharmacy.handoff.models import HandoffMessage, HandoffTicket, TicketStatus
from pharmacy.handoff.queue import BadFilter, QueueFilter, open_queue

T0 = datetime(2026, 11, 23, 10, 0, 0)
PASSWORD = "correct horse battery"


@pytest.fixture
def open_ticket(seeded_database: str) -> Iterator[Callable[..., int]]:
    made: list[int] = []

    def make(reason: HandoffReason, at: datetime = T0, **context) -> int:
        with session_scope(seeded_database) as session:
            place = request_handoff(
                session,
                HandoffContext(
                    conversation_id=f"desk-test-{uuid.uuid4()}",
                    reason=reason,
                    transcript=[
                        ("customer", "I need a person please", at),
                        ("bot", "Let me get someone.", at),
                    ],
                    **context,
                ),
                now=at,
            )
        made.append(place.ticket_id)
        return place.ticket_id

    yield make
    with session_scope(seeded_database) as session:  # out of the other tests' queues
        session.execute(
            update(HandoffTicket)
            .where(
                HandoffTicket.id.in_(made),
                HandoffTicket.status.in_([TicketStatus.WAITING, TicketStatus.CLAIMED]),
            )
            .values(status=TicketStatus.RESOLVED, closed_at=T0)
            .execution_options(synchronize_session=False)
        )


@pytest.fixture
def new_agent(seeded_database: str) -> Callable[[str], int]:
    def make(role: str = "agent", name: str = "Dana") -> int:
        with session_scope(seeded_database) as session:
            return create_agent(session, f"{role}-{uuid.uuid4().hex[:10]}", name, role, PASSWORD).id

    return make


def _agent(session, agent_id: int) -> Agent:
    return session.get(Agent, agent_id)


def _audit_actions(url: str, agent_id: int) -> list[str]:
    with session_scope(url) as session:
        return list(
            session.scalars(
                select(DeskAuditLog.action)
                .where(DeskAuditLog.agent_id == agent_id)
                .order_by(DeskAuditLog.id)
            )
        )


def test_queue_is_ordered_by_priority_then_age_and_filtered_by_role(
    seeded_database, open_ticket, new_agent
):
    normal_old = open_ticket(HandoffReason.USER_REQUEST, T0)
    normal_new = open_ticket(HandoffReason.LOW_CONFIDENCE, T0 + timedelta(minutes=5))
    delivery = open_ticket(HandoffReason.DELIVERY_PROBLEM, T0 + timedelta(minutes=9))
    clinical = open_ticket(HandoffReason.PHARMACIST_ONLY, T0 + timedelta(minutes=1))
    emergency = open_ticket(HandoffReason.EMERGENCY, T0 + timedelta(minutes=10))
    mine = {normal_old, normal_new, delivery, clinical, emergency}
    agent_id, pharmacist_id = new_agent("agent"), new_agent("pharmacist")

    with session_scope(seeded_database) as session:
        for_agent = [
            t["id"] for t in open_queue(session, _agent(session, agent_id)) if t["id"] in mine
        ]
        for_pharmacist = [
            t["id"] for t in open_queue(session, _agent(session, pharmacist_id)) if t["id"] in mine
        ]

    assert for_agent == [delivery, normal_old, normal_new]
    assert for_pharmacist == [emergency, clinical, delivery, normal_old, normal_new]


def _at_once(work: Callable[[Any], None], inputs: list) -> list[Exception]:
    """``work(x)`` for every input, each in its own thread, all released together; the errors."""
    start = threading.Barrier(len(inputs))
    errors: list[Exception] = []

    def run(x) -> None:
        try:
            start.wait()
            work(x)
        except Exception as error:  # noqa: BLE001  (returned to the test)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(x,)) for x in inputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_ten_simultaneous_claims_leave_exactly_one_owner(seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(HandoffReason.USER_REQUEST)
    agent_ids = [new_agent("agent") for _ in range(10)]
    results: dict = {}

    def try_claim(agent_id: int) -> None:
        with session_scope(seeded_database) as session:
            results[agent_id] = desk_ops.claim(
                session, ticket_id, _agent(session, agent_id), T0 + timedelta(minutes=1)
            )

    assert _at_once(try_claim, agent_ids) == []
    winners = [agent_id for agent_id, won in results.items() if won]
    assert len(results) == 10 and len(winners) == 1
    with session_scope(seeded_database) as session:
        ticket = session.get(HandoffTicket, ticket_id)
        assert ticket.status is TicketStatus.CLAIMED
        assert ticket.claimed_by == winners[0]
        joins = session.scalar(
            select(func.count(HandoffMessage.id)).where(
                HandoffMessage.ticket_id == ticket_id, HandoffMessage.sender == "system"
            )
        )
    assert joins == 1


def test_claim_tells_the_shopper_who_joined(seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(HandoffReason.USER_REQUEST)
    agent_id = new_agent("agent", name="Priya")
    with session_scope(seeded_database) as session:
        assert desk_ops.claim(session, ticket_id, _agent(session, agent_id), T0) is True
    with session_scope(seeded_database) as session:
        last = session.get(HandoffTicket, ticket_id).messages[-1]
        assert (last.sender, last.text, last.delivered_at) == (
            "system",
            "Priya from our pharmacy team has joined the chat.",
            None,
        )


def test_a_claimed_ticket_cannot_be_claimed_again(seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(HandoffReason.USER_REQUEST)
    first, second = new_agent("agent"), new_agent("pharmacist")
    with session_scope(seeded_database) as session:
        assert desk_ops.claim(session, ticket_id, _agent(session, first), T0)
    with session_scope(seeded_database) as session:
        assert desk_ops.claim(session, ticket_id, _agent(session, second), T0) is False
        assert session.get(HandoffTicket, ticket_id).claimed_by == first


def test_agents_cannot_open_or_claim_pharmacist_tickets(seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(
        HandoffReason.PHARMACIST_ONLY, question="Can I take this with ibuprofen?"
    )
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
            desk_ops.claim(session, 10**9, _agent(session, agent_id), T0)


def test_only_the_owner_replies_and_the_first_reply_time_is_kept(
    seeded_database, open_ticket, new_agent
):
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
        ("Hello, I'm Dana.", owner, None),
        ("Let me check.", owner, None),
    ]


def test_return_to_bot_closes_the_ticket_and_tells_the_shopper(
    seeded_database, open_ticket, new_agent
):
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
            "system",
            "The pharmacy team has left the chat; the assistant is back.",
            None,
        )
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
        rows = session.execute(
            select(DeskAuditLog.action, DeskAuditLog.ticket_id)
            .where(DeskAuditLog.agent_id == owner)
            .order_by(DeskAuditLog.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("view_ticket", first),
        ("claim", first),
        ("reply", first),
        ("return_to_bot", first),
        ("claim", second),
        ("resolve", second),
    ]


def test_ticket_view_shows_only_whitelisted_fields(seeded_database, open_ticket, new_agent):
    ticket_id = open_ticket(
        HandoffReason.DELIVERY_PROBLEM,
        verified=True,
        customer_reference="C-1001",
        order_number="EP-100001",
        last_intent="track_order",
        slots={"order_number": "EP-100001", "date_of_birth": "1958-03-14", "phone": "5550101234"},
    )
    agent_id = new_agent("agent")
    with session_scope(seeded_database) as session:
        view = desk_ops.ticket_view(session, ticket_id, _agent(session, agent_id), T0)

    assert set(view) == {
        "id",
        "reason",
        "reason_text",
        "priority",
        "required_role",
        "status",
        "verified",
        "created_at",
        "claimed_by_name",
        "claimed_by_me",
        "summary",
        "question",
        "customer_reference",
        "order_number",
        "rx_number",
        "last_intent",
        "context",
        "claimed_at",
        "first_reply_at",
        "closed_at",
        "messages",
    }
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


# ------------------------------------------------------------ closed tickets and the live feed


def _claim(url: str, ticket_id: int, agent_id: int) -> None:
    with session_scope(url) as session:
        assert desk_ops.claim(session, ticket_id, _agent(session, agent_id), T0)


def _closed_by(url: str, agent_id: int, reason: HandoffReason, open_ticket) -> int:
    ticket_id = open_ticket(reason)
    _claim(url, ticket_id, agent_id)
    with session_scope(url) as session:
        desk_ops.resolve(session, ticket_id, _agent(session, agent_id), T0)
    return ticket_id


def test_a_closed_ticket_is_readable_only_by_its_handler_and_supervisors(
    seeded_database, open_ticket, new_agent
):
    handler, colleague = new_agent("agent"), new_agent("agent")
    pharmacist, supervisor = new_agent("pharmacist"), new_agent("supervisor")
    ticket_id = _closed_by(seeded_database, handler, HandoffReason.USER_REQUEST, open_ticket)
    with session_scope(seeded_database) as session:
        for outsider in (colleague, pharmacist):
            with pytest.raises(desk_ops.NotPermitted):
                desk_ops.ticket_view(session, ticket_id, _agent(session, outsider), T0)
        for reader in (handler, supervisor):
            view = desk_ops.ticket_view(session, ticket_id, _agent(session, reader), T0)
            assert view["status"] == "resolved" and view["messages"]


def test_a_supervisor_sees_every_ticket_but_claims_only_an_agents(
    seeded_database, open_ticket, new_agent
):
    clinical, service = (
        open_ticket(HandoffReason.PHARMACIST_ONLY),
        open_ticket(HandoffReason.USER_REQUEST),
    )
    supervisor = new_agent("supervisor")
    with session_scope(seeded_database) as session:
        boss = _agent(session, supervisor)
        assert {clinical, service} <= {t["id"] for t in open_queue(session, boss)}
        desk_ops.ticket_view(session, clinical, boss, T0)
        with pytest.raises(desk_ops.NotPermitted):  # clinical answers need a pharmacist
            desk_ops.claim(session, clinical, boss, T0)
        assert desk_ops.claim(session, service, boss, T0)


def test_opening_the_live_feed_is_audited_with_the_ticket_it_may_follow(
    seeded_database, open_ticket, new_agent
):
    waiting = open_ticket(HandoffReason.USER_REQUEST)
    handler, colleague = new_agent("agent"), new_agent("agent")
    closed = _closed_by(seeded_database, handler, HandoffReason.USER_REQUEST, open_ticket)
    with session_scope(seeded_database) as session:
        for ticket_id in (None, waiting, closed, 10**9):
            desk_ops.open_feed(session, _agent(session, colleague), ticket_id, T0)
    with session_scope(seeded_database) as session:
        rows = session.execute(
            select(DeskAuditLog.action, DeskAuditLog.ticket_id, DeskAuditLog.at)
            .where(DeskAuditLog.agent_id == colleague)
            .order_by(DeskAuditLog.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("open_feed", None, T0),
        ("open_feed", waiting, T0),
        ("open_feed", None, T0),
        ("open_feed", None, T0),
    ]


# ------------------------------------------------------------ ticket floods


def _request(
    url: str,
    reason: HandoffReason,
    conversation_id: str,
    at: datetime = T0,
    per_hour: int = 5,
    per_address: int = 0,
    **context,
):
    with session_scope(url) as session:
        return request_handoff(
            session,
            HandoffContext(conversation_id=conversation_id, reason=reason, **context),
            now=at,
            per_hour=per_hour,
            per_address=per_address,
        )


def _close_now(url: str, ticket_id: int) -> None:
    with session_scope(url) as session:
        session.get(HandoffTicket, ticket_id).status = TicketStatus.RESOLVED


def _customer_messages(url: str, ticket_id: int) -> list[str]:
    with session_scope(url) as session:
        return [
            m.text for m in session.get(HandoffTicket, ticket_id).messages if m.sender == "customer"
        ]


@pytest.fixture
def conversation(seeded_database) -> Iterator[str]:
    """A conversation of its own; its tickets are closed afterwards (out of other queues)."""
    conversation_id = f"flood-{uuid.uuid4()}"
    yield conversation_id
    with session_scope(seeded_database) as session:
        session.execute(
            update(HandoffTicket)
            .where(
                HandoffTicket.conversation_id.like("flood-%"),
                HandoffTicket.status.in_([TicketStatus.WAITING, TicketStatus.CLAIMED]),
            )
            .values(status=TicketStatus.RESOLVED, closed_at=T0)
            .execution_options(synchronize_session=False)
        )


def test_twenty_emergencies_in_one_conversation_make_one_ticket_with_every_message(
    seeded_database, conversation
):
    places = [
        _request(
            seeded_database,
            HandoffReason.EMERGENCY,
            conversation,
            per_hour=1,
            question=f"/emergency {n}",
        )
        for n in range(20)
    ]
    assert {place.ticket_id for place in places} == {places[0].ticket_id}
    assert [place.already_open for place in places] == [False] + [True] * 19
    assert _customer_messages(seeded_database, places[0].ticket_id) == [
        f"/emergency {n}" for n in range(1, 20)
    ]  # the first one is the ticket's question
    with session_scope(seeded_database) as session:
        assert (
            session.scalar(
                select(func.count(HandoffTicket.id)).where(
                    HandoffTicket.conversation_id == conversation
                )
            )
            == 1
        )


def test_an_emergency_in_an_open_ticket_adds_its_message_and_raises_the_priority(
    seeded_database, conversation, new_agent
):
    first = _request(seeded_database, HandoffReason.USER_REQUEST, conversation)
    _claim(seeded_database, first.ticket_id, new_agent("agent"))
    again = _request(
        seeded_database, HandoffReason.EMERGENCY, conversation, question="I took all my pills"
    )
    assert again.ticket_id == first.ticket_id and again.already_open
    with session_scope(seeded_database) as session:
        ticket = session.get(HandoffTicket, first.ticket_id)
        assert (ticket.priority, ticket.reason, ticket.required_role) == (
            1,
            HandoffReason.EMERGENCY,
            "pharmacist",
        )
        # An agent may not answer it: back in the queue for a pharmacist.
        assert (ticket.status, ticket.claimed_by) == (TicketStatus.WAITING, None)
    assert _customer_messages(seeded_database, first.ticket_id)[-1] == "I took all my pills"
    _request(seeded_database, HandoffReason.USER_REQUEST, conversation)  # less urgent: no change
    with session_scope(seeded_database) as session:
        assert session.get(HandoffTicket, first.ticket_id).priority == 1


def test_a_pharmacist_keeps_a_ticket_that_turns_into_an_emergency(
    seeded_database, conversation, new_agent
):
    first = _request(seeded_database, HandoffReason.PHARMACIST_ONLY, conversation)
    pharmacist = new_agent("pharmacist")
    _claim(seeded_database, first.ticket_id, pharmacist)
    _request(seeded_database, HandoffReason.EMERGENCY, conversation, question="chest pain now")
    with session_scope(seeded_database) as session:
        ticket = session.get(HandoffTicket, first.ticket_id)
        assert (ticket.status, ticket.claimed_by, ticket.priority) == (
            TicketStatus.CLAIMED,
            pharmacist,
            1,
        )


def test_new_tickets_per_conversation_are_limited_per_hour(seeded_database, conversation):
    for _ in range(3):
        place = _request(seeded_database, HandoffReason.USER_REQUEST, conversation, per_hour=3)
        assert place.ticket_id and not place.limited
        _close_now(seeded_database, place.ticket_id)
    refused = _request(seeded_database, HandoffReason.USER_REQUEST, conversation, per_hour=3)
    assert (refused.ticket_id, refused.limited) == (None, True)
    next_hour = _request(
        seeded_database,
        HandoffReason.USER_REQUEST,
        conversation,
        at=T0 + timedelta(hours=1),
        per_hour=3,
    )
    assert next_hour.ticket_id and not next_hour.limited


def test_a_verified_customer_is_limited_across_new_conversations(seeded_database, conversation):
    reference = f"C-T{uuid.uuid4().hex[:8]}"
    verified = dict(verified=True, customer_reference=reference)
    for n in range(2):
        assert not _request(
            seeded_database,
            HandoffReason.USER_REQUEST,
            f"{conversation}-{n}",
            per_hour=2,
            **verified,
        ).limited
    assert _request(
        seeded_database, HandoffReason.USER_REQUEST, f"{conversation}-2", per_hour=2, **verified
    ).limited
    # An unverified chat that names the reference is not that customer, and not held back.
    assert not _request(
        seeded_database,
        HandoffReason.USER_REQUEST,
        f"{conversation}-3",
        per_hour=2,
        verified=False,
        customer_reference=reference,
    ).limited


def test_an_emergency_over_the_limit_is_never_lost(seeded_database, conversation):
    reference = f"C-T{uuid.uuid4().hex[:8]}"
    first = _request(
        seeded_database,
        HandoffReason.USER_REQUEST,
        conversation,
        per_hour=1,
        verified=True,
        customer_reference=reference,
    )
    _close_now(seeded_database, first.ticket_id)
    reopened = _request(
        seeded_database,
        HandoffReason.EMERGENCY,
        conversation,
        per_hour=1,
        question="my child swallowed pills",
    )
    assert reopened.ticket_id == first.ticket_id and not reopened.limited
    with session_scope(seeded_database) as session:
        ticket = session.get(HandoffTicket, first.ticket_id)
        assert (ticket.status, ticket.priority, ticket.required_role) == (
            TicketStatus.WAITING,
            1,
            "pharmacist",
        )
    assert _customer_messages(seeded_database, first.ticket_id)[-1] == "my child swallowed pills"
    # The same customer over the limit in a new chat: a new ticket, since the chat needs its own.
    elsewhere = _request(
        seeded_database,
        HandoffReason.EMERGENCY,
        f"{conversation}-new",
        per_hour=1,
        verified=True,
        customer_reference=reference,
    )
    assert elsewhere.ticket_id not in (None, first.ticket_id)


def test_simultaneous_requests_never_pass_the_limit(seeded_database, conversation):
    reference = f"C-T{uuid.uuid4().hex[:8]}"
    results: list = []

    def ask(n: int) -> None:
        results.append(
            _request(
                seeded_database,
                HandoffReason.USER_REQUEST,
                f"{conversation}-{n}",
                per_hour=3,
                verified=True,
                customer_reference=reference,
            )
        )

    assert _at_once(ask, list(range(8))) == []
    assert sorted(place.limited for place in results) == [False] * 3 + [True] * 5
    with session_scope(seeded_database) as session:
        assert (
            session.scalar(
                select(func.count(HandoffTicket.id)).where(
                    HandoffTicket.customer_reference == reference
                )
            )
            == 3
        )


# ------------------------------------------------------------ the queue: collapse, filters, search


def test_the_queue_shows_one_row_per_customer_with_a_count(seeded_database, open_ticket, new_agent):
    reference = f"C-T{uuid.uuid4().hex[:8]}"
    same = dict(verified=True, customer_reference=reference)
    routine = open_ticket(HandoffReason.USER_REQUEST, T0, **same)
    urgent = open_ticket(HandoffReason.DELIVERY_PROBLEM, T0 + timedelta(minutes=1), **same)
    stranger = open_ticket(HandoffReason.USER_REQUEST, T0)
    mine = {routine, urgent, stranger}
    agent_id = new_agent("agent")
    with session_scope(seeded_database) as session:
        agent = _agent(session, agent_id)
        rows = [row for row in open_queue(session, agent) if set(row["ticket_ids"]) & mine]
        every = [
            row
            for row in open_queue(session, agent, QueueFilter(collapse=False))
            if row["id"] in mine
        ]
    assert [(row["id"], row["repeats"], row["ticket_ids"]) for row in rows] == [
        (urgent, 2, [urgent, routine]),
        (stranger, 1, [stranger]),
    ]
    assert sorted(row["id"] for row in every) == sorted(mine)
    assert "customer_reference" not in rows[0]  # the list stays minimum necessary


def test_the_queue_filters_by_reason_priority_and_state(seeded_database, open_ticket, new_agent):
    question = f"filters {uuid.uuid4().hex[:8]}"  # keeps other tests' tickets out of the result
    waiting = open_ticket(HandoffReason.USER_REQUEST, question=question)
    claimed = open_ticket(HandoffReason.USER_REQUEST, question=question)
    delivery = open_ticket(HandoffReason.DELIVERY_PROBLEM, question=question)
    emergency = open_ticket(HandoffReason.EMERGENCY, question=question)
    pharmacist_id = new_agent("pharmacist")
    _claim(seeded_database, claimed, pharmacist_id)

    def ids(**wanted) -> list[int]:
        with session_scope(seeded_database) as session:
            return [
                row["id"]
                for row in open_queue(
                    session, _agent(session, pharmacist_id), QueueFilter(search=question, **wanted)
                )
            ]

    assert ids() == [emergency, delivery, waiting, claimed]
    assert ids(reason=HandoffReason.USER_REQUEST) == [waiting, claimed]
    assert ids(priority=2) == [delivery]
    assert ids(state=TicketStatus.CLAIMED) == [claimed]
    assert ids(reason=HandoffReason.EMERGENCY, priority=1, state=TicketStatus.WAITING) == [
        emergency
    ]


def test_the_queue_search_finds_references_numbers_and_words(
    seeded_database, open_ticket, new_agent
):
    tag = uuid.uuid4().hex[:6].upper()
    by_reference = open_ticket(
        HandoffReason.USER_REQUEST, verified=True, customer_reference=f"C-S{tag}"
    )
    by_order = open_ticket(HandoffReason.DELIVERY_PROBLEM, order_number=f"EP-{tag}")
    by_rx = open_ticket(HandoffReason.USER_REQUEST, rx_number=f"RX-{tag}")
    by_words = open_ticket(HandoffReason.USER_REQUEST, question=f"my {tag} inhaler is 100% empty")
    agent_id = new_agent("agent")

    def found(text: str) -> list[int]:
        with session_scope(seeded_database) as session:
            return sorted(
                row["id"]
                for row in open_queue(session, _agent(session, agent_id), QueueFilter(search=text))
            )

    assert found(f"c-s{tag.lower()}") == [by_reference]
    assert found(f"EP-{tag}") == [by_order]
    assert found(f"rx-{tag}") == [by_rx]
    assert found(f"{tag} INHALER") == [by_words]
    assert found(f"{tag} inhaler is 100% e") == [by_words]
    assert found(f"{tag} inhaler is 100_") == []  # "_" and "%" are literal, not wildcards
    assert found("I need a person please") != []  # transcript lines count too


@pytest.mark.parametrize(
    "query",
    [
        {"reason": "spam"},
        {"priority": "0"},
        {"priority": "one"},
        {"state": "resolved"},
        {"q": "x" * 101},
    ],
)
def test_unknown_queue_filters_are_refused(query):
    with pytest.raises(BadFilter):
        QueueFilter.parse(query)


def test_queue_filters_are_read_from_the_query():
    assert QueueFilter.parse(
        {"reason": "emergency", "priority": "1", "state": "claimed", "q": " EP-1 ", "collapse": "0"}
    ) == QueueFilter(HandoffReason.EMERGENCY, 1, TicketStatus.CLAIMED, "EP-1", collapse=False)
    assert QueueFilter.parse({"reason": "", "priority": ""}) == QueueFilter()


# ------------------------------------------------------------ floods from one address


def test_a_script_opening_new_chats_from_one_address_is_limited_and_grouped(
    seeded_database, new_agent
):
    address = uuid.uuid4().hex[:32]  # the channel's keyed hash of one client address
    chats = [f"flood-{uuid.uuid4()}" for _ in range(10)]
    places = [
        _request(
            seeded_database,
            HandoffReason.USER_REQUEST,
            chat,
            per_hour=2,
            per_address=8,
            client_address_key=address,
        )
        for chat in chats
    ]
    # Each new chat is a new conversation, but the address allows 8 per hour.
    assert [place.limited for place in places] == [False] * 8 + [True] * 2
    emergencies = [
        _request(
            seeded_database,
            HandoffReason.EMERGENCY,
            f"flood-{uuid.uuid4()}",
            per_hour=2,
            per_address=8,
            client_address_key=address,
        )
        for _ in range(3)
    ]
    assert all(place.ticket_id and not place.limited for place in emergencies)  # never refused
    with session_scope(seeded_database) as session:
        agent = _agent(session, new_agent("pharmacist"))
        rows = [
            row
            for row in open_queue(session, agent)
            if set(row["ticket_ids"]) & {p.ticket_id for p in places + emergencies}
        ]
    assert [row["repeats"] for row in rows] == [11]  # one row for the whole flood
    assert rows[0]["reason"] == "emergency"  # shown by its most urgent ticket
