"""Drug knowledge: the label-based knowledge base, the medicine recogniser and label answers.

Importing this package does no work: the knowledge base is read, and the spaCy pipeline built,
on first use.
"""

from pharmacy.knowledge.answers import (
    OPTIONAL_ASPECTS,
    PHARMACIST_ONLY_REASONS,
    TEMPLATES,
    Aspect,
    answer,
    asks_beyond_the_label,
    aspect_missing_text,
    beyond_label_text,
    detect_aspect,
    has_answer,
    pharmacist_only_reason,
    pharmacist_only_text,
    unknown_medicine_text,
)
from pharmacy.knowledge.loader import (
    DEFAULT_PATH,
    KnowledgeBaseError,
    LabelReference,
    Medicine,
    knowledge_base,
    load_medicines,
    normalize_name,
)
from pharmacy.knowledge.recognizer import (
    FUZZY_CUTOFF,
    MedicineMention,
    MedicineRecognizer,
    default_recognizer,
)

__all__ = [
    "Aspect",
    "DEFAULT_PATH",
    "FUZZY_CUTOFF",
    "KnowledgeBaseError",
    "LabelReference",
    "Medicine",
    "MedicineMention",
    "MedicineRecognizer",
    "OPTIONAL_ASPECTS",
    "PHARMACIST_ONLY_REASONS",
    "TEMPLATES",
    "answer",
    "asks_beyond_the_label",
    "aspect_missing_text",
    "beyond_label_text",
    "default_recognizer",
    "detect_aspect",
    "has_answer",
    "knowledge_base",
    "load_medicines",
    "normalize_name",
    "pharmacist_only_reason",
    "pharmacist_only_text",
    "unknown_medicine_text",
]
