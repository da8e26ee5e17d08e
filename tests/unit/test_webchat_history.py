from webchat.server import conversation_messages


def test_only_user_and_bot_messages_are_kept_in_order():
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "user", "text": "hi", "metadata": {}},
        {"event": "bot", "text": "Hello!", "data": {"buttons": [{"title": "Help", "payload": "/help"}]}},
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
        {"from": "user", "text": "/help"}]
