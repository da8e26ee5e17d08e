"""Logged-in desk sessions, kept in the database (table ``desk_logins``) and keyed by a random
cookie value, of which only a hash is stored.

A desk restart, or a second desk process, keeps everyone logged in. Times come from an injectable
clock (wall-clock seconds, since they are stored) so tests can expire a session without waiting.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from pharmacy.database import session_scope
from pharmacy.handoff.agents import Agent, DeskLogin

Clock = Callable[[], float]


@dataclass
class DeskSession:
    token: str
    agent_id: int
    display_name: str
    role: str
    csrf_token: str

    def csrf_matches(self, offered: str | None) -> bool:
        return offered is not None and hmac.compare_digest(
            offered.encode(), self.csrf_token.encode()
        )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """Blocking database calls: the desk calls them from worker threads."""

    def __init__(self, database_url: str, idle_minutes: float, clock: Clock | None = None):
        self.database_url = database_url
        self.idle_seconds = idle_minutes * 60
        self.clock = clock or time.time

    def create(self, agent_id: int, display_name: str, role: str) -> DeskSession:
        token, csrf_token, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.clock()
        with session_scope(self.database_url) as db:
            db.execute(delete(DeskLogin).where(DeskLogin.last_seen < now - self.idle_seconds))
            db.add(
                DeskLogin(
                    token_hash=_hash(token),
                    agent_id=agent_id,
                    csrf_token=csrf_token,
                    created_at=datetime.utcnow(),
                    last_seen=now,
                )
            )
        return DeskSession(token, agent_id, display_name, role, csrf_token)

    def get(self, token: str | None, touch: bool = True) -> DeskSession | None:
        """The live session for ``token``; ``touch`` counts this request as activity."""
        if not token:
            return None
        now = self.clock()
        with session_scope(self.database_url) as db:
            row = db.execute(
                select(DeskLogin, Agent)
                .join(Agent, Agent.id == DeskLogin.agent_id)
                .where(DeskLogin.token_hash == _hash(token))
            ).first()
            if row is None:
                return None
            login, agent = row
            if now - login.last_seen > self.idle_seconds or not agent.active:
                db.delete(login)
                return None
            if touch:
                login.last_seen = now
            return DeskSession(token, agent.id, agent.display_name, agent.role, login.csrf_token)

    def drop(self, token: str | None) -> None:
        if token:
            with session_scope(self.database_url) as db:
                db.execute(delete(DeskLogin).where(DeskLogin.token_hash == _hash(token)))


class LoginThrottle:
    """Refuses logins from one client address for a while after too many wrong passwords: for
    one username (slows guessing a person's password) or for any (slows trying many accounts).
    Wrong passwords from elsewhere never lock a colleague out."""

    def __init__(
        self,
        max_failures: int = 5,
        max_address_failures: int = 20,
        window_seconds: float = 900,
        clock: Clock | None = None,
    ):
        self.max_failures = max_failures
        self.max_address_failures = max_address_failures
        self.window_seconds = window_seconds
        self.clock = clock or time.monotonic
        self._failures: dict[tuple[str, ...], list[float]] = {}

    def blocked(self, username: str, address: str) -> bool:
        return (
            len(self._recent(_pair(username, address))) >= self.max_failures
            or len(self._recent(("address", address))) >= self.max_address_failures
        )

    def failed(self, username: str, address: str) -> None:
        for key in (_pair(username, address), ("address", address)):
            self._failures[key] = self._recent(key) + [self.clock()]
        if len(self._failures) > 10_000:  # guessing many usernames must not grow memory forever
            self._failures = {k: v for k, v in self._failures.items() if self._recent(k)}

    def succeeded(self, username: str, address: str) -> None:
        # The address's own count stays: one known password must not buy more guesses at others.
        self._failures.pop(_pair(username, address), None)

    def _recent(self, key: tuple[str, ...]) -> list[float]:
        cutoff = self.clock() - self.window_seconds
        return [t for t in self._failures.get(key, []) if t > cutoff]


def _pair(username: str, address: str) -> tuple[str, ...]:
    return ("user", (username or "").strip().lower(), address)
