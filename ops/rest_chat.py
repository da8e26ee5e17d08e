"""One conversation over the REST channel, the way a script or a test holds a chat: its own chat
id and a server-issued secret sent with every message."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from pharmacy.access.chat_sessions import SECRET_METADATA_KEY, issue_secret


class RestChat:
    def __init__(
        self, rasa_url: str, chat_key: str, chat_id: str | None = None, timeout: float = 60.0
    ):
        self.rasa_url = rasa_url
        self.sender = chat_id or f"chat-{uuid.uuid4()}"
        self.secret = issue_secret(chat_key)
        self.timeout = timeout

    def post(self, text: Any, metadata: dict[str, Any] | None = None) -> requests.Response:
        """The channel's raw answer (refusals included)."""
        return requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={
                "sender": self.sender,
                "message": text,
                "metadata": {SECRET_METADATA_KEY: self.secret, **(metadata or {})},
            },
            timeout=self.timeout,
        )

    def send(self, text: str, metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        response = self.post(text, metadata)
        response.raise_for_status()
        return response.json()
