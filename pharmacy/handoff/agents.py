"""Staff who work the agent desk, their passwords, and the audit trail of what they looked at.

Passwords are hashed with scrypt and a random salt per person; the stored string carries its own
parameters ("scrypt$n$r$p$salt$hash") so they can be raised later without breaking old hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Boolean, Column, DateTime, Float, ForeignKey, Integer, String, select
from sqlalchemy.orm import Session

from pharmacy.models import Base

log = logging.getLogger(__name__)

ROLES = ("agent", "pharmacist", "supervisor")
# Which tickets' required_role each desk role may open: a pharmacist can also do an agent's work;
# a supervisor oversees every ticket but takes only an agent's (clinical answers need a pharmacist).
VISIBLE_ROLES = {
    "agent": ("agent",),
    "pharmacist": ("agent", "pharmacist"),
    "supervisor": ("agent", "pharmacist"),
}
CLAIMABLE_ROLES = {
    "agent": ("agent",),
    "pharmacist": ("agent", "pharmacist"),
    "supervisor": ("agent",),
}

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SALT_BYTES, _HASH_BYTES = 16, 32


class Agent(Base):
    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(80), nullable=False)
    role = Column(String(16), nullable=False)  # one of ROLES
    password_hash = Column(String(200), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=datetime.utcnow)


class DeskAuditLog(Base):
    """One row per ticket opened and per action taken (HIPAA: who saw which record, and when)."""

    __tablename__ = "desk_audit_log"

    id = Column(Integer, primary_key=True)
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=False, index=True)
    ticket_id = Column(Integer, ForeignKey("handoff_tickets.id"), index=True)
    action = Column(String(32), nullable=False)  # view_ticket, claim, reply, login, ...
    at = Column(DateTime, nullable=False)


class DeskLogin(Base):
    """A logged-in desk session. Kept in the database so that a desk restart, or a second desk
    process behind a load balancer, does not log anyone out. Only a hash of the cookie value is
    stored: a copy of this table cannot be replayed as a login."""

    __tablename__ = "desk_logins"

    token_hash = Column(String(64), primary_key=True)  # sha256 of the session cookie, hex
    agent_id = Column(Integer, ForeignKey("agents.id"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False)
    last_seen = Column(Float, nullable=False)  # seconds since the epoch, from the desk's clock


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return "$".join(
        ["scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest)]
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
        return hmac.compare_digest(digest, _unb64(expected))
    except (ValueError, TypeError):
        return False


def create_agent(
    session: Session, username: str, display_name: str, role: str, password: str
) -> Agent:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}")
    if not username.strip() or not password:
        raise ValueError("username and password must not be empty")
    agent = Agent(
        username=username.strip(),
        display_name=display_name.strip() or username,
        role=role,
        password_hash=hash_password(password),
        active=True,
        created_at=datetime.utcnow(),
    )
    session.add(agent)
    session.flush()
    return agent


def authenticate(
    session: Session, username: str, password: str, now: datetime | None = None
) -> Agent | None:
    """The active agent with these credentials, or None. Audits the attempt on a known account."""
    now = now or datetime.utcnow()
    agent = session.scalar(select(Agent).where(Agent.username == (username or "").strip()))
    if agent is None:
        verify_password(password or "", _dummy_hash())
        log.warning("desk login refused: unknown username")
        return None
    if not verify_password(password or "", agent.password_hash) or not agent.active:
        audit(session, agent.id, "login_failed", now)
        return None
    audit(session, agent.id, "login", now)
    return agent


def audit(
    session: Session, agent_id: int, action: str, at: datetime, ticket_id: int | None = None
) -> None:
    session.add(DeskAuditLog(agent_id=agent_id, ticket_id=ticket_id, action=action, at=at))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Checked when the username is unknown, so that a miss costs as long as a wrong password.
    return hash_password(secrets.token_urlsafe(16))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=_HASH_BYTES
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
