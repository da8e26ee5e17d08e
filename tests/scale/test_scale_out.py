"""Scale-out on PostgreSQL, Redis and nginx (issue 16, item 3): two Rasa instances serve one
conversation as one, a push through one reaches a socket held by the other, and stopping one
under load loses no message."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import socketio

from desk.rasa_push import deliver
from ops.rest_chat import RestChat
from pharmacy.access.chat_sessions import SECRET_METADATA_KEY, issue_secret
from pharmacy.access.gate import CLIENT_ADDRESS_KEY
from pharmacy.handoff import TicketStatus
from pharmacy.messages import render
from pharmacy.rasa_api import RasaApi
from tests.conversation.helpers import MARIA
from tests.conversation.test_handoff import desk_writes

TROUBLE = render("service.trouble").text
# Each understood, so none is a misunderstanding (two in a row bring a person, and the bot waits).
MESSAGES = ["hello", "what is metformin used for", "lipiter side effects", "tell me about tylenol"]


def instance_chat(scaled, instance: int, chat: RestChat) -> RestChat:
    """The same chat (id and secret) sent to one Rasa instance directly."""
    other = RestChat(scaled.rasa_instance_urls[instance], scaled.chat_key, chat.sender)
    other.secret = chat.secret
    return other


def texts(replies) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def user_texts(scaled, chat_id: str) -> list[str]:
    response = scaled.api.tracker(chat_id)
    response.raise_for_status()
    return [e["text"] for e in response.json()["events"] if e["event"] == "user"]


def test_messages_alternating_between_instances_stay_one_conversation(scaled):
    first = RestChat(scaled.rasa_instance_urls[0], scaled.chat_key)
    second = instance_chat(scaled, 1, first)

    # The identity check started on one instance goes on on the other: the form's slots and
    # the turns so far are in the shared tracker store.
    assert "What's your date of birth?" in texts(first.send("where is my order"))
    assert "an order number" in texts(second.send(MARIA[1]))
    assert "you're verified" in texts(first.send(MARIA[2]))
    # Verified on one instance, still verified on the other.
    assert "Which order would you like to check?" in texts(second.send("where is my order"))
    assert user_texts(scaled, first.sender) == [
        "where is my order",
        MARIA[1],
        MARIA[2],
        "where is my order",
    ]


def test_simultaneous_messages_on_both_instances_are_taken_one_at_a_time(scaled):
    """Without a shared lock both instances read the same tracker and the later save drops the
    earlier turn's events (Rasa's SQL store appends only past the stored count)."""
    first = RestChat(scaled.rasa_instance_urls[0], scaled.chat_key)
    second = instance_chat(scaled, 1, first)
    first.send("hello")
    sent = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for round_ in range(4):
            pair = [MESSAGES[round_], MESSAGES[-1 - round_]]
            sent += pair
            replies = list(pool.map(lambda chat, text: chat.send(text), (first, second), pair))
            assert all(replies), "every message gets an answer"
    stored = user_texts(scaled, first.sender)
    assert Counter(stored[1:]) == Counter(sent)
    # Each stored turn is whole: a user message is followed by the bot's answer before the next.
    events = scaled.api.tracker(first.sender).json()["events"]
    kinds = [e["event"] for e in events if e["event"] in ("user", "bot")]
    turns = "".join("u" if kind == "user" else "b" for kind in kinds)
    assert "uu" not in turns and turns.endswith("b")


def _address_key_seen(scaled, source: str) -> str:
    """A message sent through nginx from ``source`` (a loopback address of its own); the key of
    the client address the chat gate recorded with it."""
    chat = RestChat(scaled.config.rasa_url, scaled.chat_key)
    connection = http.client.HTTPConnection(
        "127.0.0.1", scaled.config.rasa_port, timeout=60, source_address=(source, 0)
    )
    body = {
        "sender": chat.sender,
        "message": "hello",
        "metadata": {SECRET_METADATA_KEY: chat.secret},
    }
    connection.request(
        "POST", "/webhooks/rest/webhook", json.dumps(body), {"Content-Type": "application/json"}
    )
    assert connection.getresponse().status == 200
    events = scaled.api.tracker(chat.sender).json()["events"]
    return next(e["metadata"][CLIENT_ADDRESS_KEY] for e in events if e["event"] == "user")


def test_the_chat_gate_counts_the_shoppers_address_not_nginx_s(scaled):
    """Per-address limits (messages, new tickets) behind nginx: two shoppers on two addresses
    are two clients, though both reach Rasa from nginx's."""
    first, second = (_address_key_seen(scaled, source) for source in ("127.0.0.2", "127.0.0.3"))
    assert first != second
    assert first == _address_key_seen(scaled, "127.0.0.2")


