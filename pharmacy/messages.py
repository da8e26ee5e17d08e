"""The message catalogue: every sentence that code (rather than a story) says to a shopper.

Keys are stable ids; a second language is a second table with the same keys.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Tuple

Button = Tuple[str, str]  # (title, payload)

HELP_BUTTON: Button = ("What can you do?", "/help")
HUMAN_BUTTON: Button = ("Talk to a person", "/request_human")


@dataclass(frozen=True)
class Message:
    text: str
    buttons: List[Button] = field(default_factory=list)


CATALOGUE: Dict[str, Dict[str, Message]] = {
    "en": {
        "fallback.default": Message(
            "Sorry, I didn't understand that. Could you put it another way?",
            [HELP_BUTTON, HUMAN_BUTTON],
        ),
        "fallback.empty": Message(
            "Your message looks empty. Type your question and I'll do my best to help."
        ),
        "fallback.too_long": Message(
            "That message is longer than I can read ({max_chars} characters at most). "
            "Could you send the main question in a shorter message?",
            [HUMAN_BUTTON],
        ),
    }
}


def render(key: str, language: str = "en", **values: object) -> Message:
    """The message ``key`` with its placeholders filled in; KeyError for an unknown key."""
    template = CATALOGUE[language][key]
    return Message(template.text.format(**values), list(template.buttons))
