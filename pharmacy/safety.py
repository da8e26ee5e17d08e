"""Emergency detection that does not depend on the intent classifier (pharmacy rules, section 3).

A lexicon of phrases per kind of emergency; a match pre-empts everything the assistant is doing.
The NLU intent ``emergency`` is the second line: either one is enough.
"""
from __future__ import annotations

import enum
import re
from typing import Optional


class Emergency(str, enum.Enum):
    POISONING = "poisoning"  # overdose, double dose, a child swallowed pills
    SELF_HARM = "self_harm"
    MEDICAL = "medical"  # swelling of face or throat, trouble breathing, chest pain, seizure


_LEXICON = {
    Emergency.SELF_HARM: [
        r"\b(kill|hurt|harm)(ing)? my ?self\b", r"\bsuicid", r"\bend (it all|my life)\b",
        r"\bwant to die\b", r"\bdon'?t want to (live|be alive)\b", r"\bself[- ]harm",
        r"\boverdose on purpose\b", r"\btake all my (pills|meds|medication)\b",
        r"\b(cutting|cut|burning|burn|hitting) my ?self\b", r"\bno reason to live\b",
    ],
    Emergency.POISONING: [
        r"\bover ?dos(e|ed|ing)\b", r"\bdouble dose\b", r"\btook (two|2|double|twice) (doses|pills|tablets)",
        r"\btook too (many|much)\b", r"\b(child|kid|son|daughter|toddler|baby|dog)( \w+)? (ate|swallowed|took|got into)\b",
        r"\bswallowed (some|my|the|a bottle|a handful|pills|tablets)\b", r"\bpoison(ed|ing)?\b",
        r"\b(ate|swallowed) (a bottle|the bottle|a handful)\b",
    ],
    Emergency.MEDICAL: [
        r"\b(throat|tongue|lips?|face) (is |are )?(swelling|swollen|closing)", r"\bswelling (of|in) my (throat|face|tongue|lips)\b",
        r"\b(can'?t|cannot|trouble|hard to|struggling to|difficulty) breath", r"\bchest pain\b",
        r"\bseizure", r"\bunconscious\b", r"\bunresponsive\b", r"\bnot breathing\b",
        r"\bpassed out\b", r"\banaphyla", r"\b(won'?t|will not|can'?t|cannot|not) (wake|waking) (up|him|her|them)\b",
        r"\bempty (pill|medicine) bottle\b",
        r"\bfit(ting)? and shaking\b",
    ],
}
_COMPILED = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, patterns in _LEXICON.items()
             for pattern in patterns]


def detect_emergency(text: Optional[str]) -> Optional[Emergency]:
    """The kind of emergency a message describes, or None. Self-harm is checked first."""
    if not text:
        return None
    for kind, pattern in _COMPILED:
        if pattern.search(text):
            return kind
    return None
