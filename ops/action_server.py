"""The Rasa SDK action server, bound to ``BIND_HOST`` and answering only callers that prove who
they are: every call but ``/health`` must carry the shared secret ``ACTION_SERVER_TOKEN`` in the
``X-Action-Token`` header, which the Rasa server sends (endpoints.yml). Without it anyone who
could reach the port could post a made-up tracker and read a customer's orders.

    python -m ops.action_server --port 5055
"""

from __future__ import annotations

import argparse
import hmac
import logging

from rasa_sdk.endpoint import create_app
from sanic import response
from sanic.exceptions import SanicException

from pharmacy.access.config import lockout_key
from pharmacy.logs import configure_logging, exception_summary
from pharmacy.rasa_api import jwt_secret
from pharmacy.settings import Settings, load_secret, start_settings

log = logging.getLogger("actions")

ACTION_TOKEN_ENV = "ACTION_SERVER_TOKEN"
TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = {"/health"}


def build_app(token: str):
    app = create_app("actions", cors_origins=None)

    @app.middleware("request")
    async def require_token(request):
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(TOKEN_HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "unauthorised"}, status=401)
        return None

    # Replaces the SDK's handler, which logs the exception's message and answers with the whole
    # tracker (everything the shopper typed), which Rasa then writes into its own log.
    @app.exception(Exception)
    async def answer_failure(request, exception: Exception):
        if isinstance(exception, SanicException):
            return response.json({"error": type(exception).__name__}, status=exception.status_code)
        action = _action_name(request)
        log.error("action %r failed: %s", action, exception_summary(exception))
        return response.json({"error": "the action failed", "action_name": action}, status=500)

    return app


def _action_name(request) -> str:
    try:
        return str((request.json or {}).get("next_action"))
    except Exception:  # a body that is not a JSON object
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=None, help="default: ACTION_PORT or 5055")
    args = parser.parse_args()
    settings = start_settings("actions", check=_load_secrets)
    configure_logging("actions")
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    app = build_app(load_secret(ACTION_TOKEN_ENV, settings.var_dir))
    port = args.port if args.port is not None else settings.action_port
    app.run(settings.bind_host, port, workers=1, access_log=False)


def _load_secrets(settings: Settings) -> None:
    """What the actions read on a turn, read once now so that a missing one stops the start."""
    load_secret(ACTION_TOKEN_ENV, settings.var_dir)
    lockout_key(settings)
    jwt_secret(settings)


if __name__ == "__main__":
    main()
