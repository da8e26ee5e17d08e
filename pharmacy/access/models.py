"""Tables of who may speak in a chat: its server-issued secret and verification, the login tokens
already used, and failed identity checks counted across chats."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String

from pharmacy.models import Base


class ChatSession(Base):
    """One chat id and the secret bound to it on first use. Verification lives here, on the
    server, so it ends by time or with "End chat" whatever the conversation's slots say."""

    __tablename__ = "chat_sessions"

    chat_id = Column(String(64), primary_key=True)
    # SHA-256 of the secret; one secret opens one chat.
    secret_digest = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False)
    ended_at = Column(DateTime)
    customer_reference = Column(String(32))
    verified_by = Column(String(16))  # "login" or "factors"
    verified_until = Column(DateTime)


class LoginTokenUse(Base):
    """A login token's ``jti``, kept until the token expires, so it opens one chat only."""

    __tablename__ = "login_token_uses"

    jti = Column(String(128), primary_key=True)
    chat_id = Column(String(64), nullable=False)
    used_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False, index=True)


class IdentityFailure(Base):
    """Failed identity checks against one customer or one possession factor, from any chat.

    ``subject`` is a keyed hash ("customer:..." or "order:...", "rx:...", "phone:..."), so the
    table holds no phone number or order number in the clear."""

    __tablename__ = "identity_failures"

    subject = Column(String(64), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    last_failure_at = Column(DateTime, nullable=False)
    locked_until = Column(DateTime)
