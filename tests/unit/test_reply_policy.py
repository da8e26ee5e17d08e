"""The reply policy (pharmacy.safety.routing): what the assistant acts on whatever the trained
classifier guessed, and which medicine questions the label may answer."""

import re

import pytest
import yaml

from pharmacy.safety import assess_message
from pharmacy.safety.routing import (
    CLARIFY,
    EMERGENCY,
    MEDICINE_QUESTION,
    choose_intent,
    looks_clinical,
    pharmacist_reason,
    reads_as_health_question,
)
from pharmacy.settings import PROJECT_ROOT


def route(text, intent, faq_confidence=None):
    return choose_intent(text, intent, assess_message(text), faq_confidence)


@pytest.mark.parametrize(
    "intent",
    [
        "faq",
        "greet",
        "out_of_scope",
        "ask_medicine_info",
        "inform",
        "request_refill",
        "nlu_fallback",
        None,
    ],
)
def test_an_emergency_is_answered_as_one_whatever_the_classifier_said(intent):
    assert route("my toddler swallowed some of my pills", intent) == EMERGENCY


def test_the_classifiers_own_emergency_without_a_cue_goes_to_the_medicine_path_not_911():
    assert route("is ibuprofen ok for a sprained ankle", "emergency") == MEDICINE_QUESTION


@pytest.mark.parametrize(
    "text,intent",
    [
        ("Can u take Prilosec OTC with fluoxetine?", "faq"),
        ("wean off tegretol?", "nlu_fallback"),
        ("what are the risks of a calcium overdose?", "faq"),
        ("my head has been pounding for three days", "out_of_scope"),
        ("is it safe to take with alcohol", "greet"),
        ("I feel so worthless lately", "faq"),
        ("my 6 year old has a fever of 102, how much motrin can i give her", "rate"),
        ("do small scrapes on children need an antiseptic cream", "faq"),
        ("should grazes on kids get antibiotic ointment", "faq"),
    ],
)
def test_a_clinical_message_never_gets_a_service_faq_small_talk_or_the_fallback(text, intent):
    assert route(text, intent) in (MEDICINE_QUESTION, EMERGENCY)


@pytest.mark.parametrize(
    "text,intent",
    [
        ("how long does delivery take", "faq"),
        ("hi there", "greet"),
        ("where is my order", "track_order"),
        ("i need a refill of my blood pressure pills", "request_refill"),
        ("why did i get a generic instead of the brand", "faq"),
        ("i'd give it a 4", "rate"),
        ("5 stars, the pharmacist was lovely", "rate"),
    ],
)
def test_service_messages_keep_the_classifiers_intent(text, intent):
    assert route(text, intent, faq_confidence=0.9) is None


def test_an_unsure_faq_pick_gets_a_clarifying_question():
    assert route("how long does delivery take", "faq", faq_confidence=0.3) == CLARIFY
    assert route("how long does delivery take", "faq", faq_confidence=0.7) == CLARIFY
    assert route("how long does delivery take", "faq", faq_confidence=0.9) is None


def test_a_long_clinical_question_without_clinical_words_is_not_given_a_service_faq():
    # Nothing in it that the clinical word list knows; its meaning is what tells.
    text = (
        "my daughter is nine and the doctor said to give her the pink liquid twice a day but she "
        "hates the taste, can we mix it into juice"
    )
    assert not looks_clinical(text)
    assert route(text, "faq", faq_confidence=0.9) == MEDICINE_QUESTION


def test_the_meaning_check_takes_no_faq_example_of_ours_from_its_service_answer():
    # Training and held-out: a long service question that mentions medicines is still service
    # (a few name a symptom or a dose, and the clinical word list sends those to a pharmacist).
    paths = sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")) + [
        PROJECT_ROOT / "tests" / "nlu_test.yml"
    ]
    faqs = [text for path in paths for intent, text in _examples(path) if intent.startswith("faq")]
    assert len([t for t in faqs if len(t.split()) >= 12]) > 20
    diverted = [t for t in faqs if route(t, "faq", faq_confidence=0.9) == MEDICINE_QUESTION]
    assert [t for t in diverted if not looks_clinical(t)] == []


def _examples(path):
    for item in yaml.safe_load(path.read_text())["nlu"]:
        if "intent" in item:
            for line in item["examples"].splitlines():
                text = re.sub(r"\[([^\]]+)\][({][^)}]+[)}]", r"\1", re.sub(r"^\s*-\s*", "", line))
                if text.strip():
                    yield item["intent"], text.strip()


def test_no_held_out_faq_or_small_talk_example_is_taken_for_a_clinical_one():
    # A regression guard: the policy must not take the service answers away from shoppers.
    service = [
        text
        for intent, text in _examples(PROJECT_ROOT / "tests" / "nlu_test.yml")
        if intent.startswith("faq")
        or intent in ("greet", "goodbye", "thank", "help", "out_of_scope", "bot_challenge")
    ]
    assert len(service) > 40
    assert [t for t in service if looks_clinical(t)] == []


@pytest.mark.parametrize(
    "text",
    [
        "what usually causes tendinitis in a runner",
        "can a hernia come back after it was repaired",
        "is thrush something a partner can catch",
        "why do my knees click on the stairs",
        "does a low iron level explain hair loss",
        "what helps a child with colic at night",
        "how long is recovery from a wrist fracture",
    ],
)
def test_a_short_question_about_a_condition_or_body_part_looks_clinical(text):
    # Short messages are not read by meaning, so the words have to tell.
    assert looks_clinical(text, by_meaning=False)
    assert route(text, "nlu_fallback") == MEDICINE_QUESTION


@pytest.mark.parametrize(
    "text,intent",
    [
        ("when will my blood pressure pills get here", "track_order"),
        ("ordered my thyroid meds tuesday, hows it looking", "track_order"),
        ("how do i keep an eye on my order once it ships", "faq"),
        ("where can i get a shingles shot", "faq"),
        ("where is the nearest gas station", "out_of_scope"),
    ],
)
def test_a_condition_named_as_what_a_parcel_or_shot_is_for_stays_a_service_message(text, intent):
    assert not looks_clinical(text, by_meaning=False)
    assert route(text, intent, faq_confidence=0.9) is None


def test_no_written_example_but_an_emergency_is_read_as_an_emergency():
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")) + [
        PROJECT_ROOT / "tests" / "nlu_test.yml"
    ]:
        for intent, text in _examples(path):
            assert assess_message(text).is_emergency == (intent == "emergency"), (path.name, text)


@pytest.mark.parametrize(
    "text,reason",
    [
        ("can i double my dose of lisinopril", "dose_change"),
        (
            "I am on lisinopril 10 mg, the dermatologist added spironolactone, is this safe?",
            "health_question",
        ),
        ("my 4 year old has a fever, how much tylenol can she have", "pediatric_dose"),
        ("I have been getting headaches since i started amlodipine", "personal_side_effect"),
        ("I take prilosec 20mg every day for 10 years, is that ok", "health_question"),
        ("is molly safe at a festival", "controlled_substance"),
        ("My mother is 74 and takes a lot of medicines, I don't know what to do", "someone_else"),
    ],
)
def test_questions_about_a_person_go_to_a_pharmacist(text, reason):
    assert pharmacist_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "what are the side effects of lisinopril",
        "how should i store insulin",
        "what is metformin used for",
        "what happens if i miss a dose of warfarin",
        "is atorvastatin the same as lipitor",
        "how do i take levothyroxine",
    ],
)
def test_general_label_questions_are_answered_from_the_label(text):
    assert pharmacist_reason(text) is None


@pytest.mark.parametrize("intent", ["stop", "deny", "inform"])
def test_a_pharmacist_only_question_read_as_a_form_answer_goes_to_the_medicine_path(intent):
    assert route("should i stop taking my sertraline?", intent) == MEDICINE_QUESTION
    assert route("stop", intent) is None and route("no", intent) is None


def test_an_unclear_message_about_a_medicine_goes_to_the_medicine_path_not_the_fallback():
    assert route("Is 4000IU of Vitamin D a day too much?", "nlu_fallback") == MEDICINE_QUESTION
    assert route("qwxz plorf vvbnq", "nlu_fallback") is None


@pytest.mark.parametrize(
    "text,reason",
    [
        (
            "can a woman who gave birth last month take this decongestant? she is a new mom",
            "pregnancy",
        ),
        (
            "Blood clot found in my leg, should i start taking the blood thinner they offered?",
            "health_question",
        ),
        ("Ginkgo + aspirin + turmeric = ok or not?", "combination"),
        ("adderall & energy drinks safe?", "combination"),
        ("Kidney stones last year, taking allopurinol, now my joints ache?", "health_question"),
    ],
)
def test_forum_style_questions_about_ones_own_treatment_go_to_a_pharmacist(text, reason):
    assert pharmacist_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "can i pay with visa + mastercard?",
        "is b&q open on sundays",
        "what is gabapentin used for",
        "what happens when taking ibuprofen on an empty stomach",
    ],
)
def test_joined_words_and_general_questions_stay_general(text):
    assert pharmacist_reason(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Thinking of stopping my lamotrigine because of the rash worry, how do I do it safely",
        "planning on coming off my sertraline next month",
    ],
)
def test_coming_off_ones_own_medicine_is_for_a_pharmacist(text):
    assert pharmacist_reason(text) == "stopping"


@pytest.mark.parametrize("text", ["stop my reminders", "can i stop my order", "stop my delivery"])
def test_stopping_a_service_is_not_stopping_a_medicine(text):
    assert pharmacist_reason(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "something in my jaw clicks and locks when i yawn and i have to push it back",
        "the dark spot on my cheek has started to burn a little, is it serious",
        "my grandson keeps tugging at the side of his head and has been grumpy for a week",
    ],
)
def test_a_health_complaint_without_a_clinical_word_is_read_as_one_by_meaning(text):
    assert not looks_clinical(text, by_meaning=False)
    assert looks_clinical(text)
    assert route(text, "out_of_scope") == MEDICINE_QUESTION


def test_a_delivery_problem_is_read_by_its_words_not_its_meaning():
    # The parcel's contents read like a complaint; the classifier's delivery intent stands.
    text = "the ice pack was completely melted and the pens feel warm"
    assert route(text, "report_delivery_problem") is None


def test_no_service_or_small_talk_example_of_ours_reads_as_a_health_question():
    paths = sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")) + [
        PROJECT_ROOT / "tests" / "nlu_test.yml"
    ]
    service = [
        text
        for path in paths
        for intent, text in _examples(path)
        if intent.startswith("faq")
        or intent in ("greet", "goodbye", "thank", "help", "out_of_scope", "bot_challenge")
    ]
    assert [t for t in service if reads_as_health_question(t)] == []


@pytest.mark.parametrize(
    "text,reason",
    [
        ("is there a cheaper alternative to my eliquis", "substitution"),
        (
            "what else could my dad take for his gout since the allopurinol upsets him",
            "substitution",
        ),
        ("any medication besides metformin that keeps sugar down?", "substitution"),
        ("my doctor took me off lexapro and now i feel awful", "stopping"),
        ("is it fine to take turmeric capsules while on warfarin", "combination"),
        ("St. John's wort with my sertraline, is that ok?", "combination"),
        ("can i give my 5 year old motrin and benadryl at the same time", "combination"),
        ("is it ok to take atorvastatin and omeprazole as well as my aspirin", "combination"),
        ("should i skip ibuprofen before my knee surgery next week", "health_question"),
        (
            "what happens after having two serious side effects on citalopram",
            "personal_side_effect",
        ),
    ],
)
def test_substitution_stopping_and_mixing_in_everyday_words_go_to_a_pharmacist(text, reason):
    assert pharmacist_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "is there a cheaper generic version of lipitor",
        "what is the difference between tylenol and advil",
        "what are the common side effects of amoxicillin",
        "do you have another delivery slot this week",
        "what can i take to the pharmacy counter to prove my id",
    ],
)
def test_label_and_service_questions_with_these_words_stay_general(text):
    assert pharmacist_reason(text) is None


@pytest.mark.parametrize(
    "text,reason",
    [
        ("is it alright to use calamine lotion for shingles?", "health_question"),
        ("fine to drink green tea extract with my kidney disease?", "health_question"),
        ("is there a heartburn medication that will not upset my liver", "substitution"),
        ("is there a less expensive pill than my eliquis", "substitution"),
        ("the antifungal cream did nothing, can i try a different otc one", "substitution"),
        ("my sumatriptan stopped working for my migraines", "health_question"),
        ("i am not allowed to take aspirin, what can settle a toothache?", "health_question"),
        ("can lisinopril and potassium tablets interact?", "combination"),
        ("can fish oil be mixed into a smoothie with my blood thinner pills", "combination"),
        ("can i take oxycodone and drink a beer later", "combination"),
        ("which antibiotic works best on strep for an 8yo", "pediatric_dose"),
        ("is there anything my 6 year old son can take for hay fever", "pediatric_dose"),
        ("what can i give my toddler for a cough at night", "pediatric_dose"),
        ("how long after radiation can i start taking vitamins again", "health_question"),
        ("I now have to take 5,000 iu of vitamin d3 a day per my doctor", "health_question"),
    ],
)
def test_a_choice_a_condition_a_failed_medicine_or_a_mix_goes_to_a_pharmacist(text, reason):
    assert pharmacist_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "what is hydrocortisone cream used for",
        "how long does amoxicillin take to start working",
        "are there any side effects of zoloft",
        "can i put my insulin pens in the fridge",
        "is there a liquid form of amoxicillin",
    ],
)
def test_a_label_question_with_these_words_still_gets_the_label(text):
    assert pharmacist_reason(text) is None
