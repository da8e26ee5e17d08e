"""A conversation's transcript as staff see it: the shopper's and the assistant's lines from the
tracker events, each redacted (``pharmacy.privacy``). The handoff ticket copies it when a person
is asked for; the supervisor's conversation page reads it from the tracker store."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pharmacy.privacy import redact

SENDER_OF_EVENT = {"user": "customer", "bot": "bot"}


def transcript_lines(events: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, datetime]]:
    """(sender, redacted text, naive UTC time) of every user and bot event with text."""
    lines = []
    for event in events:
        sender = SENDER_OF_EVENT.get(event.get("event") or "")
        if sender and event.get("text"):
            at = datetime.utcfromtimestamp(event.get("timestamp") or 0)
            lines.append((sender, redact(event["text"]), at))
    return lines
