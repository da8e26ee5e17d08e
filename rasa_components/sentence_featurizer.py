"""Dense sentence features from the pinned all-MiniLM-L6-v2 encoder (``pharmacy.encoder``).

Training encodes each distinct text once (a cache by text); a parsed message is one forward pass.
Sequence features are the sentence vector on every token, so DIET-style consumers get shapes
they accept without a second encoder call.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from pharmacy.encoder.minilm import SentenceEncoder, default_encoder


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config()}

    def __init__(self, config: dict[str, Any], encoder: SentenceEncoder | None = None) -> None:
        super().__init__("SentenceFeaturizer", config)
        self._encoder = encoder

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceFeaturizer:
        return cls(config)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass  # no options beyond the featurizer's alias

    @property
    def encoder(self) -> SentenceEncoder:
        if self._encoder is None:
            self._encoder = default_encoder()
        return self._encoder

    def _featurize(self, messages: list[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT) is not None]
        distinct = sorted({m.get(TEXT) for m in todo} - {""})
        vectors = dict(zip(distinct, self.encoder.encode(distinct), strict=True))
        # An empty message gets a zero vector: the trained classifiers expect the dense block.
        vectors[""] = np.zeros(self._width(vectors), dtype=np.float32)
        for message in todo:
            sentence = vectors[message.get(TEXT)][np.newaxis, :]
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            sequence = np.repeat(sentence, max(len(tokens), 1), axis=0)
            self.add_features_to_message(sequence, sentence, TEXT, message)

    def _width(self, vectors: dict[str, np.ndarray]) -> int:
        for vector in vectors.values():
            return int(vector.shape[0])
        return int(self.encoder.encode(["."]).shape[1])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(list(training_data.training_examples))
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages
