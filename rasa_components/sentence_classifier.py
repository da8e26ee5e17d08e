"""Intent classifier in seconds: a calibrated logistic regression over the sentence features
(``calibrated_logistic``), so FallbackClassifier's threshold and ambiguity gap keep their meaning."""

from __future__ import annotations

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_components.calibrated_logistic import CalibratedLogisticComponent, readable


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceClassifier(CalibratedLogisticComponent):
    @property
    def temperature(self) -> float:
        return self.model.temperature if self.model else 1.0

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        self.fit(examples, [e.get(INTENT) for e in examples])
        return self._resource

    def probabilities(self, messages: list[Message]) -> np.ndarray:
        assert self.model is not None
        return self.model.probabilities(self.features(messages))

    def process(self, messages: list[Message]) -> list[Message]:
        # A message with nothing to read gets no intent, as DIET gives it (the guard then asks
        # for a message).
        todo = readable(messages) if self.model is not None else []
        with_vector = {id(m) for m in todo}
        for message in messages:
            if id(message) not in with_vector:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
        if self.model is None or not todo:
            return messages
        rankings = self.model.rankings(self.features(todo), self.config["ranking_length"])
        for message, top in zip(todo, rankings, strict=True):
            ranking = [{"name": name, "confidence": p} for name, p in top]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
