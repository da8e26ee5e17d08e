"""Intent classifier in seconds: a logistic regression over the dense sentence vector
(``SentenceFeaturizer``) and the row-normalised sparse sentence features (count vectors).

On real shoppers' messages the dense vector carries most of the signal (the sparse counts follow
our own writing style), so the sparse block gets a small weight. Confidences are the softmax of
the scores divided by a temperature fitted on out-of-fold predictions of the training data, so
FallbackClassifier's threshold and ambiguity gap keep their meaning. Everything is seeded: the
same data gives the same weights. Weights are stored as plain arrays, nothing is unpickled.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

_WEIGHTS = "weights.npz"
_META = "meta.json"


def _features(messages: list[Message], sparse_weight: float) -> scipy.sparse.csr_matrix:
    rows = []
    for message in messages:
        dense = message.get_dense_features(TEXT)[1]
        sparse = message.get_sparse_features(TEXT)[1]
        parts = [scipy.sparse.csr_matrix(dense.features if dense else np.zeros((1, 0)))]
        if sparse is not None and sparse_weight > 0:
            counts = scipy.sparse.csr_matrix(sparse.features, dtype=np.float64)
            norm = float(np.sqrt(counts.multiply(counts).sum()))
            parts.append(counts * (sparse_weight / norm if norm else 0.0))
        rows.append(scipy.sparse.hstack(parts, format="csr"))
    return scipy.sparse.vstack(rows, format="csr")


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature that minimises the log loss of softmax(scores / T) on held-out scores."""

    def loss(t: float) -> float:
        return float(-log_softmax(scores / t, axis=1)[np.arange(len(truth)), truth].mean())

    return float(minimize_scalar(loss, bounds=(0.05, 20.0), method="bounded").x)


def _regression(config: dict[str, Any]) -> LogisticRegression:
    return LogisticRegression(
        C=config["C"],
        max_iter=config["max_iter"],
        class_weight="balanced",
        random_state=config["random_seed"],
    )


def _scores(model: LogisticRegression, x: Any, classes: np.ndarray) -> np.ndarray:
    # Scores in the order of all classes; one a fold never saw stays far below the rest.
    raw = model.decision_function(x)
    if raw.ndim == 1:  # two classes
        raw = np.stack([-raw / 2, raw / 2], axis=1)
    scores = np.full((x.shape[0], len(classes)), -1e3)
    scores[:, np.searchsorted(classes, model.classes_)] = raw
    return scores


def fit_calibrated(
    x: Any, labels: list[str], config: dict[str, Any]
) -> tuple[list[str], np.ndarray, np.ndarray, float] | None:
    """Classes, weights, intercepts and the temperature fitted on out-of-fold scores."""
    label_array = np.array(labels)
    classes = np.unique(label_array)
    if len(classes) < 2:
        return None
    truth = np.searchsorted(classes, label_array)
    folds = min(config["calibration_folds"], int(np.bincount(truth).min()))
    temperature = 1.0
    if folds >= 2:
        held_out = np.zeros((len(labels), len(classes)))
        split = StratifiedKFold(folds, shuffle=True, random_state=config["random_seed"])
        for fit_rows, test_rows in split.split(x, truth):
            model = _regression(config).fit(x[fit_rows], label_array[fit_rows])
            held_out[test_rows] = _scores(model, x[test_rows], classes)
        temperature = fit_temperature(held_out, truth)
    model = _regression(config).fit(x, label_array)
    coef, intercept = model.coef_, model.intercept_
    if len(classes) == 2:
        coef = np.concatenate([-coef / 2, coef / 2])
        intercept = np.concatenate([-intercept / 2, intercept / 2])
    return [str(c) for c in model.classes_], coef, intercept, temperature


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 30.0,  # weak regularisation: chosen on the real-message dev set
            "sparse_weight": 0.2,
            "calibration_folds": 3,
            "max_iter": 2000,
            "random_seed": 42,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classes: list[str] | None = None,
        coef: np.ndarray | None = None,
        intercept: np.ndarray | None = None,
        temperature: float = 1.0,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.classes = classes or []
        self.coef = coef
        self.intercept = intercept
        self.temperature = temperature

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceClassifier:
        return cls(config, model_storage, resource)

    def _fit(self, examples: list[Message], labels: list[str]) -> bool:
        """Fits weights and temperature; False if there are fewer than two labels."""
        fitted = fit_calibrated(
            _features(examples, self.config["sparse_weight"]), labels, self.config
        )
        if fitted is None:
            return False
        self.classes, self.coef, self.intercept, self.temperature = fitted
        return True

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if self._fit(examples, [e.get(INTENT) for e in examples]):
            self.persist()
        return self._resource

    def probabilities(self, messages: list[Message]) -> np.ndarray:
        assert self.coef is not None and self.intercept is not None
        x = _features(messages, self.config["sparse_weight"])
        scores = np.asarray(x @ self.coef.T) + self.intercept
        return softmax(scores / self.temperature, axis=1)

    def process(self, messages: list[Message]) -> list[Message]:
        # An empty message has no words to read (its sentence vector is zeros, its count features
        # are missing): no intent, as DIET gives it (the guard then asks for a message).
        readable = [
            m
            for m in messages
            if (m.get(TEXT) or "").strip() and m.get_dense_features(TEXT)[1] is not None
        ]
        with_vector = {id(m) for m in readable}
        for message in messages:
            if id(message) not in with_vector or self.coef is None:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set("intent_ranking", [], add_to_output=True)
        if self.coef is None or not readable:
            return messages
        for message, row in zip(readable, self.probabilities(readable), strict=True):
            order = np.argsort(-row, kind="stable")[: self.config["ranking_length"]]
            ranking = [{"name": self.classes[i], "confidence": float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def persist(self) -> None:
        assert self.coef is not None and self.intercept is not None
        with self._storage.write_to(self._resource) as folder:
            np.savez(folder / _WEIGHTS, coef=self.coef, intercept=self.intercept)
            meta = {"classes": self.classes, "temperature": self.temperature}
            (folder / _META).write_text(json.dumps(meta))

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentenceClassifier:
        try:
            with model_storage.read_from(resource) as folder:
                meta = json.loads((folder / _META).read_text())
                with np.load(folder / _WEIGHTS, allow_pickle=False) as arrays:
                    coef, intercept = arrays["coef"], arrays["intercept"]
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)  # trained on no intents
        return cls(
            config, model_storage, resource, meta["classes"], coef, intercept, meta["temperature"]
        )

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass
