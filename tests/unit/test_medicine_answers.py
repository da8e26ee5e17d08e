import string

import pytest

from pharmacy.knowledge.answers import (
    OPTIONAL_ASPECTS,
    PHARMACIST_ONLY_REASONS,
    TEMPLATES,
    Aspect,
    answer,
    asks_beyond_the_label,
    detect_aspect,
    has_answer,
    pharmacist_only_reason,
    pharmacist_only_text,
    unknown_medicine_text,
)
from pharmacy.knowledge.loader import knowledge_base

DISCLAIMER = TEMPLATES["en"]["disclaimer"]


@pytest.fixture(scope="module")
def kb():
    return knowledge_base()


# ----------------------------------------------------------------------------- answers


@pytest.mark.parametrize("aspect", list(Aspect))
def test_every_answer_for_every_medicine_has_source_and_disclaimer(kb, aspect):
    for medicine in kb.values():
        if not has_answer(medicine, aspect):
            continue  # an optional field not yet filled in: see the tests of missing aspects
        text = answer(medicine, aspect)
        assert "Source: FDA product label (" in text, medicine.id
        assert f"effective {medicine.label.effective_date.isoformat()})" in text
        assert f"last reviewed {medicine.last_reviewed.isoformat()}." in text
        assert text.endswith(DISCLAIMER)
        assert "{" not in text and "}" not in text


def test_the_disclaimer_says_what_the_rules_require():
    assert "general information from the product label" in DISCLAIMER
    assert "not medical advice" in DISCLAIMER
    assert "911" in DISCLAIMER
    assert "pharmacist is available" in DISCLAIMER


def test_source_line_with_a_confirmed_set_id(kb):
    text = answer(kb["atorvastatin"], Aspect.USED_FOR)
    assert (
        "Source: FDA product label (set id c6e131fe-e7df-4876-83f7-9156fc4e8228, "
        "effective 2024-05-02); last reviewed 2026-11-23." in text
    )


def test_source_line_with_an_openfda_reference_does_not_call_it_a_set_id(kb):
    text = answer(kb["simvastatin"], Aspect.USED_FOR)
    assert "(openFDA reference generic_name=simvastatin, effective 2025-01-01)" in text
    assert "set id openfda" not in text


@pytest.mark.parametrize(
    "aspect, field",
    [
        (Aspect.USED_FOR, "used_for"),
        (Aspect.HOW_TO_TAKE, "how_to_take"),
        (Aspect.MISSED_DOSE, "missed_dose"),
        (Aspect.STORAGE, "storage"),
        (Aspect.WARNINGS, "warnings"),
    ],
)
def test_each_aspect_answers_from_its_own_field(kb, aspect, field):
    medicine = kb["lisinopril"]
    text = answer(medicine, aspect)
    assert getattr(medicine, field) in text
    others = {"used_for", "how_to_take", "missed_dose", "storage", "warnings"} - {field}
    assert not any(getattr(medicine, other) in text for other in others)


def test_side_effects_give_the_common_ones_then_when_to_get_help(kb):
    medicine = kb["atorvastatin"]
    text = answer(medicine, Aspect.SIDE_EFFECTS)
    common = text.index(medicine.common_side_effects)
    urgent = text.index(medicine.urgent_side_effects)
    assert common < urgent < text.index("Source:")
    assert "Get medical help right away" in text


def test_brand_generic_and_overview(kb):
    text = answer(kb["sertraline"], Aspect.BRAND_GENERIC)
    assert text.startswith("Sertraline is the generic name. Brand names: Zoloft.")
    overview = answer(kb["loratadine"], Aspect.OVERVIEW)
    assert overview.startswith("Loratadine (Claritin, Alavert): non-drowsy antihistamine")
    assert "over the counter" in overview
    assert kb["loratadine"].used_for in overview


def test_how_to_take_points_to_the_right_label(kb):
    assert "prescription label" in answer(kb["metformin"], Aspect.HOW_TO_TAKE)
    assert "Drug Facts label" in answer(kb["ibuprofen"], Aspect.HOW_TO_TAKE)


@pytest.mark.parametrize("aspect", [a for a in Aspect if a not in OPTIONAL_ASPECTS])
def test_controlled_substances_send_questions_beyond_the_label_to_a_pharmacist(kb, aspect):
    text = answer(kb["oxycodone"], aspect)
    assert "Schedule II controlled substance" in text
    assert "beyond what the label says, please talk to our pharmacist" in text
    assert "controlled substance" not in answer(kb["atorvastatin"], aspect)


def test_unknown_medicine_is_honest_and_passes_the_question_to_a_pharmacist():
    text = unknown_medicine_text("Mucinex")
    assert text.startswith("I don't have information on Mucinex,")
    assert "passing your question to our pharmacist" in text
    assert unknown_medicine_text("   ").startswith("I don't have information on that medicine,")
    assert unknown_medicine_text(None).startswith("I don't have information on that medicine,")
    assert len(unknown_medicine_text("x" * 5000)) < 200


