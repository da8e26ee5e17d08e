"""Conversation basics against the running stack: real Rasa server, action server and database."""

import time

import requests

from pharmacy.rasa_api import RasaApi

GIBBERISH = "qwxz plorf vvbnq ahsgdk"


def test_hi_is_answered_with_a_greeting_and_buttons(new_chat):
    replies = new_chat().send("hi")
    assert "Evergreen Pharmacy assistant" in replies[0]["text"]
    assert [b["payload"] for b in replies[0]["buttons"]] == [
        "/request_refill",
        "/track_order",
        "/help",
        "/request_human",
    ]


def test_help_button_payload_explains_what_the_assistant_does(new_chat):
    assert "put you through to our pharmacy team" in new_chat().texts("/help")


def test_asking_for_a_person_puts_the_shopper_in_the_queue(new_chat):
    assert "in the queue" in new_chat().texts("i want to talk to a real person")


def test_gibberish_gets_a_rephrase_request_and_a_person_offered(new_chat):
    replies = new_chat().send(GIBBERISH)
    assert len(replies) == 1
    # Either answer is honest about not helping; what matters is the way out to a person.
    assert (
        "didn't understand" in replies[0]["text"]
        or "can't help with that here" in replies[0]["text"]
    )
    assert "/request_human" in [b["payload"] for b in replies[0]["buttons"]]


def test_empty_message_is_answered(new_chat):
    assert "looks empty" in new_chat().texts("")


def test_ten_thousand_characters_are_answered_with_the_limit(new_chat):
    text = ("I have a question about my medicine and my order " * 250)[:10000]
    assert "2000 characters" in new_chat().texts(text)


def test_conversation_goes_on_normally_after_bad_input(new_chat):
    chat = new_chat()
    chat.send(GIBBERISH)
    chat.send("")
    assert "Evergreen Pharmacy assistant" in chat.texts("hello")


def test_rasa_http_api_takes_only_a_signed_token_in_the_header(stack):
    status = f"{stack.config.rasa_url}/status"
    assert requests.get(status, timeout=10).status_code == 401
    forged = RasaApi(stack.api.url, "not-the-secret-not-the-secret-xx").headers()
    assert requests.get(status, headers=forged, timeout=10).status_code == 401
    expired = stack.api.headers(now=time.time() - 3600)
    assert requests.get(status, headers=expired, timeout=10).status_code == 401
    assert requests.get(status, headers=stack.api.headers(), timeout=10).status_code == 200


def test_web_page_config_points_the_browser_at_rasa(stack):
    config = requests.get(f"{stack.config.web_url}/config.json", timeout=10).json()
    assert config["rasaUrl"].endswith(f":{stack.config.rasa_port}")
    assert config["maxMessageChars"] == 2000


def test_history_refuses_malformed_session_ids(stack):
    for session_id in ("..%2F..%2Fstatus", "short", "not_a_chat_id", "x" * 65):
        response = requests.get(f"{stack.config.web_url}/api/history/{session_id}", timeout=10)
        # Refused by the id check itself, not merely missed by the router.
        assert (response.status_code, response.text) == (400, "invalid session id"), session_id


def test_history_survives_a_rasa_server_restart(stack, new_chat):
    chat = new_chat()
    chat.send("hi")
    chat.send("what can you do")
    history_url = f"{stack.config.web_url}/api/history/{chat.sender}"
    proof = {"X-Chat-Secret": chat.secret}
    before = requests.get(history_url, headers=proof, timeout=10).json()["messages"]
    assert [m["from"] for m in before] == ["user", "bot", "user", "bot"]

    stack.restart("rasa")

    after = requests.get(history_url, headers=proof, timeout=10).json()["messages"]
    assert after == before
    assert "Evergreen Pharmacy assistant" in chat.texts("hello again")


def test_an_oversized_body_is_refused_before_any_work_and_the_server_keeps_answering(
    stack, new_chat
):
    chat = new_chat()
    huge = "a" * (5 * 1024 * 1024)
    refused = requests.post(
        f"{stack.config.rasa_url}/webhooks/rest/webhook",
        json={"sender": chat.sender, "message": huge},
        timeout=60,
    )
    assert refused.status_code == 413
    assert stack.services[[s.name for s in stack.services].index("rasa")].process.poll() is None
    assert "Evergreen Pharmacy assistant" in chat.texts("hello")
