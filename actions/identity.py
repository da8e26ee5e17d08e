"""Identity check before anything personal is said: token, or date of birth + one more factor.

Every private task runs the same way (data/rules/identity.yml): the intent's rule runs
``action_begin_private_task`` (remembers the task, accepts a valid login token), then
``identity_form``, which asks nothing when the shopper is already verified or locked out, then
``action_after_identity``, which runs the task's handler or reports the lock.
"""
import time
from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import DatabaseGuard, off_loop, say
from actions.handoff import open_handoff
from actions.refill_form import FORM_SLOTS as REFILL_FORM_SLOTS
from actions.refill_form import REMINDER_ENTITY, REMINDER_SLOT
from pharmacy import identity
from pharmacy.db import session_scope
from pharmacy.handoff import HandoffReason
from pharmacy.refills import remember_conversation
from pharmacy.settings import load_secret, load_settings

TaskHandler = Callable[[CollectingDispatcher, Tracker, str], Awaitable[List[Dict[str, Any]]]]
# Skills register what to do once the shopper is verified (see tracking.py, refills.py).
RESUMABLE_TASKS: Dict[str, TaskHandler] = {}
VERIFIED = "verified"
LOCKED = "locked"


def _token_secret() -> str:
    return load_secret("IDENTITY_TOKEN_SECRET", load_settings().var_dir)


# Intents whose answer is personal, and the task each one starts.
PRIVATE_TASKS = {
    "track_order": "track_order",
    "report_delivery_problem": "delivery_problem",
    "change_address": "change_address",
    "request_refill": "refill",
    "enable_reminders": "enable_reminders",
    "stop_reminders": "stop_reminders",
}


