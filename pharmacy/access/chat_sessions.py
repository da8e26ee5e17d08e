"""Who holds a chat: its id is public (it names the conversation everywhere), its secret is not.

The secret is issued by the server (signed with CHAT_SESSION_KEY, so a client cannot make one up)
and bound to the first chat id it is used with; from then on that chat answers only to that secret,
and that secret opens no other chat. The secret reaches the server in the channel's metadata
(``session_secret``), which is how the standard rasa-webchat widget can carry it as ``customData``.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeGuard

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pharmacy.access.models import ChatSession

# Chat ids are UUIDs or similar; fullmatch, so a trailing newline is not admitted.
CHAT_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
SECRET_METADATA_KEY = "session_secret"
_SIGNATURE_CHARS = 22


class Admission(str, enum.Enum):
    ADMITTED = "admitted"
    MISSING = "missing"  # no secret sent
    FORGED = "forged"  # not a secret this server issued
    FOREIGN = "foreign"  # the chat belongs to another secret, or the secret to another chat
    ENDED = "ended"  # the shopper ended this chat
    BAD_CHAT_ID = "bad_chat_id"


@dataclass(frozen=True)
class Verification:
    customer_reference: str
    verified_by: str
    until: datetime


def is_chat_id(value: object) -> bool:
    return isinstance(value, str) and CHAT_ID.fullmatch(value) is not None


def _signature(nonce: str, key: str) -> str:
    mac = hmac.new(key.encode(), nonce.encode(), hashlib.sha256).hexdigest()
    return mac[:_SIGNATURE_CHARS]


def issue_secret(key: str) -> str:
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_signature(nonce, key)}"


def is_genuine(secret: object, key: str) -> TypeGuard[str]:
    if not isinstance(secret, str) or len(secret) > 128 or "." not in secret:
        return False
    nonce, signature = secret.rsplit(".", 1)
    return hmac.compare_digest(signature, _signature(nonce, key))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def admit(session: Session, chat_id: object, secret: object, key: str, now: datetime) -> Admission:
    """May the holder of ``secret`` speak in ``chat_id``? Binds the pair on first use."""
    if not is_chat_id(chat_id):
        return Admission.BAD_CHAT_ID
    if not secret:
        return Admission.MISSING
    if not is_genuine(secret, key):
        return Admission.FORGED
    row = session.get(ChatSession, chat_id)
    if row is None:
        try:
            with session.begin_nested():
                session.add(
                    ChatSession(chat_id=chat_id, secret_digest=_digest(secret), created_at=now)
                )
            return Admission.ADMITTED
        except IntegrityError:
            # Two first messages at once bound it a moment ago, or the secret opened another chat.
            row = session.get(ChatSession, chat_id, populate_existing=True)
            if row is None:
                return Admission.FOREIGN
    if not hmac.compare_digest(row.secret_digest, _digest(secret)):
        return Admission.FOREIGN
    return Admission.ENDED if row.ended_at is not None else Admission.ADMITTED


def end_chat(session: Session, chat_id: str, now: datetime) -> None:
    """The shopper ended the chat: verification stops, and the secret opens nothing any more."""
    row = session.get(ChatSession, chat_id)
    if row is not None and row.ended_at is None:
        row.ended_at = now
        _forget_verification(row)


def record_verification(
    session: Session, chat_id: str, customer_reference: str, verified_by: str, until: datetime
) -> None:
    row = session.get(ChatSession, chat_id)
    if row is None or row.ended_at is not None:
        return  # only a chat opened through a guarded channel can be verified
    row.customer_reference = customer_reference
    row.verified_by = verified_by
    row.verified_until = until


def current_verification(session: Session, chat_id: str, now: datetime) -> Verification | None:
    row = session.get(ChatSession, chat_id)
    if row is None or row.ended_at is not None or row.customer_reference is None:
        return None
    if row.verified_until is None or row.verified_until <= now:
        return None
    return Verification(row.customer_reference, row.verified_by or "", row.verified_until)


def forget_lapsed_verification(session: Session, chat_id: str, now: datetime) -> bool:
    """Clear a verification that has run out; True when there was one (so the shopper is told)."""
    row = session.get(ChatSession, chat_id)
    if row is None or row.customer_reference is None or current_verification(session, chat_id, now):
        return False
    _forget_verification(row)
    return True


def _forget_verification(row: ChatSession) -> None:
    row.customer_reference = None
    row.verified_by = None
    row.verified_until = None


def verification_ends(now: datetime, minutes: int) -> datetime:
    return now + timedelta(minutes=minutes)
