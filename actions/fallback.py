"""The fallback: says why a message could not be handled and offers a person."""
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import say
from pharmacy.chat_input import UnreadableInput, classify_text
from pharmacy.settings import load_settings


class ActionDefaultFallback(Action):
    def name(self) -> Text:
        return "action_default_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        max_chars = load_settings().max_message_chars
        problem = classify_text(tracker.latest_message.get("text"), max_chars)
        if problem is UnreadableInput.EMPTY:
            say(dispatcher, "fallback.empty")
        elif problem is UnreadableInput.TOO_LONG:
            say(dispatcher, "fallback.too_long", max_chars=max_chars)
        else:
            say(dispatcher, "fallback.default")
        return []
