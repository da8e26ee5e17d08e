import pytest

from pharmacy.knowledge.drug_names import looks_like_medicine_name


@pytest.mark.parametrize(
    "word",
    [
        "metronidazole",
        "Tegretol",
        "heroin",
        "lisinopril",
        "ozempic",
        "valsartan",
        "citalopram",
        "ibuprofen,",
    ],
)
def test_medicine_names_are_recognised(word):
    assert looks_like_medicine_name(word)


@pytest.mark.parametrize(
    "word",
    [
        "kill",
        "tonight",
        "information",
        "magazine",
        "cholesterol",
        "delivery",
        "xyzzafen",
        "please",
        "done",
        "",
    ],
)
def test_other_words_are_not_taken_for_medicines(word):
    assert not looks_like_medicine_name(word)
