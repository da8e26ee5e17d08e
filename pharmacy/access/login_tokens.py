"""Login tokens: standard JWTs from the shop's login service that verify a chat at once.

A token is trusted only when its algorithm is on the allow-list (HS256 with a shared secret, or
RS256/ES256 with the shop's public key, never both kinds at once), it carries ``exp``, ``iat``,
``iss``, ``aud``, ``sub`` (the customer reference) and ``jti``, it lives no longer than the
configured maximum, and its ``jti`` was not used before in another chat. A ``sid`` claim, when
present, must name the chat. The channel redeems the token; it never reaches the tracker.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pharmacy.access.models import LoginTokenUse

METADATA_KEY = "login_token"
SYMMETRIC = ("HS256",)
ASYMMETRIC = ("RS256", "ES256")
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "jti")


class InvalidToken(ValueError):
    """A token that must not be trusted; ``reason`` says why (for logs and tests, not for users)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LoginTokenPolicy:
    algorithms: tuple[str, ...]
    key: str  # the shared secret (HS256) or the PEM public key (RS256/ES256)
    issuer: str
    audience: str
    max_lifetime_seconds: int = 3600
    leeway_seconds: int = 30

    def __post_init__(self) -> None:
        allowed = set(SYMMETRIC + ASYMMETRIC)
        if not self.algorithms or not set(self.algorithms) <= allowed:
            raise ValueError(f"login token algorithms must be among {sorted(allowed)}")
        if set(self.algorithms) & set(SYMMETRIC) and set(self.algorithms) & set(ASYMMETRIC):
            # One key cannot be both a shared secret and a public key (algorithm confusion).
            raise ValueError("allow either HS256 or RS256/ES256 for login tokens, not both")
        if not self.key:
            raise ValueError("a login token key is required")


@dataclass(frozen=True)
class LoginClaim:
    customer_reference: str
    expires_at: datetime  # naive UTC, as the database keeps times


def issue_login_token(
    customer_reference: str,
    policy: LoginTokenPolicy,
    signing_key: str,
    ttl_seconds: int = 900,
    now: datetime | None = None,
    chat_id: str | None = None,
) -> str:
    """What the shop's login service does (HS256 here); the demo page and the tests use it."""
    issued = now or datetime.now(timezone.utc)
    claims = {
        "sub": customer_reference,
        "iss": policy.issuer,
        "aud": policy.audience,
        "iat": issued,
        "exp": issued + timedelta(seconds=ttl_seconds),
        "jti": uuid.uuid4().hex,
    }
    if chat_id:
        claims["sid"] = chat_id
    return jwt.encode(claims, signing_key, algorithm=policy.algorithms[0])


def read_claims(token: object, policy: LoginTokenPolicy, now: datetime) -> dict:
    """The claims of a token that passes every check but the single-use one."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise InvalidToken("malformed")
    try:
        claims = jwt.decode(
            token,
            policy.key,
            algorithms=list(policy.algorithms),
            audience=policy.audience,
            issuer=policy.issuer,
            leeway=policy.leeway_seconds,
            options={"require": list(REQUIRED_CLAIMS)},
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("expired") from error
    except jwt.InvalidTokenError as error:
        raise InvalidToken(type(error).__name__) from error
    if not isinstance(claims.get("sub"), str) or not isinstance(claims.get("jti"), str):
        raise InvalidToken("malformed")
    expires, issued = float(claims["exp"]), float(claims["iat"])
    moment = now.replace(tzinfo=timezone.utc).timestamp()
    if not 0 < expires - issued <= policy.max_lifetime_seconds:
        raise InvalidToken("lifetime")
    # The leeway allows for clock skew at issue, never for using a token past its expiry.
    if expires <= moment:
        raise InvalidToken("expired")
    if issued > moment + policy.leeway_seconds:
        raise InvalidToken("issued_in_future")
    return claims


def redeem(
    session: Session, token: object, chat_id: str, policy: LoginTokenPolicy, now: datetime
) -> LoginClaim:
    """The customer a token verifies in ``chat_id``; InvalidToken when it must not.

    ``now`` is naive UTC. Shown again in the chat it opened (a widget may send it with every
    message), a token is accepted again; in any other chat it is a replay."""
    claims = read_claims(token, policy, now)
    if "sid" in claims and claims["sid"] != chat_id:
        raise InvalidToken("other_chat")
    expires = datetime.fromtimestamp(float(claims["exp"]), tz=timezone.utc).replace(tzinfo=None)
    used = session.get(LoginTokenUse, claims["jti"])
    if used is not None:
        if used.chat_id != chat_id:
            raise InvalidToken("replayed")
        return LoginClaim(claims["sub"], expires)
    session.execute(delete(LoginTokenUse).where(LoginTokenUse.expires_at < now))
    try:
        with session.begin_nested():
            session.add(
                LoginTokenUse(jti=claims["jti"], chat_id=chat_id, used_at=now, expires_at=expires)
            )
    except IntegrityError as error:  # the same token redeemed at the same moment elsewhere
        raise InvalidToken("replayed") from error
    return LoginClaim(claims["sub"], expires)
