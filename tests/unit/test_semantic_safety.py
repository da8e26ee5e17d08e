"""The meaning check (pharmacy.safety.semantic, pharmacy.safety.classifier) and the combined
answer (assess_message). Sentences written by us, not taken from any evaluation."""

import numpy as np
import pytest

from pharmacy.safety import Emergency, assess_emergency, assess_message
from pharmacy.safety.classifier import (
    EXAMPLES,
    WEIGHTS,
    EmergencyClassifier,
    encoder_identity,
    examples_digest,
    fit,
    load_classifier,
    load_examples,
)
from pharmacy.safety.semantic import SemanticCheck, default_semantic_check


@pytest.mark.parametrize(
    "text,kind",
    [
        (
            "i dont think i can hold on much longer, i already said goodbye to my dog",
            Emergency.SELF_HARM,
        ),
        (
            "everything feels pointless and i keep thinking my family would be happier if i was not around",
            Emergency.SELF_HARM,
        ),
        ("my little one got into my purse and ate some of my vitamins", Emergency.POISONING),
        ("i cannot see any way forward and i want it all to be over", Emergency.SELF_HARM),
        # a forum title without a pronoun, and a recreational overdose happening now
        ("Sudden crushing feeling in the chest and sweating, left arm heavy", Emergency.MEDICAL),
        (
            "way too much molly at the rave and my jaw and heart wont stop going",
            Emergency.POISONING,
        ),
    ],
)
def test_a_crisis_in_words_no_pattern_expects_is_found_by_its_meaning(text, kind):
    assert not assess_emergency(text).is_emergency  # the patterns alone miss it
    found = assess_message(text)
    assert found.kinds == (kind,) and found.cues == ("semantic",)


@pytest.mark.parametrize(
    "text",
    [
        "goodbye",
        "exit",
        "im done, bye",
        "the bottle was broken when it arrived",
        "end my reminders",
        "can i take advil with lisinopril",
        "i am annoyed my parcel is late again",
        "my medicine makes me tired, what can i do",
        "how do i cancel my order",
        # questions about a topic, and medicine questions that mention an emergency word
        "what happens to the liver if someone takes too much paracetamol over a few days",
        "is it true that mixing alcohol with sleeping tablets can stop your breathing",
        "my doctor says the mild ankle swelling from my blood pressure pill is harmless, is that right",
        "I started a new antidepressant two weeks ago and feel a little flat, will that pass?",
        "what should be in a first aid kit for a family with small children",
        "i had a seizure when i was fourteen and have been fine for years, can i take this cold medicine",
    ],
)
def test_service_topic_and_medicine_messages_are_not_read_as_emergencies(text):
    assert not assess_message(text).is_emergency


def test_pattern_matches_keep_their_precise_kind():
    found = assess_message("my toddler swallowed some of my pills")
    assert found.kinds == (Emergency.POISONING,) and "semantic" not in found.cues


def test_the_check_scores_each_kind_and_short_messages_are_left_to_the_patterns():
    check = default_semantic_check()
    assert set(check.kinds) == {Emergency.SELF_HARM, Emergency.POISONING, Emergency.MEDICAL}
    scores = check.scores("i cannot see any way forward and i want it all to be over")
    assert max(scores, key=scores.get) is Emergency.SELF_HARM and scores[Emergency.SELF_HARM] > 0
    assert check.scores("what's the meaning of life") == {}  # too short to read by meaning


def test_the_threshold_decides():
    check = default_semantic_check()
    strict = SemanticCheck(
        check.encoder, check.classifier, min_scores=dict.fromkeys(check.kinds, 10.0)
    )
    assert strict.match("i cannot see any way forward and i want it all to be over") is None


def test_each_kind_has_its_own_threshold():
    check = default_semantic_check()
    text = "i cannot see any way forward and i want it all to be over"
    only_medical_lenient = {**dict.fromkeys(check.kinds, 10.0), Emergency.MEDICAL: -10.0}
    lenient = SemanticCheck(check.encoder, check.classifier, min_scores=only_medical_lenient)
    found = lenient.match(text)
    # Despair scores highest, but only the medical kind reaches its threshold.
    assert found is not None and found.kind is Emergency.MEDICAL


def test_an_ordinary_symptom_question_is_not_a_medical_emergency_by_meaning():
    check = default_semantic_check()
    assert check.match("my knee has been aching for a few weeks when i walk up the stairs") is None


def test_examples_name_only_known_kinds_and_need_a_safe_class(tmp_path):
    (tmp_path / "safe_service.yml").write_text("[hello]\n")
    (tmp_path / "broken_leg.yml").write_text("[ouch]\n")
    with pytest.raises(ValueError):
        load_examples(tmp_path)
    only_kinds = tmp_path / "only"
    only_kinds.mkdir()
    (only_kinds / "self_harm.yml").write_text("[i want to die]\n")
    with pytest.raises(ValueError, match="safe_"):
        load_examples(only_kinds)


