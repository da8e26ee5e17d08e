from pathlib import Path

import pytest

from pharmacy.settings import PROJECT_ROOT, load_settings

VARIABLES = ["DATABASE_URL", "PHARMACY_VAR_DIR", "RASA_PORT", "ACTION_PORT", "RASA_URL",
             "ACTION_SERVER_URL", "WEB_PORT", "MAX_MESSAGE_CHARS"]


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
