"""Refill reorders and reminder consent, for verified shoppers (rules in pharmacy/refills/policy.py).

Flow: request_refill -> identity -> ``start_refill`` -> ``refill_form`` (actions/refill_form.py
reads the replies, actions/refill_questions.py asks: which prescriptions, delivery, confirmation)
-> ``action_finish_refill`` (here: places the orders or says it was cancelled).
"""

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import DatabaseGuard, off_loop, say
from actions.refill_form import (
    CONFIRMED,
    DELIVERY,
    REMINDER_ENTITY,
    REMINDER_SLOT,
    RX_LIST,
    SLOTS_OF_A_REFILL,
    rx_list_of,
)
from actions.unclear_replies import UNCLEAR_REPLIES
from actions.verification import verified_customer
from pharmacy import clock
from pharmacy.database import session_scope
from pharmacy.refills import reminders
from pharmacy.refills import service as refills
from pharmacy.refills.conversation import customer_context

log = logging.getLogger(__name__)


def _has_active_prescriptions(reference: str) -> bool:
    with session_scope() as session:
        return bool(customer_context(session, reference).prescriptions)


def _open_reminders(reminder_ids: str, reference: str, chat_id: str) -> list[str]:
    with session_scope() as session:
        return reminders.open_reminders(session, reminder_ids, reference, chat_id)


def _take_reminders_to_show(chat_id: str) -> list[int]:
    with session_scope() as session:
        return reminders.take_reminders_to_show(session, chat_id)


def _set_consent(reference: str, granted: bool) -> bool:
    with session_scope() as session:
        return reminders.set_reminder_consent(session, reference, granted, clock.current().now())


async def start_refill(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str
) -> list[dict[str, Any]]:
    """Open the refill form with nothing chosen yet (it reads the request itself), or with the
    prescriptions of the reminder whose "Refill now" was tapped."""
    if not await off_loop(_has_active_prescriptions, reference):
        say(dispatcher, "refill.no_prescriptions")
        return []
    reminded = tracker.get_slot(REMINDER_SLOT)
    reminded_rx = reminded and await off_loop(
        _open_reminders, reminded, reference, tracker.sender_id
    )
    events = [SlotSet(slot, None) for slot in SLOTS_OF_A_REFILL]
    if reminded_rx:  # a pre-filled choice: the form validates it like typed Rx numbers
        events.append(SlotSet(RX_LIST, ",".join(reminded_rx)))
    return events + [SlotSet("form_to_start", "refill_form"), SlotSet(REMINDER_SLOT, None)]


class ActionRefillReminder(DatabaseGuard, Action):
    """Run by the reminder scheduler (pharmacy/refills/reminders.py) through Rasa's HTTP API. The text
    names no medicine (it may show up in a notification preview) and the button carries the
    reminders' ids, not Rx numbers."""

    # Nobody asked anything: with the database down, fail the push (the scheduler retries it)
    # rather than tell the chat about an outage.
    SAYS_DATABASE_DOWN = False

    def name(self) -> str:
        return "action_refill_reminder"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        shown = await off_loop(_take_reminders_to_show, tracker.sender_id)
        if shown:  # nothing left to say when an overlapping push already said these
            ids = ",".join(str(reminder_id) for reminder_id in shown)
            say(
                dispatcher,
                "refill.reminder" if len(shown) == 1 else "refill.reminders",
                count=len(shown),
                extra_buttons=[
                    ("Refill now", f'/request_refill{{"{REMINDER_ENTITY}":"{ids}"}}'),
                    ("Stop reminders", "/stop_reminders"),
                ],
            )
        # Not after a shopper's message: listen again so the next one is read like any other,
        # and as a new exchange (not a second misunderstanding in a row).
        ended_run = [SlotSet(UNCLEAR_REPLIES, 0)] if shown else []
        return ended_run + [ActionExecuted("action_listen")]


async def set_reminders(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str, granted: bool
) -> list[dict[str, Any]]:
    await off_loop(_set_consent, reference, granted)
    say(dispatcher, "reminders.on" if granted else "reminders.off")
    return []


class ActionSetReminders(DatabaseGuard, Action):
    """ "Remind me" or "stop reminders" in the middle of the refill form (already verified)."""

    def name(self) -> str:
        return "action_set_reminders"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        reference = await verified_customer(tracker)
        if not reference:
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return await set_reminders(dispatcher, tracker, reference, intent != "stop_reminders")


async def enable_reminders(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str
) -> list[dict[str, Any]]:
    return await set_reminders(dispatcher, tracker, reference, True)


async def disable_reminders(
    dispatcher: CollectingDispatcher, tracker: Tracker, reference: str
) -> list[dict[str, Any]]:
    return await set_reminders(dispatcher, tracker, reference, False)


def _submit(reference: str, rx: str, delivery: str, conversation_id: str):
    # Owns its transactions (exactly once): no session passed.
    return refills.submit_refill(
        reference,
        rx,
        delivery,
        clock.current().today(),
        clock.current().now(),
        conversation_id,
    )


class ActionFinishRefill(DatabaseGuard, Action):
    """After the form: place the order if confirmed, say so if cancelled; then forget the form."""

    def name(self) -> str:
        return "action_finish_refill"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        rx_list = rx_list_of(tracker)
        delivery = tracker.get_slot(DELIVERY)
        confirmed = tracker.get_slot(CONFIRMED)
        if confirmed is False:
            say(dispatcher, "refill.cancelled")
        elif confirmed and rx_list and delivery:
            try:
                reference = await verified_customer(tracker)
            except SQLAlchemyError as error:
                log.warning("refill not placed, database unavailable: %s", type(error).__name__)
                say(dispatcher, "refill.system_down", what=", ".join(rx_list))
                reference = None
            if reference:
                await self._place(dispatcher, tracker, reference, rx_list, str(delivery))
        return [SlotSet(slot, None) for slot in SLOTS_OF_A_REFILL] + [
            SlotSet("form_to_start", None)
        ]

    @staticmethod
    async def _place(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        reference: str,
        rx_list: list[str],
        delivery: str,
    ) -> None:
        """One order per prescription, each reported; one failing does not stop the others."""
        for index, rx in enumerate(rx_list):
            try:
                result = await off_loop(_submit, reference, rx, delivery, tracker.sender_id)
            except refills.RefillRequestError:
                say(dispatcher, "refill.not_placed", rx=rx)
                continue
            except SQLAlchemyError as error:  # no SQL parameters in the log: they may be personal
                log.warning("refill not placed, database unavailable: %s", type(error).__name__)
                remaining = rx_list[index:]
                say(dispatcher, "refill.system_down", what=", ".join(remaining))
                return
            if result.order_number is None:
                say(
                    dispatcher, "refill.refused_now", rx=rx, explanation=result.decision.explanation
                )
            elif result.created:
                say(dispatcher, "refill.submitted", rx=rx, order_number=result.order_number)
            else:
                say(dispatcher, "refill.already_submitted", rx=rx, order_number=result.order_number)
