"""Opening a handoff from any skill: builds the context from the tracker and tells the shopper."""
from datetime import datetime
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import off_loop, say
from pharmacy.db import session_scope
from pharmacy.handoff import HandoffContext, HandoffReason, QueuePlace, request_handoff
from pharmacy.privacy import redact


def transcript(tracker: Tracker) -> List[tuple]:
    lines = []
    for event in tracker.events:
        if event.get("event") in ("user", "bot") and event.get("text"):
            sender = "customer" if event["event"] == "user" else "bot"
            lines.append((sender, redact(event["text"]),
                          datetime.utcfromtimestamp(event.get("timestamp") or 0)))
    return lines


def context_from(tracker: Tracker, reason: HandoffReason, question: Optional[str] = None,
                 order_number: Optional[str] = None) -> HandoffContext:
    customer = tracker.get_slot("verified_customer")
    return HandoffContext(
        conversation_id=tracker.sender_id,
        reason=reason,
        verified=bool(customer),
        customer_reference=customer,
        order_number=order_number or tracker.get_slot("order_number"),
        last_intent=(tracker.latest_message.get("intent") or {}).get("name"),
        question=redact(question) if question else None,
        slots=dict(tracker.current_slot_values()),
        transcript=transcript(tracker),
    )


def _open(context: HandoffContext) -> QueuePlace:
    with session_scope() as session:
        return request_handoff(session, context, datetime.utcnow())


async def open_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, reason: HandoffReason,
                       message_key: str = "handoff.queued", **context: Any) -> List[Dict[str, Any]]:
    place = await off_loop(_open, context_from(tracker, reason, **context))
    say(dispatcher, message_key, position=place.position, minutes=place.expected_wait_minutes,
        order_number=context.get("order_number") or "")
    return []
