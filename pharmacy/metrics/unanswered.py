"""Unanswered questions: shoppers' messages the assistant did not understand or could not answer,
grouped by token overlap so that a supervisor reads one row per kind of question; marked groups
become Rasa NLU training data for review.

How each shows in the tracker events, for the turn that follows the message (``why``):
- ``fallback``: the next action was the fallback;
- ``low_confidence_handoff``: the fallback, and the assistant said it is bringing a person in
  (the second misunderstanding in a row, ``handoff.low_confidence``);
- ``no_information``: the assistant said "I don't have information on ..." (a medicine the
  knowledge base does not hold);
- ``low_confidence``: the intent's confidence was below ``LOW_CONFIDENCE``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from pharmacy.knowledge.answers import TEMPLATES as LABEL_TEXT
from pharmacy.messages import CATALOGUE
from pharmacy.metrics.buckets import as_stamp
from pharmacy.metrics.models import UnansweredTurn
from pharmacy.metrics.records import FALLBACK_ACTION
from pharmacy.privacy import redact

LOW_CONFIDENCE = 0.5
SIMILAR = 0.5  # Jaccard overlap of content words that puts two messages in one group
# What the assistant says in those turns, up to the first placeholder.
NO_INFORMATION = LABEL_TEXT["en"]["unknown_medicine.unnamed"].split(" that ")[0]
HANDOFF_LOW_CONFIDENCE = CATALOGUE["en"]["handoff.low_confidence"].text.split("{")[0].split(":")[0]
_WORD = re.compile(r"[a-z0-9']+")
_STOP = frozenset(
    "a an the i me my you your is are was do does can could would should to of for on in it and or "
    "be this that what how when why with have has please hi hello".split()
)


@dataclass(frozen=True)
class Unanswered:
    conversation_id: str
    text: str
    at: datetime
    why: str  # see the module's docstring


@dataclass
class Group:
    words: frozenset[str]
    messages: list[Unanswered] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.messages)

    @property
    def example(self) -> str:
        return self.messages[0].text


def words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOP)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


@dataclass
class _Turn:
    """A shopper's message and what followed it, up to the next one."""

    text: str
    at: float
    confidence: float
    actions: list[str] = field(default_factory=list)
    said: list[str] = field(default_factory=list)

    def why(self) -> str | None:
        if any(t.startswith(NO_INFORMATION) for t in self.said):
            return "no_information"
        if FALLBACK_ACTION in self.actions:
            if any(t.startswith(HANDOFF_LOW_CONFIDENCE) for t in self.said):
                return "low_confidence_handoff"
            return "fallback"
        if self.actions and self.confidence < LOW_CONFIDENCE:
            return "low_confidence"
        return None


def unanswered_of(events: Iterable[Sequence[Any]]) -> Iterator[tuple[int, str, float, str]]:
    """(event id, text, timestamp, why) of each unanswered message of one conversation, from its
    events in order: (id, type, timestamp, intent, action, event) rows, the event's JSON read."""
    turn: _Turn | None = None
    turn_id = 0

    def closed() -> Iterator[tuple[int, str, float, str]]:
        why = turn.why() if turn else None
        if turn and why and turn.text.strip():
            yield turn_id, turn.text, turn.at, why

    for event_id, kind, stamp, _intent, action, event in events:
        if kind == "user":
            yield from closed()
            confidence = ((event.get("parse_data") or {}).get("intent") or {}).get("confidence")
            turn_id = event_id
            turn = _Turn(event.get("text") or "", stamp, 1.0 if confidence is None else confidence)
        elif turn and kind == "action" and action != "action_listen":
            turn.actions.append(action)
        elif turn and kind == "bot":
            turn.said.append(event.get("text") or "")
    yield from closed()


def unanswered_messages(session: Session, since: datetime, until: datetime) -> list[Unanswered]:
    """The unanswered messages written in [since, until) (naive UTC), oldest first."""
    from pharmacy.metrics.digest import digest  # the digest reads turns with ``unanswered_of``

    digest(session.get_bind())
    rows = session.execute(
        select(UnansweredTurn.sender_id, UnansweredTurn.text, UnansweredTurn.at, UnansweredTurn.why)
        .where(UnansweredTurn.at >= as_stamp(since), UnansweredTurn.at < as_stamp(until))
        .order_by(UnansweredTurn.at, UnansweredTurn.sender_id, UnansweredTurn.event_id)
    )
    return [
        Unanswered(sender, text, datetime.utcfromtimestamp(at), why)
        for sender, text, at, why in rows
    ]


def group(messages: Iterable[Unanswered], similar: float = SIMILAR) -> list[Group]:
    """Greedy grouping: each message joins the first group whose words overlap enough; the
    biggest groups first. Only groups sharing a word with the message are compared (an index
    from word to groups): a month of varied messages makes thousands of groups."""
    groups: list[Group] = []
    having: dict[str, list[int]] = {}  # word -> numbers of the groups whose words hold it
    for message in messages:
        mine = words(message.text)
        shared: Counter[int] = Counter(n for word in mine for n in having.get(word, ()))
        # Overlap from the counts: shared / (mine + theirs - shared).
        home = next(
            (
                groups[n]
                for n in sorted(shared)
                if shared[n] >= similar * (len(mine) + len(groups[n].words) - shared[n])
            ),
            None,
        )
        if home is None:
            home = Group(mine)
            for word in mine:
                having.setdefault(word, []).append(len(groups))
            groups.append(home)
        home.messages.append(message)
    return sorted(groups, key=lambda g: -g.count)


def nlu_yaml(marked: Sequence[tuple[str, Group]]) -> str:
    """Rasa 3.x NLU data: one intent block per mark (an intent name), its messages as examples
    (those without personal data)."""
    examples: dict[str, list[str]] = {}
    for intent, grp in marked:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", intent):
            raise ValueError(f"not an intent name: {intent!r}")
        seen = examples.setdefault(intent, [])
        for m in grp.messages:
            text = " ".join(m.text.split())
            # Training data ends up in the repository: a message with a date of birth, a phone
            # number or an address is left out rather than exported.
            if redact(text) != text:
                continue
            if text not in seen:
                seen.append(text)
    nlu = [
        {"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
        for intent, texts in examples.items()
    ]
    return yaml.dump(
        {"version": "3.1", "nlu": nlu}, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True
    )


class _BlockDumper(yaml.SafeDumper):
    """Examples as a ``|`` block, the way Rasa's own files write them."""


def _block(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_BlockDumper.add_representer(str, _block)