class ActionBeginPrivateTask(DatabaseGuard, Action):
    def name(self) -> Text:
        return "action_begin_private_task"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[Dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        events = [SlotSet("pending_task", PRIVATE_TASKS.get(intent)),
                  SlotSet("task_text", tracker.latest_message.get("text")),
                  SlotSet("dob_input", None), SlotSet("possession_input", None),
                  # Only this message's "Refill now" counts: an older tap must not pre-fill.
                  SlotSet(REMINDER_SLOT,
                          next(tracker.get_latest_entity_values(REMINDER_ENTITY), None))]
        if (tracker.active_loop or {}).get("name") == "refill_form":
            # Another task replaces the refill (the identity form takes over the active loop):
            # say so, and forget its answers so a later "yes" cannot place it.
            say(dispatcher, "refill.set_aside")
            events += [SlotSet(slot, None) for slot in REFILL_FORM_SLOTS]
        if tracker.get_slot("verified_customer"):
            return events
        token = (tracker.latest_message.get("metadata") or {}).get("auth_token")
        if token:
            try:
                reference = identity.verify_token(str(token), _token_secret())
                return events + [SlotSet("verified_customer", reference)]
            except identity.InvalidToken:
                say(dispatcher, "identity.token_invalid")
        # An order number already typed ("where is EP-100012") counts as the possession factor.
        order_number = next(tracker.get_latest_entity_values("order_number"), None)
        if order_number:
            events.append(SlotSet("possession_input", order_number))
        return events


async def _report_lock(dispatcher, tracker, locked_until: float) -> List[Dict[str, Any]]:
    minutes = max(1, round((locked_until - time.time()) / 60))
    say(dispatcher, "identity.locked", minutes=minutes)
    return await open_handoff(dispatcher, tracker, HandoffReason.IDENTITY_FAILED)


def _verify(dob_text: str, factor_text: str) -> Optional[str]:
    dob = identity.parse_date_of_birth(dob_text)
    factor = identity.parse_possession_factor(factor_text)
    if dob is None or factor is None:
        return None
    with session_scope() as session:
        return identity.verify_anonymous(session, dob, factor)


class ActionAskDobInput(DatabaseGuard, Action):
    def name(self) -> Text:
        return "action_ask_dob_input"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[Dict[str, Any]]:
        say(dispatcher, "identity.ask_dob")
        return []


class ActionAskPossessionInput(DatabaseGuard, Action):
    def name(self) -> Text:
        return "action_ask_possession_input"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[Dict[str, Any]]:
        say(dispatcher, "identity.ask_factor")
        return []


class ValidateIdentityForm(DatabaseGuard, FormValidationAction):
    def name(self) -> Text:
        return "validate_identity_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        # Nothing to ask of a verified shopper, nor of one who is locked out.
        if tracker.get_slot("verified_customer") or tracker.get_slot("dob_input") == LOCKED:
            return []
        if identity.is_locked(tracker.get_slot("identity_locked_until"), time.time()):
            return []
        return domain_slots

    async def validate_dob_input(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value is None:  # cleared when a task begins: nothing typed yet, nothing to complain of
            return {"dob_input": None}
        if value in (VERIFIED, LOCKED):
            return {"dob_input": value}
        if identity.parse_date_of_birth(str(value)) is None:
            say(dispatcher, "identity.dob_unreadable")
            return {"dob_input": None}
        return await self._check_pair(dispatcher, tracker, str(value),
                                      tracker.get_slot("possession_input"))

    async def validate_possession_input(self, value: Any, dispatcher: CollectingDispatcher,
                                        tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {"possession_input": None}
        if value in (VERIFIED, LOCKED):
            return {"possession_input": value}
        if identity.parse_possession_factor(str(value)) is None:
            say(dispatcher, "identity.factor_unreadable")
            return {"possession_input": None}
        return await self._check_pair(dispatcher, tracker, tracker.get_slot("dob_input"),
                                      str(value))

    async def _check_pair(self, dispatcher, tracker, dob_text, factor_text) -> Dict[Text, Any]:
        if not dob_text or not factor_text or dob_text in (VERIFIED, LOCKED):
            # Wait for the other half (an order number may arrive before the date of birth).
            return {"dob_input": dob_text, "possession_input": factor_text}
        reference = await off_loop(_verify, dob_text, factor_text)
        if reference:
            return {"dob_input": VERIFIED, "possession_input": VERIFIED,
                    "verified_customer": reference, "identity_failures": 0}
        policy = identity.IdentityPolicy.from_env()
        failures = int(tracker.get_slot("identity_failures") or 0) + 1
        locked_until = identity.lock_until_after_failure(failures, time.time(), policy)
        if locked_until is not None:
            return {"dob_input": LOCKED, "possession_input": LOCKED,
                    "identity_failures": 0, "identity_locked_until": locked_until}
        say(dispatcher, "identity.mismatch", remaining=policy.max_attempts - failures)
        return {"dob_input": None, "possession_input": None, "identity_failures": failures}


class ActionAfterIdentity(DatabaseGuard, Action):
    def name(self) -> Text:
        return "action_after_identity"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        # The typed date of birth is not kept in a slot once it has been used.
        # form_to_start: a task's handler may name a form that a rule then opens (rules/refills.yml).
        events: List[Dict[str, Any]] = [SlotSet("dob_input", None), SlotSet("possession_input", None),
                                        SlotSet("pending_task", None), SlotSet("form_to_start", None)]
        reference = tracker.get_slot("verified_customer")
        if not reference:
            locked_until = tracker.get_slot("identity_locked_until")
            if identity.is_locked(locked_until, time.time()):
                return events + await _report_lock(dispatcher, tracker, locked_until)
            return events
        if tracker.get_slot("dob_input") == VERIFIED:  # verified just now, not earlier
            say(dispatcher, "identity.verified")
        # Refill reminders are delivered to the customer's latest verified chat.
        await off_loop(remember_conversation, None, reference, tracker.sender_id, datetime.utcnow())
        handler = RESUMABLE_TASKS.get(tracker.get_slot("pending_task") or "")
        if handler is not None:
            events += await handler(dispatcher, tracker, reference)
        return events
