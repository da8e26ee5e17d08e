"""The fallback: says why a message could not be handled and offers a person; the second
misunderstanding in a row (counted in slots, actions/unclear_replies.py) brings a person in
(handoff reason low_confidence). A health question that reached it (read as a form answer or
found no rule) is not a misunderstanding to rephrase: a pharmacist gets it, with the question."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import DatabaseGuard, off_loop, say
from actions.handoff import open_handoff
from actions.unclear_replies import count_unclear, unclear_before
from pharmacy.chat_input import UnreadableInput, classify_text
from pharmacy.handoff import HandoffReason
from pharmacy.knowledge import pharmacist_only_text
from pharmacy.safety.routing import is_health_question
from pharmacy.settings import load_settings


class ActionDefaultFallback(DatabaseGuard, Action):
    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        max_chars = load_settings().max_message_chars
        text = tracker.latest_message.get("text")
        problem = classify_text(text, max_chars)
        if problem is None and await off_loop(is_health_question, text or ""):
            dispatcher.utter_message(text=pharmacist_only_text("health_question"))
            return await open_handoff(
                dispatcher, tracker, HandoffReason.PHARMACIST_ONLY, question=text
            )
        counted = [count_unclear(tracker)]
        if problem is UnreadableInput.EMPTY:
            say(dispatcher, "fallback.empty")
        elif problem is UnreadableInput.TOO_LONG:
            say(dispatcher, "fallback.too_long", max_chars=max_chars)
        elif unclear_before(tracker):
            return counted + await open_handoff(
                dispatcher,
                tracker,
                HandoffReason.LOW_CONFIDENCE,
                message_key="handoff.low_confidence",
            )
        else:
            say(dispatcher, "fallback.default")
        return counted
