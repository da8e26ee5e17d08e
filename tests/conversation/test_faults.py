"""Faults the shopper must not be left in silence by (issue 13, item 7): the action server down,
a turn slower than the reply limit, the desk down. Each test brings the stack back."""

import time

import requests

from tests.conversation.helpers import tickets_for

TROUBLE = "something went wrong on our side"


def test_with_the_action_server_down_the_shopper_is_told_and_it_recovers(stack, new_chat):
    chat = new_chat()
    stack.stop_service("actions")
    try:
        assert TROUBLE in chat.texts("side effects of metformin")
    finally:
        stack.restart("actions")
    assert "Common side effects of metformin" in chat.texts("side effects of metformin")


def test_a_turn_slower_than_the_limit_is_acknowledged_and_still_answered(stack, new_chat):
    stack.restart("rasa", extra_env={"REPLY_TIMEOUT_SECONDS": "0.001"})
    try:
        chat = new_chat()
        assert "taking longer than usual" in chat.texts("side effects of metformin")
        # The answer is not lost: the turn goes on, and the history has it once it is done.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            history = requests.get(
                f"{stack.config.web_url}/api/history/{chat.sender}",
                headers={"X-Chat-Secret": chat.secret},
                timeout=10,
            )
            texts = [m["text"] for m in history.json()["messages"]]
            if any("Common side effects of metformin" in t for t in texts):
                break
            time.sleep(0.5)
        assert any("Common side effects of metformin" in t for t in texts)
    finally:
        stack.restart("rasa")


def test_with_the_desk_down_a_handoff_is_still_queued(stack, new_chat, seeded_database):
    chat = new_chat()
    stack.stop_service("desk")
    try:
        assert "in the queue" in chat.texts("i want to talk to a person")
    finally:
        stack.restart("desk")
    assert [t[0] for t in tickets_for(seeded_database, chat.sender)] == ["user_request"]
    assert requests.get(f"{stack.config.desk_url}/healthz", timeout=10).ok


def test_a_killed_service_is_started_again_and_the_others_keep_serving(stack, new_chat):
    carrier = next(s for s in stack.services if s.name == "carrier")
    carrier.process.kill()  # as the kernel's out-of-memory killer would
    carrier.process.wait()
    assert "Evergreen Pharmacy assistant" in new_chat().texts("hi")  # the rest still answers
    assert stack.revive_stopped() == ["carrier"]
    assert requests.get(f"{stack.config.carrier_url}/health", timeout=10).ok
    assert stack.revive_stopped() == []
