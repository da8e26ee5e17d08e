"""The fallback action run with real Rasa SDK trackers and dispatcher."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultFallback, previous_turn_was_fallback


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
    assert events == []


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_message_is_named_as_empty(text):
    messages, _ = run(text)
    assert "looks empty" in messages[0]["text"]


def test_over_long_message_states_the_limit(monkeypatch):
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "100")
    messages, _ = run("x" * 101)
    assert "100 characters" in messages[0]["text"]


def _tracker(events):
    return Tracker("shopper-2", {}, {"text": "zzz"}, events, False, None, {}, "action_listen")


def test_second_fallback_in_a_row_is_recognised_but_not_after_a_normal_answer():
    user = {"event": "user", "text": "zzz"}
    listen = {"event": "action", "name": "action_listen"}
    fallback = {"event": "action", "name": "action_default_fallback"}
    greet = {"event": "action", "name": "utter_greet"}
    assert previous_turn_was_fallback(_tracker([listen, user, fallback, listen, user]))
    assert not previous_turn_was_fallback(_tracker([listen, user, greet, listen, user]))
    assert not previous_turn_was_fallback(_tracker([listen, user]))
    assert not previous_turn_was_fallback(
        _tracker([listen, user, fallback, listen, user, greet, listen, user])
    )
