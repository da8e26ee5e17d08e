"""Every service checks its settings when it starts: a bad value stops it at once with one line
naming the variable and the form it expects (no traceback), never in the middle of a conversation.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ops.stack import free_port
from pharmacy import settings as settings_module
from pharmacy.settings import PROJECT_ROOT, load_settings, start_settings

# python -m <module> [args]: each service's entry point, and the name it reports under.
SERVICES = {
    "actions": ["ops.action_server"],
    "rasa": ["ops.rasa_server", "run", "--enable-api"],
    "desk": ["desk.server"],
    "web": ["webchat.server"],
    "carrier": ["carrier_service.server"],
    "reminders": ["pharmacy.refills.reminders", "--dry-run"],
}


def start(service: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), PHARMACY_VAR_DIR=str(tmp_path))
    # Free ports, so that a service that wrongly starts fails the test instead of a neighbour.
    for name in ("ACTION_PORT", "RASA_PORT", "DESK_PORT", "WEB_PORT", "CARRIER_PORT"):
        environment[name] = str(free_port())
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", *SERVICES[service]],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_refused(finished: subprocess.CompletedProcess, service: str, *words: str) -> None:
    lines = finished.stderr.strip().splitlines()
    assert finished.returncode == 2, finished.stderr
    assert "Traceback" not in finished.stderr and "Traceback" not in finished.stdout
    assert lines and lines[-1].startswith(f"{service}: configuration error: "), finished.stderr
    for word in words:
        assert word in lines[-1], finished.stderr


@pytest.mark.parametrize("service", list(SERVICES))
def test_a_malformed_handoff_hours_stops_every_service_at_start(service, tmp_path):
    finished = start(service, tmp_path, HANDOFF_HOURS="weekdays 9 to 5")
    assert_refused(
        finished, service, "HANDOFF_HOURS must look like 'Mon-Sat 08:00-20:00 America/New_York'"
    )


@pytest.mark.parametrize(
    "service, variable, value, expected",
    [
        ("actions", "REFILL_THRESHOLD", "75%", "a fraction in (0, 1]"),
        ("actions", "IDENTITY_LOCK_MINUTES", "a while", "a whole number"),
        ("rasa", "REPLY_TIMEOUT_SECONDS", "soon", "a number"),
        ("desk", "DESK_TRUSTED_PROXIES", "proxy.local", "IP addresses or networks"),
        ("web", "WEB_PORT", "eighty", "a whole number"),
        ("carrier", "CARRIER_PORT", "x", "a whole number"),
        ("reminders", "REFILL_REMINDER_LEAD_DAYS", "99", "from 0 to 30"),
    ],
)
def test_each_service_names_the_bad_variable_and_its_form(
    service, variable, value, expected, tmp_path
):
    assert_refused(start(service, tmp_path, **{variable: value}), service, variable, expected)


def test_a_handoff_hours_with_an_unknown_time_zone_or_hour_is_refused(tmp_path):
    for spec in ("Mon-Sat 08:00-20:00 Mars/Olympus", "Mon-Sat 08:00-25:00 UTC"):
        assert_refused(start("actions", tmp_path, HANDOFF_HOURS=spec), "actions", "HANDOFF_HOURS")


def test_a_missing_login_key_file_stops_the_rasa_server_at_start(tmp_path):
    finished = start(
        "rasa",
        tmp_path,
        LOGIN_TOKEN_ALGORITHMS="RS256",
        LOGIN_TOKEN_PUBLIC_KEY_FILE=str(tmp_path / "missing.pem"),
    )
    assert_refused(finished, "rasa", "LOGIN_TOKEN_PUBLIC_KEY_FILE must name a readable PEM file")


def test_a_secret_that_cannot_be_kept_stops_the_action_server_at_start(tmp_path):
    blocked = tmp_path / "a-file-not-a-directory"
    blocked.write_text("")
    environment = {"PHARMACY_VAR_DIR": str(blocked / "var")}
    for name in ("ACTION_SERVER_TOKEN", "IDENTITY_LOCKOUT_KEY", "RASA_JWT_SECRET"):
        environment[name] = ""
    finished = start("actions", tmp_path, **environment)
    assert_refused(finished, "actions", "ACTION_SERVER_TOKEN is unset", "PHARMACY_VAR_DIR")


def test_settings_are_read_once_at_start_and_kept(monkeypatch, tmp_path):
    monkeypatch.setenv("PHARMACY_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "100")
    started = start_settings("test")
    # A later change of the environment (or a bad value) no longer reaches the running process.
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "many")
    monkeypatch.setenv("HANDOFF_HOURS", "never")
    assert load_settings() is started and load_settings().max_message_chars == 100
    settings_module.reset_settings()
    with pytest.raises(ValueError, match="MAX_MESSAGE_CHARS must be a whole number"):
        load_settings()
