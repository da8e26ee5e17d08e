"""The FAQ selector's output is what Rasa's utter_faq, `rasa test` and the message guard read."""

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_components.faq_selector import FaqSelector

TOPICS = {"faq/hours": [1.0, 0.0, 0.0], "faq/returns": [0.0, 1.0, 0.0]}


def _message(vector, text: str = "words", intent: str = "", key: str = "") -> Message:
    data = {TEXT: text, **({INTENT: intent} if intent else {})}
    message = Message(data={**data, **({INTENT_RESPONSE_KEY: key} if key else {})})
    message.add_features(
        Features(np.asarray([vector], dtype=np.float32), FEATURE_TYPE_SENTENCE, TEXT, "dense")
    )
    counts = scipy.sparse.coo_matrix(([1.0], ([0], [0])), shape=(1, 2))
    message.add_features(Features(counts, FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    return message


def _training_data() -> TrainingData:
    rng = np.random.default_rng(3)
    examples = []
    # The two topics mirror each other, so a message halfway between them is a tie.
    for _ in range(20):
        noise = rng.normal(0, 0.45, 3)
        examples.append(
            _message(np.array(TOPICS["faq/hours"]) + noise, intent="faq", key="faq/hours")
        )
        mirrored = np.array(TOPICS["faq/returns"]) + noise[[1, 0, 2]]
        examples.append(_message(mirrored, intent="faq", key="faq/returns"))
    # Other intents are not FAQ topics: the selector must not learn them as one.
    for _ in range(12):
        examples.append(_message(rng.normal(0, 0.3, 3) + [0, 0, 1], intent="greet"))
    return TrainingData(training_examples=examples)


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "faq")


def _trained(tmp_path) -> tuple[FaqSelector, LocalModelStorage, Resource]:
    storage, resource = LocalModelStorage(tmp_path), Resource("faq")
    selector = FaqSelector.create({}, storage, resource, _context())
    selector.train(_training_data())
    return selector, storage, resource


def test_the_pick_has_the_response_selector_shape_and_survives_loading(tmp_path) -> None:
    selector, storage, resource = _trained(tmp_path)
    loaded = FaqSelector.load({}, storage, resource, _context())

    for component in (selector, loaded):
        (message,) = component.process([_message([0.1, 1.1, 0.0], text="can i send it back")])
        properties = message.get("response_selector")
        assert properties["all_retrieval_intents"] == ["faq"]
        picked = properties["faq"]["response"]
        assert picked["intent_response_key"] == "faq/returns"
        assert picked["utter_action"] == "utter_faq/returns"
        assert picked["confidence"] > 0.8  # the guard's MIN_FAQ_CONFIDENCE
        ranking = properties["faq"]["ranking"]
        assert [r["intent_response_key"] for r in ranking] == ["faq/returns", "faq/hours"]
        assert sum(r["confidence"] for r in ranking) <= 1.0
        assert "response_selector" in message.as_dict_nlu()


def test_a_message_halfway_between_topics_is_unsure(tmp_path) -> None:
    selector, _, _ = _trained(tmp_path)
    (message,) = selector.process([_message([0.5, 0.5, 0.0])])
    ranking = message.get("response_selector")["faq"]["ranking"]
    assert ranking[0]["confidence"] - ranking[1]["confidence"] < 0.1


def test_a_message_like_another_intent_is_no_confident_faq(tmp_path) -> None:
    selector, _, _ = _trained(tmp_path)
    (message,) = selector.process([_message([0.0, 0.0, 1.0], text="hello there")])
    properties = message.get("response_selector")["faq"]
    assert properties["response"]["confidence"] < 0.2  # the guard asks instead of answering
    assert {r["intent_response_key"] for r in properties["ranking"]} == set(TOPICS)


def test_an_empty_message_gets_no_pick_and_no_faq_data_trains_nothing(tmp_path) -> None:
    selector, _, _ = _trained(tmp_path)
    (empty,) = selector.process([_message([0.0, 0.0, 0.0], text="  ")])
    assert empty.get("response_selector") is None

    storage, resource = LocalModelStorage(tmp_path / "none"), Resource("none")
    untrained = FaqSelector.create({}, storage, resource, _context())
    untrained.train(TrainingData(training_examples=[_message([1, 0, 0], intent="greet")]))
    reloaded = FaqSelector.load({}, storage, resource, _context())
    (message,) = reloaded.process([_message([1.0, 0.0, 0.0])])
    assert message.get("response_selector") is None
