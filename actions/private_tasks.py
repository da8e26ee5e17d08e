"""The private tasks: what each intent with a personal answer starts, and the handler that runs
it once the shopper is verified (``action_after_identity``, actions/identity.py).

One explicit table, built here from the skills' handlers rather than filled in by importing the
skills; tests/unit/test_private_tasks.py checks that the two tables match.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.refills import disable_reminders, enable_reminders, start_refill
from actions.tracking import handle_delivery_problem, offer_addresses, show_order_status

TaskHandler = Callable[[CollectingDispatcher, Tracker, str], Awaitable[list[dict[str, Any]]]]

# Intents whose answer is personal, and the task each one starts (kept in the pending_task slot).
PRIVATE_TASKS: dict[str, str] = {
    "track_order": "track_order",
    "report_delivery_problem": "delivery_problem",
    "change_address": "change_address",
    "request_refill": "refill",
    "enable_reminders": "enable_reminders",
    "stop_reminders": "stop_reminders",
}

# Each task's handler: (dispatcher, tracker, verified customer reference) -> events.
TASK_HANDLERS: dict[str, TaskHandler] = {
    "track_order": show_order_status,
    "delivery_problem": handle_delivery_problem,
    "change_address": offer_addresses,
    "refill": start_refill,
    "enable_reminders": enable_reminders,
    "stop_reminders": disable_reminders,
}
