"""The second emergency check: what a message *means*, read by a small classifier.

People in crisis rarely use the words a pattern expects ("I have about ten minutes left", "this
is the last time anyone hears from me", "husband can barely get air in"). The message is encoded
by the pretrained sentence encoder (``pharmacy.encoder``) and read by the emergency classifier
(``pharmacy.safety.classifier``), fitted on our own example sentences in ``examples/``: per
emergency kind a score that adds how much closer the message is to that kind's examples than to
the closest safe ones, and a logistic regression's probability. The message counts as the kind
with the highest score among those that reach their kind's ``MIN_SCORES``.

The whole message is read at once (the encoder sees its first 128 word pieces): single sentences
of a long post, read apart from the rest, were often mistaken for emergencies on the development
evaluation, and so were the short titles of posts. A long post is also read in two later parts
of about a hundred words (its end, and what follows its beginning), for despair alone: a long
crisis post often gets to it late, while a long medicine question's later parts tell of
symptoms that are not emergencies. The weights are fitted once, without
randomness, and saved: the same message gives the same answer on every run and every machine.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pharmacy.safety.classifier import EmergencyClassifier
from pharmacy.safety.emergency import Emergency
from pharmacy.safety.text import normalise

# Chosen on the development parts of the real-message evaluation (README, "Clinical safety"):
# the highest recall there while false alarms on ordinary medicine questions stayed under 5%.
MIN_SCORE = 0.04
# One threshold per kind; the medical kind also ignores complaints told as long-standing
# (``detector``), with ordinary complaints as their own safe class (``examples/safe_symptom.yml``).
# A higher medical threshold has been tried twice and lost emergencies on held-out messages:
# 0.15 missed 6 of 53 (2026-12-02); 0.08, free on the 1,343-message development part of
# 2026-12-03 (false alarms 6.6% -> 5.0%), missed 3 more of 52 on its held-out part (0.808 ->
# 0.750) for false alarms 6.9% -> 5.3%. Recall comes first, so it stays at the common one.
MIN_MEDICAL_SCORE = MIN_SCORE
MIN_SCORES = {
    Emergency.SELF_HARM: MIN_SCORE,
    Emergency.POISONING: MIN_SCORE,
    Emergency.MEDICAL: MIN_MEDICAL_SCORE,
}
# Shorter messages ("goodbye", "what's the meaning of life", "i don't want to continue") are too
# ambiguous to read by meaning; the patterns read them.
MIN_WORDS = 7
# A post longer than this is also read in later parts of PART_WORDS words (self-harm only).
LONG_POST_WORDS = 120
PART_WORDS = 100
# Encoded pieces kept for the same message's later readings (the emergency check, then the FAQ
# rule of ``routing``): encoding is most of the check's cost.
REMEMBERED_PIECES = 32


@dataclass(frozen=True)
class SemanticMatch:
    kind: Emergency
    score: float
    piece: str


class SemanticCheck:
    def __init__(
        self,
        encoder,
        classifier: EmergencyClassifier,
        min_scores: dict[Emergency, float] | None = None,
    ):
        self.encoder = encoder
        self.classifier = classifier
        self.min_scores = dict(MIN_SCORES if min_scores is None else min_scores)
        self.kinds = classifier.kinds
        self._remembered: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(self, pieces: list[str]) -> np.ndarray:
        """The encoder's vectors of ``pieces``, encoding only those not read just before."""
        found: dict[str, np.ndarray] = {}
        for piece in pieces:
            vector = self._remembered.get(piece)  # one lookup: another thread may evict it
            if vector is not None:
                found[piece] = vector
        missing = [p for p in dict.fromkeys(pieces) if p not in found]
        if missing:
            for piece, vector in zip(missing, self.encoder.encode(missing), strict=True):
                found[piece] = self._remembered[piece] = vector
            while len(self._remembered) > REMEMBERED_PIECES:
                self._remembered.popitem(last=False)
        return np.stack([found[p] for p in pieces])

    def pieces(self, text: str) -> list[str]:
        """What is read: the normalised message, if it is long enough to carry a meaning, then
        the later parts of a long post."""
        normalised = normalise(text)
        words = normalised.split()
        if len(words) < MIN_WORDS:
            return []
        pieces = [normalised]
        if len(words) > LONG_POST_WORDS:
            pieces.append(" ".join(words[-PART_WORDS:]))
        if len(words) > 2 * LONG_POST_WORDS - 20:
            pieces.append(" ".join(words[PART_WORDS - 10 : 2 * PART_WORDS - 10]))
        return pieces

    def _best(self, text: str) -> dict[Emergency, tuple[float, str]]:
        pieces = self.pieces(text)
        if not pieces:
            return {}
        best = {}
        for kind, values in self.classifier.scores(self.encode(pieces)).items():
            # later parts count for despair only
            read = len(pieces) if kind is Emergency.SELF_HARM else 1
            index = int(values[:read].argmax())
            best[kind] = (float(values[index]), pieces[index])
        return best

    def scores(self, text: str) -> dict[Emergency, float]:
        """The classifier's score per emergency kind (empty for a message too short to read)."""
        return {kind: score for kind, (score, _) in self._best(text).items()}

    def probability_of(self, text: str, classes: tuple[str, ...]) -> float:
        """The regression's probability that ``text`` is of one of ``classes`` (example classes)."""
        probabilities = self.classifier.probabilities(self.encode([normalise(text)]))[0]
        return float(sum(probabilities[self.classifier.classes.index(name)] for name in classes))

    def match(self, text: str) -> SemanticMatch | None:
        """The likeliest emergency kind among those whose score is high enough, if any."""
        reached = {
            kind: found
            for kind, found in self._best(text).items()
            if found[0] >= self.min_scores.get(kind, MIN_SCORE)
        }
        if not reached:
            return None
        kind = max(reached, key=lambda k: reached[k][0])
        score, piece = reached[kind]
        return SemanticMatch(kind, score, piece)


@lru_cache(maxsize=1)
def default_semantic_check() -> SemanticCheck | None:
    """The check with the packaged encoder, or None where the encoder is not installed."""
    from pharmacy.encoder import default_encoder, encoder_available
    from pharmacy.safety.classifier import load_classifier

    if not encoder_available():
        return None
    encoder = default_encoder()
    return SemanticCheck(encoder, load_classifier(encoder))