@pytest.mark.parametrize("reason", PHARMACIST_ONLY_REASONS)
def test_every_pharmacist_only_reason_has_a_text(reason):
    assert "pharmacist" in pharmacist_only_text(reason)


def test_templates_have_only_known_placeholders():
    known = {
        "name",
        "Name",
        "Generic",
        "used_for",
        "common",
        "urgent",
        "how_to_take",
        "follow_directions",
        "missed_dose",
        "storage",
        "warnings",
        "brands",
        "availability",
        "drug_class",
        "schedule",
        "set_id",
        "reference",
        "effective_date",
        "last_reviewed",
        "topic",
        "text",
        "first",
        "second",
        "First",
        "first_class",
        "second_class",
    }
    for key, template in TEMPLATES["en"].items():
        fields = {field for _, field, _, _ in string.Formatter().parse(template) if field}
        assert fields <= known, key


# ----------------------------------------------------------------------------- aspects


@pytest.mark.parametrize(
    "text, aspect",
    [
        ("what are the side effects of lipitor", Aspect.SIDE_EFFECTS),
        ("any side-effects?", Aspect.SIDE_EFFECTS),
        ("does it make you sleepy", Aspect.SIDE_EFFECTS),
        ("what is it for", Aspect.USED_FOR),
        ("what's it for?", Aspect.USED_FOR),
        ("what is metformin used for", Aspect.USED_FOR),
        ("what does lisinopril treat", Aspect.USED_FOR),
        ("how do i take levothyroxine", Aspect.HOW_TO_TAKE),
        ("can i take it with food", Aspect.FOOD),
        ("should I take it before or after meals", Aspect.FOOD),
        ("take metformin with food?", Aspect.FOOD),
        ("does it have to be on an empty stomach", Aspect.FOOD),
        ("can I crush it", Aspect.HOW_TO_TAKE),
        ("i missed a dose", Aspect.MISSED_DOSE),
        ("I forgot to take it yesterday", Aspect.MISSED_DOSE),
        ("I forgot to take it with food", Aspect.MISSED_DOSE),
        ("how should I store it", Aspect.STORAGE),
        ("does it need to go in the fridge", Aspect.STORAGE),
        ("can insulin be refrigerated", Aspect.STORAGE),
        ("can i drink alcohol on it", Aspect.ALCOHOL),
        ("can i drink on metronidazole", Aspect.ALCOHOL),
        ("is a glass of wine ok with zoloft", Aspect.ALCOHOL),
        ("can I take it with grapefruit juice", Aspect.WARNINGS),
        ("can I drive after taking it", Aspect.DRIVING),
        ("is it ok to drive on gabapentin", Aspect.DRIVING),
        ("can my kid take tylenol", Aspect.CHILDREN),
        ("is it safe for kids", Aspect.CHILDREN),
        ("is zyrtec ok for a 6 year old", Aspect.CHILDREN),
        ("any warnings?", Aspect.WARNINGS),
        ("is there a generic", Aspect.BRAND_GENERIC),
        ("what is the brand name of atorvastatin", Aspect.BRAND_GENERIC),
        ("is lipitor the same as atorvastatin", Aspect.BRAND_GENERIC),
        ("tell me about zoloft", Aspect.OVERVIEW),
        ("what is xanax", Aspect.OVERVIEW),
        ("info on metformin please", Aspect.OVERVIEW),
        ("does lexapro cause weight gain", Aspect.SIDE_EFFECTS),
        ("does ibuprofen upset your stomach", Aspect.SIDE_EFFECTS),
        ("side affects of amlodopine", Aspect.SIDE_EFFECTS),
        ("missed my eliquis last night", Aspect.MISSED_DOSE),
        ("what happens if i skip a day of my synthroid", Aspect.MISSED_DOSE),
        ("how long does it take for prozac to work", Aspect.HOW_TO_TAKE),
        ("whats the max amount of acetaminophen per day", Aspect.HOW_TO_TAKE),
        ("is gabapentin a narcotic", Aspect.OVERVIEW),
        ("what class of drug is losartan", Aspect.OVERVIEW),
    ],
)
def test_aspect_detection(text, aspect):
    assert detect_aspect(text) is aspect


@pytest.mark.parametrize(
    "text",
    [
        "where is my order",
        "i need a refill",
        "thanks so much",
        "hello",
        "is the store open",
        "is there a drive-thru",
        "",
    ],
)
def test_no_aspect_in_messages_about_other_things(text):
    assert detect_aspect(text) is None


# ----------------------------------------------------------------------------- pharmacist only


