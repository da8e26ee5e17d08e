"""The one error boundary (actions.common.DatabaseGuard): whatever fails inside an action that is
not a database error, the shopper still gets an answer, and the log holds the action's name and
the error's class only (an error's message may carry personal data)."""

import asyncio
import logging
import uuid

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

import actions.handoff
import actions.refills
from actions.common import ActionFailed
from actions.handoff import ActionRequestHuman
from actions.refills import ActionRefillReminder
from pharmacy.database import session_scope
from pharmacy.handoff import HandoffTicket
from pharmacy.messages import render

FAILED = render("service.action_failed").text
PERSONAL = "Maria Garcia 03/14/1958 503-555-0101"


def tracker_for(conversation_id: str, text: str) -> Tracker:
    latest = {"text": text, "intent": {"name": "request_human", "confidence": 1.0}, "entities": []}
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest},
    ]
    return Tracker(conversation_id, {}, latest, events, False, None, {}, "action_listen")


def broken(*_args, **_kwargs):
    raise ValueError(f"could not format {PERSONAL}")


@pytest.mark.db
def test_an_error_after_the_ticket_is_opened_still_answers_and_logs_nothing_personal(
    seeded_database, monkeypatch, caplog
):
    monkeypatch.setenv("DATABASE_URL", seeded_database)
    # The ticket is opened, then something that is not the database fails.
    monkeypatch.setattr(actions.handoff, "load_settings", broken)
    conversation_id = f"boundary-{uuid.uuid4()}"
    dispatcher = CollectingDispatcher()
    caplog.set_level(logging.DEBUG)

    events = asyncio.run(
        ActionRequestHuman().run(dispatcher, tracker_for(conversation_id, PERSONAL), {})
    )

    assert [message["text"] for message in dispatcher.messages] == [FAILED]
    assert [button["payload"] for button in dispatcher.messages[0]["buttons"]] == ["/request_human"]
    assert events == []
    with session_scope(seeded_database) as session:
        assert session.scalar(
            select(HandoffTicket.id).where(HandoffTicket.conversation_id == conversation_id)
        )
    assert "action_request_human: failed (ValueError)" in caplog.text
    for part in PERSONAL.split():
        assert part not in caplog.text


def test_a_program_run_action_fails_cleanly_instead_of_telling_the_chat(monkeypatch, caplog):
    monkeypatch.setattr(actions.refills.reminders, "take_reminders_to_show", broken)
    dispatcher = CollectingDispatcher()
    caplog.set_level(logging.DEBUG)

    with pytest.raises(ActionFailed) as failure:
        asyncio.run(ActionRefillReminder().run(dispatcher, tracker_for("boundary", ""), {}))

    assert str(failure.value) == "action_refill_reminder" and dispatcher.messages == []
    assert failure.value.__suppress_context__  # the SDK's log would print the original otherwise
    assert "action_refill_reminder: failed (ValueError)" in caplog.text
    assert "Garcia" not in caplog.text
