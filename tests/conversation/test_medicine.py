"""Medication information, pharmacist-only questions and FAQs against the running stack (issue 4)."""

import pytest

from tests.conversation.helpers import tickets_for

DISCLAIMER = "not medical advice"


@pytest.mark.parametrize(
    "question,expected",
    [
        ("what is lisinopril for", "What lisinopril is used for"),
        ("what are the side effects of metformin", "Common side effects of metformin"),
        ("how do i take levothyroxine", "How levothyroxine is usually taken"),
        (
            "i forgot my atorvastatin this morning, what should i do",
            "If you miss a dose of atorvastatin",
        ),
        ("how should i store omeprazole", "How to store omeprazole"),
        ("any warnings for warfarin", "Important warnings for warfarin"),
        ("is there a generic for zestril", "Lisinopril is the generic name"),
    ],
)
def test_each_aspect_is_answered_from_the_label_with_source_and_disclaimer(
    new_chat, question, expected
):
    answer = new_chat().texts(question)
    assert expected in answer
    assert "Source: FDA product label" in answer and DISCLAIMER in answer


def test_a_misspelled_brand_name_is_understood_and_said_so(new_chat):
    answer = new_chat().texts("lipiter side effects")
    assert (
        'I took "lipiter" to mean atorvastatin' in answer
        or "side effects of atorvastatin" in answer
    )
    assert "Common side effects of atorvastatin" in answer


def test_an_unknown_medicine_gets_an_honest_answer_and_its_question_goes_to_a_pharmacist(
    new_chat, seeded_database
):
    chat = new_chat()
    text = chat.texts("can u tell me if i can drink alcohol on dapsone")
    assert "I don't have information on dapsone" in text
    tickets = tickets_for(seeded_database, chat.sender)
    assert tickets[0][0] == "pharmacist_only" and "dapsone" in tickets[0][4]


def test_a_word_that_is_not_a_medicine_is_never_named_as_one(new_chat):
    text = new_chat().texts("tell me about xyzzafen")
    assert "xyzzafen" not in text


def test_a_follow_up_keeps_the_medicine_of_the_previous_turn(new_chat):
    chat = new_chat()
    assert "What metformin is used for" in chat.texts("what is metformin used for")
    assert "Common side effects of metformin" in chat.texts("and what about side effects?")


def test_two_medicines_in_one_message_are_both_answered(new_chat):
    answer = new_chat().texts("what are sertraline and amlodipine used for")
    assert "What sertraline is used for" in answer and "What amlodipine is used for" in answer


@pytest.mark.parametrize(
    "question",
    [
        "can i double my dose of lisinopril",
        "can i take ibuprofen with my warfarin",
        "is sertraline safe while pregnant",
    ],
)
def test_pharmacist_only_questions_go_to_a_pharmacist_with_the_question(
    new_chat, seeded_database, question
):
    chat = new_chat()
    answer = chat.texts(question)
    assert "needs a pharmacist" in answer and "in the queue" in answer
    assert "Common side effects" not in answer
    tickets = tickets_for(seeded_database, chat.sender)
    assert tickets[0][0] == "pharmacist_only"
    assert question in tickets[0][4]  # the question travels with the ticket


def test_controlled_substances_go_to_a_pharmacist(new_chat, seeded_database):
    chat = new_chat()
    assert "needs a pharmacist" in chat.texts("what are the side effects of oxycodone")
    assert tickets_for(seeded_database, chat.sender)[0][0] == "pharmacist_only"


@pytest.mark.parametrize(
    "question,expected",
    [
        ("do you ship to alaska", "50"),
        ("can i return medicine i don't need anymore", "return"),
        ("how do i transfer my prescription from cvs", "transfer"),
    ],
)
def test_service_questions_get_the_faq_answer(new_chat, question, expected):
    assert expected in new_chat().texts(question).lower()


def test_an_emergency_in_the_middle_of_a_medicine_conversation_comes_first(new_chat):
    chat = new_chat()
    chat.texts("what is metformin for")
    answer = chat.texts("my toddler just swallowed two of them")
    assert "1-800-222-1222" in answer


def test_two_medicines_compared_get_one_short_comparison(new_chat):
    text = new_chat().texts("whats the difference between advil and tylenol")
    assert "Ibuprofen vs acetaminophen:" in text
    assert "You can ask me about its side effects" not in text  # not two overviews


def test_is_it_safe_for_kids_after_an_answer_is_about_children_not_the_overview_again(
    new_chat,
):
    chat = new_chat()
    chat.texts("tell me about tylenol")
    text = chat.texts("is it safe for kids")
    assert "children" in text
    assert "What it is used for" not in text
