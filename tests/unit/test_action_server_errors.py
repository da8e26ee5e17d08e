"""An action that fails is answered and logged without the tracker (ops.action_server)."""

import asyncio
import json
import logging
from types import SimpleNamespace

import pytest
from sanic.exceptions import NotFound

from ops.action_server import build_app

TYPED = "my birthday is 03/14/1958 and my phone 503/555/0101"


@pytest.fixture(scope="module")
def app():
    return build_app("secret")  # Sanic allows one app of a name per process


def _answer(app, exception, body):
    handler = app.error_handler.lookup(exception)
    response = asyncio.run(handler(SimpleNamespace(json=body), exception))
    return response.status, json.loads(response.body)


def test_a_failing_action_answers_with_its_name_only_and_logs_no_tracker(app, caplog):
    call = {
        "next_action": "validate_identity_form",
        "tracker": {"latest_message": {"text": TYPED}, "slots": {"dob_input": TYPED}},
    }
    with caplog.at_level(logging.ERROR, logger="actions"):
        try:
            raise TypeError(f"bad slot {TYPED}")
        except TypeError as error:
            status, body = _answer(app, error, call)
    assert status == 500
    assert body == {"error": "the action failed", "action_name": "validate_identity_form"}
    assert "validate_identity_form" in caplog.text and "TypeError" in caplog.text
    assert "1958" not in caplog.text and "0101" not in caplog.text


def test_a_body_that_is_not_an_object_still_gets_an_answer(app):
    status, body = _answer(app, KeyError("x"), ["not", "an", "object"])
    assert status == 500 and body["action_name"] == "unknown"


def test_sanic_errors_keep_their_status(app):
    assert _answer(app, NotFound("no such page"), None) == (404, {"error": "NotFound"})