def test_the_saved_weights_were_fitted_on_the_examples_as_they_are():
    # After editing pharmacy/safety/examples/, run `python -m ops.emergency_classifier`.
    check = default_semantic_check()
    saved = EmergencyClassifier.saved(WEIGHTS)
    assert saved is not None
    assert saved.digest == examples_digest(load_examples(EXAMPLES), encoder_identity(check.encoder))


def test_fitting_is_deterministic_and_separates_classes():
    rng = np.random.default_rng(0)
    centres = np.eye(3, 8)
    vectors = np.vstack([c + 0.05 * rng.standard_normal((20, 8)) for c in centres])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = np.repeat(np.arange(3), 20)
    first, second = fit(vectors, labels, 3), fit(vectors, labels, 3)
    assert np.array_equal(first, second)
    model = EmergencyClassifier(("medical", "safe_service", "self_harm"), first, vectors, labels)
    assert (model.probabilities(vectors).argmax(axis=1) == labels).mean() == 1.0


def test_stale_weights_are_refitted_in_memory(tmp_path):
    check = default_semantic_check()
    folder = tmp_path / "examples"
    folder.mkdir()
    (folder / "self_harm.yml").write_text(
        "- i want to end my life tonight\n- i am going to kill myself\n"
    )
    (folder / "safe_service.yml").write_text("- where is my parcel\n- how do i reset my password\n")
    classifier = load_classifier(check.encoder, folder, tmp_path / "missing.npz")
    assert classifier.classes == ("safe_service", "self_harm")
    probabilities = classifier.probabilities(check.encoder.encode(["i will kill myself tonight"]))
    assert probabilities[0, 1] > probabilities[0, 0]


_BACKGROUND = (
    "I moved to this city three years ago for work. The job was fine at first and I made a "
    "couple of friends at the climbing gym. My landlord raised the rent twice, so I took a "
    "second job at a warehouse on weekends. My car broke down in the winter and I had to "
    "take two buses each way. My brother got married in the autumn and I could not afford "
    "the trip to the wedding. I stopped going to the gym because I was always working. "
    "My phone is mostly quiet now, apart from the bills. "
)


def test_despair_late_in_a_long_post_is_read():
    text = _BACKGROUND + (
        "Lately every night I lie awake wishing I would simply not be here in the "
        "morning. I am so tired of carrying all of this and I cannot picture a "
        "future with me in it. I think everyone would manage fine without me."
    )
    assert len(text.split()) > 120
    found = assess_message(text)
    assert found.kinds == (Emergency.SELF_HARM,)


def test_the_later_parts_of_a_long_medicine_question_do_not_raise_other_kinds():
    text = _BACKGROUND + (
        "My doctor put me on a new blood pressure tablet last month. Since then my "
        "ankles are a little puffy by the evening and I get a dry tickly cough at "
        "night. Is it worth asking for a different one, or does this settle?"
    )
    assert not assess_message(text).is_emergency


def test_a_message_read_twice_is_encoded_once():
    check = default_semantic_check()
    counting = _CountingEncoder(check.encoder)
    reader = SemanticCheck(counting, check.classifier)
    text = "my husband has been short of breath since this morning and his lips look a bit blue"
    first = reader.scores(text)
    reader.probability_of(text, ("safe_service",))  # the FAQ rule's reading of the same message
    assert reader.scores(text) == first
    assert counting.pieces == 1


class _CountingEncoder:
    def __init__(self, encoder):
        self.encoder = encoder
        self.pieces = 0

    def encode(self, pieces):
        self.pieces += len(pieces)
        return self.encoder.encode(pieces)


def test_a_long_standing_complaint_is_not_a_medical_emergency_by_meaning_alone():
    from pharmacy.safety.emergency import is_long_standing

    text = "for the past two years i have had a burning pain in my upper belly after meals"
    assert is_long_standing(text)
    assert not assess_message(text).is_emergency


@pytest.mark.parametrize(
    "text",
    [
        "i keep hoping i just wont wake up one of these mornings",
        "some days i wish i would get a disease that takes me so i dont have to do this",
        "i am so tired of fighting to stay alive, i think i am nearly done",
        "if this gets any worse i already know what i will do, i tried once before",
        # long despair told as a story (read by the burden patterns, and by its meaning)
        "Sorry for the long post. I lost my flat in spring and my partner in summer. Every morning "
        "I wake up and wish I had not. I have stopped answering my sister. I am so tired of pretending "
        "and I think everyone would cope fine without me around.",
    ],
)
def test_a_passive_wish_to_be_dead_is_self_harm(text):
    assert Emergency.SELF_HARM in assess_message(text).kinds