@pytest.mark.parametrize(
    "text, reason",
    [
        ("can i take two advil", "dose_change"),
        ("Can I take 2 tylenol at once?", "dose_change"),
        ("should i increase my dose of metformin", "dose_change"),
        ("can i double up on my lisinopril", "dose_change"),
        ("my doctor said I could lower my dosage, can i just do it", "dose_change"),
        ("how many ibuprofen can i take in a day", "dose_change"),
        ("can i take ibuprofen with lisinopril", "combination"),
        ("is it ok to take tylenol and advil together", "combination"),
        ("can i mix xanax and ambien", "combination"),
        ("what can I take for a headache while on warfarin", "combination"),
        ("does sertraline interact with tramadol", "combination"),
        ("i'm pregnant, is zoloft safe", "pregnancy"),
        ("can i take amoxicillin while breastfeeding", "pregnancy"),
        ("is it safe during pregnancy", "pregnancy"),
        ("we are trying to get pregnant, is metformin ok", "pregnancy"),
        ("can i stop taking my sertraline", "stopping"),
        ("how do i come off venlafaxine", "stopping"),
        ("should i taper my prednisone", "stopping"),
        ("can i stop lisinopril now that my pressure is fine", "stopping"),
        ("can i switch from lipitor to crestor", "substitution"),
        ("can i take naproxen instead of ibuprofen", "substitution"),
        ("is it normal that I feel dizzy on it, should I worry", "personal_side_effect"),
        ("is this side effect serious for me", "personal_side_effect"),
        ("I've had a rash since starting lamotrigine", "personal_side_effect"),
        ("it makes me really dizzy, is that normal?", "personal_side_effect"),
        ("since i started lisinopril i have a dry cough", "personal_side_effect"),
        ("I\u2019m pregnant", "pregnancy"),  # typographic apostrophe
        ("can i lower my prednisone dose myself", "dose_change"),
        ("can i go up from 50 to 100 of sertraline on my own", "dose_change"),
        ("my doctor wants me to go from 25mg to 50 of zoloft", "dose_change"),
    ],
)
def test_questions_that_need_a_pharmacist(text, reason):
    assert pharmacist_only_reason(text) == reason


@pytest.mark.parametrize(
    "text",
    [
        "what are the side effects",
        "what are the side effects of lisinopril",
        "what are common side effects of zoloft",
        "does zoloft make you sleepy",
        "what is metformin used for",
        "how do i take levothyroxine",
        "can i take it with food",
        "can i take it with or without food",
        "how should I take amoxicillin with water",
        "can I mix it with applesauce",
        "is it ok if i take it at night",
        "can i drink alcohol with zoloft",
        "does lipitor interact with grapefruit",
        "how should i store insulin",
        "i missed a dose of lipitor what should i do",
        "is there a generic for crestor",
        "what does the label say about driving",
        "I have a headache, what is tylenol used for",
        "where is my order",
        "my order is late",
        "i need a refill",
        "thanks so much",
        "can i stop my auto refill",
        "stop sending me texts",
        "can I stop by the store later",
        "I get off work at 5, can I pick up then",
        "switch my delivery to pickup",
        "can i switch to english",
        "can i pick it up instead of delivery",
        "can i change my delivery address",
        "can you combine my orders",
        "the pharmacist mixed up my order",
        "can i take my pills with me on a plane",
        "i was double charged for my order",
        "do you have two locations",
        "can i use two coupons",
        "how many refills do i have left",
        "i take 2 different medications, can you refill both",
        "i'm sick of waiting for my order since monday",
        "how do I take this while on vacation",
        "can i go up from 30 to 90 days supply",
        "delivery went from 2 to 5 days",
        "",
    ],
)
def test_label_and_shop_questions_do_not_need_a_pharmacist(text):
    assert pharmacist_only_reason(text) is None


@pytest.mark.parametrize(
    "text, names",
    [
        ("could i be allergic to the ingredients in synthroid?", ["synthroid"]),
        ("can methylprednisolone tablets cause meningitis outbreaks", ["methylprednisolone"]),
        ("is metformin why my hair is thinning", ["metformin"]),
    ],
)
def test_a_question_no_label_topic_answers_is_beyond_the_label(text, names):
    assert asks_beyond_the_label(text, names)


@pytest.mark.parametrize(
    "text, names",
    [
        ("metformin", ["metformin"]),
        ("tell me about zoloft", ["zoloft"]),
        ("ibuprofen 200 mg tablets please", ["ibuprofen"]),
        ("what are the side effects of lipitor", ["lipitor"]),
        ("does lexapro cause weight gain", ["lexapro"]),
    ],
)
def test_a_name_or_a_label_topic_is_answered_from_the_label(text, names):
    assert not asks_beyond_the_label(text, names)
