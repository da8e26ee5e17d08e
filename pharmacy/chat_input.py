"""What counts as a message the assistant cannot read: empty, or longer than the limit."""

from __future__ import annotations

from enum import Enum

from pharmacy.settings import load_settings


class UnreadableInput(str, Enum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


def classify_text(text: str | None, max_chars: int | None = None) -> UnreadableInput | None:
    """None for a message the NLU should read; otherwise why it should not."""
    if text is None or not text.strip():
        return UnreadableInput.EMPTY
    limit = max_chars if max_chars is not None else load_settings().max_message_chars
    if len(text) > limit:
        return UnreadableInput.TOO_LONG
    return None
