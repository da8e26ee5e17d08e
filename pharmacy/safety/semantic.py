"""The second emergency check: what a message *means*, by comparison with example sentences.

People in crisis rarely use the words a pattern expects ("I have about ten minutes left", "this
is the last time anyone hears from me"). Each sentence of a message, and the message as a whole,
is encoded by the pretrained sentence encoder (``pharmacy.encoder``) and compared with our own
example sentences per kind (``prototypes.yml``) and with examples of what is *not* an emergency.
A piece of text counts when it is close to a kind's examples and clearly closer to them than to
the safe ones. No training: the same message gives the same answer on every run.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import yaml

from pharmacy.safety.emergency import Emergency
from pharmacy.safety.text import normalise, sentences

PROTOTYPES = Path(__file__).with_name("prototypes.yml")
SAFE = "safe"
TOP_K = 3
# A piece must be at least this close to a kind's examples, and this much closer to them than to
# the safe ones. Chosen on the development part of the real-message evaluation (README, "Clinical
# safety"): the pair that kept false alarms on ordinary medicine questions under 5% there.
MIN_SIMILARITY = 0.45
MIN_MARGIN = 0.16
MAX_PIECES = 24  # sentences read in a very long message (plus the message as a whole)
# Shorter pieces ("goodbye", "exit", "i'm done") carry too little meaning to compare; the
# patterns read them.
MIN_WORDS = 5


@dataclass(frozen=True)
class SemanticMatch:
    kind: Emergency
    similarity: float
    margin: float
    piece: str


def _top_mean(similarities: np.ndarray) -> np.ndarray:
    k = min(TOP_K, similarities.shape[1])
    return np.sort(similarities, axis=1)[:, -k:].mean(axis=1)


class SemanticCheck:
    def __init__(self, encoder, prototypes: Dict[str, List[str]],
                 min_similarity: float = MIN_SIMILARITY, min_margin: float = MIN_MARGIN):
        self.encoder = encoder
        self.min_similarity = min_similarity
        self.min_margin = min_margin
        self.examples: Dict[str, np.ndarray] = {
            name: encoder.encode([normalise(s) for s in sentences_of_kind])
            for name, sentences_of_kind in prototypes.items()}
        self.kinds = [Emergency(name) for name in prototypes if name != SAFE]

    def pieces(self, text: str) -> List[str]:
        normalised = normalise(text)
        parts = [s for s in sentences(normalised) if len(s.split()) >= MIN_WORDS][:MAX_PIECES]
        if len(normalised.split()) >= MIN_WORDS and parts != [normalised]:
            parts.append(normalised)
        return parts

    def scores(self, text: str) -> List[Tuple[str, Dict[str, float]]]:
        """Per piece of ``text``: its closeness to each kind's examples and to the safe ones."""
        pieces = self.pieces(text)
        if not pieces:
            return []
        vectors = self.encoder.encode(pieces)
        per_name = {name: _top_mean(vectors @ examples.T) for name, examples in self.examples.items()}
        return [(piece, {name: float(values[i]) for name, values in per_name.items()})
                for i, piece in enumerate(pieces)]

    def match(self, text: str) -> Optional[SemanticMatch]:
        """The closest emergency kind, if some piece of ``text`` is close enough to it."""
        best: Optional[SemanticMatch] = None
        for piece, score in self.scores(text):
            for kind in self.kinds:
                similarity = score[kind.value]
                margin = similarity - score[SAFE]
                if similarity >= self.min_similarity and margin >= self.min_margin and (
                        best is None or margin > best.margin):
                    best = SemanticMatch(kind, similarity, margin, piece)
        return best


def load_prototypes(path: Path = PROTOTYPES) -> Dict[str, List[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if SAFE not in data or not all(isinstance(v, list) and v for v in data.values()):
        raise ValueError(f"{path}: every kind needs a list of sentences, and '{SAFE}' must exist")
    for name in data:
        if name != SAFE:
            Emergency(name)  # an unknown kind is an error, not a silent extra
    return data


@lru_cache(maxsize=1)
def default_semantic_check() -> Optional[SemanticCheck]:
    """The check with the packaged encoder, or None where the encoder is not installed."""
    from pharmacy.encoder import default_encoder, encoder_available

    if not encoder_available():
        return None
    return SemanticCheck(default_encoder(), load_prototypes())
