"""Order tracking, delivery problems and address changes, for verified shoppers only."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import DatabaseGuard, off_loop, say
from actions.handoff import open_handoff
from actions.verification import verified_customer
from pharmacy import clock
from pharmacy.handoff import HandoffReason
from pharmacy.tracking import AddressKind, OrderChoice, TrackingKind, text
from pharmacy.tracking import address as addresses
from pharmacy.tracking import status as tracking


def _requested_order(tracker: Tracker) -> str | None:
    return next(tracker.get_latest_entity_values("order_number"), None) or tracker.get_slot(
        "order_number"
    )


def _order_buttons(orders: tuple[OrderChoice, ...], intent: str) -> list[tuple[str, str]]:
    return [
        (text.order_title(o), f'/{intent}{{"order_number":"{o.order_number}"}}') for o in orders
    ]


async def show_order_status(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str
) -> list[dict[str, Any]]:
    answer = await off_loop(
        tracking.track_order, reference, _requested_order(tracker), clock.current().now()
    )
    if answer.kind is TrackingKind.NOT_FOUND:
        say(dispatcher, "tracking.not_found", order_number=answer.order_number)
        return [SlotSet("order_number", None)]
    if answer.kind is TrackingKind.NO_ORDERS:
        say(dispatcher, "tracking.no_orders")
    elif answer.kind is TrackingKind.PICK:
        say(
            dispatcher,
            "tracking.pick_order",
            extra_buttons=_order_buttons(answer.choices, "track_order"),
        )
    else:
        say(dispatcher, "tracking.status", text=text.status_text(answer))
        if answer.delayed:
            say(dispatcher, "tracking.delayed", eta=text.delayed_eta(answer))
        return [SlotSet("order_number", answer.order_number)]
    return []


# --- delivery problems ----------------------------------------------------------------------


async def handle_delivery_problem(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str
) -> list[dict[str, Any]]:
    orders = await off_loop(tracking.problem_orders, reference, _requested_order(tracker))
    if len(orders) != 1:
        buttons = _order_buttons(orders, "report_delivery_problem")
        say(dispatcher, "delivery_problem.pick_order", extra_buttons=buttons)
        return []
    order_number = orders[0].order_number
    question = tracker.latest_message.get("text")
    await open_handoff(
        dispatcher,
        tracker,
        HandoffReason.DELIVERY_PROBLEM,
        message_key="delivery_problem.handed_off",
        order_number=order_number,
        question=question,
    )
    return [SlotSet("order_number", order_number)]


# --- address change -------------------------------------------------------------------------


async def offer_addresses(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str
) -> list[dict[str, Any]]:
    options = await off_loop(addresses.address_options, reference, _requested_order(tracker))
    kind = options.kind
    if kind is AddressKind.PICK_ORDER:
        buttons = _order_buttons(options.orders, "change_address")
        say(dispatcher, "address.pick_order", extra_buttons=buttons)
    elif kind is AddressKind.NOT_FOUND:
        say(dispatcher, "tracking.not_found", order_number=options.order_number)
        return [SlotSet("order_number", None)]
    elif kind is AddressKind.SHIPPED and options.status is not None:
        say(
            dispatcher,
            "address.already_shipped",
            order_number=options.order_number,
            status=text.order_status_words(options.status),
        )
    elif kind is AddressKind.ONLY_ONE:
        say(dispatcher, "address.only_one")
    else:
        say(
            dispatcher,
            "address.pick_address",
            order_number=options.order_number,
            extra_buttons=[
                (f"{a.label} ({a.city})", f'/choose_address{{"address_id":"{a.id}"}}')
                for a in options.addresses
            ],
        )
        return [SlotSet("order_number", options.order_number)]
    return []


class ActionConfirmAddressChange(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_confirm_address_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        reference = await verified_customer(tracker)
        if not reference:
            say(dispatcher, "address.unknown_choice")
            return []
        choice = await off_loop(
            addresses.chosen_address,
            reference,
            tracker.get_slot("order_number"),
            tracker.get_slot("address_id"),
            tracker.latest_message.get("text") or "",
        )
        if choice is None:
            say(dispatcher, "address.unknown_choice")
            return [SlotSet("address_id", None)]
        chosen = choice.address
        say(
            dispatcher,
            "address.confirm",
            order_number=choice.order_number,
            label=chosen.label.lower(),
            city=chosen.city,
        )
        return [SlotSet("address_id", str(chosen.id))]


class ActionApplyAddressChange(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_apply_address_change"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        reference = await verified_customer(tracker)
        order_number = tracker.get_slot("order_number")
        result = None
        if reference and order_number and tracker.get_slot("address_id"):
            result = await off_loop(
                addresses.apply_address_change,
                reference,
                order_number,
                tracker.get_slot("address_id"),
                clock.current().now(),
            )
        if result is None:
            # Shipped in the meantime, or nothing chosen: say why through the normal path.
            return await offer_addresses(dispatcher, tracker, reference) if reference else []
        say(
            dispatcher,
            "address.changed",
            order_number=order_number,
            label=result.label.lower(),
            city=result.city,
        )
        return [SlotSet("address_id", None)]
