"""The conversations of the load: a realistic mix for our assistant, and for Rasa's starter
scripts of the same turn counts and weights (it knows only greetings, moods, goodbyes and "are you
a bot"), so both see the same load shape."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Turn:
    """What the shopper sends: ``text``, or with ``button`` the payload of the first button of the
    previous reply whose payload or title contains ``button`` (the first button if none does)."""

    text: str = ""
    button: str | None = None


@dataclass(frozen=True)
class Script:
    skill: str
    turns: tuple[Turn, ...]
    weight: int = 1
    login: str | None = None  # customer reference: a login token goes with the first message


def _typed(*texts: str) -> tuple[Turn, ...]:
    return tuple(Turn(text) for text in texts)


def our_scripts(customer: str, order_in_transit: str) -> list[Script]:
    """Weights: medicine and FAQ questions most, then tracking and refills, a few handoffs and
    messages the assistant cannot read. ``customer`` (with a refillable atorvastatin and
    lisinopril, like the demo's C-1001) owns ``order_in_transit``."""
    return [
        Script(
            "medicine",
            _typed("hi", "what is lisinopril used for", "and what about side effects?", "thanks"),
            3,
        ),
        Script("medicine", _typed("how do i take levothyroxine", "how should i store it"), 2),
        Script(
            "medicine", _typed("lipiter side effects", "any warnings for warfarin", "thank you"), 2
        ),
        Script("faq", _typed("how long does shipping take", "do you take insurance", "thanks"), 3),
        Script(
            "faq", _typed("hello", "what are your opening hours", "can i pay with my hsa card"), 2
        ),
        Script(
            "tracking",
            _typed("hi", f"where is {order_in_transit}", "thanks"),
            2,
            login=customer,
        ),
        Script(
            "tracking",
            (Turn("where is my order"), Turn(button=order_in_transit), Turn("thank you")),
            2,
            login=customer,
        ),
        # To the summary, then cancelled: a placed order could be placed only once.
        Script(
            "refill",
            (Turn("refill my atorvastatin"), Turn(button="Pick up"), Turn("no")),
            2,
            login=customer,
        ),
        Script(
            "refill",
            (Turn("can i get a refill of my lisinopril"), Turn(button="Home"), Turn("cancel")),
            1,
            login=customer,
        ),
        # Last turn: once queued for a person the bot is silent (no reply text by design).
        Script("handoff", _typed("hi", "can i talk to a pharmacist please"), 1),
        Script("handoff", _typed("i want to talk to a real person"), 1),
        Script("fallback", _typed("qwxz plorf vvbnq ahsgdk", "hello", "what can you do"), 2),
    ]


# Each line a conversation the starter's stories and rules answer turn by turn.
_STARTER_CONVERSATIONS = {
    "mood_unhappy": ("hi", "i am very sad", "yes", "bye"),
    "mood_great": ("hello there", "i am feeling great", "goodbye"),
    "bot_challenge": ("hey", "are you a bot?", "good bye"),
}


def starter_scripts(mirrored: list[Script]) -> list[Script]:
    """One starter script per script of ``mirrored``, with its turn count and weight."""
    kinds = itertools.cycle(_STARTER_CONVERSATIONS.items())
    scripts = []
    for script in mirrored:
        skill, texts = next(kinds)
        # Longer than its conversation: start it again (a greeting works at any point).
        turns = tuple(Turn(texts[i % len(texts)]) for i in range(len(script.turns)))
        scripts.append(Script(skill, turns, script.weight))
    return scripts


def schedule(scripts: list[Script], seed: int = 16) -> list[int]:
    """Script indexes in weight proportion, shuffled once; worker k starts at a different place
    in it, and the same seed gives both assistants the same order of shapes."""
    order = [i for i, script in enumerate(scripts) for _ in range(script.weight)]
    random.Random(seed).shuffle(order)
    return order
