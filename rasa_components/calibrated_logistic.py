"""A logistic regression over a message's sentence features, with calibrated confidences: the one
model behind the intent classifier (``SentenceClassifier``) and the FAQ selector (``FaqSelector``).

Features are the dense sentence vector (``SentenceFeaturizer``) and the row-normalised sparse
sentence features (count vectors) at a small weight: on real shoppers' messages the dense vector
carries most of the signal, the sparse counts follow our own writing style. Confidences are the
softmax of the scores divided by a temperature fitted on out-of-fold predictions of the training
data, so FallbackClassifier's threshold and ambiguity gap keep their meaning. Everything is
seeded: the same data gives the same weights. Weights are stored as plain arrays, nothing is
unpickled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from typing_extensions import Self

_WEIGHTS = "weights.npz"
_META = "meta.json"

DEFAULT_CONFIG: dict[str, Any] = {
    "C": 30.0,  # weak regularisation: chosen on the real-message dev set
    "sparse_weight": 0.2,
    "calibration_folds": 3,
    "max_iter": 2000,
    "random_seed": 42,
    "ranking_length": 10,
}


def sentence_features(messages: list[Message], sparse_weight: float) -> scipy.sparse.csr_matrix:
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


def readable(messages: list[Message]) -> list[Message]:
    """The messages there is something to read in: text and a sentence vector. An empty message
    has neither words (its vector is zeros) nor count features."""
    return [
        m
        for m in messages
        if (m.get(TEXT) or "").strip() and m.get_dense_features(TEXT)[1] is not None
    ]


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


@dataclass
class CalibratedLogistic:
    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    temperature: float

    @classmethod
    def fit(cls, x: Any, labels: list[str], config: dict[str, Any]) -> CalibratedLogistic | None:
        """Weights on all rows and the temperature fitted on out-of-fold scores; None if there
        are fewer than two labels."""
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
        return cls([str(c) for c in model.classes_], coef, intercept, temperature)

    def probabilities(self, x: Any) -> np.ndarray:
        scores = np.asarray(x @ self.coef.T) + self.intercept
        return softmax(scores / self.temperature, axis=1)

    def rankings(self, x: Any, length: int) -> list[list[tuple[str, float]]]:
        """Per row, the top ``length`` classes with their confidences, most likely first."""
        out = []
        for row in self.probabilities(x):
            order = np.argsort(-row, kind="stable")[:length]
            out.append([(self.classes[i], float(row[i])) for i in order])
        return out

    def save(self, folder: Path, **extra: Any) -> None:
        np.savez(folder / _WEIGHTS, coef=self.coef, intercept=self.intercept)
        meta = {"classes": self.classes, "temperature": self.temperature, **extra}
        (folder / _META).write_text(json.dumps(meta))

    @classmethod
    def load(cls, folder: Path) -> tuple[CalibratedLogistic, dict[str, Any]] | None:
        """The saved model and the extra values saved with it; None if nothing was saved."""
        try:
            meta = json.loads((folder / _META).read_text())
            with np.load(folder / _WEIGHTS, allow_pickle=False) as arrays:
                coef, intercept = arrays["coef"], arrays["intercept"]
        except (ValueError, FileNotFoundError):
            return None
        model = cls(meta.pop("classes"), coef, intercept, meta.pop("temperature"))
        return model, meta


class CalibratedLogisticComponent(GraphComponent, IntentClassifier):
    """What both components share: their config, storage and the saved model (with any extra
    values the component saves beside it)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return dict(DEFAULT_CONFIG)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: CalibratedLogistic | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.model = model
        self.extra = extra or {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Self:
        return cls(config, model_storage, resource)

    def fit(self, examples: list[Message], labels: list[str]) -> None:
        """Fits and saves the model; with fewer than two labels there is nothing to save."""
        self.model = CalibratedLogistic.fit(
            sentence_features(examples, self.config["sparse_weight"]), labels, self.config
        )
        if self.model is not None:
            with self._storage.write_to(self._resource) as folder:
                self.model.save(folder, **self.extra)

    def features(self, messages: list[Message]) -> scipy.sparse.csr_matrix:
        return sentence_features(messages, self.config["sparse_weight"])

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> Self:
        try:
            with model_storage.read_from(resource) as folder:
                saved = CalibratedLogistic.load(folder)
        except ValueError:
            saved = None  # nothing was trained, so nothing was written
        if saved is None:
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, *saved)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass
