"""Identity check before anything personal is said: a login token, or date of birth + one more
factor.

Every private task runs the same way (data/rules/identity.yml): the intent's rule runs
``action_begin_private_task`` (remembers the task; a login token was already redeemed by the
channel), then ``identity_form``, which asks nothing when the chat is verified or locked out, then
``action_after_identity``, which runs the task's handler or reports the lock. Whether the chat is
verified is the server's record (actions.verification); the slot only mirrors it.
"""

import time
from datetime import timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import DatabaseGuard, off_loop, say
from actions.handoff import open_handoff
from actions.private_tasks import PRIVATE_TASKS, TASK_HANDLERS
from actions.refill_form import REMINDER_ENTITY, REMINDER_SLOT, SLOTS_OF_A_REFILL
from actions.verification import verified_customer
from pharmacy import clock, identity
from pharmacy.access import chat_sessions
from pharmacy.access.config import lockout_key, lockout_policy
from pharmacy.access.gate import LOGIN_REFUSED_KEY
from pharmacy.database import session_scope
from pharmacy.handoff import HandoffReason
from pharmacy.refills.service import remember_conversation
from pharmacy.settings import load_settings

VERIFIED = "verified"
LOCKED = "locked"
# The lock outcome, from the form's check to action_after_identity: "new" alerts staff (once).
LOCK_SLOT = "identity_lock"
LOCKED_UNTIL_SLOT = "identity_locked_until"


def _remember_conversation(reference: str, chat_id: str) -> None:
    with session_scope() as session:
        remember_conversation(session, reference, chat_id, clock.current().now())


def _lapsed(chat_id: str) -> bool:
    with session_scope() as session:
        return chat_sessions.forget_lapsed_verification(session, chat_id, clock.current().now())


class ActionBeginPrivateTask(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_begin_private_task"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        events = [
            SlotSet("pending_task", PRIVATE_TASKS.get(intent or "")),
            SlotSet("task_text", tracker.latest_message.get("text")),
            SlotSet("dob_input", None),
            SlotSet("possession_input", None),
            SlotSet(LOCK_SLOT, None),
            # Only this message's "Refill now" counts: an older tap must not pre-fill.
            SlotSet(REMINDER_SLOT, next(tracker.get_latest_entity_values(REMINDER_ENTITY), None)),
        ]
        if (tracker.active_loop or {}).get("name") == "refill_form":
            # Another task replaces the refill (the identity form takes over the active loop):
            # say so, and forget its answers so a later "yes" cannot place it.
            say(dispatcher, "refill.set_aside")
            events += [SlotSet(slot, None) for slot in SLOTS_OF_A_REFILL]
        reference = await verified_customer(tracker)
        events.append(SlotSet("verified_customer", reference))
        if reference:
            return events
        if await off_loop(_lapsed, tracker.sender_id):
            say(dispatcher, "identity.expired", minutes=load_settings().verification_minutes)
        if (tracker.latest_message.get("metadata") or {}).get(LOGIN_REFUSED_KEY):
            say(dispatcher, "identity.token_invalid")
        # An order number already typed ("where is EP-100012") counts as the possession factor.
        order_number = next(tracker.get_latest_entity_values("order_number"), None)
        if order_number:
            events.append(SlotSet("possession_input", order_number))
        return events


def _minutes_until(until: float) -> int:
    return max(1, round((until - time.time()) / 60))


async def _report_lock(dispatcher, tracker) -> list[dict[str, Any]]:
    minutes = _minutes_until(float(tracker.get_slot(LOCKED_UNTIL_SLOT) or time.time()))
    if tracker.get_slot(LOCK_SLOT) == "new":  # this chat's failure set the lock: alert staff
        say(dispatcher, "identity.locked", minutes=minutes)
        return await open_handoff(dispatcher, tracker, HandoffReason.IDENTITY_FAILED)
    say(dispatcher, "identity.still_locked", minutes=minutes)
    return []


