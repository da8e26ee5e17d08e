"""Refill reorders and reminder consent, for verified shoppers (rules in pharmacy/refill_policy.py).

Flow: request_refill -> identity -> ``start_refill`` (which prescription, or several for "refill
all") -> delivery buttons -> ``action_refill_summary`` -> yes: ``action_submit_refill``.
The shopper can pick another delivery option or cancel at any step before confirming.
"""
import re
from datetime import date, datetime
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import off_loop, say
from actions.identity import RESUMABLE_TASKS
from pharmacy import refills, reminders, repositories
from pharmacy.db import session_scope
from pharmacy.refill_policy import RefillOutcome

REFILL_ALL = re.compile(r"\b(all|every|everything)\b", re.IGNORECASE)


def _plan(reference: str, text: str, rx_from_button: Optional[str], today: date) -> Dict[str, Any]:
    """Which prescriptions the request is about, and what the policy says of each."""
    with session_scope() as session:
        options = refills.refillable_prescriptions(session, reference, today)
        if not options:
            return {"kind": "none"}
        if rx_from_button or not REFILL_ALL.search(text):
            wanted = refills.match_prescription([p for p, _ in options], rx_from_button or text)
            if wanted is None:
                return {"kind": "pick", "buttons": [
                    (f"{p.medicine_name} {p.strength}", f'/request_refill{{"rx_number":"{p.rx_number}"}}')
                    for p, _ in options]}
            options = [(p, d) for p, d in options if p.id == wanted.id]
        customer = repositories.customer_by_reference(session, reference)
        addresses = [(a.id, a.label, a.city) for a in customer.addresses]
        return {"kind": "plan", "addresses": addresses, "items": [
            {"rx": p.rx_number, "name": f"{p.medicine_name} {p.strength}",
             "outcome": d.outcome.value, "reason": d.reason_code, "explanation": d.explanation}
            for p, d in options]}


def _renew(reference: str, rx: str, reason: str, conversation_id: str) -> None:
    try:
        refills.request_renewal(None, reference, rx, reason, datetime.utcnow(), conversation_id)
    except refills.RefillRequestError:
        pass  # the policy changed its mind since the plan; nothing to record


def _delivery_buttons(addresses) -> List[Tuple[str, str]]:
    buttons = [(f"Ship to {label} ({city})", f'/choose_delivery{{"delivery":"{address_id}"}}')
               for address_id, label, city in addresses]
    return buttons + [("Pick up at a partner store", '/choose_delivery{"delivery":"pickup"}')]


async def start_refill(dispatcher: CollectingDispatcher, tracker: Tracker,
                       reference: str) -> List[Dict[str, Any]]:
    text = tracker.get_slot("task_text") or tracker.latest_message.get("text") or ""
    rx = next(tracker.get_latest_entity_values("rx_number"), None) or tracker.get_slot("rx_number")
    plan = await off_loop(_plan, reference, text, rx, date.today())
    if plan["kind"] == "none":
        say(dispatcher, "refill.no_prescriptions")
        return []
    if plan["kind"] == "pick":
        say(dispatcher, "refill.pick", extra_buttons=plan["buttons"])
        return []
    allowed = []
    for item in plan["items"]:
        outcome = RefillOutcome(item["outcome"])
        if outcome is RefillOutcome.ALLOWED:
            allowed.append(item)
            continue
        extra = []
        if outcome is RefillOutcome.TOO_SOON:
            extra = [("Remind me when it's due", "/enable_reminders")]
        elif outcome is RefillOutcome.NEEDS_RENEWAL:
            await off_loop(_renew, reference, item["rx"], item["reason"], tracker.sender_id)
        elif outcome is RefillOutcome.NEEDS_NEW_PRESCRIPTION:
            extra = [("Ask a pharmacist", "/request_human")]
        say(dispatcher, "refill.not_now", name=item["name"], explanation=item["explanation"],
            extra_buttons=extra)
    for item in allowed:
        await off_loop(refills.record_offer, None, tracker.sender_id, reference, item["rx"])
    if not allowed:
        return [SlotSet("refill_rx_list", None)]
    names = ", ".join(item["name"] for item in allowed)
    say(dispatcher, "refill.choose_delivery", names=names,
        extra_buttons=_delivery_buttons(plan["addresses"]))
    return [SlotSet("refill_rx_list", ",".join(item["rx"] for item in allowed))]


