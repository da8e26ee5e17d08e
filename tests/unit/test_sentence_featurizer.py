import numpy as np
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_components.sentence_featurizer import SentenceFeaturizer


class CountingEncoder:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        return np.array([[float(len(t)), 1.0, 0.0] for t in texts], dtype=np.float32)


def _tokenized(texts: list[str]) -> list[Message]:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    messages = [Message(data={TEXT: t}) for t in texts]
    tokenizer.process(messages)
    return messages


def test_training_encodes_each_distinct_text_once_and_sets_both_feature_kinds() -> None:
    encoder = CountingEncoder()
    featurizer = SentenceFeaturizer(SentenceFeaturizer.get_default_config(), encoder)
    messages = _tokenized(["refill my pills", "refill my pills", "hi"])
    featurizer.process_training_data(TrainingData(training_examples=messages))

    assert encoder.calls == [["hi", "refill my pills"]]
    sequence, sentence = messages[0].get_dense_features(TEXT)
    assert sentence is not None and sequence is not None
    assert sentence.features.shape == (1, 3)
    assert sequence.features.shape == (3, 3)
    assert sentence.features[0, 0] == len("refill my pills")


def test_an_empty_message_gets_a_zero_vector_of_the_same_width() -> None:
    featurizer = SentenceFeaturizer(SentenceFeaturizer.get_default_config(), CountingEncoder())
    empty, full = _tokenized(["", "hi"])
    featurizer.process([empty, full])
    _, sentence = empty.get_dense_features(TEXT)
    assert sentence is not None
    assert sentence.features.shape == (1, 3)
    assert not sentence.features.any()
