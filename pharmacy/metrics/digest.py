"""The digest of Rasa's tracker events that the dashboard reads (tables in ``models``).

Scanning every event of a month on each page view does not hold at 100,000 conversations, so the
events are read once, in order of their ids, past a cursor kept in the database. The
conversations that new events belong to are recomputed whole from all their events, and their
rows replaced, so reading an event twice is harmless. That is why each run also reads again the
last ``OVERLAP`` events before the cursor: with several Rasa processes on PostgreSQL, a turn can
commit after a later id did, and it is still seen.

Runs serialise on the cursor's row (the first statement of each step updates it), so the desk's
pages and its background loop can all call ``digest``; each step commits on its own, so a long
first run never holds SQLite's one writer for long.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pharmacy.metrics.buckets import QUARTER
from pharmacy.metrics.models import ConversationQuarter, DigestCursor, UnansweredTurn
from pharmacy.metrics.outcomes import is_goal, skill_bits
from pharmacy.metrics.records import FALLBACK_ACTION, TRACKER_EVENTS, has_tracker_store
from pharmacy.metrics.unanswered import unanswered_of

OVERLAP = 2000  # events before the cursor read again on each run
STEP = 20000  # events read per transaction
SENDERS_PER_READ = 500
CURSOR = "events"


@dataclass
class _Quarter:
    user_turns: int = 0
    fallback_turns: int = 0
    skills: int = 0
    goal: bool = False


def digest(engine: Engine) -> int:
    """Brings the digest up to date with the tracker events; returns the number of
    conversations recomputed. Each step is a transaction of its own, on its own connection."""
    with Session(engine) as session:
        if not has_tracker_store(session):
            return 0
    events = TRACKER_EVENTS.c
    recomputed = 0
    first = True
    while True:
        with Session(engine) as session, session.begin():
            done = _claim(session)
            top = session.scalar(select(func.max(events.id))) or 0
            if top < done:  # the tracker store was emptied or rebuilt
                session.execute(delete(ConversationQuarter))
                session.execute(delete(UnansweredTurn))
                done = 0
            start = max(0, done - OVERLAP) if first else done
            end = min(top, done + STEP)
            senders = session.scalars(
                select(events.sender_id).where(events.id > start, events.id <= end).distinct()
            ).all()
            recomputed += recompute(session, senders)
            cursor = DigestCursor.__table__
            session.connection().execute(
                update(cursor).where(cursor.c.name == CURSOR).values(last_event_id=end)
            )
        first = False
        if end >= top:
            return recomputed


def _claim(session: Session) -> int:
    """Locks the cursor's row for this transaction and returns it (0 on a first run)."""
    cursor = DigestCursor.__table__
    claimed = session.connection().execute(
        update(cursor).where(cursor.c.name == CURSOR).values(last_event_id=cursor.c.last_event_id)
    )
    if claimed.rowcount == 0:
        session.add(DigestCursor(name=CURSOR, last_event_id=0))
        session.flush()
        return 0
    return (
        session.scalar(select(DigestCursor.last_event_id).where(DigestCursor.name == CURSOR)) or 0
    )


def recompute(session: Session, senders: Sequence[str]) -> int:
    """Replaces the digest rows of these conversations with ones read from all their events."""
    events = TRACKER_EVENTS.c
    for n in range(0, len(senders), SENDERS_PER_READ):
        chunk = senders[n : n + SENDERS_PER_READ]
        rows = session.execute(
            select(
                events.id,
                events.sender_id,
                events.type_name,
                events.timestamp,
                events.intent_name,
                events.action_name,
                events.data,
            )
            .where(events.sender_id.in_(chunk), events.type_name.in_(("user", "action", "bot")))
            .order_by(events.sender_id, events.id)
        ).all()
        forget(session, chunk)
        quarters: list[dict[str, Any]] = []
        unanswered: list[dict[str, Any]] = []
        for sender, mine in _by_sender(rows):
            quarters.extend(_quarter_rows(sender, mine))
            unanswered.extend(
                {"event_id": event_id, "sender_id": sender, "at": at, "text": text, "why": why}
                for event_id, text, at, why in unanswered_of(mine)
            )
        if quarters:
            session.execute(insert(ConversationQuarter), quarters)
        if unanswered:
            session.execute(insert(UnansweredTurn), unanswered)
    return len(senders)


def forget(session: Session, senders: Iterable[str]) -> None:
    """Drops the digest rows of these conversations (say, when their events are deleted)."""
    chosen = list(senders)
    session.execute(delete(ConversationQuarter).where(ConversationQuarter.sender_id.in_(chosen)))
    session.execute(delete(UnansweredTurn).where(UnansweredTurn.sender_id.in_(chosen)))


def _by_sender(rows: Sequence[Any]) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """(sender, [(id, type, timestamp, intent, action, event), ...]) from rows sorted by sender,
    each user and bot event's JSON read once."""
    for sender, mine in groupby(rows, key=itemgetter(1)):
        yield (
            sender,
            [
                (
                    event_id,
                    kind,
                    stamp,
                    intent,
                    action,
                    json.loads(data or "{}") if kind != "action" else {},
                )
                for event_id, _sender, kind, stamp, intent, action, data in mine
            ],
        )


def _quarter_rows(sender: str, mine: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
    quarters: dict[int, _Quarter] = {}
    for _id, kind, stamp, intent, action, event in mine:
        if stamp is None:
            continue
        said = event.get("text") or "" if kind == "bot" else ""
        counted = kind == "user" or action == FALLBACK_ACTION or is_goal(kind, action, said)
        if not counted:
            continue
        quarter = quarters.setdefault(int(stamp // QUARTER), _Quarter())
        if kind == "user":
            quarter.user_turns += 1
            quarter.skills |= skill_bits(intent)
        elif action == FALLBACK_ACTION:
            quarter.fallback_turns += 1
        else:
            quarter.goal = True
    return [
        {
            "sender_id": sender,
            "quarter": number,
            "user_turns": q.user_turns,
            "fallback_turns": q.fallback_turns,
            "skills": q.skills,
            "goal": q.goal,
        }
        for number, q in quarters.items()
    ]