async def _desk_reply_reaches_socket(scaled, socket_instance: int, push_instance: int) -> str:
    """A shopper on one instance's socket.io asks for a person; the desk's reply is pushed
    through the other instance (desk/rasa_push.py). The text the socket receives."""
    chat_id = f"scale-{uuid.uuid4().hex}"
    secret = issue_secret(scaled.chat_key)
    heard: asyncio.Queue[str] = asyncio.Queue()
    client = socketio.AsyncClient()

    @client.on("bot_uttered")
    async def bot_uttered(data):
        await heard.put(str(data.get("text", "")))

    # Long polling: engineio's websocket client needs a newer aiohttp than Rasa's pin allows.
    await client.connect(
        scaled.rasa_instance_urls[socket_instance], transports=["polling"], wait_timeout=20
    )
    try:
        await client.emit("session_request", {"session_id": chat_id, "session_secret": secret})
        await client.emit(
            "user_uttered",
            {
                "session_id": chat_id,
                "message": "can i talk to a pharmacist please",
                "customData": {SECRET_METADATA_KEY: secret},
            },
        )
        assert "in the queue" in await asyncio.wait_for(heard.get(), 60)
        while not heard.empty():
            heard.get_nowait()
        desk_writes(
            scaled.config.database_url,
            chat_id,
            "Dana from our pharmacy team has joined the chat.",
            status=TicketStatus.CLAIMED,
            sender="system",
        )
        pusher = RasaApi(scaled.rasa_instance_urls[push_instance], scaled.api.secret, "desk")
        assert await asyncio.get_running_loop().run_in_executor(None, deliver, chat_id, pusher)
        try:
            return await asyncio.wait_for(heard.get(), 30)
        except asyncio.TimeoutError:
            return ""  # nothing arrived
    finally:
        await client.disconnect()


def test_a_desk_reply_reaches_the_socket_held_by_the_other_instance(scaled):
    heard = asyncio.run(_desk_reply_reaches_socket(scaled, socket_instance=1, push_instance=0))
    assert heard == "Dana from our pharmacy team has joined the chat."


def test_stopping_one_rasa_instance_under_load_loses_no_message(scaled):
    """Several conversations through nginx; one Rasa instance stops in the middle (a deploy, a
    scale-down). nginx sends what would go to it to the other; its turns in flight finish."""
    conversations, turns = 6, 8
    answered = threading.Semaphore(0)
    results: list[tuple[int, list]] = []

    def converse(_: int) -> None:
        chat = RestChat(scaled.config.rasa_url, scaled.chat_key)
        for n in range(turns):
            response = chat.post(MESSAGES[n % len(MESSAGES)])
            results.append((response.status_code, response.json() if response.ok else []))
            answered.release()

    try:
        with ThreadPoolExecutor(max_workers=conversations) as pool:
            running = [pool.submit(converse, n) for n in range(conversations)]
            for _ in range(conversations * 2):  # a few turns on both instances first
                answered.acquire()
            scaled.stop_service("rasa-2")
            for future in running:
                future.result()
    finally:
        scaled.restart("rasa-2")
    assert len(results) == conversations * turns
    assert [status for status, _ in results] == [200] * len(results)
    assert all(replies and TROUBLE not in texts(replies) for _, replies in results)
