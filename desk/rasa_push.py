"""Asks Rasa to deliver the desk's pending messages into the shopper's chat.

Rasa runs ``action_deliver_agent_messages`` for the conversation; that action reads the undelivered
agent and system messages from the database, sends them on the shopper's channel and marks them
delivered. A failed push is logged and otherwise ignored: the messages stay undelivered in the
database and go out with the next push.
"""

from __future__ import annotations

import logging

import requests

from pharmacy.rasa_api import RasaApi

log = logging.getLogger("desk.rasa_push")

DELIVER_ACTION = "action_deliver_agent_messages"
TIMEOUT_SECONDS = 5


def deliver(conversation_id: str, rasa: RasaApi | None = None) -> bool:
    """True if Rasa accepted the request; never raises."""
    rasa = rasa or RasaApi.from_settings("desk")
    try:
        response = rasa.execute(conversation_id, DELIVER_ACTION, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        log.warning("push to Rasa failed (%s); messages stay queued", type(error).__name__)
        return False
    if response.status_code >= 300:
        log.warning("push to Rasa refused with HTTP %s; messages stay queued", response.status_code)
        return False
    return True
