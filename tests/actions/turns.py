"""Turns of a conversation as the Rasa server runs them, without a model: the shopper's message,
the events ConversationGuardPolicy gives before the first action on it, then an action run on a
real SDK tracker, whose messages and events go back onto a real Rasa tracker. Whatever an action
needs from an earlier turn must therefore be in that tracker, as in the running assistant."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from rasa_components.guard_policy import ConversationGuardPolicy

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml"))


class Turns:
    def __init__(
        self, sender: str, slots: dict[str, Any] | None = None, form: str | None = None
    ) -> None:
        """A conversation with these slots set, inside ``form`` if one is named."""
        self.form = form
        self.messages: list[dict[str, Any]] = []
        self.tracker = DialogueStateTracker.from_events(
            sender, [ActionExecuted("action_listen")], slots=DOMAIN.slots
        )
        self.tracker.update_with_events(
            ([ActiveLoop(form)] if form else [])
            + [SlotSet(name, value) for name, value in (slots or {}).items()],
            DOMAIN,
        )

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    def set(self, **slots: Any) -> None:
        """Slots set by what the tests leave out (the form's own choice of the next question)."""
        self.tracker.update_with_events(
            [SlotSet(name, value) for name, value in slots.items()], DOMAIN
        )

    def message(
        self, text: str, intent: str = "nlu_fallback", entities: dict[str, str] | None = None
    ) -> None:
        if self.tracker.latest_action_name != "action_listen":
            self.tracker.update(ActionExecuted("action_listen"))
        parse = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        }
        self.tracker.update(UserUttered(text, parse["intent"], parse["entities"], parse))
        self.tracker.update_with_events(
            ConversationGuardPolicy.new_message_events(self.tracker), DOMAIN
        )

    def other_action(self, name: str, text: str = "") -> None:
        """An answer the actions under test play no part in (a domain response, say)."""
        self.tracker.update(ActionExecuted(name))
        if text:
            self.tracker.update(BotUttered(text))

    def run(
        self, action: Action, domain: dict[str, Any] | None = None
    ) -> tuple[list[str], list[dict[str, Any]]]:
        """Runs ``action`` as Rasa would; returns what it said and the events it returned. In a
        form, the action is its validation, given the tracker the form gives it."""
        tracker = self.tracker.copy()
        if self.form:
            tracker.update_with_events(
                [
                    SlotSet(REQUESTED_SLOT, tracker.get_slot(REQUESTED_SLOT)),
                    ActionExecuted(self.form),
                ],
                DOMAIN,
            )
        state = tracker.current_state(EventVerbosity.AFTER_RESTART)
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, Tracker.from_dict(state), domain or {}))
        self.messages = dispatcher.messages
        self.tracker.update(ActionExecuted(self.form or action.name()))
        for message in dispatcher.messages:
            self.tracker.update(BotUttered(message.get("text"), {"buttons": message["buttons"]}))
        self.tracker.update_with_events([Event.from_parameters(e) for e in events], DOMAIN)
        return [m.get("text") or "" for m in dispatcher.messages], events
