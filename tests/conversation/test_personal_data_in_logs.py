"""Dates of birth and phones typed in every accepted form verify the shopper, and an action that
fails writes no conversation into any log (issue 13, item 5; the log scan is in conftest.py)."""

import uuid

import pytest
import requests

from ops.action_server import TOKEN_HEADER
from pharmacy.messages import render
from tests.conversation.helpers import MARIA, action_call
from tests.conversation.test_tracking import ASK_DOB, verify


def test_a_date_of_birth_in_the_far_future_is_answered_not_crashed_on(new_chat):
    chat = new_chat()
    assert ASK_DOB in chat.texts("where is my order")
    assert render("identity.dob_unreadable").text in chat.texts("02/29/2400")


@pytest.mark.parametrize(
    "dob, phone",
    [
        ("March 14,1958", "503/555/0101"),
        ("14th March 1958", "+1 (503) 555-0101"),
        ("1958-03-14", "5035550101"),
        ("03.14.1958", "503.555.0101"),
    ],
)
def test_every_accepted_form_verifies_the_shopper(new_chat, dob, phone):
    reply = verify(new_chat(), (MARIA[0], dob, phone))
    assert render("identity.verified").text in reply


def test_a_failing_action_answers_the_shopper_and_echoes_nothing(stack):
    marker = f"marker-{uuid.uuid4()}"
    # A lock time that is not a number makes the lock report raise.
    call = action_call(
        "action_after_identity",
        marker,
        {"identity_locked_until": "soon", "dob_input": "locked"},
        text=f"{marker} 03/14/1958",
    )
    answer = requests.post(
        f"{stack.config.action_url}/webhook",
        json=call,
        timeout=30,
        headers={TOKEN_HEADER: stack.action_token},
    )
    # The error boundary: the shopper is answered, and nothing of the tracker comes back.
    assert answer.status_code == 200
    texts = [r.get("text") for r in answer.json()["responses"]]
    assert texts == [render("service.action_failed").text]
    assert marker not in answer.text and "1958" not in answer.text
    action_log = (stack.log_dir / "actions.log").read_text(errors="replace")
    assert "action_after_identity: failed (" in action_log


def test_an_action_failure_reaches_the_shopper_and_no_log_holds_the_conversation(stack, new_chat):
    chat = new_chat()
    marker = f"marker-{uuid.uuid4()}"
    chat.send(f"{marker}: I was born {MARIA[1]}, my phone is {MARIA[2]}")
    requests.post(
        f"{stack.config.rasa_url}/conversations/{chat.sender}/tracker/events",
        headers=stack.api.headers(),
        timeout=10,
        json=[
            {"event": "slot", "name": "identity_locked_until", "value": "soon"},
            {"event": "slot", "name": "dob_input", "value": "locked"},
        ],
    ).raise_for_status()
    executed = stack.api.execute(chat.sender, "action_after_identity", timeout=30)
    executed.raise_for_status()
    said = [m.get("text") for m in executed.json()["messages"]]
    assert said[:1] == [render("service.action_failed").text]
    action_log = (stack.log_dir / "actions.log").read_text(errors="replace")
    assert "action_after_identity: failed (" in action_log  # the failure is logged...
    for log in stack.log_dir.glob("*.log"):  # ...but nothing the shopper said is
        assert marker not in log.read_text(errors="replace"), log.name
