"""Handoff from the shopper's side against the running stack (issue 3). The desk's part is played
here the way desk/ does it: write to the ticket, then ask Rasa to deliver."""

from datetime import datetime

import requests
from sqlalchemy import select

from pharmacy.database import session_scope
from pharmacy.handoff import HandoffMessage, HandoffTicket, TicketStatus
from pharmacy.handoff.models import SatisfactionRating
from tests.conftest import ALWAYS_OPEN, NEVER_OPEN
from tests.conversation.helpers import tickets_for


def desk_writes(url, conversation_id, text, status=None, sender="agent"):
    with session_scope(url) as session:
        ticket = session.scalar(
            select(HandoffTicket)
            .where(HandoffTicket.conversation_id == conversation_id)
            .order_by(HandoffTicket.id.desc())
        )
        ticket.messages.append(
            HandoffMessage(sender=sender, text=text, created_at=datetime.utcnow())
        )
        if status is not None:
            ticket.status = status


def deliver(stack, conversation_id):
    response = requests.post(
        f"{stack.config.rasa_url}/conversations/{conversation_id}/execute",
        params={"output_channel": "latest"},
        headers=stack.api.headers(),
        json={"name": "action_deliver_agent_messages"},
        timeout=30,
    )
    response.raise_for_status()
    return [m.get("text", "") for m in response.json().get("messages", [])]


def test_a_person_joins_answers_and_hands_back_to_the_bot(new_chat, stack, seeded_database):
    chat = new_chat()
    chat.send("hi")
    assert "in the queue" in chat.texts("can i talk to a pharmacist please")
    tickets = tickets_for(seeded_database, chat.sender)
    assert [(t[0], t[1]) for t in tickets] == [("user_request", 3)]
    assert "Customer asked for a person" in tickets[0][4]

    # While waiting and while the person is there, the bot stays silent and relays.
    assert chat.send("it's about an order from last week") == []
    desk_writes(
        seeded_database,
        chat.sender,
        "Dana from our pharmacy team has joined the chat.",
        status=TicketStatus.CLAIMED,
        sender="system",
    )
    desk_writes(seeded_database, chat.sender, "Hi, I'm Dana. How can I help with them?")
    assert deliver(stack, chat.sender) == [
        "Dana from our pharmacy team has joined the chat.",
        "Hi, I'm Dana. How can I help with them?",
    ]
    assert deliver(stack, chat.sender) == []  # each message is delivered once
    assert chat.send("can i take them in the evening instead?") == []
    assert (
        "can i take them in the evening instead?" in tickets_for(seeded_database, chat.sender)[0][5]
    )

    desk_writes(
        seeded_database,
        chat.sender,
        "The pharmacy team has left the chat.",
        status=TicketStatus.RETURNED,
        sender="system",
    )
    returned = deliver(stack, chat.sender)
    assert returned[0] == "The pharmacy team has left the chat."
    assert "rate the help" in returned[1]

    assert "Thank you for your feedback" in chat.texts('/rate{"rating":"4"}')
    with session_scope(seeded_database) as session:
        ratings = session.scalars(
            select(SatisfactionRating.rating).where(
                SatisfactionRating.conversation_id == chat.sender
            )
        ).all()
    assert ratings == [4]
    assert "Evergreen Pharmacy assistant" in chat.texts("hello")  # the bot is back


def test_two_misunderstandings_in_a_row_bring_a_person(new_chat, seeded_database):
    # "/nlu_fallback" forces the NLU outcome, so this tests the dialogue rule, not the classifier.
    chat = new_chat()
    first = chat.texts("/nlu_fallback")
    assert "didn't understand" in first and "in the queue" not in first
    second = chat.texts("/nlu_fallback")
    assert "still not getting it" in second and "in the queue" in second
    assert [t[0] for t in tickets_for(seeded_database, chat.sender)] == ["low_confidence"]


def test_an_emergency_while_waiting_is_answered_and_escalated(new_chat, seeded_database):
    chat = new_chat()
    chat.texts("i want to talk to a person")
    answer = chat.texts("my daughter swallowed some of my pills")
    assert "1-800-222-1222" in answer and "911" in answer
    tickets = tickets_for(seeded_database, chat.sender)
    assert len(tickets) == 1 and tickets[0][0] == "emergency" and tickets[0][1] == 1


def test_an_emergency_in_the_middle_of_identity_check_pre_empts_it(new_chat, seeded_database):
    chat = new_chat()
    assert "date of birth" in chat.texts("where is my order")
    answer = chat.texts("i think i took a double dose of my heart medicine")
    assert "Poison Help" in answer and "urgent" in answer
    assert "date of birth" not in answer
    assert tickets_for(seeded_database, chat.sender)[0][0] == "emergency"


def test_self_harm_gets_the_crisis_line_at_once(new_chat):
    answer = new_chat().texts("i don't want to live anymore")
    assert "988" in answer


def test_out_of_hours_the_shopper_leaves_a_message_or_asks_for_a_callback(
    stack, new_chat, seeded_database
):
    stack.restart("actions", extra_env={"HANDOFF_HOURS": NEVER_OPEN})
    try:
        chat = new_chat()
        replies = chat.send("i need to speak to someone")
        assert "offline right now" in replies[0]["text"]
        assert [b["payload"] for b in replies[0]["buttons"]] == [
            "/leave_message",
            "/request_callback",
        ]
        assert "type your message" in chat.texts("/leave_message")
        assert "your message is with our team" in chat.texts(
            "please check if my insulin can ship faster"
        )
        ticket = tickets_for(seeded_database, chat.sender)[0]
        assert "please check if my insulin can ship faster" in ticket[5]

        other = new_chat()
        other.send("talk to a person")
        assert "call you back" in other.texts("/request_callback")
        with session_scope(seeded_database) as session:
            status = session.scalar(
                select(HandoffTicket.status).where(HandoffTicket.conversation_id == other.sender)
            )
        assert status is TicketStatus.CALLBACK_REQUESTED

        # An emergency at night: the numbers at once, an urgent ticket, and the bot stays usable.
        night = new_chat()
        answer = night.texts("i think my son took too many of my pills")
        assert "1-800-222-1222" in answer and "Please don't wait for them" in answer
        assert tickets_for(seeded_database, night.sender)[0][:2] == ("emergency", 1)
        assert "Evergreen Pharmacy assistant" in night.texts("hi")
    finally:
        stack.restart("actions", extra_env={"HANDOFF_HOURS": ALWAYS_OPEN})
