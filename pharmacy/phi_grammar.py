"""How shoppers type a date of birth or a phone number: one grammar for two readers.

``pharmacy.identity`` accepts a factor only when the text matches these patterns, and
``pharmacy.privacy`` removes every match from transcripts and logs; so whatever verifies a
shopper is also redacted, by construction. Every quantifier is bounded or runs over disjoint
character classes, so a search costs time linear in the text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
# Longest first, so that "march" is not read as "mar" followed by "ch".
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"
_GAP = r"[,\s]+"  # "March 14, 1958", "March 14,1958", "14th  March 1958"
# "/" may come escaped when a log quotes a request body: "03\/14\/1958" in JSON, and its
# backslash doubled again when that body is shown as Python bytes.
_SEP = r"(?:[-.]|\\{0,2}/)"

# \d is any decimal digit, so full-width digits typed with a Chinese keyboard count too.
DATE = re.compile(
    rf"(?P<iso_y>\d{{4}}){_SEP}(?P<iso_m>\d{{1,2}}){_SEP}(?P<iso_d>\d{{1,2}})"
    rf"|(?P<us_m>\d{{1,2}}){_SEP}(?P<us_d>\d{{1,2}}){_SEP}(?P<us_y>\d{{4}}|\d{{2}})"
    rf"|(?P<mdy_m>{_MONTH})\.?{_GAP}(?P<mdy_d>\d{{1,2}}){_ORDINAL}{_GAP}(?P<mdy_y>\d{{4}})"
    rf"|(?P<dmy_d>\d{{1,2}}){_ORDINAL}{_GAP}(?P<dmy_m>{_MONTH})\.?{_GAP}(?P<dmy_y>\d{{4}})",
    re.IGNORECASE,
)
# A date only where it is a whole token: not the tail of "RX1000003/12/1958" or of a longer number.
DATE_IN_TEXT = re.compile(rf"(?<!\w)(?:{DATE.pattern})(?!\w)", re.IGNORECASE)

PHONE_DIGITS = (10, 15)  # a US number, up to an international one with its country code
# Up to three separators between two digits: "+1 (503) 555-0101", "503/555/0101", "5035550101"
# (and "503\/555\/0101", JSON-escaped).
PHONE_IN_TEXT = re.compile(
    rf"(?<!\w)\+?\(?\d(?:[\s().\-/\\]{{0,3}}\d){{{PHONE_DIGITS[0] - 1},{PHONE_DIGITS[1] - 1}}}(?!\w)"
)


def ascii_digits(text: str) -> str:
    """The decimal digits of ``text`` as ASCII ("５０３-555" -> "503555")."""
    return "".join(str(unicodedata.decimal(char)) for char in text if char.isdecimal())


class TypedDate(NamedTuple):
    """A date as typed, not yet checked against a calendar; ``century`` is False for "3/14/58"."""

    year: int
    month: int
    day: int
    century: bool


def date_parts(match: re.Match[str]) -> TypedDate | None:
    """The parts of a DATE match, or None for a month name that only matched by case folding."""
    groups = match.groupdict()
    for style in ("iso", "us", "mdy", "dmy"):
        year = groups[f"{style}_y"]
        if year is None:
            continue
        typed_month = groups[f"{style}_m"]
        # Case-insensitive matching admits letters like "ſ" that lower() does not map back.
        month = MONTHS.get(typed_month.lower()) if typed_month.isalpha() else int(typed_month)
        if month is None:
            return None
        # int() reads any decimal digits, full-width ones included.
        return TypedDate(int(year), month, int(groups[f"{style}_d"]), len(year) == 4)
    return None
