"""BERT's uncased WordPiece tokenizer: basic splitting (lower case, accents stripped, punctuation
and CJK characters apart), then the longest vocabulary pieces, "##" marking a word's continuation."""

from __future__ import annotations

import unicodedata
from pathlib import Path

_MAX_WORD_CHARS = 100


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def basic_words(text: str) -> list[str]:
    """Lower-cased words without accents, each punctuation mark and CJK character on its own."""
    cleaned = []
    for char in text:
        code = ord(char)
        if (
            code == 0
            or code == 0xFFFD
            or unicodedata.category(char) in ("Cc", "Cf")
            and char not in "\t\n\r"
        ):
            continue
        if _is_cjk(code):
            cleaned.append(f" {char} ")
        elif char.isspace():
            cleaned.append(" ")
        else:
            cleaned.append(char)
    words: list[str] = []
    for word in "".join(cleaned).lower().split():
        word = "".join(
            c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn"
        )
        current = ""
        for char in word:
            if _is_punctuation(char):
                if current:
                    words.append(current)
                    current = ""
                words.append(char)
            else:
                current += char
        if current:
            words.append(current)
    return words


class WordPiece:
    def __init__(self, vocabulary: dict[str, int]):
        self.vocabulary = vocabulary
        self.unknown = vocabulary["[UNK]"]
        self.cls = vocabulary["[CLS]"]
        self.sep = vocabulary["[SEP]"]

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        lines = path.read_text(encoding="utf-8").splitlines()
        return cls({token: index for index, token in enumerate(lines)})

    def pieces(self, word: str) -> list[int]:
        if len(word) > _MAX_WORD_CHARS:
            return [self.unknown]
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocabulary:
                    found = self.vocabulary[piece]
                    break
                end -= 1
            if found is None:
                return [self.unknown]
            ids.append(found)
            start = end
        return ids

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """[CLS] pieces [SEP], cut to ``max_tokens`` in all."""
        ids: list[int] = []
        for word in basic_words(text):
            ids.extend(self.pieces(word))
            if len(ids) >= max_tokens - 2:
                break
        return [self.cls] + ids[: max_tokens - 2] + [self.sep]
