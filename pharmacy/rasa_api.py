"""The one client of Rasa's HTTP API that our services use (the desk, reminders, the web chat
server, the tools): each call proves itself with a short-lived JWT in the Authorization header,
signed with RASA_JWT_SECRET, which the Rasa server checks (``rasa run --jwt-secret``). Nothing
travels in a query string, where proxies and access logs would keep it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import quote

import jwt
import requests

from pharmacy.settings import Settings, load_secret, load_settings

RASA_JWT_SECRET_ENV = "RASA_JWT_SECRET"
JWT_METHOD = "HS256"
TOKEN_SECONDS = 300


def jwt_secret(settings: Settings | None = None) -> str:
    return load_secret(RASA_JWT_SECRET_ENV, (settings or load_settings()).var_dir)


@dataclass(frozen=True)
class RasaApi:
    url: str
    secret: str
    caller: str = "pharmacy"  # the JWT's username, seen in Rasa's logs

    @classmethod
    def from_settings(cls, caller: str = "pharmacy", settings: Settings | None = None) -> RasaApi:
        settings = settings or load_settings()
        return cls(settings.rasa_url.rstrip("/"), jwt_secret(settings), caller)

    def headers(self, now: float | None = None) -> dict[str, str]:
        issued = int(now or time.time())
        token = jwt.encode(
            {
                "user": {"username": self.caller, "role": "admin"},
                "iat": issued,
                "exp": issued + TOKEN_SECONDS,
            },
            self.secret,
            algorithm=JWT_METHOD,
        )
        return {"Authorization": f"Bearer {token}"}

    def conversation_url(self, conversation_id: str, path: str) -> str:
        return f"{self.url}/conversations/{quote(conversation_id, safe='')}/{path}"

    def execute(self, conversation_id: str, action: str, timeout: float = 5.0) -> requests.Response:
        """Run ``action`` in the conversation, replies on its latest channel; raises
        requests.RequestException when Rasa cannot be reached."""
        return requests.post(
            self.conversation_url(conversation_id, "execute"),
            params={"output_channel": "latest"},
            json={"name": action},
            headers=self.headers(),
            timeout=timeout,
        )

    def tracker(self, conversation_id: str, timeout: float = 10.0) -> requests.Response:
        return requests.get(
            self.conversation_url(conversation_id, "tracker"),
            params={"include_events": "ALL"},
            headers=self.headers(),
            timeout=timeout,
        )
