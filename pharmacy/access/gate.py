"""What a chat channel checks before the assistant reads a message, cheapest check first:
length, rate, the chat's secret, a login token, and payloads only the assistant may send.

Every refusal carries a catalogue message that names the emergency number, so even a refused
message in crisis gets one. Rasa-free: ``rasa_channels`` adapts it to socket.io and REST."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pharmacy.access import chat_sessions, login_tokens
from pharmacy.access.config import chat_session_key, login_token_policy
from pharmacy.access.rate_limit import RateLimiter
from pharmacy.database import session_scope
from pharmacy.safety import assess_emergency
from pharmacy.safety.emergency import MAX_CHARS_READ
from pharmacy.settings import Settings, load_settings

log = logging.getLogger(__name__)

# Rasa's own intents that reset the conversation or undo a step when typed ("/restart"); the
# verification and the lockout live on the server, but slots such as a waiting handoff do not.
BUILT_IN_INTENTS = frozenset({"restart", "session_start", "back"})
_PAYLOAD_INTENT = re.compile(r"\s*/([^\s{@]+)")
# Client metadata the assistant reads; everything else (including keys only the server may set)
# is dropped, so secrets and tokens never reach the tracker.
CLIENT_METADATA = {"button_title": 200}
LOGIN_REFUSED_KEY = "login_refused"
# Set by the gate on every message: a keyed hash of the client's address, so that tickets from
# many new chats of one script can be counted and grouped without keeping the address itself.
CLIENT_ADDRESS_KEY = "client_address_key"


@dataclass(frozen=True)
class Refusal:
    status: int  # the HTTP status for the REST channel
    reason: str  # for logs and tests; never shown
    message_key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Admitted:
    text: str
    metadata: dict[str, Any]


def clean_metadata(metadata: Any) -> dict[str, Any]:
    if not isinstance(metadata, Mapping):
        return {}
    kept = {}
    for key, max_chars in CLIENT_METADATA.items():
        value = metadata.get(key)
        if isinstance(value, str):
            kept[key] = value[:max_chars]
    return kept


def neutralise_payload(text: str) -> str:
    """ "/restart" typed by a shopper is read as the word "restart", not as Rasa's command."""
    match = _PAYLOAD_INTENT.match(text)
    if match and match.group(1) in BUILT_IN_INTENTS:
        return text.strip().lstrip("/")
    return text


class ChatGate:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self.key = chat_session_key(self.settings)
        self.token_policy = login_token_policy(self.settings)
        # The emergency check reads this much of a message; more is refused unread.
        self.max_chars = max(self.settings.max_message_chars, MAX_CHARS_READ)
        self.per_chat = RateLimiter(self.settings.chat_messages_per_minute, 60)
        self.per_client = RateLimiter(self.settings.client_messages_per_minute, 60)

    def open_chat(
        self, chat_id: Any, metadata: Any, now: datetime | None = None
    ) -> Admitted | Refusal:
        """A client (re)joins a chat (socket.io ``session_request``): secret and login only."""
        return self._admit(chat_id, metadata, now or datetime.utcnow(), "")

    def admit_message(
        self, chat_id: Any, text: Any, metadata: Any, client: str, now: datetime | None = None
    ) -> Admitted | Refusal:
        if not isinstance(text, str):
            return Refusal(400, "not_text", "fallback.empty")
        if len(text) > self.max_chars:
            return Refusal(
                413, "too_long", "access.too_long", {"max_chars": self.settings.max_message_chars}
            )
        moment = time.monotonic()
        within = self.per_chat.allow(str(chat_id), moment) & self.per_client.allow(client, moment)
        if not within and not assess_emergency(text).kinds:
            return Refusal(429, "rate_limited", "access.slow_down")
        admitted = self._admit(
            chat_id, metadata, now or datetime.utcnow(), neutralise_payload(text)
        )
        if isinstance(admitted, Admitted):
            admitted.metadata[CLIENT_ADDRESS_KEY] = self.address_key(client)
        return admitted

    def address_key(self, client: str) -> str:
        return hmac.new(
            self.key.encode(), f"address:{client}".encode(), hashlib.sha256
        ).hexdigest()[:32]

    def _admit(self, chat_id: Any, metadata: Any, now: datetime, text: str) -> Admitted | Refusal:
        metadata = metadata if isinstance(metadata, Mapping) else {}
        clean = clean_metadata(metadata)
        with session_scope() as session:
            admission = chat_sessions.admit(
                session, chat_id, metadata.get(chat_sessions.SECRET_METADATA_KEY), self.key, now
            )
            if admission is chat_sessions.Admission.ENDED:
                return Refusal(403, admission.value, "access.ended")
            if admission is not chat_sessions.Admission.ADMITTED:
                return Refusal(403, admission.value, "access.refused")
            token = metadata.get(login_tokens.METADATA_KEY)
            if token:
                try:
                    self._log_in(session, str(chat_id), token, now)
                except login_tokens.InvalidToken as error:
                    log.info("login token refused in a chat: %s", error.reason)
                    clean[LOGIN_REFUSED_KEY] = True
        return Admitted(text, clean)

    def _log_in(self, session, chat_id: str, token: Any, now: datetime) -> None:
        claim = login_tokens.redeem(session, token, chat_id, self.token_policy, now)
        until = min(
            claim.expires_at,
            chat_sessions.verification_ends(now, self.settings.verification_minutes),
        )
        chat_sessions.record_verification(
            session, chat_id, claim.customer_reference, "login", until
        )
