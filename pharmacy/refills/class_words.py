"""Drug-class words a shopper uses for their own medicines ("my blood pressure pills", "my statin",
"my water pill") mapped to the knowledge base's ``drug_class``, so a refill can pick them.

Each entry is a pattern over the shopper's words and a test on a medicine's ``drug_class``; the
class text is the knowledge base's, so a new medicine of a known class needs no change here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from re import Pattern

from pharmacy.knowledge.loader import Medicine

_PILL = r"(pills?|meds?|medicines?|medications?|tablets?|prescriptions?|drugs?|scripts?|rx)"

# (what the shopper says, what the drug_class contains), both lower case.
_CLASS_WORDS: list[tuple[Pattern[str], tuple[str, ...]]] = [
    (
        re.compile(rf"\b(blood pressure|bp|hypertension|high blood) ?{_PILL}?\b"),
        ("blood pressure", "thiazide"),
    ),
    (re.compile(r"\bstatins?\b|\bcholesterol\b"), ("statin", "cholesterol")),
    (re.compile(r"\bwater ?pills?\b|\bdiuretics?\b|\bfluid pills?\b"), ("diuretic", "water pill")),
    (re.compile(r"\bthyroid\b"), ("thyroid",)),
    (re.compile(r"\b(diabetes|diabetic|sugar|blood sugar|insulin)\b"), ("diabetes", "insulin")),
    (re.compile(r"\b(blood thinners?|anticoagulants?)\b"), ("anticoagulant", "blood thinner")),
    (re.compile(r"\b(antidepressants?|depression|ssris?|snris?)\b"), ("antidepressant",)),
    (re.compile(r"\b(inhalers?|puffers?|asthma)\b"), ("inhaler", "bronchodilator", "asthma")),
    (re.compile(r"\b(acid reflux|reflux|heartburn|stomach acid|acid)\b"), ("stomach acid",)),
    (re.compile(r"\b(antibiotics?)\b"), ("antibiotic",)),
    (re.compile(r"\b(allergy|allergies|antihistamines?)\b"), ("allergy", "antihistamine")),
    (re.compile(r"\b(gout)\b"), ("gout",)),
    (re.compile(r"\b(adhd|stimulants?)\b"), ("adhd",)),
    (re.compile(r"\b(seizures?|epilepsy|anticonvulsants?|nerve pain)\b"), ("seizures", "nerve")),
    (re.compile(r"\b(prostate)\b"), ("prostate",)),
    (re.compile(r"\b(sleep(ing)? (pills?|aids?|meds?))\b"), ("sleep",)),
    (re.compile(r"\b(heart (pills?|meds?|medicines?|medications?))\b"), ("heart",)),
    (re.compile(r"\b(steroids?|prednisone)\b"), ("corticosteroid",)),
]


def _normalised(text: str) -> str:
    return " ".join((text or "").lower().replace("\u2019", "'").split())


def class_terms(text: str) -> tuple[str, ...]:
    """The drug_class fragments the class words in ``text`` stand for, in pattern order."""
    cleaned = _normalised(text)
    terms: list[str] = []
    for pattern, fragments in _CLASS_WORDS:
        if pattern.search(cleaned):
            terms.extend(fragment for fragment in fragments if fragment not in terms)
    return tuple(terms)


def matches_class_words(medicine: Medicine, text: str) -> bool:
    """Whether ``medicine``'s class is one the class words in ``text`` name."""
    drug_class = medicine.drug_class.lower()
    return any(term in drug_class for term in class_terms(text))


def pick_by_class_words(
    text: str, medicine_ids: Iterable[str], medicines: Mapping[str, Medicine]
) -> tuple[str, ...]:
    """The ids among ``medicine_ids`` (the customer's own prescriptions' medicines) whose class the
    class words in ``text`` name, in the given order, each once; empty when none match or the
    text has no class words. Several results mean the caller asks which one."""
    terms = class_terms(text)
    if not terms:
        return ()
    picked: list[str] = []
    for medicine_id in medicine_ids:
        medicine = medicines.get(medicine_id)
        if medicine is None or medicine_id in picked:
            continue
        if any(term in medicine.drug_class.lower() for term in terms):
            picked.append(medicine_id)
    return tuple(picked)
