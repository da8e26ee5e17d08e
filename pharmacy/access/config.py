"""The keys and policies of chat access, built from the settings (one place for each)."""

from __future__ import annotations

from pathlib import Path

from pharmacy.access.lockout import LockoutPolicy
from pharmacy.access.login_tokens import ASYMMETRIC, LoginTokenPolicy
from pharmacy.settings import Settings, SettingsError, load_secret, load_settings

CHAT_SESSION_KEY_ENV = "CHAT_SESSION_KEY"
LOGIN_TOKEN_SECRET_ENV = "IDENTITY_TOKEN_SECRET"
LOCKOUT_KEY_ENV = "IDENTITY_LOCKOUT_KEY"


def chat_session_key(settings: Settings | None = None) -> str:
    return load_secret(CHAT_SESSION_KEY_ENV, (settings or load_settings()).var_dir)


def lockout_key(settings: Settings | None = None) -> str:
    return load_secret(LOCKOUT_KEY_ENV, (settings or load_settings()).var_dir)


def login_token_policy(settings: Settings | None = None) -> LoginTokenPolicy:
    settings = settings or load_settings()
    algorithms = settings.login_token_algorithms
    if set(algorithms) & set(ASYMMETRIC):
        if not settings.login_token_public_key_file:
            raise SettingsError(
                "LOGIN_TOKEN_PUBLIC_KEY_FILE is needed for "
                f"LOGIN_TOKEN_ALGORITHMS={','.join(algorithms)}"
            )
        try:
            key = Path(settings.login_token_public_key_file).read_text()
        except OSError as error:
            raise SettingsError(
                f"LOGIN_TOKEN_PUBLIC_KEY_FILE must name a readable PEM file, "
                f"got {settings.login_token_public_key_file!r} ({error.strerror})"
            ) from None
    else:
        key = load_secret(LOGIN_TOKEN_SECRET_ENV, settings.var_dir)
    return LoginTokenPolicy(
        algorithms,
        key,
        settings.login_token_issuer,
        settings.login_token_audience,
        max_lifetime_seconds=settings.login_token_max_minutes * 60,
    )


def lockout_policy(settings: Settings | None = None) -> LockoutPolicy:
    settings = settings or load_settings()
    return LockoutPolicy(settings.identity_max_attempts, settings.identity_lock_minutes)
