"""Looking up demo data the conversation tests talk about (the stack shares their database)."""

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from pharmacy import repositories
from pharmacy.access.login_tokens import METADATA_KEY as LOGIN_TOKEN_KEY
from pharmacy.access.models import ChatSession
from pharmacy.database import session_scope
from pharmacy.handoff import HandoffTicket
from pharmacy.models import Customer, Order, OrderStatus, Shipment, ShipmentStatus

MARIA = ("C-1001", "03/14/1958", "+1 (503) 555-0101")
JAMES = ("C-1002", "11/02/1975", "512-555-0102")
AISHA = ("C-1003", "06/30/1990", "303 555 0103")
ROBERT = ("C-1004", "01/22/1949", "614-555-0104")


def logged_in(chat, stack, reference: str):
    """A chat signed in with a login token, sent once with its first message as the page does."""
    token = {LOGIN_TOKEN_KEY: stack.login_token(reference)}

    def send(text: str):
        replies = chat.send(text, metadata=token)
        token.clear()
        return replies

    return send


def verified_chat(url: str, reference: str, chat_id: str | None = None) -> str:
    """A chat the server records as verified as ``reference`` for the next hour (as the gate or
    the identity form leave it), for tests that run actions directly."""
    chat_id = chat_id or f"verified-{uuid.uuid4()}"
    now = datetime.utcnow()
    with session_scope(url) as session:
        session.merge(
            ChatSession(
                chat_id=chat_id,
                secret_digest=uuid.uuid4().hex,
                created_at=now,
                customer_reference=reference,
                verified_by="factors",
                verified_until=now + timedelta(hours=1),
            )
        )
    return chat_id


def order_numbers(url: str, reference: str, status: OrderStatus | None = None):
    with session_scope(url) as session:
        customer = repositories.customer_by_reference(session, reference)
        return [
            o.order_number
            for o in repositories.recent_orders(session, customer.id, limit=20)
            if status is None or o.status is status
        ]


def persona_order_with_shipment(url: str, reference: str, shipment_status: ShipmentStatus) -> str:
    with session_scope(url) as session:
        return session.scalar(
            select(Order.order_number)
            .join(Shipment)
            .join(Customer)
            .where(Shipment.status == shipment_status, Customer.reference == reference)
            .order_by(Order.id)
        )


def tickets_for(url: str, conversation_id: str):
    with session_scope(url) as session:
        return [
            (
                t.reason.value,
                t.priority,
                t.verified,
                t.order_number,
                t.summary,
                [m.text for m in t.messages],
            )
            for t in session.scalars(
                select(HandoffTicket).where(HandoffTicket.conversation_id == conversation_id)
            )
        ]


def action_call(action: str, sender_id: str, slots: dict, text: str = "where is my order") -> dict:
    """A call to the action server's webhook as Rasa makes it, with a tracker of our choosing
    (what a forged or broken caller would send)."""
    return {
        "next_action": action,
        "sender_id": sender_id,
        "tracker": {
            "sender_id": sender_id,
            "slots": slots,
            "latest_message": {"text": text, "intent": {}},
            "events": [],
            "paused": False,
            "latest_event_time": None,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
        "domain": {},
        "version": "3.6.2",
    }
