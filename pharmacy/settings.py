"""Every setting the project reads from the environment, in one place.

Defaults are for a laptop: SQLite under ``var/``, services on localhost. Production overrides them
with environment variables (documented in the README).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def env_number(name: str, default: float, kind: type = float) -> float:
    """The environment variable as a number of ``kind`` (int or float), or ``default`` if unset;
    a malformed value is an error that names the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError as error:
        expected = "a whole number" if kind is int else "a number"
        raise ValueError(f"{name} must be {expected}, got {raw!r}") from error


def _env_int(name: str, default: int) -> int:
    return int(env_number(name, default, int))


def _env_flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{name} must be 1 or 0, got {raw!r}")


def _env_networks(name: str) -> tuple[IPNetwork, ...]:
    """A comma-separated list of addresses or networks ("10.0.0.5, 10.1.0.0/16")."""
    parts = [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]
    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in parts)
    except ValueError as error:
        raise ValueError(f"{name} must list IP addresses or networks, got {parts!r}") from error


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip()).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    rasa_url: str
    action_server_url: str
    web_port: int
    rasa_port: int
    action_port: int
    max_message_chars: int
    max_request_bytes: int
    bind_host: str
    identity_max_attempts: int
    identity_lock_minutes: int
    verification_minutes: int
    login_token_algorithms: tuple
    login_token_issuer: str
    login_token_audience: str
    login_token_public_key_file: str
    login_token_max_minutes: int
    chat_messages_per_minute: int
    client_messages_per_minute: int
    chat_sessions_per_hour: int
    chat_allowed_origins: tuple
    reply_timeout_seconds: float
    demo_mode: bool
    desk_port: int
    desk_session_minutes: float
    desk_cookie_secure: bool
    desk_trusted_proxies: tuple[IPNetwork, ...]
    tickets_per_client_per_hour: int
    tickets_per_address_per_hour: int
    # The pharmacy's own day ("today" for refills and reminders), whatever the server's zone.
    pharmacy_time_zone: str = "America/New_York"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings() -> Settings:
    """Read the environment now (tests change it, so nothing is cached here)."""
    var_dir = Path(_env("PHARMACY_VAR_DIR", str(PROJECT_ROOT / "var")))
    rasa_port = _env_int("RASA_PORT", 5005)
    action_port = _env_int("ACTION_PORT", 5055)
    web_port = _env_int("WEB_PORT", 8080)
    settings = Settings(
        var_dir=var_dir,
        database_url=_env("DATABASE_URL", f"sqlite:///{var_dir / 'pharmacy.db'}"),
        rasa_url=_env("RASA_URL", f"http://localhost:{rasa_port}"),
        action_server_url=_env("ACTION_SERVER_URL", f"http://localhost:{action_port}/webhook"),
        web_port=web_port,
        rasa_port=rasa_port,
        action_port=action_port,
        max_message_chars=_env_int("MAX_MESSAGE_CHARS", 2000),
        max_request_bytes=_env_int("MAX_REQUEST_BYTES", 65536),
        # Services listen on loopback unless a deployment says otherwise.
        bind_host=_env("BIND_HOST", "127.0.0.1"),
        identity_max_attempts=_env_int("IDENTITY_MAX_ATTEMPTS", 3),
        identity_lock_minutes=_env_int("IDENTITY_LOCK_MINUTES", 15),
        # A verified chat stays verified this long, however many messages follow.
        verification_minutes=_env_int("VERIFICATION_MINUTES", 30),
        login_token_algorithms=tuple(
            a.strip() for a in _env("LOGIN_TOKEN_ALGORITHMS", "HS256").split(",") if a.strip()
        ),
        login_token_issuer=_env("LOGIN_TOKEN_ISSUER", "pharmacy-shop"),
        login_token_audience=_env("LOGIN_TOKEN_AUDIENCE", "pharmacy-chat"),
        login_token_public_key_file=_env("LOGIN_TOKEN_PUBLIC_KEY_FILE", ""),
        login_token_max_minutes=_env_int("LOGIN_TOKEN_MAX_MINUTES", 60),
        chat_messages_per_minute=_env_int("CHAT_MESSAGES_PER_MINUTE", 30),
        client_messages_per_minute=_env_int("CLIENT_MESSAGES_PER_MINUTE", 120),
        chat_sessions_per_hour=_env_int("CHAT_SESSIONS_PER_HOUR", 120),
        # A turn slower than this gets a "taking longer than usual" answer (it still finishes).
        reply_timeout_seconds=env_number("REPLY_TIMEOUT_SECONDS", 20.0),
        # Pages that may open a chat from a browser: ours, and the shop's own sites.
        chat_allowed_origins=tuple(
            o.strip()
            for o in _env(
                "CHAT_ALLOWED_ORIGINS", f"http://localhost:{web_port},http://127.0.0.1:{web_port}"
            ).split(",")
            if o.strip()
        ),
        demo_mode=_env_flag("DEMO_MODE"),
        desk_port=_env_int("DESK_PORT", 8081),
        desk_session_minutes=env_number("DESK_SESSION_MINUTES", 30),
        desk_cookie_secure=_env_flag("DESK_COOKIE_SECURE"),
        desk_trusted_proxies=_env_networks("DESK_TRUSTED_PROXIES"),
        tickets_per_client_per_hour=_env_int("TICKETS_PER_CLIENT_PER_HOUR", 5),
        # One address may be many people (a household, an office behind one router).
        tickets_per_address_per_hour=_env_int("TICKETS_PER_ADDRESS_PER_HOUR", 20),
        pharmacy_time_zone=_env("PHARMACY_TIME_ZONE", "America/New_York"),
    )
    if settings.tickets_per_client_per_hour < 1:
        raise ValueError("TICKETS_PER_CLIENT_PER_HOUR must be at least 1")
    # Demo accounts have published passwords: they must never be reachable from another machine.
    if settings.demo_mode and not is_loopback(settings.bind_host):
        raise ValueError(
            f"DEMO_MODE=1 needs BIND_HOST on loopback (127.0.0.1, ::1 or localhost), "
            f"got {settings.bind_host!r}: the demo accounts' passwords are public"
        )
    return settings


def load_secret(env_name: str, var_dir: Path) -> str:
    """The secret in ``env_name``; on a laptop without one, a random value made once and kept in
    ``var_dir`` (readable by its owner only). Production sets the variable."""
    configured = os.environ.get(env_name, "").strip()
    if configured:
        return configured
    path = var_dir / env_name.lower()
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()
