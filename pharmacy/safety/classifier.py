"""A small trained classifier over sentence meanings: is this text an emergency, and of which kind?

The meaning check's nearest-example comparison (``semantic``) knows a few dozen sentences per kind.
This one learns from many more, written by us in ``examples/`` (one file per class: the three
emergency kinds, and kinds of safe text: medicine questions, questions about a topic, service
talk, the ordinary sentences of a long post). Two readings of the sentence encoder's vector of a
text are added up, per emergency kind:
- how much closer the text is to that kind's nearest examples than to the nearest examples of the
  closest safe class (mean similarity of the ``K`` nearest, per class);
- a multinomial logistic regression fitted on the examples (full-batch gradient descent from zero
  weights, a fixed number of steps, no randomness: the same examples give the same weights
  everywhere), as ``MIX`` times its probability of the kind less one half.

The fitted weights are kept beside the examples (``classifier_weights.npz``) with a digest of
what they were fitted on, so that no process fits them at start-up; if the examples change and
the file was not refitted, the classifier fits itself in memory at load (about 20 s) and says so
in the log. Refit and save with ``python -m ops.emergency_classifier``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from pharmacy.safety.emergency import Emergency
from pharmacy.safety.text import normalise

log = logging.getLogger(__name__)

EXAMPLES = Path(__file__).with_name("examples")
WEIGHTS = Path(__file__).with_name("classifier_weights.npz")
SAFE_PREFIX = "safe_"
# Training: L2 penalty, gradient steps and step size. Chosen on the development part of the
# real-message evaluation (README, "Clinical safety"), like the thresholds in ``semantic``.
L2 = 1e-4
STEPS = 3000
STEP_SIZE = 4.0
K = 5
MIX = 0.2
_FORMAT = 2  # bump when the digest or the file layout changes


def load_examples(folder: Path = EXAMPLES) -> dict[str, list[str]]:
    """Class name -> its example sentences; a file per class, ``safe_*`` files being safe kinds."""
    examples: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, list) or not data or not all(isinstance(s, str) for s in data):
            raise ValueError(f"{path}: a list of sentences is expected")
        if not path.stem.startswith(SAFE_PREFIX):
            Emergency(path.stem)  # an unknown kind is an error, not a silent extra class
        examples[path.stem] = data
    if not any(name.startswith(SAFE_PREFIX) for name in examples):
        raise ValueError(f"{folder}: at least one {SAFE_PREFIX}* class is needed")
    return examples


def encoder_identity(encoder) -> str:
    """What the weights depend on in the encoder: its vocabulary and weight file, by size and name."""
    model_dir = getattr(encoder, "model_dir", None)
    if model_dir is None:
        return type(encoder).__name__
    parts = []
    for name in ("vocab.txt", "model.safetensors"):
        path = Path(model_dir) / name
        parts.append(f"{name}:{path.stat().st_size if path.exists() else 0}")
    return ";".join(parts)


def examples_digest(examples: dict[str, list[str]], encoder_identity: str) -> str:
    digest = hashlib.sha256(f"{_FORMAT}|{L2}|{STEPS}|{STEP_SIZE}|{encoder_identity}".encode())
    for name in sorted(examples):
        digest.update(f"\n[{name}]".encode())
        for sentence in examples[name]:
            digest.update(b"\n" + normalise(sentence).encode())
    return digest.hexdigest()


def fit(vectors: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Weights (dimensions + 1 bias row, classes) of a class-balanced softmax regression."""
    x = np.hstack([vectors.astype(np.float64), np.ones((len(vectors), 1))])
    targets = np.eye(n_classes)[labels]
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    sample_weight = (len(labels) / (n_classes * counts))[labels][:, None]
    weights = np.zeros((x.shape[1], n_classes))
    for _ in range(STEPS):
        gradient = x.T @ ((_softmax(x @ weights) - targets) * sample_weight) / len(labels)
        gradient[:-1] += L2 * weights[:-1]
        weights -= STEP_SIZE * gradient
    return weights


