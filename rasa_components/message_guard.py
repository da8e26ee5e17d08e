"""The last step of the NLU pipeline: the reply policy overrides the classifiers' guess where a
wrong guess must not decide (``pharmacy.safety.routing``).

- An emergency (``pharmacy.safety.assess_message``: patterns, then the meaning check; no trained
  model involved) becomes intent ``emergency`` with full confidence, whatever the classifier said,
  and its kinds go along in the parse data; it is checked before the length limit, so a long
  crisis post is still answered as one.
- An empty or over-long message becomes ``nlu_fallback``; the fallback action then explains what
  went wrong (``pharmacy.chat_input``).
- A clinical message read as a service FAQ, small talk or the fallback becomes a medicine question;
  the classifier's "emergency" without an emergency cue does too; an unsure FAQ pick becomes
  ``nlu_fallback`` (one clarifying question).
The classifier's ranking is kept for reports.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from pharmacy.chat_input import classify_text
from pharmacy.safety import PARSE_DATA_KEY, assess_message
from pharmacy.safety.routing import CLARIFY, EMERGENCY, FAQ, choose_intent
from pharmacy.safety.semantic import default_semantic_check


def _faq_confidence(message: Message) -> float | None:
    selected = (message.get("response_selector") or {}).get(FAQ) or {}
    confidence = (selected.get("response") or {}).get("confidence")
    return float(confidence) if confidence is not None else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MessageGuard(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageGuard:
        return cls()

    @classmethod
    def load(cls, *args: Any, **kwargs: Any) -> MessageGuard:
        # Loading the encoder takes seconds: at start-up, not on the first shopper's message.
        default_semantic_check()
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            guessed = (message.get(INTENT) or {}).get("name")
            emergency = assess_message(text)
            intent = choose_intent(text, guessed, emergency, _faq_confidence(message))
            if intent != EMERGENCY and classify_text(text) is not None:
                intent = CLARIFY
            if intent is not None:
                message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
            if emergency.is_emergency:
                message.set(
                    PARSE_DATA_KEY,
                    {"kinds": [k.value for k in emergency.kinds], "cues": list(emergency.cues)},
                    add_to_output=True,
                )
        return messages
