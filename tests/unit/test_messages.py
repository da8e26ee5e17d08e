import string

import pytest

from pharmacy.messages import CATALOGUE, render


def test_placeholders_are_filled_and_buttons_copied():
    message = render("fallback.too_long", max_chars=2000)
    assert "2000 characters" in message.text
    assert ("Talk to a person", "/request_human") in message.buttons
    message.buttons.append(("x", "/x"))
    assert ("x", "/x") not in render("fallback.too_long", max_chars=1).buttons


def test_unknown_key_is_an_error_not_silence():
    with pytest.raises(KeyError):
        render("no.such.message")


@pytest.mark.parametrize("key", sorted(CATALOGUE["en"]))
def test_every_message_has_text_and_button_payloads_are_intents(key):
    template = CATALOGUE["en"][key]
    assert template.text.strip()
    fields = {name for _, name, _, _ in string.Formatter().parse(template.text) if name}
    rendered = render(key, **{name: "X" for name in fields})
    assert "{" not in rendered.text
    for title, payload in template.buttons:
        assert title and payload.startswith("/")
