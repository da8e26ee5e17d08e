"""The channel's first check on a message never raises and says why it cannot be read."""

from hypothesis import given
from hypothesis import strategies as st

from pharmacy.chat_input import UnreadableInput, classify_text
from tests.fuzz.strategies import any_text


@given(st.none() | any_text, st.none() | st.integers(min_value=0, max_value=30_000))
def test_every_message_is_readable_empty_or_too_long(text: str | None, limit: int | None):
    verdict = classify_text(text, max_chars=limit)
    if text is None or not text.strip():
        assert verdict is UnreadableInput.EMPTY
    elif limit is not None:
        assert verdict is (UnreadableInput.TOO_LONG if len(text) > limit else None)
    else:
        assert verdict in (None, UnreadableInput.TOO_LONG)
