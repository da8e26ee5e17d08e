"""Chat access in the database: chat secrets, single-use login tokens, the cross-chat identity
lockout, and the gate the channels put in front of the assistant (issue 13)."""

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from pharmacy import identity
from pharmacy.access import chat_sessions, login_tokens
from pharmacy.access.chat_sessions import Admission
from pharmacy.access.gate import CLIENT_ADDRESS_KEY, LOGIN_REFUSED_KEY, Admitted, ChatGate, Refusal
from pharmacy.access.lockout import LockoutPolicy
from pharmacy.access.login_tokens import InvalidToken, LoginTokenPolicy
from pharmacy.database import session_scope
from pharmacy.messages import render
from tests.conversation.helpers import JAMES, MARIA, order_numbers

KEY = "chat-key-for-tests"
LOGIN_SECRET = "login-secret-of-thirty-two-bytes!"
NOW = datetime(2026, 12, 1, 12, 0)
POLICY = LoginTokenPolicy(("HS256",), LOGIN_SECRET, "pharmacy-shop", "pharmacy-chat")


def chat_id() -> str:
    return f"chat-{uuid.uuid4()}"


def admit(url, chat, secret, now=NOW):
    with session_scope(url) as session:
        return chat_sessions.admit(session, chat, secret, KEY, now)


# --- chat secrets ---------------------------------------------------------------------------


def test_a_chat_answers_only_to_the_secret_it_was_first_used_with(seeded_database):
    chat, secret = chat_id(), chat_sessions.issue_secret(KEY)
    assert admit(seeded_database, chat, secret) is Admission.ADMITTED
    assert admit(seeded_database, chat, secret) is Admission.ADMITTED
    assert admit(seeded_database, chat, chat_sessions.issue_secret(KEY)) is Admission.FOREIGN
    assert admit(seeded_database, chat, None) is Admission.MISSING
    # One secret opens one chat only.
    assert admit(seeded_database, chat_id(), secret) is Admission.FOREIGN


def test_secrets_the_server_did_not_issue_and_odd_chat_ids_are_refused(seeded_database):
    made_up = f"{secrets.token_urlsafe(24)}.{'0' * 22}"
    assert admit(seeded_database, chat_id(), made_up) is Admission.FORGED
    other_server = chat_sessions.issue_secret("another-key")
    assert admit(seeded_database, chat_id(), other_server) is Admission.FORGED
    secret = chat_sessions.issue_secret(KEY)
    assert admit(seeded_database, chat_id() + "\n", secret) is Admission.BAD_CHAT_ID
    assert admit(seeded_database, "../../x", secret) is Admission.BAD_CHAT_ID


def test_verification_lasts_its_time_and_ends_with_the_chat(seeded_database):
    chat, secret = chat_id(), chat_sessions.issue_secret(KEY)
    admit(seeded_database, chat, secret)
    with session_scope(seeded_database) as session:
        chat_sessions.record_verification(
            session, chat, "C-1001", "factors", NOW + timedelta(minutes=30)
        )
    with session_scope(seeded_database) as session:
        assert chat_sessions.current_verification(session, chat, NOW).customer_reference == "C-1001"
        assert (
            chat_sessions.current_verification(session, chat, NOW + timedelta(minutes=31)) is None
        )
        chat_sessions.end_chat(session, chat, NOW + timedelta(minutes=1))
    with session_scope(seeded_database) as session:
        assert chat_sessions.current_verification(session, chat, NOW + timedelta(minutes=2)) is None
    assert admit(seeded_database, chat, secret) is Admission.ENDED


def test_a_chat_that_never_went_through_the_gate_cannot_be_verified(seeded_database):
    chat = chat_id()
    with session_scope(seeded_database) as session:
        chat_sessions.record_verification(
            session, chat, "C-1001", "login", NOW + timedelta(hours=1)
        )
        assert chat_sessions.current_verification(session, chat, NOW) is None


# --- login tokens ---------------------------------------------------------------------------


def token(now=None, key=LOGIN_SECRET, **claims):
    issued = now or datetime.now(timezone.utc)
    body = {
        "sub": "C-1001",
        "iss": POLICY.issuer,
        "aud": POLICY.audience,
        "iat": issued,
        "exp": issued + timedelta(minutes=10),
        "jti": uuid.uuid4().hex,
        **claims,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key, algorithm="HS256")


