"""Rasa's check of the action server's responses, with the schema's validator built once.

Rasa 3.6 calls ``jsonschema.validate`` on every action response: each call checks the schema
itself against its meta-schema and builds a new validator, and under load that was the biggest
share of the Rasa server's CPU (issue 16's profile: 36%). The response is checked against the
same schema, and a bad one raises the same error with the same message as Rasa's own.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import exceptions, validators


@cache
def _validator() -> Any:
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    kind = validators.validator_for(schema)
    kind.check_schema(schema)  # once, not per response
    return kind(schema)


def check_action_response(_action: Any, result: dict[str, Any]) -> bool:
    error = exceptions.best_match(_validator().iter_errors(result))
    if error is None:
        return True
    # Rasa's own wording (rasa.core.actions.action.RemoteAction._validate_action_result).
    from rasa.shared.constants import DOCS_BASE_URL

    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = check_action_response
