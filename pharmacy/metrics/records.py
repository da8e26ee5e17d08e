"""The records the metrics read: Rasa's SQL tracker-store table (Rasa owns and creates it) and
the handoff and refill tables of the core."""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, inspect
from sqlalchemy.orm import Session

FALLBACK_ACTION = "action_default_fallback"
# Only the columns read here.
TRACKER_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),  # the event as JSON: a user event's text and parse_data
)


def has_tracker_store(session: Session) -> bool:
    return inspect(session.get_bind()).has_table(TRACKER_EVENTS.name)