def _check(chat_id: str, dob_text: str, factor_text: str) -> identity.FactorCheck | None:
    dob = identity.parse_date_of_birth(dob_text, clock.current().today())
    factor = identity.parse_possession_factor(factor_text)
    if dob is None or factor is None:
        return None
    settings = load_settings()
    now = clock.current().now()
    with session_scope() as session:
        check = identity.check_factors(
            session, dob, factor, lockout_key(settings), now, lockout_policy(settings)
        )
        if check.outcome is identity.FactorOutcome.VERIFIED and check.customer_reference:
            chat_sessions.record_verification(
                session,
                chat_id,
                check.customer_reference,
                "factors",
                chat_sessions.verification_ends(now, settings.verification_minutes),
            )
        return check


class ActionAskDobInput(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_ask_dob_input"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        say(dispatcher, "identity.ask_dob")
        return []


class ActionAskPossessionInput(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_ask_possession_input"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        say(dispatcher, "identity.ask_factor")
        return []


class ValidateIdentityForm(DatabaseGuard, FormValidationAction):
    def name(self) -> str:
        return "validate_identity_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # Nothing to ask of a verified shopper, nor of one who is locked out.
        if tracker.get_slot("dob_input") == LOCKED or await verified_customer(tracker):
            return []
        return domain_slots

    async def validate_dob_input(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:  # cleared when a task begins: nothing typed yet, nothing to complain of
            return {"dob_input": None}
        if value in (VERIFIED, LOCKED):
            return {"dob_input": value}
        if identity.parse_date_of_birth(str(value), clock.current().today()) is None:
            say(dispatcher, "identity.dob_unreadable")
            return {"dob_input": None}
        return await self._check_pair(
            dispatcher, tracker, str(value), tracker.get_slot("possession_input")
        )

    async def validate_possession_input(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            return {"possession_input": None}
        if value in (VERIFIED, LOCKED):
            return {"possession_input": value}
        if identity.parse_possession_factor(str(value)) is None:
            say(dispatcher, "identity.factor_unreadable")
            return {"possession_input": None}
        return await self._check_pair(
            dispatcher, tracker, tracker.get_slot("dob_input"), str(value)
        )

    async def _check_pair(self, dispatcher, tracker, dob_text, factor_text) -> dict[str, Any]:
        if not dob_text or not factor_text or dob_text in (VERIFIED, LOCKED):
            # Wait for the other half (an order number may arrive before the date of birth).
            return {"dob_input": dob_text, "possession_input": factor_text}
        check = await off_loop(_check, tracker.sender_id, dob_text, factor_text)
        if check is None:
            return {"dob_input": None, "possession_input": None}
        if check.outcome is identity.FactorOutcome.VERIFIED:
            return {
                "dob_input": VERIFIED,
                "possession_input": VERIFIED,
                "verified_customer": check.customer_reference,
            }
        if check.outcome is identity.FactorOutcome.LOCKED and check.locked_until is not None:
            until = check.locked_until.replace(tzinfo=timezone.utc).timestamp()
            return {
                "dob_input": LOCKED,
                "possession_input": LOCKED,
                LOCK_SLOT: "new" if check.just_locked else "held",
                LOCKED_UNTIL_SLOT: until,
            }
        say(dispatcher, "identity.mismatch", remaining=check.remaining)
        return {"dob_input": None, "possession_input": None}


class ActionAfterIdentity(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_after_identity"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # The typed date of birth is not kept in a slot once it has been used.
        # form_to_start: a task's handler may name a form that a rule then opens (rules/refills.yml).
        events: list[dict[str, Any]] = [
            SlotSet("dob_input", None),
            SlotSet("possession_input", None),
            SlotSet("pending_task", None),
            SlotSet("form_to_start", None),
        ]
        reference = await verified_customer(tracker)
        if not reference:
            if tracker.get_slot("dob_input") == LOCKED:
                return events + [SlotSet(LOCK_SLOT, None)] + await _report_lock(dispatcher, tracker)
            return events
        if tracker.get_slot("dob_input") == VERIFIED:  # verified just now, not earlier
            say(dispatcher, "identity.verified")
        # Refill reminders are delivered to the customer's latest verified chat.
        await off_loop(_remember_conversation, reference, tracker.sender_id)
        handler = TASK_HANDLERS.get(tracker.get_slot("pending_task") or "")
        if handler is not None:
            events += await handler(dispatcher, tracker, reference)
        return events
