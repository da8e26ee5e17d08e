"""Scoring of ops.intent_eval on a tiny made-up file."""

import json

import pytest

from ops.intent_eval import intent_from_events, read_cases, score

ROWS = [
    {"id": "a", "text": "where's my parcel", "intent": "delivery_tracking"},
    {"id": "b", "text": "box came crushed", "intent": "delivery_tracking"},
    {"id": "c", "text": "book me a hotel", "intent": "out_of_scope"},
    {"id": "d", "text": "what's the weather", "intent": "out_of_scope"},
    {"id": "e", "text": "hey", "intent": "greet"},
]


@pytest.fixture
def cases(tmp_path):
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS) + "\n")
    return read_cases(path)


def test_class_met_by_any_of_its_intents_and_macro_is_unweighted(cases):
    predicted = [
        "track_order",
        "report_delivery_problem",
        "out_of_scope",
        "faq",
        "ask_medicine_info",
    ]
    figures = score(cases, predicted)
    assert figures["accuracy"] == {"delivery_tracking": 1.0, "greet": 0.0, "out_of_scope": 0.5}
    assert figures["macro"] == pytest.approx(0.5)
    assert figures["counts"]["out_of_scope"] == 2
    assert figures["confusions"] == {"out_of_scope": {"faq": 1}, "greet": {"ask_medicine_info": 1}}


def test_unknown_class_is_refused(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": "hi", "intent": "hello"}) + "\n")
    with pytest.raises(SystemExit, match="unknown intent 'hello'"):
        read_cases(path)


def test_intent_is_the_last_user_message_s():
    events = [
        {"event": "user", "parse_data": {"intent": {"name": "greet"}}},
        {"event": "action", "name": "utter_greet"},
        {"event": "user", "parse_data": {"intent": {"name": "out_of_scope"}}},
        {"event": "action", "name": "utter_out_of_scope"},
    ]
    assert intent_from_events(events) == "out_of_scope"
    assert intent_from_events([{"event": "action", "name": "action_listen"}]) == "none"


def test_a_running_stack_is_used_with_its_own_secrets(monkeypatch):
    from ops.eval_stack import evaluation_stack

    monkeypatch.setenv("RASA_JWT_SECRET", "jwt-secret-for-this-test-0123456789abcdef")
    monkeypatch.setenv("CHAT_SESSION_KEY", "chat-key-for-this-test-0123456789abcdef")
    with evaluation_stack("http://localhost:5999/", "intent-eval") as (rasa, chat_key):
        assert rasa.url == "http://localhost:5999"
        assert rasa.secret == "jwt-secret-for-this-test-0123456789abcdef"
        assert rasa.caller == "intent-eval"
        assert chat_key == "chat-key-for-this-test-0123456789abcdef"


def test_a_message_with_its_own_line_separators_stays_one_case(tmp_path):
    path = tmp_path / "raw.jsonl"
    rows = [{"id": "x", "text": "hi\u2028there\x85again", "intent": "greet"}]
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    assert [case.text for case in read_cases(path)] == ["hi\u2028there\x85again"]
