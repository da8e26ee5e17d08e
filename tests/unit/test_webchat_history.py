from webchat.server import IDENTITY_PLACEHOLDER, _hostname, conversation_messages


def test_only_user_and_bot_messages_are_kept_in_order():
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "user", "text": "hi", "metadata": {}},
        {
            "event": "bot",
            "text": "Hello!",
            "data": {"buttons": [{"title": "Help", "payload": "/help"}]},
        },
        {"event": "slot", "name": "x", "value": 1},
        {"event": "user", "text": "/help", "metadata": {"button_title": "Help"}},
        {"event": "bot", "text": "I can help.", "data": {}},
    ]
    assert conversation_messages(events) == [
        {"from": "user", "text": "hi"},
        {"from": "bot", "text": "Hello!", "buttons": [{"title": "Help", "payload": "/help"}]},
        {"from": "user", "text": "Help"},
        {"from": "bot", "text": "I can help."},
    ]


def test_button_payload_without_a_title_is_shown_as_sent():
    assert conversation_messages([{"event": "user", "text": "/help"}]) == [
        {"from": "user", "text": "/help"}
    ]


def test_hostname_drops_the_port_of_the_host_header():
    assert _hostname("localhost:8080") == "localhost"
    assert _hostname("[::1]:8080") == "[::1]"
    assert _hostname("shop.example.org") == "shop.example.org"


def test_a_text_with_blank_lines_is_split_like_the_live_channel_does():
    events = [
        {
            "event": "bot",
            "text": "Answer.\n\nSource: label.\n\nDisclaimer.",
            "data": {"buttons": [{"title": "Ask a pharmacist", "payload": "/request_human"}]},
        }
    ]
    assert conversation_messages(events) == [
        {"from": "bot", "text": "Answer."},
        {"from": "bot", "text": "Source: label."},
        {
            "from": "bot",
            "text": "Disclaimer.",
            "buttons": [{"title": "Ask a pharmacist", "payload": "/request_human"}],
        },
    ]


def test_messages_that_answered_the_identity_check_are_hidden_whatever_their_form():
    events = [
        {"event": "user", "text": "where is EP-100012"},
        {"event": "slot", "name": "possession_input", "value": "EP-100012"},
        {"event": "bot", "text": "What's your date of birth?"},
        {"event": "user", "text": "the fourteenth of march, fifty-eight"},
        {"event": "slot", "name": "dob_input", "value": "the fourteenth of march, fifty-eight"},
        {"event": "slot", "name": "dob_input", "value": "verified"},
        {"event": "user", "text": "thanks"},
        {"event": "slot", "name": "possession_input", "value": None},
    ]
    assert [m["text"] for m in conversation_messages(events) if m["from"] == "user"] == [
        IDENTITY_PLACEHOLDER,
        IDENTITY_PLACEHOLDER,
        "thanks",
    ]
