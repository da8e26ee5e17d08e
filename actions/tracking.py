"""Order tracking, delivery problems and address changes, for verified shoppers only."""

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import DatabaseGuard, off_loop, say
from actions.handoff import open_handoff
from actions.verification import verified_customer
from pharmacy import carrier, tracking
from pharmacy.database import session_scope
from pharmacy.handoff import HandoffReason
from pharmacy.models import OrderStatus, OrderStatusEvent
from pharmacy.tracking import LiveStatus

log = logging.getLogger(__name__)


def _requested_order(tracker: Tracker) -> str | None:
    return next(tracker.get_latest_entity_values("order_number"), None) or tracker.get_slot(
        "order_number"
    )


def _order_buttons(orders, intent: str) -> list[tuple[str, str]]:
    return [
        (tracking.order_title(o), f'/{intent}{{"order_number":"{o.order_number}"}}') for o in orders
    ]


def _live_status(tracking_number: str) -> tuple[LiveStatus | None, bool]:
    """(live status, carrier unavailable); the carrier being down never fails the answer."""
    try:
        info = carrier.default_client().track(tracking_number)
    except carrier.TrackingNotFound:
        return None, False
    except carrier.CarrierUnavailable as error:
        log.warning("live tracking unavailable: %s", getattr(error, "reason", "error"))
        return None, True
    latest = info.latest_event
    return LiveStatus(
        info.status,
        info.status_detail,
        latest.location if latest else None,
        latest.time.replace(tzinfo=None) if latest else None,
        info.estimated_delivery,
    ), False


def _status_answer(reference: str, order_number: str | None) -> dict[str, Any]:
    """Everything the tracking answer needs, read in one unit of work."""
    with session_scope() as session:
        if order_number:
            order = tracking.order_of(session, reference, order_number)
            if order is None:
                return {"kind": "not_found", "order_number": order_number}
            orders = [order]
        else:
            orders = tracking.orders_of(session, reference)
        if not orders:
            return {"kind": "no_orders"}
        if len(orders) > 1:
            return {"kind": "pick", "buttons": _order_buttons(orders, "track_order")}
        order = orders[0]
        live, unavailable = (None, False)
        if order.shipment is not None:
            live, unavailable = _live_status(order.shipment.tracking_number)
        answer = {
            "kind": "status",
            "order_number": order.order_number,
            "text": tracking.describe_order(order, live, unavailable),
        }
        if tracking.is_delayed(order, live):
            eta = (live.estimated_delivery if live else None) or order.shipment.estimated_delivery
            answer["delayed_eta"] = f"{eta:%A}, {eta:%B} {eta.day}" if eta else "not known yet"
        return answer


async def show_order_status(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str
) -> list[dict[str, Any]]:
    answer = await off_loop(_status_answer, reference, _requested_order(tracker))
    if answer["kind"] == "not_found":
        say(dispatcher, "tracking.not_found", order_number=answer["order_number"])
        return [SlotSet("order_number", None)]
    if answer["kind"] == "no_orders":
        say(dispatcher, "tracking.no_orders")
    elif answer["kind"] == "pick":
        say(dispatcher, "tracking.pick_order", extra_buttons=answer["buttons"])
    else:
        say(dispatcher, "tracking.status", text=answer["text"])
        if "delayed_eta" in answer:
            say(dispatcher, "tracking.delayed", eta=answer["delayed_eta"])
        return [SlotSet("order_number", answer["order_number"])]
    return []


# --- delivery problems ----------------------------------------------------------------------


def _problem_orders(reference: str, order_number: str | None) -> list[tuple[str, str]]:
    """(order number, button) of the shopper's orders a delivery problem can be about."""
    with session_scope() as session:
        if order_number:
            order = tracking.order_of(session, reference, order_number)
            orders = [order] if order else []
        else:
            orders = [
                o
                for o in tracking.orders_of(session, reference)
                if o.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
            ]
        return [(o.order_number, _order_buttons([o], "report_delivery_problem")[0]) for o in orders]


async def handle_delivery_problem(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str
) -> list[dict[str, Any]]:
    orders = await off_loop(_problem_orders, reference, _requested_order(tracker))
    if len(orders) != 1:
        say(dispatcher, "delivery_problem.pick_order", extra_buttons=[b for _, b in orders])
        return []
    order_number = orders[0][0]
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


