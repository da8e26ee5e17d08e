import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_components.calibrated_logistic import fit_temperature
from rasa_components.sentence_classifier import SentenceClassifier

CENTRES = {"greet": [1.0, 0.0, 0.0], "goodbye": [0.0, 1.0, 0.0], "track_order": [0.0, 0.0, 1.0]}


def _message(vector, intent: str | None = None, word: int = 0) -> Message:
    message = Message(data={TEXT: f"text {word}", **({INTENT: intent} if intent else {})})
    dense = np.asarray([vector], dtype=np.float32)
    counts = scipy.sparse.coo_matrix(([1.0], ([0], [word])), shape=(1, 4))
    message.add_features(Features(dense, FEATURE_TYPE_SENTENCE, TEXT, "dense"))
    message.add_features(Features(counts, FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    return message


def _training_data() -> TrainingData:
    rng = np.random.default_rng(7)
    examples = []
    # Overlapping classes, word counts that say nothing: the fitted temperature stays finite.
    # greet and goodbye mirror each other, so a message halfway between them is a tie.
    for _ in range(20):
        noise, word = rng.normal(0, 0.45, 3), int(rng.integers(0, 4))
        examples.append(_message(np.array(CENTRES["greet"]) + noise, "greet", word))
        examples.append(_message(np.array(CENTRES["goodbye"]) + noise[[1, 0, 2]], "goodbye", word))
        vector = np.array(CENTRES["track_order"]) + rng.normal(0, 0.45, 3)
        examples.append(_message(vector, "track_order", int(rng.integers(0, 4))))
    return TrainingData(training_examples=examples)


def _trained(tmp_path, name: str = "clf") -> tuple[SentenceClassifier, LocalModelStorage, Resource]:
    storage = LocalModelStorage(tmp_path)
    resource = Resource(name)
    context = ExecutionContext(GraphSchema({}), name)
    component = SentenceClassifier.create({}, storage, resource, context)
    component.train(_training_data())
    return component, storage, resource


def _probe() -> list[Message]:
    return [_message([1.2, -0.2, 0.0], word=0), _message([0.5, 0.5, 0.0], word=0)]


def test_same_data_gives_the_same_predictions_and_they_survive_loading(tmp_path) -> None:
    first, storage, resource = _trained(tmp_path, "a")
    second, _, _ = _trained(tmp_path, "b")
    np.testing.assert_array_equal(first.probabilities(_probe()), second.probabilities(_probe()))
    assert first.temperature == second.temperature

    context = ExecutionContext(GraphSchema({}), "a")
    loaded = SentenceClassifier.load({}, storage, resource, context)
    np.testing.assert_allclose(loaded.probabilities(_probe()), first.probabilities(_probe()))


def test_a_clear_message_is_confident_and_a_mixed_one_is_ambiguous(tmp_path) -> None:
    component, _, _ = _trained(tmp_path)
    clear, mixed = component.process(_probe())

    ranking = clear.get("intent_ranking")
    assert clear.get(INTENT)["name"] == "greet"
    assert clear.get(INTENT)["confidence"] > 0.7  # well above the fallback threshold 0.55
    assert [r["confidence"] for r in ranking] == sorted(
        (r["confidence"] for r in ranking), reverse=True
    )
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6

    top, second = mixed.get("intent_ranking")[:2]
    assert {top["name"], second["name"]} == {"greet", "goodbye"}
    assert top["confidence"] - second["confidence"] < 0.1  # FallbackClassifier's ambiguity gap


def test_temperature_softens_overconfident_scores_and_sharpens_timid_ones() -> None:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, 300)
    signal = np.eye(3)[truth] + rng.normal(0, 0.8, (300, 3))  # right about two times in three
    assert fit_temperature(signal * 20, truth) > 1.0
    assert fit_temperature(signal * 0.1, truth) < 1.0


def test_a_message_without_sentence_features_gets_no_intent(tmp_path) -> None:
    component, _, _ = _trained(tmp_path)
    empty = Message(data={TEXT: ""})
    clear = _probe()[0]
    component.process([empty, clear])
    assert empty.get(INTENT) == {"name": None, "confidence": 0.0}
    assert empty.get("intent_ranking") == []
    assert clear.get(INTENT)["name"] == "greet"
