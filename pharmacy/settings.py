"""Every setting the project reads from the environment, in one place.

Defaults are for a laptop: SQLite under ``var/``, services on localhost. Production overrides them
with environment variables (documented in the README).

Each service's entry point calls ``start_settings`` once: a malformed value stops the process at
start with one line naming the variable, never in the middle of a conversation. After that
``load_settings`` returns the same object; before it (tests, one-off tools) it reads the
environment on each call, so a test that changes a variable sees the change.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when parsing: those packages import this module
    from pharmacy.carrier import CarrierSettings
    from pharmacy.handoff.hours import OpeningHours
    from pharmacy.refills.policy import RefillPolicyConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_REMINDER_LEAD_DAYS = 30


class SettingsError(ValueError):
    """A malformed setting; the message names the variable and the form it expects."""


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
        raise SettingsError(f"{name} must be {expected}, got {raw!r}") from error


def _env_int(name: str, default: int) -> int:
    return int(env_number(name, default, int))


def _env_flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be 1 or 0, got {raw!r}")


def _env_networks(name: str) -> tuple[IPNetwork, ...]:
    """A comma-separated list of addresses or networks ("10.0.0.5, 10.1.0.0/16")."""
    parts = [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]
    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in parts)
    except ValueError as error:
        raise SettingsError(f"{name} must list IP addresses or networks, got {parts!r}") from error


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
    login_token_algorithms: tuple[str, ...]
    login_token_issuer: str
    login_token_audience: str
    login_token_public_key_file: str
    login_token_max_minutes: int
    chat_messages_per_minute: int
    client_messages_per_minute: int
    chat_sessions_per_hour: int
    chat_allowed_origins: tuple[str, ...]
    reply_timeout_seconds: float
    demo_mode: bool
    desk_port: int
    desk_session_minutes: float
    desk_cookie_secure: bool
    desk_trusted_proxies: tuple[IPNetwork, ...]
    tickets_per_client_per_hour: int
    tickets_per_address_per_hour: int
    rasa_public_url: str  # "": the host the chat page was reached on, at RASA_PORT
    handoff_hours: OpeningHours
    refill_policy: RefillPolicyConfig
    refill_reminder_lead_days: int
    carrier: CarrierSettings
    carrier_port: int  # the fake carrier's own port (carrier_service)
    # The pharmacy's own day ("today" for refills and reminders), whatever the server's zone.
    pharmacy_time_zone: str = "America/New_York"
    # Several Rasa instances: their socket.io servers share emits through this Redis (pub/sub), so
    # a push reaches the shopper's socket on whichever instance holds it; "": one instance.
    socketio_redis_url: str = ""
    redis_password: str = ""  # of that Redis and of the lock store's (endpoints.yml)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


_current: Settings | None = None


def load_settings() -> Settings:
    """The process's settings: those read by ``start_settings`` at start, or else (tests,
    one-off tools) the environment as it is now."""
    return _current if _current is not None else read_settings()


def start_settings(service: str, check: Callable[[Settings], Any] | None = None) -> Settings:
    """Read and check every setting once, when ``service`` starts, and keep them for the
    process; ``check`` loads what else must work from the start (secrets, key files). A bad value
    ends the process here with one line on stderr (no traceback) and exit status 2."""
    global _current
    try:
        settings = read_settings()
        if check is not None:
            check(settings)
    except (SettingsError, OSError) as problem:
        print(f"{service}: configuration error: {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    _current = settings
    return settings


def reset_settings() -> None:
    """Forget the settings kept by ``start_settings`` (tests that start a service in-process)."""
    global _current
    _current = None


def read_settings() -> Settings:
    """Read and check the environment now."""
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
        rasa_public_url=_env("RASA_PUBLIC_URL", ""),
        handoff_hours=_handoff_hours(),
        refill_policy=_refill_policy(),
        refill_reminder_lead_days=_reminder_lead_days(),
        carrier=_carrier(),
        carrier_port=_env_int("CARRIER_PORT", 8090),
        pharmacy_time_zone=_time_zone("PHARMACY_TIME_ZONE", "America/New_York"),
        socketio_redis_url=_env("SOCKETIO_REDIS_URL", ""),
        redis_password=_env("REDIS_PASSWORD", ""),
    )
    if settings.tickets_per_client_per_hour < 1:
        raise SettingsError(
            f"TICKETS_PER_CLIENT_PER_HOUR must be a whole number of at least 1, "
            f"got {settings.tickets_per_client_per_hour}"
        )
    # Demo accounts have published passwords: they must never be reachable from another machine.
    if settings.demo_mode and not is_loopback(settings.bind_host):
        raise SettingsError(
            f"DEMO_MODE=1 needs BIND_HOST on loopback (127.0.0.1, ::1 or localhost), "
            f"got {settings.bind_host!r}: the demo accounts' passwords are public"
        )
    return settings


def _time_zone(name: str, default: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = _env(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SettingsError(
            f"{name} must be an IANA time zone such as {default!r}, got {value!r}"
        ) from error
    return value


def _handoff_hours() -> OpeningHours:
    from pharmacy.handoff.hours import DEFAULT_HOURS, OpeningHours

    spec = _env("HANDOFF_HOURS", DEFAULT_HOURS)
    try:
        return OpeningHours.parse(spec)
    except (ValueError, KeyError) as error:  # also a bad hour, or a time zone that is unknown
        raise SettingsError(
            f"HANDOFF_HOURS must look like {DEFAULT_HOURS!r} (days, hours, IANA time zone), "
            f"got {spec!r}"
        ) from error


def _checked(var: str, raw: str, kind: Any, valid: Callable[[Any], bool], expected: str) -> Any:
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not valid(value):  # the comparison is also False for NaN
        raise SettingsError(f"{var} must be {expected}, got {raw!r}")
    return value


def _fraction(var: str, raw: str) -> float:
    return float(_checked(var, raw, float, lambda v: 0 < v <= 1, "a fraction in (0, 1]"))


def _refill_policy() -> RefillPolicyConfig:
    """Defaults, then REFILL_THRESHOLD, REFILL_THRESHOLD_CONTROLLED, RX_EXPIRY_DAYS and
    REFILL_THRESHOLDS_BY_CLASS ("statin=0.8, proton pump inhibitor=0.7") if set."""
    from pharmacy.knowledge.loader import drug_class_key, knowledge_base
    from pharmacy.refills.policy import RefillPolicyConfig

    values: dict[str, Any] = {}
    for var, name in (
        ("REFILL_THRESHOLD", "default_threshold"),
        ("REFILL_THRESHOLD_CONTROLLED", "controlled_threshold"),
    ):
        raw = os.environ.get(var, "").strip()
        if raw:
            values[name] = _fraction(var, raw)
    raw = os.environ.get("RX_EXPIRY_DAYS", "").strip()
    if raw:
        values["non_controlled_expiry_days"] = _checked(
            "RX_EXPIRY_DAYS", raw, int, lambda v: v > 0, "a positive whole number of days"
        )
    raw = os.environ.get("REFILL_THRESHOLDS_BY_CLASS", "").strip()
    if raw:
        thresholds = {}
        for pair in filter(None, (part.strip() for part in raw.split(","))):
            name, _, value = pair.rpartition("=")
            if not name.strip():
                raise SettingsError(
                    f"REFILL_THRESHOLDS_BY_CLASS must be pairs like 'statin=0.8', got {pair!r}"
                )
            thresholds[name] = _fraction(
                f"REFILL_THRESHOLDS_BY_CLASS ({name.strip()})", value.strip()
            )
        known = {medicine.class_key for medicine in knowledge_base().values()}
        unknown = sorted({drug_class_key(name) for name in thresholds} - known)
        if unknown:  # a typo would silently leave the default in force
            raise SettingsError(
                f"REFILL_THRESHOLDS_BY_CLASS names no class of the knowledge base: "
                f"{', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        values["thresholds_by_class"] = thresholds
    return RefillPolicyConfig(**values)


def _reminder_lead_days() -> int:
    raw = os.environ.get("REFILL_REMINDER_LEAD_DAYS", "").strip()
    if not raw:
        return 3
    return int(
        _checked(
            "REFILL_REMINDER_LEAD_DAYS",
            raw,
            int,
            lambda v: 0 <= v <= MAX_REMINDER_LEAD_DAYS,
            f"a whole number of days from 0 to {MAX_REMINDER_LEAD_DAYS}",
        )
    )


def _carrier() -> CarrierSettings:
    from pharmacy.carrier import CarrierSettings

    default = CarrierSettings()
    read_timeout = env_number("CARRIER_READ_TIMEOUT", default.read_timeout)
    if not read_timeout > 0:
        raise SettingsError(f"CARRIER_READ_TIMEOUT must be a positive number, got {read_timeout}")
    retries = _env_int("CARRIER_RETRIES", default.retries)
    if retries < 0:
        raise SettingsError(f"CARRIER_RETRIES must be a whole number of at least 0, got {retries}")
    return CarrierSettings(
        base_url=_env("CARRIER_BASE_URL", default.base_url).rstrip("/"),
        api_key=_env("CARRIER_API_KEY", default.api_key),
        read_timeout=read_timeout,
        retries=retries,
    )


def load_secret(env_name: str, var_dir: Path) -> str:
    """The secret in ``env_name``; on a laptop without one, a random value made once and kept in
    ``var_dir`` (readable by its owner only). Production sets the variable."""
    configured = os.environ.get(env_name, "").strip()
    if configured:
        return configured
    path = var_dir / env_name.lower()
    try:
        if not path.exists():
            var_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()
    except OSError as error:
        raise SettingsError(
            f"{env_name} is unset and {path} cannot be made or read ({error.strerror}): set "
            f"{env_name}, or PHARMACY_VAR_DIR to a writable directory"
        ) from None
