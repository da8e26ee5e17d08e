from pathlib import Path

import pytest

from pharmacy.settings import PROJECT_ROOT, load_settings

VARIABLES = [
    "DATABASE_URL",
    "PHARMACY_VAR_DIR",
    "RASA_PORT",
    "ACTION_PORT",
    "RASA_URL",
    "ACTION_SERVER_URL",
    "WEB_PORT",
    "MAX_MESSAGE_CHARS",
]


@pytest.fixture
def clean_env(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_embedded_sqlite_and_local_services(clean_env):
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'pharmacy.db'}"
    assert settings.is_sqlite
    assert settings.rasa_url == "http://localhost:5005"
    assert settings.action_server_url == "http://localhost:5055/webhook"
    assert settings.max_message_chars == 2000


def test_environment_overrides_defaults(clean_env, tmp_path: Path):
    clean_env.setenv("DATABASE_URL", "postgresql://u:p@db:5432/pharmacy")
    clean_env.setenv("PHARMACY_VAR_DIR", str(tmp_path))
    clean_env.setenv("RASA_PORT", "6000")
    settings = load_settings()
    assert settings.database_url == "postgresql://u:p@db:5432/pharmacy"
    assert not settings.is_sqlite
    assert settings.var_dir == tmp_path
    assert settings.rasa_url == "http://localhost:6000"


def test_a_port_that_is_not_a_number_is_named_in_the_error(clean_env):
    clean_env.setenv("WEB_PORT", "eighty")
    with pytest.raises(ValueError, match="WEB_PORT"):
        load_settings()


def test_demo_mode_is_off_unless_asked_for_and_only_on_loopback(clean_env):
    for name in ("DEMO_MODE", "BIND_HOST", "DESK_TRUSTED_PROXIES", "DESK_COOKIE_SECURE"):
        clean_env.delenv(name, raising=False)
    settings = load_settings()
    assert (settings.demo_mode, settings.desk_cookie_secure, settings.desk_trusted_proxies) == (
        False,
        False,
        (),
    )
    clean_env.setenv("DEMO_MODE", "1")
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        clean_env.setenv("BIND_HOST", host)
        assert load_settings().demo_mode
    for host in ("0.0.0.0", "10.0.0.5", "::", "desk.example.com"):
        clean_env.setenv("BIND_HOST", host)
        with pytest.raises(ValueError, match="DEMO_MODE=1 needs BIND_HOST on loopback"):
            load_settings()


@pytest.mark.parametrize(
    "name, value",
    [
        ("DEMO_MODE", "maybe"),
        ("DESK_COOKIE_SECURE", "2"),
        ("DESK_TRUSTED_PROXIES", "10.0.0.5, proxy.local"),
        ("TICKETS_PER_CLIENT_PER_HOUR", "0"),
    ],
)
def test_a_malformed_desk_setting_is_named_in_the_error(clean_env, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        load_settings()