def _softmax(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class EmergencyClassifier:
    classes: tuple
    weights: np.ndarray  # (dimensions + 1, classes): the logistic regression
    example_vectors: np.ndarray  # (examples, dimensions), unit rows
    example_labels: np.ndarray  # (examples,), index into classes
    digest: str = ""

    @property
    def kinds(self) -> list[Emergency]:
        return [Emergency(name) for name in self.classes if not name.startswith(SAFE_PREFIX)]

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Per row of ``vectors`` (unit sentence vectors), the regression's probability of each class."""
        x = np.hstack([vectors.astype(np.float64), np.ones((len(vectors), 1))])
        return _softmax(x @ self.weights)

    def closeness(self, vectors: np.ndarray) -> np.ndarray:
        """Per row of ``vectors`` and class: mean similarity to the class's ``K`` nearest examples."""
        similarities = vectors.astype(np.float32) @ self.example_vectors.T
        columns = []
        for index in range(len(self.classes)):
            own = similarities[:, self.example_labels == index]
            k = min(K, own.shape[1])
            columns.append(np.sort(own, axis=1)[:, -k:].mean(axis=1))
        return np.stack(columns, axis=1)

    def scores(self, vectors: np.ndarray) -> dict[Emergency, np.ndarray]:
        """Per emergency kind, each row's score: above zero leans to the kind, below to safe text."""
        closeness = self.closeness(vectors)
        probabilities = self.probabilities(vectors)
        safe = [i for i, name in enumerate(self.classes) if name.startswith(SAFE_PREFIX)]
        nearest_safe = closeness[:, safe].max(axis=1)
        out = {}
        for kind in self.kinds:
            index = self.classes.index(kind.value)
            out[kind] = closeness[:, index] - nearest_safe + MIX * (probabilities[:, index] - 0.5)
        return out

    @classmethod
    def fitted(cls, encoder, examples: dict[str, list[str]]) -> EmergencyClassifier:
        classes = tuple(sorted(examples))
        sentences = [normalise(s) for name in classes for s in examples[name]]
        labels = np.array([i for i, name in enumerate(classes) for _ in examples[name]])
        vectors = encoder.encode(sentences)
        weights = fit(vectors, labels, len(classes))
        return cls(
            classes,
            weights,
            vectors.astype(np.float32),
            labels,
            examples_digest(examples, encoder_identity(encoder)),
        )

    def save(self, path: Path = WEIGHTS) -> None:
        with path.open("wb") as out:
            np.savez_compressed(
                out,
                weights=self.weights.astype(np.float32),
                example_vectors=self.example_vectors.astype(np.float16),
                example_labels=self.example_labels.astype(np.int16),
                classes=np.array(self.classes),
                digest=np.array(self.digest),
            )

    @classmethod
    def saved(cls, path: Path = WEIGHTS) -> EmergencyClassifier | None:
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls(
                    tuple(str(c) for c in data["classes"]),
                    data["weights"].astype(np.float64),
                    data["example_vectors"].astype(np.float32),
                    data["example_labels"].astype(np.int64),
                    str(data["digest"]),
                )
        except (KeyError, ValueError, OSError):
            return None


def load_classifier(encoder, folder: Path = EXAMPLES, path: Path = WEIGHTS) -> EmergencyClassifier:
    """The saved classifier if it was fitted on these examples with this encoder, else a new fit."""
    examples = load_examples(folder)
    digest = examples_digest(examples, encoder_identity(encoder))
    saved = EmergencyClassifier.saved(path)
    if saved is not None and saved.digest == digest:
        return saved
    log.warning(
        "%s is stale or missing: fitting the emergency classifier in memory; run "
        "`python -m ops.emergency_classifier` to save it",
        path.name,
    )
    return EmergencyClassifier.fitted(encoder, examples)
