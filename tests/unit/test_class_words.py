"""Drug-class words picking the customer's own prescriptions (pharmacy/refills/class_words.py)."""

import pytest

from pharmacy.knowledge.loader import knowledge_base
from pharmacy.refills.class_words import class_terms, matches_class_words, pick_by_class_words

OWN = ["lisinopril", "metformin", "atorvastatin", "levothyroxine", "hydrochlorothiazide"]


@pytest.fixture(scope="module")
def kb():
    return knowledge_base()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("I need a refill of my statin", ("atorvastatin",)),
        ("refill my cholesterol pills", ("atorvastatin",)),
        ("my thyroid med please", ("levothyroxine",)),
        ("my water pill", ("hydrochlorothiazide",)),
        ("refill my diabetes medicine", ("metformin",)),
        ("my Blood Pressure pills", ("lisinopril", "hydrochlorothiazide")),
    ],
)
def test_class_words_pick_own_prescriptions(kb, text, expected):
    assert pick_by_class_words(text, OWN, kb) == expected


def test_only_the_customers_own_medicines_are_picked(kb):
    assert pick_by_class_words("my statin", ["metformin", "lisinopril"], kb) == ()
    assert pick_by_class_words("my statin", ["simvastatin", "atorvastatin"], kb) == (
        "simvastatin",
        "atorvastatin",
    )


@pytest.mark.parametrize("text", ["refill all", "the blue ones", "my prescription", ""])
def test_no_class_words_pick_nothing(kb, text):
    assert class_terms(text) == ()
    assert pick_by_class_words(text, OWN, kb) == ()


def test_every_class_word_term_names_a_class_in_the_knowledge_base(kb):
    from pharmacy.refills import class_words

    classes = [m.drug_class.lower() for m in kb.values()]
    for _, fragments in class_words._CLASS_WORDS:
        for fragment in fragments:
            assert any(fragment in c for c in classes), fragment


def test_matches_class_words(kb):
    assert matches_class_words(kb["losartan"], "my bp meds")
    assert not matches_class_words(kb["metformin"], "my bp meds")
