"""The shopper's side of a handoff: asking for a person, talking to them, getting the bot back.

The desk (desk/) writes agent and system messages to the ticket and asks Rasa to run
``action_deliver_agent_messages``, which says them in this chat. While a person is in the chat the
conversation guard policy routes every shopper message to ``action_relay_to_agent``.
"""

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import DatabaseGuard, off_loop, say
from actions.unclear_replies import UNCLEAR_REPLIES
from actions.verification import verified_customer
from pharmacy import clock
from pharmacy.access.gate import CLIENT_ADDRESS_KEY
from pharmacy.database import session_scope
from pharmacy.handoff import HandoffContext, HandoffReason, QueuePlace, request_handoff
from pharmacy.handoff import conversation as handoff_conversation
from pharmacy.handoff.hours import describe_next_opening
from pharmacy.handoff.transcript import transcript_lines
from pharmacy.privacy import redact
from pharmacy.settings import load_settings

RATING_BUTTONS = [(str(n), f'/rate{{"rating":"{n}"}}') for n in range(1, 6)]


def transcript(tracker: Tracker) -> list[tuple]:
    return transcript_lines(tracker.events)


def context_from(
    tracker: Tracker,
    reason: HandoffReason,
    customer: str | None,
    question: str | None = None,
    order_number: str | None = None,
) -> HandoffContext:
    """``customer``: who the chat is verified as now (actions.verification), or None."""
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
        client_address_key=(tracker.latest_message.get("metadata") or {}).get(CLIENT_ADDRESS_KEY),
    )


def open_ticket(context: HandoffContext) -> QueuePlace:
    with session_scope() as session:
        return request_handoff(session, context, clock.current().now())


async def open_handoff(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reason: HandoffReason,
    message_key: str = "handoff.queued",
    **context: Any,
) -> list[dict[str, Any]]:
    """Open (or escalate) the conversation's ticket. In opening hours the shopper waits in the
    chat for a person; outside them they can leave a message or ask for a callback."""
    customer = await verified_customer(tracker)
    place = await off_loop(open_ticket, context_from(tracker, reason, customer, **context))
    if place.limited:
        say(dispatcher, "handoff.limited")
        return []
    hours = load_settings().handoff_hours
    now = clock.current().instant()
    if not hours.is_open(now) and reason is not HandoffReason.EMERGENCY:
        say(dispatcher, "handoff.closed", when=describe_next_opening(hours, now))
        return [SlotSet("handoff_ticket", place.ticket_id)]
    say(
        dispatcher,
        message_key,
        position=place.position,
        minutes=place.expected_wait_minutes,
        order_number=context.get("order_number") or "",
    )
    return [SlotSet("handoff_active", True), SlotSet("handoff_ticket", place.ticket_id)]


class ActionRequestHuman(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return await open_handoff(dispatcher, tracker, HandoffReason.USER_REQUEST)


class ActionRelayToAgent(DatabaseGuard, Action):
    """Passes the shopper's message to the person in the chat; the bot itself says nothing."""

    def name(self) -> str:
        return "action_relay_to_agent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        still_open = await off_loop(
            handoff_conversation.add_customer_message, tracker.sender_id, redact(text)
        )
        if still_open:
            return []
        # The ticket was closed on the desk while this message was on its way.
        say(dispatcher, "handoff.back_to_bot")
        return [SlotSet("handoff_active", False)]


class ActionDeliverAgentMessages(DatabaseGuard, Action):
    """Run by the desk through Rasa's HTTP API whenever it has something for this chat."""

    def name(self) -> str:
        return "action_deliver_agent_messages"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        delivery = await off_loop(handoff_conversation.take_undelivered, tracker.sender_id)
        for message in delivery.messages:
            dispatcher.utter_message(text=message)
        # Run from the HTTP API, not after a shopper's message: listen again explicitly, so the
        # shopper's next message is read like any other.
        events: list[dict[str, Any]] = [ActionExecuted("action_listen")]
        if delivery.messages:  # the person answered: the shopper's next message starts afresh
            events.insert(0, SlotSet(UNCLEAR_REPLIES, 0))
        if delivery.ticket_closed and tracker.get_slot("handoff_active"):
            say(dispatcher, "handoff.rate", extra_buttons=RATING_BUTTONS)
            events.insert(0, SlotSet("handoff_active", False))
        return events


class ActionStoreRating(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_store_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        raw = next(tracker.get_latest_entity_values("rating"), None)
        if raw is None:  # typed rather than clicked: "4", "i'd give it a 5"
            typed = re.search(r"\b([1-5])\b", tracker.latest_message.get("text") or "")
            raw = typed.group(1) if typed else None
        try:
            rating = int(str(raw).strip())
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            say(dispatcher, "handoff.rate", extra_buttons=RATING_BUTTONS)
            return []
        await off_loop(handoff_conversation.store_rating, tracker.sender_id, rating)
        say(dispatcher, "handoff.thanks_for_rating")
        return []


class ActionLeaveMessage(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_leave_message"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        say(dispatcher, "handoff.type_your_message")
        return [SlotSet("awaiting_offline_message", True)]


class ActionStoreOfflineMessage(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_store_offline_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        await off_loop(
            handoff_conversation.leave_message,
            tracker.sender_id,
            redact(tracker.latest_message.get("text") or ""),
        )
        hours = load_settings().handoff_hours
        say(dispatcher, "handoff.message_left", when=describe_next_opening(hours))
        return [SlotSet("awaiting_offline_message", False)]


class ActionRequestCallback(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_request_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        found = await off_loop(handoff_conversation.request_callback, tracker.sender_id)
        if not found:
            return await open_handoff(dispatcher, tracker, HandoffReason.USER_REQUEST)
        hours = load_settings().handoff_hours
        verified = await verified_customer(tracker)
        key = "handoff.callback_verified" if verified else "handoff.callback_unverified"
        say(dispatcher, key, when=describe_next_opening(hours))
        return []
