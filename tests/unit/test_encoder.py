"""The numpy sentence encoder (pharmacy.encoder) against facts of the published model."""

import numpy as np
import pytest

from pharmacy.encoder import default_encoder
from pharmacy.encoder.wordpiece import basic_words


@pytest.fixture(scope="module")
def encoder():
    return default_encoder()


def test_words_are_lower_cased_without_accents_and_punctuation_apart():
    assert basic_words("Café, NOW!") == ["cafe", ",", "now", "!"]
    assert basic_words("don't") == ["don", "'", "t"]


def test_text_becomes_the_vocabulary_ids_bert_uses(encoder):
    # [CLS] hello world [SEP] in BERT's uncased vocabulary.
    assert encoder.tokenizer.encode("Hello world", 16) == [101, 7592, 2088, 102]
    ids = encoder.tokenizer.encode("ibuprofen", 16)
    assert ids[0] == 101 and ids[-1] == 102 and len(ids) > 3  # split into word pieces
    assert len(encoder.tokenizer.encode("word " * 500, 128)) == 128


def test_vectors_are_unit_length_and_the_same_every_time(encoder):
    first = encoder.encode(["where is my order", "i want to kill myself"])
    again = encoder.encode(["where is my order", "i want to kill myself"])
    assert first.shape == (2, 384)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(first, again)


def test_similar_sentences_are_close_and_unrelated_ones_are_not(encoder):
    # The pair from sentence-transformers' own documentation scores about 0.76 with this model.
    a, b, c = encoder.encode(
        [
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The package was delivered to the wrong address.",
        ]
    )
    assert 0.70 < float(a @ b) < 0.82
    assert float(a @ c) < 0.2


def test_batches_give_the_same_vectors_as_single_sentences(encoder):
    texts = [f"question number {i} about my refill" for i in range(40)]
    together = encoder.encode(texts)
    alone = np.stack([encoder.encode([t])[0] for t in texts[:3]])
    assert np.allclose(together[:3], alone, atol=1e-5)
