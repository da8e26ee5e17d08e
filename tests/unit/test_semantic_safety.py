"""The meaning check (pharmacy.safety.semantic) and the combined answer (assess_message)."""
import pytest

from pharmacy.safety import Emergency, assess_emergency, assess_message
from pharmacy.safety.semantic import SemanticCheck, default_semantic_check, load_prototypes


@pytest.mark.parametrize("text,kind", [
    ("i dont think i can hold on much longer, i already said goodbye to my dog", Emergency.SELF_HARM),
    ("everything feels pointless and i keep thinking my family would be happier if i was not around",
     Emergency.SELF_HARM),
    ("tonight is the night, i am ready", Emergency.SELF_HARM),
    ("my little one got into my purse and ate some of my vitamins", Emergency.POISONING),
    ("i cannot see any way forward and i want it all to be over", Emergency.SELF_HARM),
    ("i woke up and cant catch my breath at all", Emergency.MEDICAL),
])
def test_a_crisis_in_words_no_pattern_expects_is_found_by_its_meaning(text, kind):
    assert not assess_emergency(text).is_emergency  # the patterns alone miss it
    found = assess_message(text)
    assert found.kinds == (kind,) and found.cues == ("semantic",)


@pytest.mark.parametrize("text", [
    "goodbye", "exit", "im done, bye", "the bottle was broken when it arrived", "end my reminders",
    "can i take advil with lisinopril", "i am annoyed my parcel is late again",
    "my medicine makes me tired, what can i do", "how do i cancel my order",
])
def test_service_and_medicine_messages_are_not_read_as_emergencies(text):
    assert not assess_message(text).is_emergency


def test_pattern_matches_keep_their_precise_kind():
    found = assess_message("my toddler swallowed some of my pills")
    assert found.kinds == (Emergency.POISONING,) and "semantic" not in found.cues


def test_the_check_compares_with_each_kind_and_the_safe_examples():
    check = default_semantic_check()
    assert {k.value for k in check.kinds} == {"self_harm", "poisoning", "medical"}
    (piece, score), = check.scores("i cannot see any way forward and i want it all to be over")
    assert score["self_harm"] > score["safe"] and score["self_harm"] > score["medical"]


def test_prototypes_name_only_known_kinds(tmp_path):
    bad = tmp_path / "prototypes.yml"
    bad.write_text("safe: [hello]\nbroken_leg: [ouch]\n")
    with pytest.raises(ValueError):
        load_prototypes(bad)
    missing_safe = tmp_path / "no_safe.yml"
    missing_safe.write_text("self_harm: [i want to die]\n")
    with pytest.raises(ValueError, match="safe"):
        load_prototypes(missing_safe)


def test_thresholds_decide(monkeypatch):
    check = default_semantic_check()
    strict = SemanticCheck(check.encoder, load_prototypes(), min_similarity=0.99)
    assert strict.match("tonight is the night, i am ready") is None
