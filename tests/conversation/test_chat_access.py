"""Who may speak in a chat, against the running stack (issue 13, items 2 and 3): the chat's
secret, history only for its holder, the end of verification, typed Rasa commands, login tokens
used once, and date-of-birth guessing across chats."""

from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import update

from ops.rest_chat import RestChat
from pharmacy.access.models import ChatSession
from pharmacy.database import session_scope
from pharmacy.messages import render
from tests.conversation.helpers import MARIA, logged_in, tickets_for

ASK_DOB = "What's your date of birth?"


def post_without_secret(stack, sender, metadata=None):
    return requests.post(
        f"{stack.config.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "where is my order", "metadata": metadata or {}},
        timeout=30,
    )


def history(stack, chat_id, secret):
    return requests.get(
        f"{stack.config.web_url}/api/history/{chat_id}",
        headers={"X-Chat-Secret": secret} if secret else {},
        timeout=10,
    )


def test_a_chat_id_alone_opens_nothing(stack, new_chat):
    chat = new_chat()
    chat.send("hi")
    for metadata in (
        {},
        {"session_secret": "made-up.0000000000000000000000"},
        {"session_secret": new_chat().secret},
    ):
        refused = post_without_secret(stack, chat.sender, metadata)
        assert refused.status_code == 403
        assert refused.json()[0]["text"] == render("access.refused").text  # names 911
    assert history(stack, chat.sender, None).status_code == 403
    assert history(stack, chat.sender, new_chat().secret).status_code == 403
    assert history(stack, chat.sender, chat.secret).status_code == 200


def test_history_never_shows_the_identity_factors_typed(stack, new_chat):
    chat = new_chat()
    chat.send("where is my order")
    chat.send("March 14, 1958")
    assert "verified" in chat.texts("503/555/0101")
    messages = history(stack, chat.sender, chat.secret).json()["messages"]
    shown = " ".join(m["text"] for m in messages if m["from"] == "user")
    assert "1958" not in shown and "555" not in shown and "0101" not in shown


def test_the_page_server_issues_chats_to_the_allowed_origins_only(stack):
    issued = requests.post(f"{stack.config.web_url}/api/chat-sessions", timeout=10).json()
    chat = RestChat(stack.config.rasa_url, "unused", issued["session_id"])
    chat.secret = issued["session_secret"]
    assert "Evergreen Pharmacy assistant" in chat.send("hi")[0]["text"]
    allowed = stack.allowed_origins()[0]
    preflight = requests.options(
        f"{stack.config.web_url}/api/chat-sessions", headers={"Origin": allowed}, timeout=10
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == allowed
    foreign = requests.options(
        f"{stack.config.web_url}/api/chat-sessions",
        headers={"Origin": "https://evil.example"},
        timeout=10,
    )
    assert foreign.status_code == 403 and "Access-Control-Allow-Origin" not in foreign.headers


def test_ending_a_chat_ends_its_verification_and_its_secret(stack, new_chat):
    chat = new_chat()
    send = logged_in(chat, stack, MARIA[0])
    assert ASK_DOB not in send("where is my order")[0]["text"]
    ended = requests.post(
        f"{stack.config.web_url}/api/chat-sessions/{chat.sender}/end",
        headers={"X-Chat-Secret": chat.secret},
        timeout=10,
    )
    assert ended.status_code == 200
    after = chat.post("where is my order")
    assert after.status_code == 403 and after.json()[0]["text"] == render("access.ended").text
    assert history(stack, chat.sender, chat.secret).status_code == 410


def test_verification_lapses_after_its_time_however_many_messages_follow(
    stack, new_chat, seeded_database
):
    chat = new_chat()
    send = logged_in(chat, stack, MARIA[0])
    assert ASK_DOB not in send("where is my order")[0]["text"]
    with session_scope(seeded_database) as session:  # as if 30 minutes had passed
        session.execute(
            update(ChatSession)
            .where(ChatSession.chat_id == chat.sender)
            .values(verified_until=datetime.utcnow() - timedelta(seconds=1))
        )
    replies = chat.texts("where is my order")
    assert "verification lasts 30 minutes" in replies and ASK_DOB in replies


def test_a_login_token_opens_one_chat_only(stack, new_chat):
    token = stack.login_token(MARIA[0])
    first, second = new_chat(), new_chat()
    assert ASK_DOB not in first.texts_with("where is my order", token)
    replayed = second.texts_with("where is my order", token)
    assert "could not be confirmed" in replayed and ASK_DOB in replayed


@pytest.mark.parametrize("command", ["/restart", "/session_start", "/back"])
def test_typed_rasa_commands_do_not_reset_the_conversation(stack, new_chat, command):
    chat = new_chat()
    chat.send("where is my order")
    chat.send(command)
    events = requests.get(
        f"{stack.config.rasa_url}/conversations/{chat.sender}/tracker",
        headers=stack.api.headers(),
        timeout=10,
    ).json()["events"]
    kinds = [e["event"] for e in events]
    assert "restart" not in kinds and "undo" not in kinds and kinds.count("session_started") == 1


def test_guessing_a_date_of_birth_across_new_chats_locks_and_alerts_once(
    stack, new_chat, seeded_database, own_customer
):
    reference, right_dob, phone = own_customer
    replies, chats = [], []
    for year in (1961, 1962, 1963):  # each guess from a fresh chat, as a script would
        chat = new_chat()
        chats.append(chat.sender)
        chat.send("where is my order")
        chat.send(f"05/09/{year}")
        replies.append(chat.texts(phone))
    assert "Attempts left: 2" in replies[0] and "Attempts left: 1" in replies[1]
    assert "can't try verification again" in replies[2]
    late = new_chat()
    late.send("where is my order")
    late.send(right_dob)
    assert "paused for" in late.texts(phone)  # the right answer is not even compared now
    alerts = [
        t
        for chat in chats + [late.sender]
        for t in tickets_for(seeded_database, chat)
        if t[0] == "identity_failed"
    ]
    assert len(alerts) == 1
