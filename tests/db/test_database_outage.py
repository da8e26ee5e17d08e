"""With the database down, every action answers with a clear message instead of failing the turn,
keeps what it already said (an emergency's advice), and logs nothing personal."""

import asyncio
import logging

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions.common import DatabaseUnavailable
from actions.emergency import ActionEmergency
from actions.handoff import ActionRequestHuman
from actions.identity import ValidateIdentityForm
from actions.refills import ActionRefillReminder
from pharmacy.messages import render

pytestmark = pytest.mark.db
DOWN = render("service.database_down").text
DOMAIN = {"forms": {"identity_form": {"required_slots": ["dob_input", "possession_input"]}}}


@pytest.fixture(autouse=True)
def database_down(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/no-such-dir/pharmacy.db")


def run(action, text, slots, active_loop=None, candidates=()):
    """``candidates``: slot values the form extracted from ``text``, for its validation action."""
    message = {"text": text, "intent": {"name": "inform", "confidence": 0.9}, "entities": []}
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": message},
    ]
    events += [{"event": "slot", "name": name, "value": value} for name, value in candidates]
    tracker = Tracker(
        "outage-test",
        slots,
        message,
        events,
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return events, [m.get("text") for m in dispatcher.messages]


def test_identity_check_says_the_systems_are_down_and_logs_no_date_of_birth(caplog):
    caplog.set_level(logging.DEBUG)
    events, said = run(
        ValidateIdentityForm(),
        "503 555 0142",
        {
            "requested_slot": "possession_input",
            "dob_input": "03/14/1958",
            "possession_input": "503 555 0142",
        },
        active_loop="identity_form",
        candidates=[("possession_input", "503 555 0142")],
    )
    assert said == [DOWN] and events == []
    assert "1958" not in caplog.text and "555 0142" not in caplog.text
    assert "validate_identity_form: database unavailable (OperationalError)" in caplog.text


def test_asking_for_a_person_says_the_systems_are_down():
    events, said = run(ActionRequestHuman(), "agent please", {})
    assert said == [DOWN] and events == []


def test_an_emergency_keeps_its_advice_when_the_ticket_cannot_be_opened():
    _, said = run(ActionEmergency(), "I took too many pills and feel faint", {})
    # Poison Help and the 911 advice for feeling faint, then the honest outage message.
    assert len(said) == 3 and said[-1] == DOWN
    assert "1-800-222-1222" in said[0] and "911" in said[1]


def test_a_reminder_push_fails_instead_of_telling_the_chat_about_the_outage():
    # The scheduler, not a shopper, runs this action: a failed push is marked and sent again.
    with pytest.raises(DatabaseUnavailable):
        run(ActionRefillReminder(), "", {})


def test_every_registered_action_is_guarded():
    executor = ActionExecutor()
    executor.register_package("actions")
    unguarded = [
        name for name, run in executor.actions.items() if not getattr(run, "guards_database", False)
    ]
    assert len(executor.actions) > 20 and unguarded == []
