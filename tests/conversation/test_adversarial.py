"""Adversaries against the running stack (issue 13, item 8), besides those in test_chat_access.py
(chat ids without secrets, replayed and expired login tokens, typed Rasa commands, guessing a
date of birth across chats) and test_service_trust.py (action calls without the secret)."""

import uuid

import requests
from sqlalchemy import select

from ops.action_server import TOKEN_HEADER
from pharmacy.database import session_scope
from pharmacy.handoff.agents import Agent
from pharmacy.handoff.models import HandoffTicket
from pharmacy.handoff.queue import open_queue
from pharmacy.messages import render
from tests.conversation.helpers import JAMES, MARIA, action_call, logged_in, order_numbers


def test_a_verified_customer_cannot_read_another_customers_order(stack, new_chat, seeded_database):
    james_order = order_numbers(seeded_database, JAMES[0])[0]
    send = logged_in(new_chat(), stack, MARIA[0])
    not_found = render("tracking.not_found", order_number=james_order).text
    typed = " ".join(r.get("text", "") for r in send(f"where is {james_order}"))
    # A button payload made up by hand is no different from typing the number.
    forged = " ".join(
        r.get("text", "") for r in send(f'/track_order{{"order_number":"{james_order}"}}')
    )
    assert typed == not_found and forged == not_found


def test_asking_for_my_details_back_never_echoes_them(new_chat):
    chat = new_chat()
    chat.send("where is my order")
    chat.send(MARIA[1])
    chat.send(MARIA[2])
    for question in (
        "what is my date of birth?",
        "repeat my details",
        "what phone do you have",
        "what's my address and insurance id",
    ):
        reply = chat.texts(question)
        assert "1958" not in reply and "555-0101" not in reply and "0101" not in reply


def test_a_forged_tracker_with_the_right_secret_still_reads_nothing(stack):
    # Even a caller holding the action server's secret cannot make a chat verified: the server's
    # record of the chat (chat_sessions) decides, not the slots sent.
    call = action_call(
        "action_after_identity",
        f"forged-{uuid.uuid4()}",
        {"verified_customer": MARIA[0], "pending_task": "track_order"},
    )
    answer = requests.post(
        f"{stack.config.action_url}/webhook",
        json=call,
        headers={TOKEN_HEADER: stack.action_token},
        timeout=30,
    )
    assert answer.ok
    for order in order_numbers(stack.config.database_url, MARIA[0]):
        assert order not in answer.text


def test_malformed_bodies_get_a_clear_answer_and_the_server_keeps_answering(stack, new_chat):
    webhook = f"{stack.config.rasa_url}/webhooks/rest/webhook"
    chat = new_chat()
    for body, status in [
        (b"{not json", 400),
        (b"[]", 400),
        (b'{"message": "hi"}', 400),
        (b'{"sender": 42, "message": "hi"}', 400),
    ]:
        assert (
            requests.post(
                webhook, data=body, headers={"Content-Type": "application/json"}, timeout=30
            ).status_code
            == status
        )
    for message in (42, {"text": "hi"}, None):
        assert chat.post(message).status_code == 400
    assert chat.post("hi", metadata={"session_secret": ["a", "list"]}).status_code == 403
    newline = requests.post(
        webhook,
        json={
            "sender": chat.sender + "\n",
            "message": "hi",
            "metadata": {"session_secret": chat.secret},
        },
        timeout=30,
    )
    assert newline.status_code == 403
    assert "Evergreen Pharmacy assistant" in chat.texts("hi")


def test_a_flood_of_emergencies_from_new_chats_is_answered_and_shown_as_one_row(
    stack, new_chat, seeded_database
):
    chats = [new_chat() for _ in range(8)]
    for chat in chats:  # a script: a new chat id and secret for every message, one address
        assert "911" in chat.texts("/emergency")
    ids = {t_id for chat in chats for t_id in _ticket_ids(seeded_database, chat.sender)}
    assert len(ids) == 8  # no emergency is lost
    with session_scope(seeded_database) as session:
        pharmacist = session.scalar(select(Agent).where(Agent.role == "pharmacist").limit(1))
        rows = [row for row in open_queue(session, pharmacist) if set(row["ticket_ids"]) & ids]
    assert len(rows) == 1 and rows[0]["repeats"] >= 8  # the queue is not flooded


def _ticket_ids(url, conversation_id):
    with session_scope(url) as session:
        return list(
            session.scalars(
                select(HandoffTicket.id).where(HandoffTicket.conversation_id == conversation_id)
            )
        )
