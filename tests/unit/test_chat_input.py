import pytest

from pharmacy.chat_input import UnreadableInput, classify_text


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t "])
def test_empty_or_blank_text_is_unreadable(text):
    assert classify_text(text, max_chars=10) is UnreadableInput.EMPTY


def test_text_at_the_limit_is_read_and_one_more_character_is_too_long():
    assert classify_text("a" * 10, max_chars=10) is None
    assert classify_text("a" * 11, max_chars=10) is UnreadableInput.TOO_LONG


def test_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "5")
    assert classify_text("hello!") is UnreadableInput.TOO_LONG
    assert classify_text("hello") is None
