"""The channel entry: whatever a client sends as chat id, text and metadata, the gate answers
with an admission or a refusal, never an exception; what it passes on holds no client key but
the ones it reads, and no secret or token."""

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pharmacy.access.chat_sessions import issue_secret
from pharmacy.access.gate import CLIENT_METADATA, Admitted, ChatGate, Refusal
from pharmacy.database import migrate
from tests.fuzz import strategies

KEY = "fuzz-gate-key"
json_values = strategies.json_values(max_leaves=8)
chat_ids = st.text(max_size=80) | st.from_regex(r"[A-Za-z0-9-]{8,64}", fullmatch=True) | json_values
texts = (
    st.text(max_size=300)
    | st.sampled_from(["/restart", "/session_start{}", " /back", "/greet", "x" * 25_000])
    | json_values
)
secrets = st.just("issued") | st.text(max_size=60) | json_values
metadata = (
    st.fixed_dictionaries(
        {},
        optional={
            "session_secret": secrets,
            "login_token": st.text(max_size=80) | json_values,
            "button_title": json_values,
            "client_address_key": json_values,
            "login_refused": json_values,
        },
    )
    | json_values
)


@pytest.fixture(scope="module")
def gate(database_url):
    migrate(database_url)
    saved = {
        name: os.environ.get(name)
        for name in ("DATABASE_URL", "CHAT_SESSION_KEY", "CHAT_MESSAGES_PER_MINUTE")
    }
    os.environ.update(
        {"DATABASE_URL": database_url, "CHAT_SESSION_KEY": KEY, "CHAT_MESSAGES_PER_MINUTE": "0"}
    )
    yield ChatGate()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@given(chat_id=chat_ids, text=texts, meta=metadata, client=st.text(max_size=40))
def test_the_gate_answers_any_input_and_passes_on_no_secret(gate, chat_id, text, meta, client):
    if isinstance(meta, dict) and meta.get("session_secret") == "issued":
        meta = {**meta, "session_secret": issue_secret(KEY)}
    verdict = gate.admit_message(chat_id, text, meta, client)
    assert isinstance(verdict, (Admitted, Refusal))
    if isinstance(verdict, Refusal):
        assert 400 <= verdict.status < 500
        return
    assert isinstance(verdict.text, str) and not verdict.text.lstrip().startswith("/restart")
    allowed = set(CLIENT_METADATA) | {"client_address_key", "login_refused"}
    assert set(verdict.metadata) <= allowed
    assert "session_secret" not in verdict.metadata and "login_token" not in verdict.metadata
    for key in CLIENT_METADATA:
        assert key not in verdict.metadata or isinstance(verdict.metadata[key], str)
    assert verdict.metadata["client_address_key"] == gate.address_key(client)
