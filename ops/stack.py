"""Starts and stops the whole assistant: carrier stand-in, action server, Rasa server, the
shopper's chat page and the agent desk.

`make run` uses it in the foreground; the conversation and browser tests use the same class to
start a private stack on free ports with their own database, so they test what a user runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ops.action_server import ACTION_TOKEN_ENV
from pharmacy.access.config import CHAT_SESSION_KEY_ENV, LOCKOUT_KEY_ENV
from pharmacy.access.login_tokens import LoginTokenPolicy, issue_login_token
from pharmacy.rasa_api import JWT_METHOD, RASA_JWT_SECRET_ENV, RasaApi
from pharmacy.settings import PROJECT_ROOT, load_secret, load_settings

BIN_DIR = Path(sys.executable).parent
MAX_REVIVALS = 5  # per service and run: beyond that a failing service stops `make run`


def interrupt_on_signals() -> None:
    """Turn SIGINT and SIGTERM into KeyboardInterrupt, so `finally: stack.stop()` always runs
    (a background job starts with SIGINT ignored, and SIGTERM would skip it)."""

    def _interrupt(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class StackConfig:
    model_path: Path
    var_dir: Path
    database_url: str
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    carrier_port: int = 8090
    desk_port: int = 8081
    host: str = "localhost"
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}"

    @property
    def carrier_url(self) -> str:
        return f"http://{self.host}:{self.carrier_port}"

    @property
    def desk_url(self) -> str:
        return f"http://{self.host}:{self.desk_port}"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.web_port}"


def private_stack_config(work: Path, model_path: Path, database_url: str = "") -> StackConfig:
    """A stack of its own: free ports, a SQLite database in ``work`` (or ``database_url``) with
    the demo data."""
    from pharmacy.database import prepare

    url = database_url or f"sqlite:///{work}/stack.db"
    prepare(url)
    # Its load comes from one address (a benchmark, an evaluation): no per-address limit.
    return StackConfig(
        model_path=model_path,
        var_dir=work,
        database_url=url,
        rasa_port=free_port(),
        action_port=free_port(),
        web_port=free_port(),
        carrier_port=free_port(),
        desk_port=free_port(),
        extra_env={"CLIENT_MESSAGES_PER_MINUTE": "0", "TICKETS_PER_ADDRESS_PER_HOUR": "0"},
    )


@dataclass
class Service:
    name: str
    command: list[str]
    ready_url: str
    ready_headers: Callable[[], dict[str, str]] | None = None  # e.g. Rasa's API proof
    env: dict[str, str] = field(default_factory=dict)
    ready_check: Callable[[], bool] | None = None  # instead of ready_url, for a non-HTTP service
    process: subprocess.Popen | None = None
    revivals: int = 0


class Stack:
    """The services as child processes; logs go to ``var_dir/logs/<service>.log``."""

    def __init__(self, config: StackConfig):
        self.config = config
        self.api = RasaApi(
            config.rasa_url, load_secret(RASA_JWT_SECRET_ENV, config.var_dir), "tests-and-tools"
        )
        self.identity_secret = load_secret("IDENTITY_TOKEN_SECRET", config.var_dir)
        self.action_token = load_secret(ACTION_TOKEN_ENV, config.var_dir)
        self.chat_key = load_secret(CHAT_SESSION_KEY_ENV, config.var_dir)
        self.lockout_key = load_secret(LOCKOUT_KEY_ENV, config.var_dir)
        self.log_dir = config.var_dir / "logs"
        self.services = self._services()

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": self.config.database_url,
                "PHARMACY_VAR_DIR": str(self.config.var_dir),
                "ACTION_SERVER_URL": f"{self.config.action_url}/webhook",
                "RASA_URL": self.config.rasa_url,
                "RASA_PORT": str(self.config.rasa_port),
                "ACTION_PORT": str(self.config.action_port),
                "WEB_PORT": str(self.config.web_port),
                "CARRIER_PORT": str(self.config.carrier_port),
                "DESK_PORT": str(self.config.desk_port),
                "CARRIER_BASE_URL": self.config.carrier_url,
                RASA_JWT_SECRET_ENV: self.api.secret,
                "IDENTITY_TOKEN_SECRET": self.identity_secret,
                ACTION_TOKEN_ENV: self.action_token,
                CHAT_SESSION_KEY_ENV: self.chat_key,
                LOCKOUT_KEY_ENV: self.lockout_key,
                "CHAT_ALLOWED_ORIGINS": ",".join(self.allowed_origins()),
                "PYTHONPATH": str(PROJECT_ROOT),
                # Rasa and TensorFlow are noisy about things that do not matter here.
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "RASA_TELEMETRY_ENABLED": "false",
            }
        )
        env.update(self.config.extra_env)
        return env

    def login_token(
        self,
        customer_reference: str,
        ttl_seconds: int = 900,
        chat_id: str | None = None,
        signing_key: str | None = None,
    ) -> str:
        """A login token as the shop's login service would issue it for this stack
        (``signing_key`` other than the stack's makes a forged one)."""
        settings = load_settings()
        policy = LoginTokenPolicy(
            ("HS256",),
            self.identity_secret,
            settings.login_token_issuer,
            settings.login_token_audience,
        )
        return issue_login_token(
            customer_reference,
            policy,
            signing_key or self.identity_secret,
            ttl_seconds=ttl_seconds,
            chat_id=chat_id,
        )

    def allowed_origins(self) -> list[str]:
        """Pages that may open a chat: CHAT_ALLOWED_ORIGINS, else this stack's own chat page."""
        configured = (
            self.config.extra_env.get("CHAT_ALLOWED_ORIGINS")
            or os.environ.get("CHAT_ALLOWED_ORIGINS", "")
        ).strip()
        if configured:
            return [origin.strip() for origin in configured.split(",") if origin.strip()]
        return [f"http://{host}:{self.config.web_port}" for host in ("localhost", "127.0.0.1")]

    def _services(self) -> list[Service]:
        cfg = self.config
        return [
            # The development stand-in for the carrier's tracking API (see carrier_service/).
            Service(
                "carrier",
                [
                    str(BIN_DIR / "python"),
                    "-m",
                    "carrier_service.server",
                    "--port",
                    str(cfg.carrier_port),
                ],
                f"{cfg.carrier_url}/health",
            ),
            self._action_service("actions", cfg.action_port),
            self._rasa_service("rasa", cfg.rasa_port, "endpoints.yml"),
            Service(
                "web",
                [str(BIN_DIR / "python"), "-m", "webchat.server"],
                f"{cfg.web_url}/healthz",
            ),
            Service(
                "desk",
                [str(BIN_DIR / "python"), "-m", "desk.server"],
                f"{cfg.desk_url}/healthz",
            ),
        ]

    def _action_service(self, name: str, port: int) -> Service:
        return Service(
            name,
            [str(BIN_DIR / "python"), "-m", "ops.action_server", "--port", str(port)],
            f"http://{self.config.host}:{port}/health",
        )

    def _rasa_service(self, name: str, port: int, endpoints: str) -> Service:
        return Service(
            name,
            # `rasa run` behind the wrapper that redacts personal data from its logs.
            [
                str(BIN_DIR / "python"),
                "-m",
                "ops.rasa_server",
                "run",
                "--model",
                str(self.config.model_path),
                "--endpoints",
                endpoints,
                "--credentials",
                "credentials.yml",
                "--port",
                str(port),
                "--interface",
                load_settings().bind_host,
                "--enable-api",
                # Callers prove themselves with a JWT in a header (pharmacy.rasa_api); "=" form:
                # a random secret may start with "-", which argparse would misread.
                f"--jwt-secret={self.api.secret}",
                f"--jwt-method={JWT_METHOD}",
                "--cors",
                *self.allowed_origins(),
            ],
            f"http://{self.config.host}:{port}/status",
            self.api.headers,
            # Sanic refuses a bigger body with 413 before Rasa reads it: one oversized message
            # must never reach tokenising and featurizing (a 5 MB one grew Rasa to 23 GB).
            {"SANIC_REQUEST_MAX_SIZE": str(load_settings().max_request_bytes)},
        )

    def start(self, timeout: float = 240.0) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            self._launch(service)
        deadline = time.monotonic() + timeout
        for service in self.services:
            self._wait_ready(service, deadline)

    def revive_stopped(self, timeout: float = 240.0) -> list[str]:
        """Start again every service whose process has exited, leaving the others running; the
        names of those started. A service that keeps failing (MAX_REVIVALS) is an error."""
        revived = []
        for service in self.services:
            if service.process is None or service.process.poll() is None:
                continue
            service.revivals += 1
            if service.revivals > MAX_REVIVALS:
                raise RuntimeError(f"{service.name} keeps stopping; see {self.log_dir}")
            self._launch(service)
            try:
                self._wait_ready(service, time.monotonic() + timeout, stop_all_on_failure=False)
            except (RuntimeError, TimeoutError):
                continue  # tried again on the next call
            revived.append(service.name)
        return revived

    def stop_service(self, name: str) -> None:
        """Stop one service (an outage); ``restart`` brings it back."""
        self._terminate([next(s for s in self.services if s.name == name)])

    def restart(
        self, name: str, timeout: float = 240.0, extra_env: dict[str, str] | None = None
    ) -> None:
        """Stop one service and start it again (a deploy, a crash, a configuration change):
        state must survive it. ``extra_env`` applies to this start only."""
        service = next(s for s in self.services if s.name == name)
        self._terminate([service])
        self._launch(service, extra_env)
        self._wait_ready(service, time.monotonic() + timeout)

    def _launch(self, service: Service, extra_env: dict[str, str] | None = None) -> None:
        env = {**self.environment(), **service.env, **(extra_env or {})}
        with open(self.log_dir / f"{service.name}.log", "ab") as log:
            service.process = subprocess.Popen(
                service.command,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_ready(
        self, service: Service, deadline: float, stop_all_on_failure: bool = True
    ) -> None:
        process = service.process
        assert process is not None, f"{service.name} was never started"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                if stop_all_on_failure:
                    self.stop()
                raise RuntimeError(
                    f"{service.name} exited with code {process.returncode}; "
                    f"see {self.log_dir / (service.name + '.log')}"
                )
            if self._is_ready(service):
                return
            time.sleep(0.5)
        if stop_all_on_failure:
            self.stop()
        raise TimeoutError(f"{service.name} was not ready in time; see {self.log_dir}")

    @staticmethod
    def _is_ready(service: Service) -> bool:
        if service.ready_check is not None:
            return service.ready_check()
        try:
            headers = service.ready_headers() if service.ready_headers else None
            return requests.get(service.ready_url, headers=headers, timeout=2).ok
        except requests.RequestException:
            return False

    def stop(self) -> None:
        self._terminate(list(reversed(self.services)))

    @staticmethod
    def _terminate(services: list[Service]) -> None:
        for service in services:
            process = service.process
            if process is None or process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
        for service in services:
            process = service.process
            if process is None:
                continue
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
