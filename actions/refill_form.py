"""Reading the shopper's replies in the refill form (``refill_form`` in domain.yml): which
prescriptions, delivery, confirmation. Its questions are in actions/refill_questions.py.

Started by ``start_refill`` (actions/refills.py) once the shopper is verified. Every reply is read
by ``pharmacy.refills.conversation.interpret``, so a shopper can answer the question asked, change
an earlier answer ("ship it to work instead"), or cancel, at any step. A reply that answers none of
it is left to the other skills (rules in data/rules/refills.yml bring the form back afterwards).
Whether a refill is allowed is checked when the prescriptions are chosen and again on submit.
"""

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import DatabaseGuard, off_loop, say
from actions.unclear_replies import UNCLEAR_REPLIES, count_unclear, unclear_before
from actions.verification import verified_customer
from pharmacy import clock
from pharmacy.chat_input import UnreadableInput, classify_text
from pharmacy.database import session_scope
from pharmacy.refills import service as refills
from pharmacy.refills.conversation import (
    FormAnswer,
    Reply,
    Step,
    assess,
    customer_context,
    interpret,
)
from pharmacy.refills.policy import RefillOutcome
from pharmacy.settings import load_settings

RX_LIST = Step.PRESCRIPTIONS.value
DELIVERY = Step.DELIVERY.value
CONFIRMED = Step.CONFIRMATION.value
FORM_SLOTS = (RX_LIST, DELIVERY, CONFIRMED)
# The choice last accepted in this refill: kept when the shopper changes to something that can't
# be refilled now, even after "change medicines" emptied RX_LIST.
ACCEPTED_RX_LIST = "refill_accepted_rx_list"
SLOTS_OF_A_REFILL = (*FORM_SLOTS, ACCEPTED_RX_LIST)
# "Refill now" on a reminder: its payload's entity fills this slot (domain.yml), which
# ``start_refill`` turns into a pre-filled RX_LIST once the shopper is verified.
REMINDER_ENTITY = "reminder"
REMINDER_SLOT = "reminder_id"


def rx_list_of(tracker: Tracker) -> list[str]:
    return [rx for rx in (tracker.get_slot(RX_LIST) or "").split(",") if rx]


def reply_of(tracker: Tracker) -> Reply:
    message = tracker.latest_message or {}
    entities: dict[str, Any] = {}
    for entity in message.get("entities") or []:
        entities.setdefault(entity.get("entity"), entity.get("value"))
    return Reply(message.get("text") or "", (message.get("intent") or {}).get("name"), entities)


def _interpret(
    reference: str, step: Step, reply: Reply, current_rx: list[str], current_delivery: str | None
) -> FormAnswer:
    with session_scope() as session:
        context = customer_context(session, reference)
        return interpret(
            step, reply, context.prescriptions, context.addresses, current_rx, current_delivery
        )


def _assess(reference: str, rx_numbers: list[str]):
    with session_scope() as session:
        return assess(session, reference, rx_numbers, clock.current().today())


