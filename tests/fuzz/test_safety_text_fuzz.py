"""The safety normaliser takes any text: one case, no apostrophes, single spaces, sentences."""

from hypothesis import given

from pharmacy.safety.text import normalise, sentences
from tests.fuzz.strategies import any_text


@given(any_text)
def test_normalised_text_and_its_sentences_are_clean(text):
    normalised = normalise(text)
    assert "'" not in normalised and "  " not in normalised and "\t" not in normalised
    assert normalised == normalised.strip()
    parts = sentences(normalised)
    assert all(part and part == part.strip() for part in parts)
    assert bool(parts) == bool(normalised)
