"""Alcohol, food, driving and children answers, and the two-medicine comparison, on fixture
entries (the knowledge base's own optional fields are being filled in elsewhere)."""

import dataclasses

import pytest

from pharmacy.knowledge.answers import (
    OPTIONAL_ASPECTS,
    TEMPLATES,
    Aspect,
    answer,
    aspect_missing_text,
    has_answer,
)
from pharmacy.knowledge.comparison import compare, is_comparison
from pharmacy.knowledge.loader import knowledge_base
from pharmacy.safety.routing import pharmacist_reason

DISCLAIMER = TEMPLATES["en"]["disclaimer"]


@pytest.fixture(scope="module")
def kb():
    return knowledge_base()


@pytest.fixture
def filled(kb):
    """Metformin with all four optional texts, as a fixture entry."""
    return dataclasses.replace(
        kb["metformin"],
        alcohol="Fixture alcohol text.",
        food="Fixture food text.",
        driving="Fixture driving text.",
        children="Fixture children text.",
    )


@pytest.fixture
def empty(kb):
    return dataclasses.replace(
        kb["metformin"], alcohol=None, food=None, driving=None, children=None
    )


@pytest.mark.parametrize("aspect", OPTIONAL_ASPECTS)
def test_a_filled_field_is_answered_with_its_text_source_and_disclaimer(filled, aspect):
    text = answer(filled, aspect)
    assert has_answer(filled, aspect)
    assert f"Fixture {aspect.value} text." in text
    assert text.startswith("Metformin and ")
    assert "Source: FDA product label (" in text
    assert text.endswith(DISCLAIMER)


@pytest.mark.parametrize("aspect", OPTIONAL_ASPECTS)
def test_a_missing_field_is_said_honestly_and_nothing_is_made_up(empty, aspect):
    assert not has_answer(empty, aspect)
    text = answer(empty, aspect)
    assert text == aspect_missing_text(empty, aspect)
    assert "don't cover" in text and "pharmacist" in text
    assert "metformin" in text


def test_the_children_answer_sends_the_dose_to_a_pharmacist(filled):
    assert "pharmacist can work it out" in answer(filled, Aspect.CHILDREN)


def test_the_eight_label_aspects_always_have_an_answer(empty):
    for aspect in Aspect:
        if aspect not in OPTIONAL_ASPECTS:
            assert has_answer(empty, aspect)


@pytest.mark.parametrize(
    "text",
    [
        "how much tylenol can i give my 3 year old",
        "what dose of motrin for a toddler",
        "my son is 40 pounds how many ml of amoxicillin",
        "children's dosage for zyrtec",
    ],
)
def test_a_childs_dose_goes_to_a_pharmacist(text):
    assert pharmacist_reason(text) == "pediatric_dose"


@pytest.mark.parametrize(
    "text", ["can my kid take tylenol", "is ibuprofen safe for children", "is it ok for kids"]
)
def test_a_general_question_about_children_is_label_information(text):
    assert pharmacist_reason(text) is None


# ----------------------------------------------------------------------------- comparison


@pytest.mark.parametrize(
    "text",
    [
        "advil vs tylenol",
        "whats the difference between advil and tylenol",
        "is lipitor better than zocor",
        "lisinopril versus losartan",
        "should i take advil or tylenol",
        "how does crestor compare to lipitor",
    ],
)
def test_comparison_questions(text):
    assert is_comparison(text)


@pytest.mark.parametrize("text", ["tell me about advil and tylenol", "side effects of both"])
def test_other_questions_about_two_medicines_are_not_comparisons(text):
    assert not is_comparison(text)


def test_a_comparison_is_short_and_names_both_classes(kb):
    text = compare(kb["ibuprofen"], kb["acetaminophen"], "advil vs tylenol")
    assert text.startswith("Ibuprofen vs acetaminophen:")
    assert kb["ibuprofen"].drug_class in text and kb["acetaminophen"].drug_class in text
    assert kb["ibuprofen"].used_for in text and kb["acetaminophen"].used_for in text
    # Not two overviews: no side effects, warnings or how-to-take texts.
    assert kb["ibuprofen"].warnings not in text
    assert kb["acetaminophen"].how_to_take not in text
    assert text.count("Source: FDA product label") == 2
    assert text.endswith(DISCLAIMER)


def test_the_same_class_is_said_once(kb):
    text = compare(kb["atorvastatin"], kb["simvastatin"])
    assert "Both are" in text
    assert text.count(kb["atorvastatin"].drug_class) == 1


def test_prescription_status_is_shown_only_when_it_differs(kb):
    differs = compare(kb["lisinopril"], kb["ibuprofen"])
    assert "needs a prescription" in differs and "sold over the counter" in differs
    same = compare(kb["lisinopril"], kb["losartan"])
    assert "needs a prescription" not in same and "over the counter" not in same


def test_better_questions_are_left_to_a_pharmacist(kb):
    better = compare(kb["atorvastatin"], kb["simvastatin"], "is lipitor better than zocor")
    assert "our pharmacist can help you decide" in better
    plain = compare(kb["atorvastatin"], kb["simvastatin"], "lipitor vs zocor")
    assert "help you decide" not in plain


def test_a_controlled_substance_is_named_as_such(kb):
    text = compare(kb["oxycodone"], kb["ibuprofen"])
    assert "Oxycodone is a Schedule II controlled substance." in text
