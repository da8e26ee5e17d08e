"""Conversation figures from the tracker store: who talked, user turns, fallback turns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pharmacy.metrics.records import FALLBACK_ACTION, TRACKER_EVENTS


@dataclass(frozen=True)
class ConversationFigures:
    senders: frozenset[str]  # conversations with a user message in the window
    user_turns: int
    fallback_turns: int


def conversation_figures(session: Session, since: datetime, until: datetime) -> ConversationFigures:
    events = TRACKER_EVENTS.c
    window = (events.timestamp >= since.timestamp(), events.timestamp < until.timestamp())
    senders = session.scalars(
        select(events.sender_id).where(*window, events.type_name == "user").distinct()
    ).all()
    user_turns = session.scalar(select(func.count()).where(*window, events.type_name == "user"))
    fallback_turns = session.scalar(
        select(func.count()).where(
            *window, events.type_name == "action", events.action_name == FALLBACK_ACTION
        )
    )
    return ConversationFigures(frozenset(senders), user_turns or 0, fallback_turns or 0)
