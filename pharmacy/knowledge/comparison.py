"""Two medicines side by side: "X vs Y", "difference between X and Y", "is X better than Y".

A short comparison from the knowledge base's fields (class, what each is for, prescription or not,
and what differs), never two overviews. Which is better for someone is a pharmacist's call, so a
"better" question gets the comparison and that sentence. Its sentences are in ``answers.TEMPLATES`` ("compare.*").
"""

from __future__ import annotations

import re

from pharmacy.knowledge.answers import TEMPLATES, source_line
from pharmacy.knowledge.loader import Medicine

_COMPARISON = re.compile(
    r"\b(vs\.?|versus|compared? (to|with)|comparison|compare|difference|differences|differ"
    r"|better than|worse than|stronger than|safer than|or)\b",
    re.I,
)
_BETTER = re.compile(
    r"\b(better|worse|stronger|safer|best|prefer|should i (use|take|choose))\b", re.I
)


def is_comparison(text: str) -> bool:
    """Whether ``text`` (which names two medicines) asks to compare them."""
    return bool(_COMPARISON.search(text or ""))


def _t(key: str, language: str, **values: object) -> str:
    return TEMPLATES[language][key].format(**values)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def compare(first: Medicine, second: Medicine, question: str = "", language: str = "en") -> str:
    """The comparison of two medicines, with both label sources and the disclaimer."""
    a, b = first.display_name, second.display_name
    lines = [_t("compare.heading", language, first=_cap(a), second=b)]
    if first.class_key == second.class_key:
        lines.append(_t("compare.same_class", language, drug_class=first.drug_class))
    else:
        lines.append(
            _t(
                "compare.classes",
                language,
                First=_cap(a),
                first_class=first.drug_class,
                second=b,
                second_class=second.drug_class,
            )
        )
    for medicine in (first, second):
        lines.append(
            _t(
                "compare.used_for",
                language,
                Name=_cap(medicine.display_name),
                used_for=medicine.used_for,
            )
        )
    if first.rx_status != second.rx_status:
        for medicine in (first, second):
            availability = _t(f"compare.availability.{medicine.rx_status}", language)
            lines.append(
                _t(
                    "compare.availability",
                    language,
                    Name=_cap(medicine.display_name),
                    availability=availability,
                )
            )
    for medicine in (first, second):
        if medicine.is_controlled:
            lines.append(
                _t(
                    "compare.controlled",
                    language,
                    Name=_cap(medicine.display_name),
                    schedule=medicine.dea_schedule,
                )
            )
    closing = "compare.better" if _BETTER.search(question or "") else "compare.more"
    lines.append(_t(closing, language))
    parts = [
        "\n".join(lines),
        source_line(first, language) + "\n" + source_line(second, language),
        _t("disclaimer", language),
    ]
    return "\n\n".join(parts)
