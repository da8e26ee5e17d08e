"""`rasa` with personal data redacted from its logs: ``python -m ops.rasa_server run ...`` takes
the arguments of the ``rasa`` command.

Rasa's ``--logging-config-file`` can only put filters on handlers, and Sanic adds handlers of its
own (``sanic.error`` writes to stderr past the root's filters); a failed file is only reported
at debug level. Redaction installed before Rasa starts covers every handler (``pharmacy.logs``),
including the error bodies of the action server that Rasa quotes.
"""

from __future__ import annotations

import sys

from pharmacy.access.config import chat_session_key, login_token_policy
from pharmacy.logs import install_redaction
from pharmacy.settings import Settings, start_settings


def main() -> None:
    # The chat gate in rasa_channels reads these on every message: check them before Rasa starts.
    start_settings("rasa", check=_load_secrets)
    install_redaction()
    from rasa.__main__ import main as rasa_main  # imported after: Rasa logs while importing

    from ops import action_response_check

    action_response_check.install()

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


def _load_secrets(settings: Settings) -> None:
    chat_session_key(settings)
    login_token_policy(settings)


if __name__ == "__main__":
    main()
