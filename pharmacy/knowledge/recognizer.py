"""Finds the medicines a shopper names in a message, including misspelt ones.

Two passes over a blank English spaCy pipeline (no pretrained model is needed or available):

1. an EntityRuler with every generic name, brand name and listed misspelling of the knowledge
   base, matched case-insensitively on token LOWER, so multi-word and hyphenated names
   ("amoxicillin-clavulanate", "hydrocodone acetaminophen", "Toprol-XL") are found whole;
2. fuzzy matching (rapidfuzz) of the remaining words, and pairs of words, against the generic and
   brand names, for misspellings nobody listed ("atorvastatn", "metforman").

A fuzzy match is a guess: callers should confirm it ("Did you mean atorvastatin?") before
answering. Building the pipeline takes a moment, so ``default_recognizer()`` builds it once, on
first use; importing this module does no work and does not import spaCy.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from pharmacy.knowledge.loader import Medicine, knowledge_base, normalize_name

if TYPE_CHECKING:  # spaCy is imported lazily: it pulls in TensorFlow through thinc.
    from spacy.language import Language
    from spacy.tokens import Doc, Token

LABEL = "MEDICINE"
EXACT, BRAND, MISSPELLING, FUZZY = "exact", "brand", "misspelling", "fuzzy"

# Minimum rapidfuzz fuzz.ratio (normalised Indel similarity, 0-100) for a fuzzy match.
# Calibrated on the knowledge base: with the first letter required to match, 85 recovers 86 % of
# the listed misspellings when they are left out of the lexicon (one typo in a name of 7 letters
# or more, one letter missing or added in a shorter one), while of the 100,000 most frequent
# English words only the few in ``NOT_MEDICINES`` reach it. 83 would admit one wrong letter in
# 6-letter names too, but also "motion" (Motrin), "crest" (Crestor) and "alert" (Alavert).
FUZZY_CUTOFF = 85.0
MIN_FUZZY_LENGTH = 4  # shorter words are too easily one typo away from a name

# Words within fuzzy reach of a name that mean something else: ordinary English words (from the
# scan above) and real medicines we have no entry for, which must never be answered as another
# medicine. Extend it when the lexicon grows and a test finds a new collision.
NOT_MEDICINES = frozenset(
    """
    adair adil alegria allegan allegri allegro ambience ambient aspiring augment augmentation
    augmenting benfica benicia ciro concert concertina concerto concerts core creator creston
    cymbal divan dory expanded lyric lyrical methyl morin motoring providential proton rayo rays
    ultra ultraman
    ability acetone amperage bacterium carafe cogent compo concerti dilating dioxin distant dolphin
    eliminate enclose foaling heady install lactose lioness lurid maydays millipede mincing
    mitigate pail predate president prevent provident relax retina scream select septa sequel
    stylize stylized theoretic tornado tricolor vans vitamin zeta dilation dioxins prelate retinae
    selector
    ampicillin pitavastatin prednisolone
    """.split()
)

# Trailing words that name a form or strength of a brand ("Advair Diskus", "Toprol-XL"):
# shoppers often say just "Advair", so the bare brand is matched as well.
_FORM_SUFFIX = re.compile(
    r"[\s-]+(xr|xl|sr|cr|er|hfa|otc|ac|ib|24hr|a-d|diskus|handihaler|respimat|inhub|respiclick"
    r"|sprinkle|allergy)$",
    re.IGNORECASE,
)
# Optional punctuation between the words of a multi-word name: "amoxicillin/clavulanate".
_SEPARATORS = ["-", "/", "+", "&"]


@dataclass(frozen=True)
class MedicineMention:
    medicine_id: str
    text: str  # as the shopper wrote it
    start: int  # character offsets in the message
    end: int
    match: str  # "exact" (generic name), "brand", "misspelling" (listed) or "fuzzy"
    score: float  # 100 for lexicon matches, the fuzz.ratio score for fuzzy ones


@dataclass(frozen=True)
class _Name:
    medicine_id: str
    kind: str
    text: str


def _brand_bases(brand: str) -> list[str]:
    """ "Advair Diskus" -> ["Advair"]; "Imodium A-D" -> ["Imodium"]; "Lipitor" -> []."""
    bases = []
    base = brand
    while _FORM_SUFFIX.search(base):
        base = _FORM_SUFFIX.sub("", base).strip()
        if base:
            bases.append(base)
    return bases


def _lexicon(medicines: Mapping[str, Medicine]) -> list[_Name]:
    """Every name the recogniser knows, with its medicine and kind, without repeats."""
    names: list[_Name] = []
    seen = set()

    def add(medicine_id: str, kind: str, text: str) -> None:
        key = normalize_name(text)
        if key and key not in seen:  # the data's names are unique; derived ones may repeat
            seen.add(key)
            names.append(_Name(medicine_id, kind, text))

    for medicine in medicines.values():
        add(medicine.id, EXACT, medicine.generic_name)
        for brand in medicine.brand_names:
            add(medicine.id, BRAND, brand)
        for misspelling in medicine.misspellings:
            add(medicine.id, MISSPELLING, misspelling)
    # Derived bare brands last, so that they never take a name the data gives another medicine.
    for medicine in medicines.values():
        for brand in medicine.brand_names:
            for base in _brand_bases(brand):
                add(medicine.id, BRAND, base)
    return names


class MedicineRecognizer:
    def __init__(
        self,
        medicines: Mapping[str, Medicine] | None = None,
        fuzzy_cutoff: float = FUZZY_CUTOFF,
    ):
        self.medicines = knowledge_base() if medicines is None else medicines
        self.fuzzy_cutoff = fuzzy_cutoff
        self.names = _lexicon(self.medicines)
        self.nlp = self._build_pipeline()
        # Fuzzy targets are the generic and brand names only: fuzzing towards listed misspellings
        # too would widen the net around every name and catch ordinary words.
        self._single: dict[str, list[tuple[str, str]]] = {}  # first letter -> [(key, id)]
        self._double: dict[str, list[tuple[str, str]]] = {}
        for name in self.names:
            if name.kind == MISSPELLING:
                continue
            key = normalize_name(name.text)
            words = key.split()
            if len(words) == 1:
                self._single.setdefault(key[0], []).append((key, name.medicine_id))
            elif len(words) == 2:
                self._double.setdefault(key[0], []).append((key, name.medicine_id))
                # "zpak" for "Z-Pak", "toprolxl" for "Toprol-XL"
                joined = "".join(words)
                self._single.setdefault(joined[0], []).append((joined, name.medicine_id))

    # ------------------------------------------------------------------------- building

    def _build_pipeline(self) -> Language:
        import spacy

        nlp = spacy.blank("en")
        ruler = nlp.add_pipe("entity_ruler", config={"validate": True})
        patterns = []
        for name in self.names:
            combination = "-" in self.medicines[name.medicine_id].generic_name
            patterns.append(
                {
                    "label": LABEL,
                    "pattern": self._token_pattern(nlp, name.text, combination),
                    "id": f"{name.medicine_id}:{name.kind}",
                }
            )
        ruler.add_patterns(patterns)  # type: ignore[attr-defined]  # add_pipe returns the EntityRuler
        return nlp

    @staticmethod
    def _token_pattern(nlp: Language, name: str, combination: bool) -> list[dict[str, object]]:
        """Token pattern for ``name``: its words in any case, with optional separators between them.

        Combination products are also written "X and Y", as their labels name them.
        """
        words = [
            token.lower_.rstrip(".")
            for token in nlp.make_doc(normalize_name(name))
            if token.lower_ not in _SEPARATORS and token.lower_.rstrip(".")
        ]
        separators = _SEPARATORS + (["and"] if combination else [])
        pattern: list[dict[str, object]] = []
        for position, word in enumerate(words):
            if position:
                pattern.append({"LOWER": {"IN": separators}, "OP": "?"})
            pattern.append({"LOWER": {"IN": [word, word + "."]}})
        return pattern

    # ------------------------------------------------------------------------- finding

    def find(self, text: str) -> list[MedicineMention]:
        """The medicines named in ``text`` in text order, each once (at its first mention)."""
        if not text or not text.strip():
            return []
        doc = self.nlp(text)
        mentions: list[MedicineMention] = []
        for ent in doc.ents:
            medicine_id, kind = ent.ent_id_.rsplit(":", 1)
            mentions.append(
                MedicineMention(medicine_id, ent.text, ent.start_char, ent.end_char, kind, 100.0)
            )
        mentions = self._add_fuzzy(doc, mentions)
        mentions.sort(key=lambda mention: mention.start)
        seen = set()
        unique = []
        for mention in mentions:
            if mention.medicine_id not in seen:
                seen.add(mention.medicine_id)
                unique.append(mention)
        return unique

    def _add_fuzzy(self, doc: Doc, mentions: list[MedicineMention]) -> list[MedicineMention]:
        by_start = {mention.start: mention for mention in mentions}
        single_ent = {}  # token index -> the one-token ruler entity on it
        taken: set[int] = set()  # tokens fuzzy matching must leave alone
        for ent in doc.ents:
            if len(ent) == 1:
                single_ent[ent.start] = ent
            else:
                taken.update(range(ent.start, ent.end))

        # Pairs first: "insulin glarjine", or "amoxicillin clavulanat" whose first word the ruler
        # read as plain amoxicillin; the longer name is the better reading then.
        for index in range(len(doc) - 1):
            pair = (index, index + 1)
            if taken & set(pair) or all(i in single_ent for i in pair):
                continue
            first, second = doc[index], doc[index + 1]
            if not (self._pair_word(first) and self._pair_word(second)):
                continue
            found = self._best(f"{first.lower_} {second.lower_}", self._double)
            if found is None and not any(i in single_ent for i in pair):
                found = self._best(first.lower_ + second.lower_, self._single)  # "pro air"
            if found is None:
                continue
            medicine_id, score = found
            replaced = [single_ent[i] for i in pair if i in single_ent]
            if any(ent.ent_id_.startswith(medicine_id + ":") for ent in replaced):
                continue  # same medicine as the ruler found: keep its exact reading
            for ent in replaced:
                by_start.pop(ent.start_char, None)
            start, end = first.idx, second.idx + len(second.text)
            by_start[start] = MedicineMention(
                medicine_id, doc.text[start:end], start, end, FUZZY, score
            )
            taken.update(pair)

        for token in doc:
            if token.i in taken or token.i in single_ent or not self._fuzzy_word(token):
                continue
            found = self._best(token.lower_, self._single)
            if found is not None:
                medicine_id, score = found
                end = token.idx + len(token.text)
                by_start[token.idx] = MedicineMention(
                    medicine_id, token.text, token.idx, end, FUZZY, score
                )
        return list(by_start.values())

    @staticmethod
    def _fuzzy_word(token: Token) -> bool:
        word = token.lower_
        return (
            token.is_alpha
            and len(word) >= MIN_FUZZY_LENGTH
            and not token.is_stop
            and word not in NOT_MEDICINES
        )

    @staticmethod
    def _pair_word(token: Token) -> bool:
        return (
            token.is_alpha
            and len(token) >= 2
            and not token.is_stop
            and token.lower_ not in NOT_MEDICINES
        )

    def _best(
        self, word: str, choices_by_letter: Mapping[str, Sequence[tuple[str, str]]]
    ) -> tuple[str, float] | None:
        """(medicine id, score) of the closest name, or None if none is close or two tie.

        Only names with the same first letter compete: typos rarely hit the first letter, and the
        sound-alike ones ("zanax", "sipro") are listed in the data as misspellings.
        """
        if len(word.replace(" ", "")) < MIN_FUZZY_LENGTH:
            return None
        choices = choices_by_letter.get(word[0], ())
        if not choices:
            return None
        keys = [key for key, _ in choices]
        results = process.extract(
            word, keys, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff, limit=2
        )
        if not results:
            return None
        _, best_score, best_index = results[0]
        medicine_id = choices[best_index][1]
        if len(results) > 1:
            _, second_score, second_index = results[1]
            if second_score == best_score and choices[second_index][1] != medicine_id:
                return None  # equally close to two medicines: do not guess
        return medicine_id, float(best_score)


_default: MedicineRecognizer | None = None
_default_lock = threading.Lock()


def default_recognizer() -> MedicineRecognizer:
    """The recogniser over the shipped knowledge base, built on first use and then shared."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = MedicineRecognizer()
    return _default
