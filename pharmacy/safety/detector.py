"""One answer to "is this an emergency?": the cue patterns first, then the meaning check.

Either is enough. The patterns name the kind precisely and cost microseconds; the meaning check
(``semantic``) catches what people say without the expected words. Where the encoder is not
installed the patterns alone decide (``make setup`` installs it).
"""

from __future__ import annotations

from pharmacy.safety.emergency import (
    Emergency,
    EmergencyAssessment,
    assess_emergency,
    is_hypothetical,
    is_long_standing,
)
from pharmacy.safety.semantic import default_semantic_check

SEMANTIC_CUE = "semantic"
# Where the NLU guard puts a message's emergency kinds in its parse data, for the action server.
PARSE_DATA_KEY = "emergency"


def assess_message(text: str | None) -> EmergencyAssessment:
    """Whether ``text`` describes an emergency now, and of which kinds."""
    found = assess_emergency(text)
    if found.is_emergency or not text or not text.strip():
        return found
    if found.topic and is_hypothetical(text):
        return found  # "what happens if a child swallows a battery?": a topic, by its form
    check = default_semantic_check()
    match = check.match(text) if check is not None else None
    if match is None:
        return found
    if match.kind is Emergency.MEDICAL and is_long_standing(text):
        return found  # read by meaning, a complaint of months is not an emergency now
    return EmergencyAssessment(kinds=(match.kind,), topic=False, cues=(SEMANTIC_CUE,))