def _address_options(reference: str, order_number: str | None) -> dict[str, Any]:
    with session_scope() as session:
        if not order_number:
            orders = tracking.orders_of(session, reference)
            if len(orders) != 1:
                return {"kind": "pick", "buttons": _order_buttons(orders, "change_address")}
            order = orders[0]
        else:
            order = tracking.order_of(session, reference, order_number)
            if order is None:
                return {"kind": "not_found", "order_number": order_number}
        if order.status not in tracking.ADDRESS_CHANGEABLE:
            return {
                "kind": "shipped",
                "order_number": order.order_number,
                "status": tracking.ORDER_STATUS_WORDS[order.status],
            }
        others = [a for a in order.customer.addresses if a.id != order.address_id]
        if not others:
            return {"kind": "only_one"}
        return {
            "kind": "choose",
            "order_number": order.order_number,
            "buttons": [
                (f"{a.label} ({a.city})", f'/choose_address{{"address_id":"{a.id}"}}')
                for a in others
            ],
        }


async def offer_addresses(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str
) -> list[dict[str, Any]]:
    options = await off_loop(_address_options, reference, _requested_order(tracker))
    kind = options["kind"]
    if kind == "pick":
        say(dispatcher, "address.pick_order", extra_buttons=options["buttons"])
    elif kind == "not_found":
        say(dispatcher, "tracking.not_found", order_number=options["order_number"])
        return [SlotSet("order_number", None)]
    elif kind == "shipped":
        say(
            dispatcher,
            "address.already_shipped",
            order_number=options["order_number"],
            status=options["status"],
        )
    elif kind == "only_one":
        say(dispatcher, "address.only_one")
    else:
        say(
            dispatcher,
            "address.pick_address",
            order_number=options["order_number"],
            extra_buttons=options["buttons"],
        )
        return [SlotSet("order_number", options["order_number"])]
    return []


def _chosen_address(reference: str, order_number: str | None, address_id: str | None, text: str):
    """(order, address) when both belong to the shopper and the change is still allowed."""
    with session_scope() as session:
        order = tracking.order_of(session, reference, order_number) if order_number else None
        if order is None or order.status not in tracking.ADDRESS_CHANGEABLE:
            return None
        addresses = order.customer.addresses
        chosen = [a for a in addresses if address_id and str(a.id) == str(address_id)]
        chosen = chosen or [a for a in addresses if a.label.lower() in text.lower()]
        if not chosen:
            return None
        return order.order_number, chosen[0].id, chosen[0].label, chosen[0].city


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
            _chosen_address,
            reference,
            tracker.get_slot("order_number"),
            tracker.get_slot("address_id"),
            tracker.latest_message.get("text") or "",
        )
        if choice is None:
            say(dispatcher, "address.unknown_choice")
            return [SlotSet("address_id", None)]
        order_number, address_id, label, city = choice
        say(
            dispatcher, "address.confirm", order_number=order_number, label=label.lower(), city=city
        )
        return [SlotSet("address_id", str(address_id))]


def _apply_address(reference: str, order_number: str, address_id: str):
    from datetime import datetime

    with session_scope() as session:
        order = tracking.order_of(session, reference, order_number)
        if order is None or order.status not in tracking.ADDRESS_CHANGEABLE:
            return None
        address = next((a for a in order.customer.addresses if str(a.id) == str(address_id)), None)
        if address is None:
            return None
        order.address_id = address.id
        order.history.append(
            OrderStatusEvent(
                status=order.status,
                occurred_at=datetime.utcnow(),
                note="delivery address changed in chat",
            )
        )
        return address.label, address.city


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
                _apply_address, reference, order_number, tracker.get_slot("address_id")
            )
        if result is None:
            # Shipped in the meantime, or nothing chosen: say why through the normal path.
            return await offer_addresses(dispatcher, tracker, reference) if reference else []
        label, city = result
        say(
            dispatcher, "address.changed", order_number=order_number, label=label.lower(), city=city
        )
        return [SlotSet("address_id", None)]
