"""The demo customers' personal data as it could appear in a log, and where it does.

Spelled out independently of ``pharmacy.phi_grammar`` (the redactor's own patterns), so a form
the redactor misses is still found here.
"""

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from pharmacy.database import session_scope
from pharmacy.models import Customer


def date_forms(day: date) -> set[str]:
    m, d, y, yy = day.month, day.day, day.year, f"{day.year % 100:02d}"
    month, mon = day.strftime("%B"), day.strftime("%b")
    numeric = {
        f"{mm}{sep}{dd}{sep}{y}"
        for mm in (m, f"{m:02d}")
        for dd in (d, f"{d:02d}")
        for sep in "/-."
    }
    return numeric | {
        f"{m}/{d}/{yy}",
        f"{m:02d}/{d:02d}/{yy}",
        f"{y}-{m:02d}-{d:02d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{m:02d}{d:02d}{y}",
        f"{y}{m:02d}{d:02d}",
        *(f"{name} {d}{gap}{y}" for name in (month, mon) for gap in (", ", ",", " ")),
        *(
            f"{d}{suffix} {name} {y}"
            for name in (month, mon)
            for suffix in ("", "th", "st", "nd", "rd")
        ),
    }


def phone_forms(phone: str) -> set[str]:
    digits = re.sub(r"\D", "", phone)[-10:]
    a, e, n = digits[:3], digits[3:6], digits[6:]
    return {
        phone,
        digits,
        f"{a}-{e}-{n}",
        f"({a}) {e}-{n}",
        f"{a}.{e}.{n}",
        f"{a}/{e}/{n}",
        f"{a} {e} {n}",
    }


def personal_data(database_url: str) -> set[str]:
    """Every form of every demo customer's date of birth, phone, address and insurance id."""
    found: set[str] = set()
    with session_scope(database_url) as session:
        for customer in session.query(Customer):
            found |= date_forms(customer.date_of_birth) | phone_forms(customer.phone)
            found.add(customer.insurance_member_id or "")
            for address in customer.addresses:
                found |= {
                    address.line1,
                    address.line2 or "",
                    f"{address.state} {address.postal_code}",
                }
    # Logs quote request bodies as JSON, where "/" may be written "\\/", and that again as
    # Python bytes, "\\\\/".
    found |= {item.replace("/", escaped) for item in found for escaped in ("\\/", "\\\\/")}
    return {item.lower() for item in found if item}


def findings(log_files: Iterable[Path], needles: set[str]) -> list[str]:
    """ "<file>:<line>: <needle>" for each needle in a log, as a whole token."""
    found = []
    for path in log_files:
        text = path.read_text(errors="replace").lower()
        for needle in sorted(n for n in needles if n in text):  # the cheap test first
            for match in re.finditer(rf"(?<![0-9a-z]){re.escape(needle)}(?![0-9a-z])", text):
                found.append(f"{path.name}:{text.count(chr(10), 0, match.start()) + 1}: {needle}")
    return found
