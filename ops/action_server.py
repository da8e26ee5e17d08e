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

from pharmacy.logs import configure_logging, exception_summary
from pharmacy.settings import load_secret, load_settings

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
    parser.add_argument("--port", type=int, default=load_settings().action_port)
    args = parser.parse_args()
    configure_logging("actions")
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    settings = load_settings()
    app = build_app(load_secret(ACTION_TOKEN_ENV, settings.var_dir))
    app.run(settings.bind_host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
