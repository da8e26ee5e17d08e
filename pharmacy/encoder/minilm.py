"""all-MiniLM-L6-v2 (a 6-layer BERT, 384 dimensions) forward pass in numpy, mean pooled and
normalised as sentence-transformers does it, so cosine similarity is a dot product."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.special import erf

from pharmacy.encoder.wordpiece import WordPiece
from pharmacy.settings import PROJECT_ROOT

# Unpacked there by scripts/fetch-encoder.sh (part of `make setup`).
MODEL_DIR = PROJECT_ROOT / ".venv" / "encoder" / "all-MiniLM-L6-v2"
BATCH = 32
MAX_TOKENS = 128  # of one piece of text; longer messages are encoded sentence by sentence
_LAYERS = 6
_HEADS = 12
_EPSILON = 1e-12


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + _EPSILON) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # The exact (erf) form BERT was trained with, not the tanh approximation.
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class SentenceEncoder:
    def __init__(self, model_dir: Path = MODEL_DIR):
        from safetensors.numpy import load_file

        self.model_dir = model_dir
        self.tokenizer = WordPiece.from_file(model_dir / "vocab.txt")
        weights: dict[str, np.ndarray] = load_file(str(model_dir / "model.safetensors"))
        self._w = {name: value.astype(np.float32) for name, value in weights.items()}
        self._lock = threading.Lock()

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = self._w
        batch, length = ids.shape
        hidden = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(length)][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        hidden = _layer_norm(
            hidden, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]
        )
        size = hidden.shape[-1]
        head = size // _HEADS
        blocked = (1.0 - mask[:, None, None, :].astype(np.float32)) * -1e9
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."

            def dense(x: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return x @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            def heads(x: np.ndarray) -> np.ndarray:
                return x.reshape(batch, length, _HEADS, head).transpose(0, 2, 1, 3)

            q = heads(dense(hidden, "attention.self.query"))
            k = heads(dense(hidden, "attention.self.key"))
            v = heads(dense(hidden, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, size)
            hidden = _layer_norm(
                hidden + dense(context, "attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            inner = _gelu(dense(hidden, "intermediate.dense"))
            hidden = _layer_norm(
                hidden + dense(inner, "output.dense"),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        summed = (hidden * mask[..., None]).sum(1)
        pooled = summed / np.maximum(mask.sum(1, keepdims=True), 1)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text (rows), float32."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        encoded = [self.tokenizer.encode(t, MAX_TOKENS) for t in texts]
        # Batches of texts of similar length waste little work on padding.
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        vectors = np.zeros((len(encoded), 384), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            vectors[rows] = self._encode_batch([encoded[i] for i in rows])
        return vectors

    def _encode_batch(self, encoded: list[list[int]]) -> np.ndarray:
        longest = max(len(e) for e in encoded)
        ids = np.zeros((len(encoded), longest), dtype=np.int64)
        mask = np.zeros((len(encoded), longest), dtype=np.int64)
        for row, tokens in enumerate(encoded):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        with self._lock:  # numpy releases the GIL; one forward pass at a time keeps memory flat
            return self._forward(ids, mask).astype(np.float32)


def encoder_available(model_dir: Path = MODEL_DIR) -> bool:
    return (model_dir / "model.safetensors").is_file() and (model_dir / "vocab.txt").is_file()


@lru_cache(maxsize=1)
def default_encoder() -> SentenceEncoder:
    """The encoder, loaded once per process."""
    return SentenceEncoder()
