"""Asks Rasa to deliver the desk's pending messages into the shopper's chat.

Rasa runs ``action_deliver_agent_messages`` for the conversation; that action reads the undelivered
agent and system messages from the database, sends them on the shopper's channel and marks them
delivered. A failed push is logged and otherwise ignored: the messages stay undelivered in the
database and go out with the next push.
"""
from __future__ import annotations

import logging
from typing import Optional
from urllib.parse import quote

import requests

from pharmacy.settings import load_secret, load_settings

log = logging.getLogger("desk.rasa_push")

DELIVER_ACTION = "action_deliver_agent_messages"
TIMEOUT_SECONDS = 5


def deliver(conversation_id: str, rasa_url: Optional[str] = None,
            token: Optional[str] = None) -> bool:
    """True if Rasa accepted the request; never raises."""
    settings = load_settings()
    rasa_url = (rasa_url or settings.rasa_url).rstrip("/")
    if token is None:
        token = load_secret("RASA_API_TOKEN", settings.var_dir)
    url = f"{rasa_url}/conversations/{quote(conversation_id, safe='')}/execute"
    try:
        response = requests.post(
            url, params={"token": token, "output_channel": "latest"},
            json={"name": DELIVER_ACTION}, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        log.warning("push to Rasa failed (%s); messages stay queued", type(error).__name__)
        return False
    if response.status_code >= 300:
        log.warning("push to Rasa refused with HTTP %s; messages stay queued", response.status_code)
        return False
    return True
