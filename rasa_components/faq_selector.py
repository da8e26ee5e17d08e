"""Picks the answer to a service FAQ (``faq/<topic>``) with the same calibrated logistic
regression as the intent classifier, in place of Rasa's ResponseSelector (a transformer trained for
100 epochs, about a minute of every training and a TensorFlow call on every message).

Messages of every other intent are one more class, "not a FAQ": a message like another skill's
then gets a low confidence for every topic (as from the ResponseSelector's similarities), and the
message guard asks what was meant instead of answering a FAQ nobody asked.

Its output has the ResponseSelector's shape, so ``utter_faq`` (Rasa's ActionRetrieveResponse),
``rasa test`` and the message guard read it unchanged:
``response_selector = {"all_retrieval_intents": [...], "faq": {"response": {...}, "ranking": [...]}}``.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key

from rasa_components.calibrated_logistic import (
    DEFAULT_CONFIG,
    CalibratedLogisticComponent,
    readable,
)

_RETRIEVAL_INTENTS = "retrieval_intents"
_NOT_A_FAQ = "<not a faq>"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqSelector(CalibratedLogisticComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DEFAULT_CONFIG, "retrieval_intent": "faq"}

    @property
    def retrieval_intents(self) -> list[str]:
        return list(self.extra.get(_RETRIEVAL_INTENTS, []))

    def train(self, training_data: TrainingData) -> Resource:
        self.extra = {_RETRIEVAL_INTENTS: sorted(training_data.retrieval_intents)}
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        labels = [
            e.get(INTENT_RESPONSE_KEY)
            if e.get(INTENT) == self.config["retrieval_intent"] and e.get(INTENT_RESPONSE_KEY)
            else _NOT_A_FAQ
            for e in examples
        ]
        if set(labels) - {_NOT_A_FAQ}:
            self.fit(examples, labels)
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        # Every message gets a pick, whatever its intent, as from the ResponseSelector: the
        # guard weighs the FAQ confidence when it decides.
        todo = readable(messages) if self.model is not None else []
        if self.model is None or not todo:
            return messages
        rankings = self.model.rankings(self.features(todo), len(self.model.classes))
        for message, everything in zip(todo, rankings, strict=True):
            topics = [(k, p) for k, p in everything if k != _NOT_A_FAQ]
            topics = topics[: self.config["ranking_length"]]
            key, confidence = topics[0]
            picked = {
                PREDICTED_CONFIDENCE_KEY: confidence,
                INTENT_RESPONSE_KEY: key,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: intent_response_key_to_template_key(key),
            }
            ranking = [{PREDICTED_CONFIDENCE_KEY: p, INTENT_RESPONSE_KEY: k} for k, p in topics]
            properties = dict(message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.retrieval_intents
            properties[self.config["retrieval_intent"]] = {
                RESPONSE_SELECTOR_PREDICTION_KEY: picked,
                RESPONSE_SELECTOR_RANKING_KEY: ranking,
            }
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages
