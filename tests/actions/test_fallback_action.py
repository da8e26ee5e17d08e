"""The fallback action run with real Rasa SDK trackers and dispatcher."""

import asyncio
import uuid

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultFallback
from pharmacy.messages import CATALOGUE, Message
from tests.actions.turns import Turns


def tracker_after(text):
    latest = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 1.0}, "entities": []}
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest},
    ]
    return Tracker("shopper-1", {}, latest, events, False, None, {}, "action_listen")


def run(text):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDefaultFallback().run(dispatcher, tracker_after(text), {}))
    return dispatcher.messages, events


def test_unclear_text_gets_a_rephrase_request_with_a_person_offered():
    messages, events = run("asdkjh qwpoei zzz")
    assert len(messages) == 1
    assert "didn't understand" in messages[0]["text"]
    assert {"title": "Talk to a person", "payload": "/request_human"} in messages[0]["buttons"]
    assert events == [slot_event("unclear_replies", 1)]


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_message_is_named_as_empty(text):
    messages, _ = run(text)
    assert "looks empty" in messages[0]["text"]


def test_over_long_message_states_the_limit(monkeypatch):
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "100")
    messages, _ = run("x" * 101)
    assert "100 characters" in messages[0]["text"]


def slot_event(name, value):
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


@pytest.fixture
def people_on_duty(seeded_database, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_database)
    monkeypatch.setenv("HANDOFF_HOURS", "Mon-Sun 00:00-24:00 UTC")


def fallback_turn(turns, text="zzz qqq"):
    turns.message(text)
    said, _ = turns.run(ActionDefaultFallback())
    return " ".join(said)


def test_second_misunderstanding_in_a_row_brings_a_person(people_on_duty):
    turns = Turns(f"fallback-{uuid.uuid4()}")
    first = fallback_turn(turns)
    assert "didn't understand" in first and turns.slot("unclear_replies") == 1
    second = fallback_turn(turns)
    assert "still not getting it" in second and "in the queue" in second
    assert turns.slot("unclear_replies") == 2 and turns.slot("handoff_active") is True


def test_an_answered_message_in_between_starts_the_count_again(people_on_duty):
    turns = Turns(f"fallback-{uuid.uuid4()}")
    fallback_turn(turns)
    turns.message("hello", intent="greet")
    turns.other_action("utter_greet", "Hi!")  # a domain response: it sets no slot itself
    assert turns.slot("unclear_replies") == 0 and turns.slot("unclear_replies_before") == 1
    again = fallback_turn(turns)
    assert "didn't understand" in again and "in the queue" not in again


def test_an_empty_message_counts_as_a_misunderstanding_but_is_named_as_empty(people_on_duty):
    turns = Turns(f"fallback-{uuid.uuid4()}")
    assert "looks empty" in fallback_turn(turns, "  ")
    assert "looks empty" in fallback_turn(turns, "  ")  # said again, not a person for emptiness
    assert turns.slot("unclear_replies") == 2
    assert "in the queue" in fallback_turn(turns)


@pytest.mark.parametrize(
    "key, text",
    [
        ("fallback.default", "Hmm?"),
        ("fallback.default", "Sorry, I'm still not getting it."),  # reads like the handoff
        ("handoff.low_confidence", "Hmm? Number {position}, {minutes} minutes."),
    ],
)
def test_rewording_the_messages_does_not_change_when_a_person_is_brought_in(
    people_on_duty, monkeypatch, key, text
):
    monkeypatch.setitem(CATALOGUE["en"], key, Message(text))
    turns = Turns(f"fallback-{uuid.uuid4()}")
    fallback_turn(turns)
    fallback_turn(turns)
    assert turns.slot("handoff_active") is True


def test_a_health_question_that_fell_through_goes_to_a_pharmacist(people_on_duty):
    question = "my medications are not helping with my mood, what should i do now"
    turns = Turns(f"fallback-{uuid.uuid4()}")
    said = fallback_turn(turns, question)
    assert "needs a pharmacist" in said and "didn't understand" not in said
    assert turns.slot("handoff_active") is True
    assert turns.slot("unclear_replies") in (None, 0)  # not counted as a misunderstanding
