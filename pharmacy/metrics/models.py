"""The dashboard's digest of Rasa's tracker events (``pharmacy.metrics.digest``): what the
supervisor pages read instead of scanning every event of the range on each request.

- ``conversation_quarters``: per conversation and quarter hour of UTC (every time zone's
  midnight falls on one, so days in any zone are sums of them), the figures the dashboard counts;
- ``unanswered_turns``: the shopper messages the assistant did not understand or could not answer;
- ``metrics_digest_cursor``: how far the events have been read.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, String, Text

from pharmacy.models import Base


class ConversationQuarter(Base):
    __tablename__ = "conversation_quarters"
    __table_args__ = (
        Index(
            "ix_conversation_quarters_quarter",
            "quarter",
            "sender_id",
            "user_turns",
            "fallback_turns",
            "skills",
            "goal",
        ),
    )

    sender_id = Column(String(255), primary_key=True)
    quarter = Column(Integer, primary_key=True)  # seconds since the epoch // 900
    user_turns = Column(Integer, nullable=False)
    fallback_turns = Column(Integer, nullable=False)
    skills = Column(Integer, nullable=False)  # a bit per skill of ``outcomes.SKILLS``, in order
    goal = Column(Boolean, nullable=False)  # an outcome was completed (``outcomes``)


class UnansweredTurn(Base):
    __tablename__ = "unanswered_turns"

    event_id = Column(Integer, primary_key=True)  # the shopper's message in ``events``
    sender_id = Column(String(255), nullable=False, index=True)
    at = Column(Float, nullable=False, index=True)  # the message's tracker timestamp
    text = Column(Text, nullable=False)
    why = Column(String(40), nullable=False)


class DigestCursor(Base):
    __tablename__ = "metrics_digest_cursor"

    name = Column(String(40), primary_key=True)
    last_event_id = Column(Integer, nullable=False)
