"""Emergencies pre-empt everything: the answer first, then a pharmacist at top priority."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import DatabaseGuard, off_loop, say
from actions.handoff import context_from, open_ticket
from actions.verification import verified_customer
from pharmacy import clock
from pharmacy.handoff import HandoffReason
from pharmacy.safety import PARSE_DATA_KEY, Emergency, assess_emergency
from pharmacy.settings import load_settings


class ActionEmergency(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        # Each kind's numbers, most urgent first ("took all my pills to end it": 988, then Poison
        # Help). The NLU guard sends the kinds it found; a typed "/emergency" has none and gets
        # the general answer.
        known = {kind.value for kind in Emergency}
        found = (tracker.latest_message.get(PARSE_DATA_KEY) or {}).get("kinds") or []
        kinds = (
            [Emergency(k) for k in found if k in known]
            or list(assess_emergency(text).kinds)
            or [Emergency.GENERAL]
        )
        for kind in kinds:
            say(dispatcher, f"emergency.{kind.value}")
        # Flag and escalate even when a person is already in the chat or the desk is closed.
        customer = await verified_customer(tracker)
        place = await off_loop(
            open_ticket, context_from(tracker, HandoffReason.EMERGENCY, customer, question=text)
        )
        events = [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("handoff_ticket", place.ticket_id),
        ]
        if load_settings().handoff_hours.is_open(clock.current().instant()):
            say(dispatcher, "emergency.flagged")
            # A pharmacist is coming: from now on the shopper's messages go to them.
            return events + [SlotSet("handoff_active", True)]
        # Nobody at the desk: the ticket waits at top priority, the assistant stays available.
        say(dispatcher, "emergency.flagged_closed")
        return events
