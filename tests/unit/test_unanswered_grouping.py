"""Grouping of unanswered messages: the word index gives the groups the plain greedy pass
(compare with every group, in the order they were made) gives."""

from __future__ import annotations

import random
from datetime import datetime

from pharmacy.metrics.unanswered import SIMILAR, Unanswered, group, overlap, words

VOCABULARY = "pet cat dog price bitcoin pay card refund vet insulin pen ship late box".split()


def greedy(messages: list[Unanswered]) -> list[list[str]]:
    groups: list[tuple[frozenset[str], list[str]]] = []
    for message in messages:
        mine = words(message.text)
        home = next((g for g in groups if overlap(g[0], mine) >= SIMILAR), None)
        if home is None:
            home = (mine, [])
            groups.append(home)
        home[1].append(message.text)
    return [texts for _, texts in sorted(groups, key=lambda g: -len(g[1]))]


def test_the_index_changes_no_group():
    rng = random.Random(5)
    messages = [
        Unanswered(
            f"c{n}",
            " ".join(rng.sample(VOCABULARY, rng.randint(0, 4))),
            datetime(2099, 1, 1),
            "fallback",
        )
        for n in range(600)
    ]
    found = [[m.text for m in g.messages] for g in group(messages)]
    assert found == greedy(messages)
    assert 20 < len(found) < 600  # groups of several messages, not one each
