"""Asking for a person once the chat's hourly limit of new tickets is used up: a clear answer,
no ticket, and no wait for a person who is not coming (real SDK tracker, real database)."""

import asyncio
import uuid

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.handoff import ActionRequestHuman
from pharmacy.database import session_scope
from pharmacy.handoff import HandoffTicket, TicketStatus


def _ask_for_a_person(conversation_id: str):
    latest = {
        "text": "talk to a person",
        "intent": {"name": "request_human", "confidence": 1.0},
        "entities": [],
    }
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": latest["text"], "parse_data": latest},
    ]
    tracker = Tracker(conversation_id, {}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRequestHuman().run(dispatcher, tracker, {}))
    return " ".join(m["text"] for m in dispatcher.messages), events


def test_over_the_limit_the_shopper_is_told_and_no_ticket_is_opened(seeded_database, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_database)
    monkeypatch.setenv("HANDOFF_HOURS", "Mon-Sun 00:00-24:00 UTC")
    monkeypatch.setenv("TICKETS_PER_CLIENT_PER_HOUR", "1")
    conversation_id = f"limit-{uuid.uuid4()}"
    text, events = _ask_for_a_person(conversation_id)
    assert "in the queue" in text
    assert {"event": "slot", "name": "handoff_active", "value": True, "timestamp": None} in events
    with session_scope(seeded_database) as session:  # handed back: the next request is a new one
        session.scalar(
            select(HandoffTicket).where(HandoffTicket.conversation_id == conversation_id)
        ).status = TicketStatus.RETURNED

    text, events = _ask_for_a_person(conversation_id)
    assert "several times in the last hour" in text and events == []
    with session_scope(seeded_database) as session:
        assert (
            session.scalar(
                select(func.count(HandoffTicket.id)).where(
                    HandoffTicket.conversation_id == conversation_id
                )
            )
            == 1
        )