def _summary(reference: str, rx_list: List[str], delivery: str, today: date) -> Optional[List[str]]:
    with session_scope() as session:
        customer = repositories.customer_by_reference(session, reference)
        if delivery == "pickup":
            label = "pickup"
        else:
            address = next((a for a in customer.addresses if str(a.id) == str(delivery)), None)
            if address is None:
                return None
            label = address.label
        lines = []
        for rx in rx_list:
            prescription = repositories.prescription_by_rx_number(session, rx)
            if prescription is None or prescription.customer_id != customer.id:
                return None
            lines.append(refills.summary_line(prescription, label, today))
        return lines


class ActionRefillSummary(Action):
    def name(self) -> Text:
        return "action_refill_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        reference = tracker.get_slot("verified_customer")
        rx_list = [rx for rx in (tracker.get_slot("refill_rx_list") or "").split(",") if rx]
        delivery = next(tracker.get_latest_entity_values("delivery"), None) \
            or tracker.get_slot("refill_delivery")
        lines = None
        if reference and rx_list and delivery:
            lines = await off_loop(_summary, reference, rx_list, str(delivery), date.today())
        if not lines:
            say(dispatcher, "refill.nothing_to_confirm")
            return [SlotSet("refill_delivery", None)]
        say(dispatcher, "refill.confirm", summary="\n".join(lines))
        return [SlotSet("refill_delivery", str(delivery))]


def _submit(reference: str, rx_list: List[str], delivery: str, conversation_id: str):
    results = []
    for rx in rx_list:
        result = refills.submit_refill(None, reference, rx, delivery, date.today(),
                                       datetime.utcnow(), conversation_id)
        results.append((rx, result))
    return results


class ActionSubmitRefill(Action):
    def name(self) -> Text:
        return "action_submit_refill"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[Dict[str, Any]]:
        reference = tracker.get_slot("verified_customer")
        rx_list = [rx for rx in (tracker.get_slot("refill_rx_list") or "").split(",") if rx]
        delivery = tracker.get_slot("refill_delivery")
        if not (reference and rx_list and delivery):
            say(dispatcher, "refill.nothing_to_confirm")
            return []
        for rx, result in await off_loop(_submit, reference, rx_list, delivery, tracker.sender_id):
            if result.order_number is None:
                say(dispatcher, "refill.refused_now", rx=rx, explanation=result.decision.explanation)
            elif result.created:
                say(dispatcher, "refill.submitted", rx=rx, order_number=result.order_number)
            else:
                say(dispatcher, "refill.already_submitted", rx=rx, order_number=result.order_number)
        return [SlotSet("refill_rx_list", None), SlotSet("refill_delivery", None)]


class ActionRefillReminder(Action):
    """Run by the reminder scheduler (pharmacy/reminders.py) through Rasa's HTTP API, after it set
    ``reminder_rx``. The text names no medicine: it may show up in a notification preview."""

    def name(self) -> Text:
        return "action_refill_reminder"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> List[Dict[str, Any]]:
        rx = tracker.get_slot("reminder_rx")
        buttons = [("Refill now", f'/request_refill{{"rx_number":"{rx}"}}')] if rx else []
        say(dispatcher, "refill.reminder", extra_buttons=buttons + [("Stop reminders", "/stop_reminders")])
        # Not after a shopper's message: listen again so the next one is read like any other.
        return [ActionExecuted("action_listen")]


async def set_reminders(dispatcher: CollectingDispatcher, tracker: Tracker, reference: str,
                        granted: bool) -> List[Dict[str, Any]]:
    await off_loop(reminders.set_reminder_consent, None, reference, granted, datetime.utcnow())
    say(dispatcher, "reminders.on" if granted else "reminders.off")
    return []


async def _enable(dispatcher, tracker, reference):
    return await set_reminders(dispatcher, tracker, reference, True)


async def _disable(dispatcher, tracker, reference):
    return await set_reminders(dispatcher, tracker, reference, False)


RESUMABLE_TASKS.update({
    "refill": start_refill,
    "enable_reminders": _enable,
    "stop_reminders": _disable,
})
