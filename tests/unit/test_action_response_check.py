"""The action-response check the Rasa server runs (``ops.action_response_check``) accepts and
refuses what Rasa's own check does, with Rasa's error message."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from ops.action_response_check import check_action_response

RASAS_OWN = RemoteAction._validate_action_result  # before any install()

GOOD = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "verified", "value": True}],
        "responses": [{"text": "hi"}],
    },
    {},
]
BAD = [
    {"events": [{"name": "no event key"}], "responses": []},
    {"events": "not a list"},
    {"events": [{"event": "bot"}], "responses": "not a list"},
]


@pytest.mark.parametrize("response", GOOD)
def test_a_good_response_passes_both(response):
    action = RemoteAction("action_x", None)
    assert RASAS_OWN(action, response) is True
    assert check_action_response(action, response) is True


@pytest.mark.parametrize("response", BAD)
def test_a_bad_response_is_refused_with_rasas_message(response):
    action = RemoteAction("action_x", None)
    with pytest.raises(ValidationError) as rasa_error:
        RASAS_OWN(action, response)
    with pytest.raises(ValidationError) as ours:
        check_action_response(action, response)
    assert ours.value.message == rasa_error.value.message
