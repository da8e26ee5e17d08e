"""The second emergency check: what a message *means*, read by a small classifier.

People in crisis rarely use the words a pattern expects ("I have about ten minutes left", "this
is the last time anyone hears from me", "husband can barely get air in"). The message is encoded
by the pretrained sentence encoder (``pharmacy.encoder``) and read by the emergency classifier
(``pharmacy.safety.classifier``), fitted on our own example sentences in ``examples/``: per
emergency kind a score that adds how much closer the message is to that kind's examples than to
the closest safe ones, and a logistic regression's probability. The message counts as the kind
with the highest score when that score reaches ``MIN_SCORE``.

The whole message is read at once (the encoder sees its first 128 word pieces): single sentences
of a long post, read apart from the rest, were often mistaken for emergencies on the development
evaluation, and so were the short titles of posts. The weights are fitted once, without
randomness, and saved: the same message gives the same answer on every run and every machine.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Optional

from pharmacy.safety.classifier import EmergencyClassifier
from pharmacy.safety.emergency import Emergency
from pharmacy.safety.text import normalise

# Chosen on the development part of the real-message evaluation (README, "Clinical safety"):
# the highest recall there while false alarms on ordinary medicine questions stayed under 5%.
MIN_SCORE = 0.04
# Shorter messages ("goodbye", "what's the meaning of life", "i don't want to continue") are too
# ambiguous to read by meaning; the patterns read them.
MIN_WORDS = 7


@dataclass(frozen=True)
class SemanticMatch:
    kind: Emergency
    score: float
    piece: str


class SemanticCheck:
    def __init__(self, encoder, classifier: EmergencyClassifier, min_score: float = MIN_SCORE):
        self.encoder = encoder
        self.classifier = classifier
        self.min_score = min_score
        self.kinds = classifier.kinds

    def piece(self, text: str) -> Optional[str]:
        """What is read: the normalised message, if it is long enough to carry a meaning."""
        normalised = normalise(text)
        return normalised if len(normalised.split()) >= MIN_WORDS else None

    def scores(self, text: str) -> Dict[Emergency, float]:
        """The classifier's score per emergency kind (empty for a message too short to read)."""
        piece = self.piece(text)
        if piece is None:
            return {}
        return {kind: float(values[0])
                for kind, values in self.classifier.scores(self.encoder.encode([piece])).items()}

    def match(self, text: str) -> Optional[SemanticMatch]:
        """The likeliest emergency kind, if its score is high enough."""
        scores = self.scores(text)
        if not scores:
            return None
        kind = max(scores, key=scores.get)
        if scores[kind] < self.min_score:
            return None
        return SemanticMatch(kind, scores[kind], normalise(text))


@lru_cache(maxsize=1)
def default_semantic_check() -> Optional[SemanticCheck]:
    """The check with the packaged encoder, or None where the encoder is not installed."""
    from pharmacy.encoder import default_encoder, encoder_available
    from pharmacy.safety.classifier import load_classifier

    if not encoder_available():
        return None
    encoder = default_encoder()
    return SemanticCheck(encoder, load_classifier(encoder))