def hs256_by_hand(key: str) -> str:
    """What an attacker builds when the verifier's public key is known (PyJWT will not)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(
        json.dumps(
            {
                "sub": "C-1001",
                "iss": POLICY.issuer,
                "aud": POLICY.audience,
                "iat": now,
                "exp": now + 300,
                "jti": uuid.uuid4().hex,
            }
        ).encode()
    )
    mac = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


def redeem(url, value, chat, policy=POLICY):
    with session_scope(url) as session:
        return login_tokens.redeem(session, value, chat, policy, datetime.utcnow())


def test_a_login_token_opens_one_chat_and_is_a_replay_anywhere_else(seeded_database):
    value, chat = token(), chat_id()
    assert redeem(seeded_database, value, chat).customer_reference == "C-1001"
    # The widget may send it again with each message of the same chat.
    assert redeem(seeded_database, value, chat).customer_reference == "C-1001"
    with pytest.raises(InvalidToken) as refused:
        redeem(seeded_database, value, chat_id())
    assert refused.value.reason == "replayed"


@pytest.mark.parametrize(
    "claims, reason",
    [
        ({"exp": datetime.now(timezone.utc) - timedelta(minutes=5)}, "expired"),
        ({"aud": "another-service"}, "InvalidAudienceError"),
        ({"iss": "someone-else"}, "InvalidIssuerError"),
        ({"jti": None}, "MissingRequiredClaimError"),
        ({"iat": None}, "MissingRequiredClaimError"),
        ({"exp": datetime.now(timezone.utc) + timedelta(days=2)}, "lifetime"),
        ({"sid": "another-chat-id"}, "other_chat"),
    ],
)
def test_login_tokens_missing_a_requirement_are_refused(seeded_database, claims, reason):
    with pytest.raises(InvalidToken) as refused:
        redeem(seeded_database, token(**claims), chat_id())
    assert refused.value.reason == reason


def test_forged_and_unsigned_login_tokens_are_refused(seeded_database):
    for forged in (
        token(key="guessed-secret-guessed-secret-guessed"),
        jwt.encode(
            {
                "sub": "C-1001",
                "iss": POLICY.issuer,
                "aud": POLICY.audience,
                "iat": datetime.now(timezone.utc),
                "exp": datetime.now(timezone.utc) + timedelta(minutes=5),
                "jti": "x",
            },
            None,
            algorithm="none",
        ),
        "not.a.token",
        "",
        42,
    ):
        with pytest.raises(InvalidToken):
            redeem(seeded_database, forged, chat_id())


def test_shop_public_key_tokens_and_no_mixing_of_key_kinds(seeded_database):
    private = ec.generate_private_key(ec.SECP256R1())
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    policy = LoginTokenPolicy(("ES256",), public_pem, POLICY.issuer, POLICY.audience)
    now = datetime.now(timezone.utc)
    signed = jwt.encode(
        {
            "sub": "C-1002",
            "iss": POLICY.issuer,
            "aud": POLICY.audience,
            "iat": now,
            "exp": now + timedelta(minutes=5),
            "jti": uuid.uuid4().hex,
        },
        private,
        algorithm="ES256",
    )
    assert redeem(seeded_database, signed, chat_id(), policy).customer_reference == "C-1002"
    # An HS256 token "signed" with the public key text must not pass (algorithm confusion).
    with pytest.raises(InvalidToken):
        redeem(seeded_database, hs256_by_hand(public_pem), chat_id(), policy)
    with pytest.raises(ValueError):
        LoginTokenPolicy(("HS256", "RS256"), public_pem, POLICY.issuer, POLICY.audience)


# --- identity failures counted across chats -------------------------------------------------


def check(url, key, dob, factor_text, now=NOW):
    with session_scope(url) as session:
        return identity.check_factors(
            session,
            dob,
            identity.parse_possession_factor(factor_text),
            key,
            now,
            LockoutPolicy(3, 15),
        )


def test_three_wrong_tries_lock_the_customer_whatever_chat_or_factor_comes_next(seeded_database):
    key = secrets.token_hex(8)
    right = identity.parse_date_of_birth(MARIA[1])
    wrong = [right.replace(year=right.year + n) for n in (1, 2, 3)]
    first = check(seeded_database, key, wrong[0], MARIA[2])
    assert (first.outcome, first.remaining) == (identity.FactorOutcome.MISMATCH, 2)
    assert check(seeded_database, key, wrong[1], MARIA[2]).remaining == 1
    locking = check(seeded_database, key, wrong[2], MARIA[2])
    assert locking.outcome is identity.FactorOutcome.LOCKED and locking.just_locked
    # Now even the right date of birth is not compared, and another factor of hers is locked too.
    again = check(seeded_database, key, right, MARIA[2])
    assert again.outcome is identity.FactorOutcome.LOCKED and not again.just_locked
    order = order_numbers(seeded_database, MARIA[0])[0]
    assert check(seeded_database, key, right, order).outcome is identity.FactorOutcome.LOCKED
    # Other customers are not affected; after the lock runs out she can verify.
    james = check(seeded_database, key, identity.parse_date_of_birth(JAMES[1]), JAMES[2])
    assert james.outcome is identity.FactorOutcome.VERIFIED
    later = check(seeded_database, key, right, MARIA[2], now=NOW + timedelta(minutes=16))
    assert later.outcome is identity.FactorOutcome.VERIFIED


def test_guessing_one_order_number_counts_even_when_it_belongs_to_nobody(seeded_database):
    key = secrets.token_hex(8)
    dob = identity.parse_date_of_birth("01/01/1970")
    outcomes = [check(seeded_database, key, dob, "EP-999999").outcome for _ in range(4)]
    assert outcomes == [identity.FactorOutcome.MISMATCH] * 2 + [identity.FactorOutcome.LOCKED] * 2


def test_a_success_clears_earlier_failures(seeded_database):
    key = secrets.token_hex(8)
    right = identity.parse_date_of_birth(MARIA[1])
    check(seeded_database, key, right.replace(year=1901), MARIA[2])
    check(seeded_database, key, right.replace(year=1902), MARIA[2])
    assert check(seeded_database, key, right, MARIA[2]).outcome is identity.FactorOutcome.VERIFIED
    assert check(seeded_database, key, right.replace(year=1903), MARIA[2]).remaining == 2


# --- the gate in front of the assistant ----------------------------------------------------


@pytest.fixture
def gate(seeded_database, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", seeded_database)
    monkeypatch.setenv("PHARMACY_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("CHAT_SESSION_KEY", KEY)
    monkeypatch.setenv("IDENTITY_TOKEN_SECRET", LOGIN_SECRET)
    monkeypatch.setenv("CHAT_MESSAGES_PER_MINUTE", "5")
    return ChatGate()


def with_secret(**metadata):
    return {"session_secret": chat_sessions.issue_secret(KEY), **metadata}


def test_the_gate_admits_only_a_chats_secret_and_passes_no_secret_on(gate):
    chat, metadata = (
        chat_id(),
        with_secret(button_title="Track an order", role="admin", login="C-1001"),
    )
    admitted = gate.admit_message(chat, "hello", metadata, "10.0.0.1")
    assert admitted == Admitted(
        "hello",
        {"button_title": "Track an order", CLIENT_ADDRESS_KEY: gate.address_key("10.0.0.1")},
    )
    assert "10.0.0.1" not in str(admitted.metadata)
    refused = gate.admit_message(chat, "hello", with_secret(), "10.0.0.1")
    assert isinstance(refused, Refusal) and refused.status == 403
    assert "911" in render(refused.message_key).text
    assert gate.admit_message(chat_id(), "hello", {}, "10.0.0.1").reason == "missing"


def test_typed_rasa_commands_are_read_as_words(gate):
    for typed, read in [
        ("/restart", "restart"),
        ("  /session_start", "session_start"),
        ('/back{"x": 1}', 'back{"x": 1}'),
        ("/greet", "/greet"),
        ("/nlu_fallback", "/nlu_fallback"),
        ("/track_order", "/track_order"),
    ]:
        assert gate.admit_message(chat_id(), typed, with_secret(), "10.0.0.2").text == read


def test_limits_come_before_any_database_work(gate, monkeypatch):
    def no_database(*_args, **_kwargs):
        raise AssertionError("the database was reached")

    monkeypatch.setattr(chat_sessions, "admit", no_database)
    refused = gate.admit_message(chat_id(), "x" * (gate.max_chars + 1), with_secret(), "10.0.0.3")
    assert (refused.status, refused.reason) == (413, "too_long")
    assert gate.admit_message(chat_id(), {"text": "hi"}, with_secret(), "10.0.0.3").status == 400


def test_a_fast_chat_is_slowed_but_an_emergency_always_gets_through(gate):
    chat, metadata = chat_id(), with_secret()
    replies = [gate.admit_message(chat, f"hello {n}", metadata, "10.0.0.4") for n in range(7)]
    assert [isinstance(r, Admitted) for r in replies] == [True] * 5 + [False] * 2
    assert replies[-1].status == 429
    urgent = gate.admit_message(chat, "my son swallowed a bottle of pills", metadata, "10.0.0.4")
    assert isinstance(urgent, Admitted)


def test_a_login_token_is_redeemed_by_the_gate_and_never_passed_on(gate, seeded_database):
    chat = chat_id()
    admitted = gate.admit_message(chat, "hi", with_secret(login_token=token()), "10.0.0.5")
    assert set(admitted.metadata) == {CLIENT_ADDRESS_KEY}
    with session_scope(seeded_database) as session:
        verification = chat_sessions.current_verification(session, chat, datetime.utcnow())
    assert (verification.customer_reference, verification.verified_by) == ("C-1001", "login")
    assert verification.until <= datetime.utcnow() + timedelta(minutes=30)
    refused = gate.admit_message(
        chat_id(), "hi", with_secret(login_token=token(key="x" * 32)), "10.0.0.5"
    )
    assert refused.metadata[LOGIN_REFUSED_KEY] is True
