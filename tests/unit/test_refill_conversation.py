"""How the refill form reads a reply at each step (pharmacy/refills/conversation.py), no database."""

import pytest

from pharmacy.models import Address, Prescription
from pharmacy.refills.conversation import (
    PICKUP,
    Change,
    FormAnswer,
    Reply,
    Step,
    interpret,
    match_delivery,
)

LISINOPRIL = Prescription(
    id=1,
    rx_number="RX1000001",
    medicine_id="lisinopril",
    medicine_name="Lisinopril",
    strength="10 mg tablet",
)
METFORMIN = Prescription(
    id=2,
    rx_number="RX1000002",
    medicine_id="metformin",
    medicine_name="Metformin",
    strength="500 mg tablet",
)
ATORVASTATIN = Prescription(
    id=3,
    rx_number="RX1000003",
    medicine_id="atorvastatin",
    medicine_name="Atorvastatin",
    strength="20 mg tablet",
)
PRESCRIPTIONS = [LISINOPRIL, METFORMIN, ATORVASTATIN]
HOME = Address(id=11, label="Home", city="Portland")
WORK = Address(id=12, label="Work", city="Portland")
ADDRESSES = [HOME, WORK]


def read(
    step,
    text,
    intent="inform",
    entities=None,
    current_rx=(),
    current_delivery=None,
    addresses=ADDRESSES,
):
    return interpret(
        step,
        Reply(text, intent, entities or {}),
        PRESCRIPTIONS,
        addresses,
        current_rx,
        current_delivery,
    )


# ----------------------------------------------------------------------------- which prescription


@pytest.mark.parametrize(
    "text, entities, expected",
    [
        ("RX1000002", {}, ("RX1000002",)),
        ("refill rx-1000003 please", {}, ("RX1000003",)),
        ("/request_refill", {"rx_number": "RX1000001"}, ("RX1000001",)),  # a pick-list button
        ("the metformin one", {}, ("RX1000002",)),
        ("my lipitor", {}, ("RX1000003",)),  # brand name of atorvastatin
        ("lisnopril", {}, ("RX1000001",)),  # misspelt
        ("all of them", {}, ("RX1000001", "RX1000002", "RX1000003")),
    ],
)
def test_a_prescription_can_be_named_by_rx_number_button_medicine_or_all(text, entities, expected):
    assert read(Step.PRESCRIPTIONS, text, entities=entities).rx_numbers == expected


def test_an_rx_number_that_is_not_theirs_is_reported_not_guessed():
    answer = read(Step.PRESCRIPTIONS, "RX7777777 please")
    assert answer == FormAnswer(unknown_rx="RX7777777")


@pytest.mark.parametrize(
    "text",
    [
        "all",
        "both",
        "everything please",
        "refill all my meds",
        "each of my prescriptions",
        "all three prescriptions",
    ],
)
def test_whole_list_phrases_mean_every_prescription(text):
    assert read(Step.PRESCRIPTIONS, text, intent="request_refill").rx_numbers == tuple(
        p.rx_number for p in PRESCRIPTIONS
    )


@pytest.mark.parametrize(
    "text", ["I'm all out", "I take one every day", "all the time", "that's all", "every morning"]
)
def test_everyday_words_with_all_or_every_choose_nothing(text):
    assert read(Step.PRESCRIPTIONS, text, intent="inform").rx_numbers is None


def test_a_medicine_question_at_the_first_step_chooses_nothing_but_a_bare_name_does():
    question = read(
        Step.PRESCRIPTIONS, "what are the side effects of metformin", intent="ask_medicine_info"
    )
    assert question == FormAnswer()
    assert read(Step.PRESCRIPTIONS, "metformin?", intent="ask_medicine_info") == FormAnswer()
    assert read(Step.PRESCRIPTIONS, "metformin", intent="ask_medicine_info").rx_numbers == (
        "RX1000002",
    )


def test_an_unreadable_answer_is_unclear_but_another_question_is_not_an_answer():
    assert read(Step.PRESCRIPTIONS, "the blue ones", intent="inform").unclear
    assert read(Step.PRESCRIPTIONS, "asdkj qwe", intent="nlu_fallback").unclear
    not_an_answer = read(Step.PRESCRIPTIONS, "do you deliver on saturdays", intent="faq")
    assert not not_an_answer.is_answer


@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("intent", ["deny", "stop"])
def test_no_or_stop_cancels_at_every_step(step, intent):
    assert read(
        step, "no, forget it", intent=intent, current_rx=("RX1000001",), current_delivery=PICKUP
    ).cancelled


# ----------------------------------------------------------------------------- delivery


@pytest.mark.parametrize(
    "text, entities, expected",
    [
        ("/choose_delivery", {"delivery": "12"}, "12"),
        ("/choose_delivery", {"delivery": PICKUP}, PICKUP),
        ("ship it to my work address", {}, "12"),
        ("home please", {}, "11"),
        ("Work", {}, "12"),
        ("ship it home", {}, "11"),
        ("I'll pick it up", {}, PICKUP),
        ("collect in store", {}, PICKUP),
    ],
)
def test_delivery_by_button_or_words(text, entities, expected):
    assert (
        read(
            Step.DELIVERY,
            text,
            intent="choose_delivery",
            entities=entities,
            current_rx=("RX1000001",),
        ).delivery
        == expected
    )


def test_a_delivery_button_for_someone_elses_address_is_not_accepted():
    assert (
        match_delivery(ADDRESSES, Reply("/choose_delivery", "choose_delivery", {"delivery": "999"}))
        is None
    )


def test_just_ship_it_means_the_only_address_on_file_but_is_ambiguous_with_two():
    assert match_delivery([HOME], Reply("just ship it", "choose_delivery")) == "11"
    assert read(Step.DELIVERY, "just ship it", intent="choose_delivery").unclear


# ----------------------------------------------------------------------------- confirmation


def confirm(text, intent, entities=None):
    return read(
        Step.CONFIRMATION,
        text,
        intent=intent,
        entities=entities,
        current_rx=("RX1000001",),
        current_delivery="11",
    )


def test_only_a_yes_confirms():
    assert confirm("yes", "affirm").confirmed
    assert confirm("yes, to my home", "affirm").confirmed  # the same delivery, said again
    assert confirm("that will work", "affirm").confirmed  # "work" here is not the Work address
    restated = confirm("ship it to my home", "choose_delivery")
    assert not restated.confirmed and restated.unclear  # the summary is shown again


@pytest.mark.parametrize(
    "text, intent",
    [
        ("how long does shipping take", "faq"),
        ("can I pick up at a store near me", "faq"),
        ("do you deliver to my home address on weekends", "faq"),
        ("is lisinopril safe with ibuprofen", "ask_medicine_info"),
        ("where is my order", "track_order"),
    ],
)
def test_questions_at_the_summary_confirm_nothing_and_change_nothing(text, intent):
    assert (
        read(
            Step.CONFIRMATION, text, intent=intent, current_rx=("RX1000002",), current_delivery="11"
        )
        == FormAnswer()
    )


@pytest.mark.parametrize(
    "text, intent",
    [
        ("how long does shipping take", "faq"),
        ("can I pick up at a store near me", "faq"),
        ("what is metformin used for", "ask_medicine_info"),
    ],
)
def test_questions_at_the_delivery_step_choose_nothing(text, intent):
    assert (
        read(Step.DELIVERY, text, intent=intent, current_rx=("RX1000001",), addresses=[HOME])
        == FormAnswer()
    )


def test_an_rx_number_that_is_not_theirs_at_a_later_step_is_reported():
    assert confirm("make it RX7777777", "request_refill") == FormAnswer(unknown_rx="RX7777777")


def test_a_new_delivery_at_the_summary_changes_it_even_after_a_no():
    assert confirm("no, ship it to work instead", "deny") == FormAnswer(delivery="12")
    assert confirm("actually I'll pick it up", "choose_delivery") == FormAnswer(delivery=PICKUP)


def test_another_medicine_at_the_summary_changes_the_prescriptions():
    assert confirm("make it the metformin instead", "request_refill").rx_numbers == ("RX1000002",)


@pytest.mark.parametrize(
    "text, intent, entities, change",
    [
        ("/change_answer", "change_answer", {"refill_field": "delivery"}, Change.DELIVERY),
        (
            "/change_answer",
            "change_answer",
            {"refill_field": "prescriptions"},
            Change.PRESCRIPTIONS,
        ),
        ("change the delivery method", "change_answer", {}, Change.DELIVERY),
        ("wrong medicine", "change_answer", {}, Change.PRESCRIPTIONS),
        ("wait, let me change that", "change_answer", {}, Change.UNSPECIFIED),
        ("can I use a different address", "change_address", {}, Change.DELIVERY),
    ],
)
def test_change_requests_say_what_to_ask_again(text, intent, entities, change):
    assert confirm(text, intent, entities).change is change


def test_a_question_at_the_summary_is_left_to_other_skills():
    assert not confirm("is lisinopril safe with ibuprofen", "ask_medicine_info").is_answer


HCTZ = Prescription(
    id=4,
    rx_number="RX1000004",
    medicine_id="hydrochlorothiazide",
    medicine_name="Hydrochlorothiazide",
    strength="25 mg tablet",
)


def test_class_words_choose_the_one_prescription_they_fit():
    assert read(Step.PRESCRIPTIONS, "my statin please", intent="request_refill").rx_numbers == (
        ATORVASTATIN.rx_number,
    )
    assert read(Step.PRESCRIPTIONS, "refill my blood pressure pills").rx_numbers == (
        LISINOPRIL.rx_number,
    )


def test_class_words_that_fit_several_prescriptions_ask_which():
    several = interpret(
        Step.PRESCRIPTIONS,
        Reply("my blood pressure pills", "inform", {}),
        [*PRESCRIPTIONS, HCTZ],
        ADDRESSES,
    )
    assert several.rx_numbers is None
    assert several.several == ("Lisinopril", "Hydrochlorothiazide")
    every = interpret(
        Step.PRESCRIPTIONS,
        Reply("all my blood pressure pills", "inform", {}),
        [*PRESCRIPTIONS, HCTZ],
        ADDRESSES,
    )
    assert every.rx_numbers == (LISINOPRIL.rx_number, HCTZ.rx_number)


def test_class_words_of_a_class_they_have_no_prescription_of_choose_nothing():
    answer = read(Step.PRESCRIPTIONS, "my thyroid med", intent="inform")
    assert answer.rx_numbers is None and answer.several is None
