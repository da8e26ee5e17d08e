"""The refill form's questions (``action_ask_<slot>``): the pick list, the delivery choices and the
summary to confirm, each with buttons. The summary sends the shopper back to an earlier question
when a choice no longer fits (a prescription cancelled or an address removed meanwhile)."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import DatabaseGuard, off_loop, say
from actions.refill_form import DELIVERY, RX_LIST, rx_list_of
from actions.verification import verified_customer
from pharmacy import clock
from pharmacy.database import session_scope
from pharmacy.refills.conversation import PICKUP, customer_context, summary_lines


def _pick_buttons(reference: str):
    with session_scope() as session:
        prescriptions = customer_context(session, reference).prescriptions
        buttons = [
            (f"{p.medicine_name} {p.strength}", f'/request_refill{{"rx_number":"{p.rx_number}"}}')
            for p in prescriptions
        ]
    if len(buttons) > 1:
        buttons.append(("All of them", "refill all of them"))
    return buttons


def _delivery_buttons(reference: str):
    with session_scope() as session:
        addresses = customer_context(session, reference).addresses
        buttons = [
            (f"Ship to {a.label} ({a.city})", f'/choose_delivery{{"delivery":"{a.id}"}}')
            for a in addresses
        ]
    return buttons + [("Pick up at a partner store", f'/choose_delivery{{"delivery":"{PICKUP}"}}')]


class ActionAskRefillRxList(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_ask_refill_rx_list"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        buttons = await off_loop(_pick_buttons, await verified_customer(tracker))
        say(dispatcher, "refill.pick", extra_buttons=buttons + [("Cancel", "/deny")])
        return []


class ActionAskRefillDelivery(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_ask_refill_delivery"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        buttons = await off_loop(_delivery_buttons, await verified_customer(tracker))
        several = len(rx_list_of(tracker)) > 1
        say(
            dispatcher,
            "refill.choose_delivery_several" if several else "refill.choose_delivery",
            extra_buttons=buttons + [("Cancel", "/deny")],
        )
        return []


def _summary(
    reference: str, rx_numbers: list[str], delivery: str
) -> tuple[list[str] | None, str | None]:
    """The summary's lines, or None and the slot to ask again if a choice no longer fits."""
    with session_scope() as session:
        context = customer_context(session, reference)
        active = {p.rx_number for p in context.prescriptions}
        if not rx_numbers or any(rx not in active for rx in rx_numbers):
            return None, RX_LIST
        lines = summary_lines(session, reference, rx_numbers, delivery, clock.current().today())
        return (lines, None) if lines else (None, DELIVERY)


class ActionAskRefillConfirmed(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_ask_refill_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        reference = await verified_customer(tracker)
        lines, ask_again = await off_loop(
            _summary, reference, rx_list_of(tracker), str(tracker.get_slot(DELIVERY))
        )
        if ask_again == RX_LIST:  # a prescription was cancelled or replaced meanwhile
            say(dispatcher, "refill.no_longer_active")
            buttons = await off_loop(_pick_buttons, reference)
            say(dispatcher, "refill.pick", extra_buttons=buttons + [("Cancel", "/deny")])
        elif ask_again == DELIVERY:  # an address was removed meanwhile
            buttons = await off_loop(_delivery_buttons, reference)
            say(
                dispatcher, "refill.delivery_unclear", extra_buttons=buttons + [("Cancel", "/deny")]
            )
        else:
            say(dispatcher, "refill.confirm", summary="\n".join(lines or []))
            return []
        return [SlotSet(ask_again, None), SlotSet("requested_slot", ask_again)]
