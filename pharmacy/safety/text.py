"""Text as people type it in a hurry, made comparable: one case, no apostrophes, texting words
spelled out, stretched letters shortened, cut into sentences.

Apostrophes are dropped rather than restored ("can't" and "cant" both become "cant"), so the
patterns that read this text are written without them.
"""

from __future__ import annotations

import re

# Texting forms and frequent misspellings of words the safety patterns rely on.
_SPELLED_OUT = {
    r"\bu\b": "you",
    r"\bur\b": "your",
    r"\br\b": "are",
    r"\bwanna\b": "want to",
    r"\bgonna\b": "going to",
    r"\bgotta\b": "got to",
    r"\btryna\b": "trying to",
    r"\bkinda\b": "kind of",
    r"\bcuz\b|\bcos\b|\bbc\b": "because",
    r"\bpls\b|\bplz\b": "please",
    r"\bidk\b": "i dont know",
    r"\bkms\b": "kill myself",
    r"\bunalive\b": "kill",
    r"\bsh\b(?= ?(again|urges?|scars?))": "self harm",
    r"\bo\.?d\.?'?e?d\b": "overdosed",
    r"\bo\.?d\.?(?=\s|$)": "overdose",
    r"\bmy ?sel?f\b|\bmysefl\b|\bmyslef\b|\bmyslf\b|\bmysef\b": "myself",
    r"\bsu?ic(i|e)?d(al|le|el|ial)\b|\bsuicdal\b|\bsucidal\b": "suicidal",
    r"\bsu?ic(i|e)?de\b|\bsucide\b|\bsuicde\b": "suicide",
    r"\bpils\b|\bpilss\b": "pills",
    r"\btablits\b|\btablts\b": "tablets",
    r"\bseizur\b|\bsiezure\b|\bseisure\b": "seizure",
    r"\bsiezures\b": "seizures",
    r"\bunconsious\b|\bunconcious\b": "unconscious",
    r"\bswolen\b|\bswollon\b": "swollen",
    r"\bswallowd\b|\bswollowed\b|\bswalloed\b": "swallowed",
    r"\bthroght\b|\bthoat\b": "throat",
    r"\bcant\b|\bcan not\b": "cannot",
    r"\bwont\b": "will not",
    r"\bdont\b": "do not",
    r"\bdidnt\b": "did not",
    r"\bdoesnt\b": "does not",
    r"\bisnt\b": "is not",
    r"\bhasnt\b": "has not",
    r"\bhavent\b": "have not",
    r"\bwasnt\b": "was not",
    r"\bcouldnt\b": "could not",
    r"\bblod+\b|\bbloood\b": "blood",
    r"\bim\b": "i am",
    r"\bive\b": "i have",
    r"\bill\b(?= (do|just|be|take|end|kill|never|go))": "i will",
    r"\bid\b(?= (rather|be|just|love|like))": "i would",
}
_SPELLED_OUT_COMPILED = [(re.compile(pattern), word) for pattern, word in _SPELLED_OUT.items()]
_SENTENCE_END = re.compile(r"(?:[.!?;]+|\n+|\s-\s)\s*")
# A full stop after these does not end a sentence ("dr. prescribed"), and a sentence that
# begins with one of the examples' markers goes on the one before ("problems? ie. fainting").
_ABBREVIATION = re.compile(r"\b(ie|eg|dr|drs|vs|approx|mr|mrs|ms)\.$")
_EXAMPLES_MARKER = re.compile(r"(ie|eg|such as)\b")
_DOTTED = {"i.e.": "ie.", "e.g.": "eg."}


def normalise(text: str) -> str:
    """Lower-case text without apostrophes, texting forms spelled out, one space between words."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = re.sub(r"'", "", text)
    text = re.sub(r"(\w)\1{2,}", r"\1\1", text)  # "pleeeease" -> "pleease"
    for pattern, word in _SPELLED_OUT_COMPILED:
        text = pattern.sub(word, text)
    return re.sub(r"[ \t]+", " ", text).strip()


def sentences(normalised: str) -> list[str]:
    """The sentences of a normalised text, each without its closing punctuation; "?" is kept
    so that a question can be told from a statement."""
    for dotted, plain in _DOTTED.items():
        normalised = normalised.replace(dotted, plain)
    parts: list[str] = []
    position = 0
    for match in _SENTENCE_END.finditer(normalised):
        piece = normalised[position : match.end()].strip()
        if _ABBREVIATION.search(piece) and match.group().strip() == ".":
            continue  # the sentence goes on after the abbreviation
        position = match.end()
        _add(parts, piece)
    _add(parts, normalised[position:].strip())
    return parts


def _add(parts: list[str], piece: str) -> None:
    if not piece:
        return
    if parts and _EXAMPLES_MARKER.match(piece):
        parts[-1] = f"{parts[-1]} {piece}"
    else:
        parts.append(piece)
