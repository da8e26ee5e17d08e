import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from pharmacy.knowledge.loader import knowledge_base, normalize_name
from pharmacy.knowledge.recognizer import (
    FUZZY_CUTOFF,
    NOT_MEDICINES,
    MedicineMention,
    MedicineRecognizer,
    default_recognizer,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Messages shoppers really send that name no medicine: none may produce a mention.
ORDINARY_MESSAGES = [
    "can I take this with food",
    "my order is late",
    "what about side effects",
    "i need a refill",
    "thanks so much",
    "is it safe during pregnancy",
    "hi there",
    "where is my package",
    "when will my prescription be ready",
    "can I talk to a pharmacist please",
    "I want to cancel my order",
    "how much does delivery cost",
    "do you take insurance",
    "my card was declined",
    "can you change my delivery address",
    "what are your opening hours",
    "I have a question about my bill",
    "please refill my blood pressure medicine",
    "is there a cheaper option",
    "the tracking number doesn't work",
    "I need it before the weekend",
    "can someone call me back",
    "my doctor sent a new prescription yesterday",
    "do you sell vitamins and sunscreen",
    "I'm allergic to penicillin, is that on my profile",
    "I get motion sickness on planes",
    "I want the ultra soft toothbrush and some crest toothpaste",
    "we went to a concert last night and I have a headache",
    "the core problem is my delivery keeps failing",
    "is the store open on sundays",
    # Everyday words one letter or two from a brand of the grown knowledge base.
    "do you have the ability to ship overnight",
    "how can i prevent a cold this winter",
    "i just want to relax after work",
    "please select the fastest delivery",
    "my retina specialist said my eyes look fine",
    "is there lactose in these tablets",
    "the store is too distant for me",
    "i need a pail and a mop",
    "is vitamin e good for skin",
    "can i get it in a different color",
    "I need more pills for my trip",
    "goodbye",
]

# Real medicines we have no entry for, each within fuzzy reach of one we have: answering them
# as the other medicine would be a dangerous mistake.
OTHER_MEDICINES = ["dapsone", "ampicillin", "pitavastatin", "gliclazide", "carbimazole"]


@pytest.fixture(scope="module")
def recognizer() -> MedicineRecognizer:
    return default_recognizer()


@pytest.fixture(scope="module")
def fuzzy_only() -> MedicineRecognizer:
    """A recogniser without the listed misspellings, so that they have to be found fuzzily."""
    medicines = {
        medicine_id: dataclasses.replace(medicine, misspellings=())
        for medicine_id, medicine in knowledge_base().items()
    }
    return MedicineRecognizer(medicines)


def _found(recognizer: MedicineRecognizer, text: str) -> list[tuple[str, str]]:
    return [(mention.medicine_id, mention.match) for mention in recognizer.find(text)]


@pytest.mark.parametrize(
    "text, medicine_id",
    [
        ("what is atorvastatin for", "atorvastatin"),
        ("METFORMIN side effects", "metformin"),
        ("Tell me about sertraline.", "sertraline"),
        ("is amoxicillin-clavulanate an antibiotic", "amoxicillin_clavulanate"),
        ("amoxicillin/clavulanate 875", "amoxicillin_clavulanate"),
        ("hydrocodone acetaminophen refill", "hydrocodone_acetaminophen"),
        ("hydrocodone-acetaminophen", "hydrocodone_acetaminophen"),
        ("hydrocodone and acetaminophen", "hydrocodone_acetaminophen"),
        ("how do I store insulin glargine", "insulin_glargine"),
    ],
)
def test_generic_names_are_found_exactly(recognizer, text, medicine_id):
    assert _found(recognizer, text) == [(medicine_id, "exact")]


@pytest.mark.parametrize(
    "text, medicine_id",
    [
        ("Lipitor", "atorvastatin"),
        ("can i get my zoloft early", "sertraline"),
        ("LIPITOR", "atorvastatin"),
        ("I use Advair Diskus twice a day", "fluticasone_salmeterol"),
        ("do you have advair", "fluticasone_salmeterol"),  # the brand without its device name
        ("Toprol-XL", "metoprolol"),
        ("a Z-Pak please", "azithromycin"),
        ("Imodium A-D", "loperamide"),
        ("St. Joseph Low Dose", "aspirin_low_dose"),
        ("st joseph low dose", "aspirin_low_dose"),
    ],
)
def test_brand_names_lead_to_the_generic(recognizer, text, medicine_id):
    assert _found(recognizer, text) == [(medicine_id, "brand")]


@pytest.mark.parametrize(
    "text, medicine_id",
    [
        ("metforman", "metformin"),
        ("zolof", "sertraline"),
        ("lipiter", "atorvastatin"),
        ("ibuprophen", "ibuprofen"),
        ("amoxicilin clavulanate", "amoxicillin_clavulanate"),
    ],
)
def test_listed_misspellings_are_found(recognizer, text, medicine_id):
    assert _found(recognizer, text) == [(medicine_id, "misspelling")]


@pytest.mark.parametrize(
    "text, medicine_id",
    [
        ("atorvastatn", "atorvastatin"),
        ("side effects of sertralene?", "sertraline"),
        ("lisinoprill", "lisinopril"),
        ("gabapentn dose", "gabapentin"),
        ("insulin glarjine", "insulin_glargine"),  # a pair of words
        ("amoxicillin clavulanat", "amoxicillin_clavulanate"),  # beats the plain "amoxicillin"
        ("pro air", "albuterol"),  # ProAir written apart
        ("zpak", "azithromycin"),  # Z-Pak written together
    ],
)
def test_unlisted_misspellings_are_found_fuzzily(recognizer, text, medicine_id):
    assert _found(recognizer, text) == [(medicine_id, "fuzzy")]


@pytest.mark.parametrize(
    "text, medicine_id",
    [("metforman", "metformin"), ("zolof", "sertraline"), ("lipiter", "atorvastatin")],
)
def test_misspellings_are_found_fuzzily_when_not_listed(fuzzy_only, text, medicine_id):
    (mention,) = fuzzy_only.find(f"is {text} safe")
    assert (mention.medicine_id, mention.match, mention.text) == (medicine_id, "fuzzy", text)
    assert FUZZY_CUTOFF <= mention.score < 100


def test_two_medicines_in_one_message_come_in_text_order(recognizer):
    text = "can i take ibuprofen with lisinopril"
    mentions = recognizer.find(text)
    assert [mention.medicine_id for mention in mentions] == ["ibuprofen", "lisinopril"]
    assert mentions[0] == MedicineMention("ibuprofen", "ibuprofen", 11, 20, "exact", 100.0)
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text


def test_mixed_kinds_in_one_message(recognizer):
    found = _found(recognizer, "Tylenol or advil or metforman, and what about atorvastatn")
    assert found == [
        ("acetaminophen", "brand"),
        ("ibuprofen", "brand"),
        ("metformin", "misspelling"),
        ("atorvastatin", "fuzzy"),
    ]


def test_a_medicine_named_twice_is_reported_once_at_its_first_mention(recognizer):
    mentions = recognizer.find("is Lipitor the same as atorvastatin? lipitor")
    assert [(m.medicine_id, m.text, m.match) for m in mentions] == [
        ("atorvastatin", "Lipitor", "brand")
    ]


@pytest.mark.parametrize("text", ORDINARY_MESSAGES)
def test_ordinary_messages_name_no_medicine(recognizer, text):
    assert recognizer.find(text) == []


@pytest.mark.parametrize("word", OTHER_MEDICINES)
def test_other_medicines_are_not_taken_for_ours(recognizer, word):
    assert recognizer.find(f"do you have {word}") == []


def test_guard_words_are_really_near_a_name(monkeypatch):
    """Each guard word would be a fuzzy match without the guard, or it is dead weight."""
    import pharmacy.knowledge.recognizer as module

    unguarded = MedicineRecognizer(knowledge_base())
    monkeypatch.setattr(module, "NOT_MEDICINES", frozenset())
    assert [word for word in sorted(NOT_MEDICINES) if not unguarded.find(word)] == []


def test_short_words_are_not_fuzzy_matched(recognizer):
    assert recognizer.find("adv") == []  # three letters, although close to "advil"


def test_empty_text_finds_nothing(recognizer):
    assert recognizer.find("") == []
    assert recognizer.find("   ") == []


def test_every_name_in_the_knowledge_base_is_found_as_itself(recognizer):
    wrong = []
    for medicine in knowledge_base().values():
        named = [(medicine.generic_name, "exact")]
        named += [(name, "brand") for name in medicine.brand_names]
        named += [(name, "misspelling") for name in medicine.misspellings]
        for name, kind in named:
            text = normalize_name(name) if "(" in name else name
            found = _found(recognizer, f"question about {text} please")
            if found != [(medicine.id, kind)]:
                wrong.append((name, found))
    assert wrong == []


def test_default_recognizer_is_built_once():
    assert default_recognizer() is default_recognizer()


def test_importing_the_package_does_no_work():
    code = (
        "import sys, pharmacy.knowledge as k; "
        "assert 'spacy' not in sys.modules, 'spaCy imported'; "
        "assert k.knowledge_base.cache_info().currsize == 0, 'knowledge base loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PROJECT_ROOT)


def test_guard_list_is_lower_case():
    assert all(word == word.lower() for word in NOT_MEDICINES)
