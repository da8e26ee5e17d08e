"""Logged-in desk sessions, kept in memory and keyed by a random cookie value.

A restart logs everyone out (they log in again) but loses no work: tickets and messages live in
the database. Times come from an injectable clock so tests can expire a session without waiting.
"""
from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

Clock = Callable[[], float]


@dataclass
class DeskSession:
    token: str
    agent_id: int
    display_name: str
    role: str
    csrf_token: str
    last_seen: float

    def csrf_matches(self, offered: Optional[str]) -> bool:
        return bool(offered) and hmac.compare_digest(offered.encode(), self.csrf_token.encode())


class SessionStore:
    def __init__(self, idle_minutes: float, clock: Optional[Clock] = None):
        self.idle_seconds = idle_minutes * 60
        self.clock = clock or time.monotonic
        self._sessions: Dict[str, DeskSession] = {}

    def create(self, agent_id: int, display_name: str, role: str) -> DeskSession:
        self._forget_expired()
        session = DeskSession(token=secrets.token_urlsafe(32), agent_id=agent_id,
                              display_name=display_name, role=role,
                              csrf_token=secrets.token_urlsafe(32), last_seen=self.clock())
        self._sessions[session.token] = session
        return session

    def get(self, token: Optional[str], touch: bool = True) -> Optional[DeskSession]:
        """The live session for ``token``; ``touch`` counts this request as activity."""
        session = self._sessions.get(token or "")
        if session is None:
            return None
        now = self.clock()
        if now - session.last_seen > self.idle_seconds:
            del self._sessions[session.token]
            return None
        if touch:
            session.last_seen = now
        return session

    def drop(self, token: Optional[str]) -> None:
        self._sessions.pop(token or "", None)

    def _forget_expired(self) -> None:
        now = self.clock()
        for token in [t for t, s in self._sessions.items() if now - s.last_seen > self.idle_seconds]:
            del self._sessions[token]


class LoginThrottle:
    """Refuses a username for a while after too many wrong passwords (slows password guessing)."""

    def __init__(self, max_failures: int = 5, window_seconds: float = 900,
                 clock: Optional[Clock] = None):
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self.clock = clock or time.monotonic
        self._failures: Dict[str, List[float]] = {}

    def blocked(self, username: str) -> bool:
        return len(self._recent(username)) >= self.max_failures

    def failed(self, username: str) -> None:
        self._failures[self._key(username)] = self._recent(username) + [self.clock()]
        if len(self._failures) > 10_000:  # guessing many usernames must not grow memory forever
            self._failures = {k: v for k, v in self._failures.items() if self._recent(k)}

    def succeeded(self, username: str) -> None:
        self._failures.pop(self._key(username), None)

    def _recent(self, username: str) -> List[float]:
        cutoff = self.clock() - self.window_seconds
        return [t for t in self._failures.get(self._key(username), []) if t > cutoff]

    @staticmethod
    def _key(username: str) -> str:
        return (username or "").strip().lower()
