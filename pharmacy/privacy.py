"""Removing personal data from text that leaves the conversation: handoff transcripts and logs.

Dates of birth, phone numbers and insurance ids typed by a shopper are replaced by a placeholder;
order and Rx numbers stay, since staff need them.
"""
from __future__ import annotations

import logging
import re

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_PATTERNS = [
    (re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b"), "[date removed]"),
    (re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"), "[date removed]"),
    (re.compile(rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}}\b", re.I), "[date removed]"),
    (re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{2,4}}\b", re.I), "[date removed]"),
    (re.compile(r"\bEVG\d{8}\b", re.I), "[insurance id removed]"),
    # Phone numbers: 10+ digits with optional separators, but not order (EP-) or Rx numbers.
    (re.compile(r"(?<![\w-])\+?\d[\d\s().-]{8,}\d\b"), "[number removed]"),
]


def redact(text: str) -> str:
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text


class RedactingFilter(logging.Filter):
    """Attach to a handler so that no log line carries a date of birth or a phone number."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        return True