def _unanswered_message(tracker: Tracker) -> bool:
    """Whether no other action has run since the shopper's latest message, i.e. the form is reading
    it, not coming back after another skill answered it (``latest_action_name`` is the form in both).
    Only this turn's events are read: no slot could say it, since the answers in between are often
    domain responses (utter_faq), which set none."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in (
            "action_listen",
            "refill_form",
        ):
            return False
    return False


class ValidateRefillForm(DatabaseGuard, FormValidationAction):
    def name(self) -> str:
        return "validate_refill_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The SDK's run, but keeping the count of unclear answers from the extraction (the SDK
        returns only the form's own slots from it)."""
        extracted = await self.get_extraction_events(dispatcher, tracker, domain)
        tracker.add_slots(extracted)
        validated = await self.get_validation_events(dispatcher, tracker, domain)
        tracker.add_slots(validated)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        counted = [event for event in extracted if event["name"] == UNCLEAR_REPLIES]
        return counted + validated + ([next_slot] if next_slot else [])

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """One reading of the reply for all three slots (replaces per-slot extract methods)."""
        reference = await verified_customer(tracker)
        requested = tracker.get_slot("requested_slot")
        if not reference:
            return []
        if requested is None:  # the form is starting: read the request that started it
            if tracker.get_slot(RX_LIST):
                return []
            reply = Reply(tracker.get_slot("task_text") or "", "request_refill")
            answer = await off_loop(_interpret, reference, Step.PRESCRIPTIONS, reply, [], None)
            if answer.unknown_rx:
                say(dispatcher, "refill.not_yours", rx=answer.unknown_rx)
            if answer.several:
                say(dispatcher, "refill.which_of_class", names=" or ".join(answer.several))
            return [SlotSet(RX_LIST, ",".join(answer.rx_numbers))] if answer.rx_numbers else []
        if not _unanswered_message(tracker) or requested not in FORM_SLOTS:
            return []  # back from another skill's answer: nothing new to read
        step = Step(requested)
        reply = reply_of(tracker)
        answer = await off_loop(
            _interpret, reference, step, reply, rx_list_of(tracker), tracker.get_slot(DELIVERY)
        )
        return self._events_for(answer, step, reply, dispatcher, tracker)

    @staticmethod
    def _events_for(
        answer: FormAnswer,
        step: Step,
        reply: Reply,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> list[dict[str, Any]]:
        if answer.cancelled:
            return [SlotSet(CONFIRMED, False)]
        if answer.confirmed:
            return [SlotSet(CONFIRMED, True)]
        if answer.rx_numbers:
            return [SlotSet(RX_LIST, ",".join(answer.rx_numbers)), SlotSet(CONFIRMED, None)]
        if answer.delivery:
            return [SlotSet(DELIVERY, answer.delivery), SlotSet(CONFIRMED, None)]
        if answer.change is not None:
            cleared = {"delivery": DELIVERY, "prescriptions": RX_LIST}.get(answer.change.value)
            return ([SlotSet(cleared, None)] if cleared else []) + [SlotSet(CONFIRMED, None)]
        if answer.unknown_rx:
            say(dispatcher, "refill.not_yours", rx=answer.unknown_rx)
            return [SlotSet(step.value, None)]
        if answer.several:
            say(dispatcher, "refill.which_of_class", names=" or ".join(answer.several))
            return [SlotSet(step.value, None)]
        if answer.unclear:
            max_chars = load_settings().max_message_chars
            problem = classify_text(reply.text, max_chars)
            if problem is UnreadableInput.EMPTY:
                say(dispatcher, "fallback.empty")
            elif problem is UnreadableInput.TOO_LONG:
                say(dispatcher, "fallback.too_long", max_chars=max_chars)
            elif unclear_before(tracker):  # twice in a row: offer a person, and the choices again
                say(dispatcher, "refill.still_unclear")
            else:
                say(
                    dispatcher,
                    {
                        Step.PRESCRIPTIONS: "refill.pick_unclear",
                        Step.DELIVERY: "refill.delivery_unclear",
                        Step.CONFIRMATION: "refill.confirm_unclear",
                    }[step],
                )
            return [SlotSet(step.value, None), count_unclear(tracker)]
        return []  # not an answer: the form steps aside for another skill

    async def validate_refill_rx_list(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Apply the refill rules to the chosen prescriptions; say what can't be refilled now."""
        if not value:
            return {RX_LIST: None}
        reference = await verified_customer(tracker)
        items = await off_loop(_assess, reference, str(value).split(","))
        allowed = []
        for item in items:
            outcome = item.decision.outcome
            if item.already_ordered:
                say(
                    dispatcher,
                    "refill.already_ordered",
                    name=item.name,
                    order_number=item.already_ordered,
                )
            elif outcome is RefillOutcome.ALLOWED:
                allowed.append(item)
            else:
                await self._not_now(dispatcher, tracker, reference, item)
        if not allowed:
            earlier = tracker.get_slot(ACCEPTED_RX_LIST)
            if earlier:  # changed their mind to something not refillable: keep the earlier choice
                kept = await off_loop(_assess, reference, earlier.split(","))
                say(dispatcher, "refill.kept_choice", names=", ".join(item.name for item in kept))
                return {RX_LIST: earlier}
            # nothing to order: the form ends here, having said why
            return {RX_LIST: None, CONFIRMED: None, "requested_slot": None}
        for item in allowed:
            await off_loop(_record_offer, tracker.sender_id, reference, item.rx_number)
        say(dispatcher, "refill.can_refill", names=", ".join(item.name for item in allowed))
        chosen = ",".join(item.rx_number for item in allowed)
        return {RX_LIST: chosen, ACCEPTED_RX_LIST: chosen}

    @staticmethod
    async def _not_now(dispatcher, tracker, reference, item) -> None:
        outcome = item.decision.outcome
        buttons = []
        if outcome is RefillOutcome.TOO_SOON:
            buttons = [("Remind me when it's due", "/enable_reminders")]
        elif outcome is RefillOutcome.NEEDS_RENEWAL:
            await off_loop(
                _renew, reference, item.rx_number, item.decision.reason_code, tracker.sender_id
            )
        elif outcome is RefillOutcome.NEEDS_NEW_PRESCRIPTION:
            buttons = [("Ask a pharmacist", "/request_human")]
        say(
            dispatcher,
            "refill.not_now",
            name=item.name,
            explanation=item.decision.explanation,
            extra_buttons=buttons,
        )

    async def validate_refill_delivery(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {DELIVERY: str(value) if value else None}  # read against their addresses already

    async def validate_refill_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is False:  # cancelled: end the form; action_finish_refill says so
            return {CONFIRMED: False, "requested_slot": None}
        return {CONFIRMED: value}


def _record_offer(conversation_id: str, reference: str, rx: str) -> None:
    with session_scope() as session:
        refills.record_offer(session, conversation_id, reference, rx)


def _renew(reference: str, rx: str, reason: str, conversation_id: str) -> None:
    now = clock.current()  # decided for the date the shopper was told about (as in _assess)
    try:
        with session_scope() as session:
            refills.request_renewal(
                session,
                reference,
                rx,
                reason,
                now.now(),
                conversation_id,
                today=now.today(),
            )
    except refills.RefillRequestError:
        pass  # the prescription changed since it was assessed; nothing to record
