"""Removing personal data from text that leaves the conversation: handoff transcripts and logs.

Dates of birth and phone numbers (every form the identity check accepts: ``phi_grammar``),
street addresses and insurance ids are replaced by a placeholder; order and Rx numbers stay,
since staff need them.
"""

from __future__ import annotations

import re

from pharmacy.phi_grammar import DATE_IN_TEXT, PHONE_IN_TEXT

_STREET_TYPES = (
    "Avenue|Ave|Street|St|Lane|Ln|Drive|Dr|Road|Rd|Way|Court|Ct|Boulevard|Blvd|"
    "Place|Pl|Parkway|Pkwy|Highway|Hwy|Terrace|Ter|Circle|Cir"
)
_PATTERNS = [
    (DATE_IN_TEXT, "[date removed]"),
    (re.compile(r"\bEVG\d{8}\b", re.I), "[insurance id removed]"),
    # "1234 Maple Ave", "77 Commerce Blvd": capitalised, so "20 mg of St John's wort" stays.
    (
        re.compile(rf"(?<!\w)\d{{1,6}}\s+(?:[A-Z][\w'.-]*\s+){{1,3}}(?:{_STREET_TYPES})\b\.?"),
        "[address removed]",
    ),
    (re.compile(r"\b(?:Suite|Ste|Apt|Apartment|Unit)\.?\s*#?\s*\d\w{0,5}\b"), "[address removed]"),
    # A state and ZIP code: "OR 97212", "OR, 97212-1234".
    (re.compile(r"\b[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b"), "[address removed]"),
    (PHONE_IN_TEXT, "[number removed]"),
]


def redact(text: str) -> str:
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text
