"""Failed identity checks counted where a guesser cannot reset them: per customer and per
possession factor, in the database, whatever chat or sender id the tries come from."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pharmacy.access.models import IdentityFailure


@dataclass(frozen=True)
class LockoutPolicy:
    max_attempts: int = 3
    lock_minutes: int = 15


@dataclass(frozen=True)
class FailureOutcome:
    remaining: int  # tries left before the lock (0 once locked)
    locked_until: datetime | None
    just_locked: bool  # this failure set the lock: alert staff now, and only now


def subject(kind: str, value: str, key: str) -> str:
    """A keyed hash naming what was guessed at ("customer", "order", "rx" or "phone")."""
    return hmac.new(key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _rows(session: Session, subjects: Iterable[str]) -> list[IdentityFailure]:
    # Locked in a stable order, so two chats failing at once cannot deadlock on PostgreSQL.
    rows = []
    for name in sorted(set(subjects)):
        row = session.get(IdentityFailure, name, with_for_update=True)
        if row is not None:
            rows.append(row)
    return rows


def locked_until(session: Session, subjects: Iterable[str], now: datetime) -> datetime | None:
    ends = [
        row.locked_until
        for row in _rows(session, subjects)
        if row.locked_until is not None and row.locked_until > now
    ]
    return max(ends) if ends else None


def record_failure(
    session: Session, subjects: Iterable[str], now: datetime, policy: LockoutPolicy
) -> FailureOutcome:
    """Count one failed check against every subject; lock those that reach the limit."""
    names = sorted(set(subjects))
    rows = {row.subject: row for row in _rows(session, names)}
    was_locked = any(
        row.locked_until is not None and row.locked_until > now for row in rows.values()
    )
    for name in names:
        row = rows.get(name)
        if row is None:
            row = rows[name] = IdentityFailure(subject=name, failures=0, last_failure_at=now)
            session.add(row)
        elif row.locked_until is not None and row.locked_until <= now:
            row.failures, row.locked_until = 0, None  # an old lock has run out: count afresh
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= policy.max_attempts and row.locked_until is None:
            row.locked_until = now + timedelta(minutes=policy.lock_minutes)
    session.flush()
    locks = [row.locked_until for row in rows.values() if row.locked_until is not None]
    if not locks:
        worst = max((row.failures for row in rows.values()), default=0)
        return FailureOutcome(policy.max_attempts - worst, None, False)
    return FailureOutcome(0, max(locks), not was_locked)


def clear(session: Session, subjects: Iterable[str]) -> None:
    for row in _rows(session, subjects):
        session.delete(row)
