"""Overrides the intent classifier where its guess must not decide.

- An emergency phrase (``pharmacy.safety``) becomes intent ``emergency`` with full confidence,
  however unsure the classifier was.
- An empty or over-long message becomes ``nlu_fallback`` with full confidence; the fallback action
  then explains what went wrong (see ``pharmacy.chat_input``).
The classifier's ranking is kept for reports.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from pharmacy.chat_input import classify_text
from pharmacy.safety import detect_emergency

FALLBACK_INTENT = "nlu_fallback"
EMERGENCY_INTENT = "emergency"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MessageGuard(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MessageGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if classify_text(text) is not None:
                message.set(INTENT, {"name": FALLBACK_INTENT, "confidence": 1.0}, add_to_output=True)
            elif detect_emergency(text) is not None:
                message.set(INTENT, {"name": EMERGENCY_INTENT, "confidence": 1.0}, add_to_output=True)
        return messages
