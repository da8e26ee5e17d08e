"""The assistant scaled out on one machine: two Rasa servers and two action servers behind a
private nginx, a private Redis for Rasa's lock store and for socket.io across instances, and
PostgreSQL for the tracker store and the pharmacy data. `make run-scaled` starts it
(ops/run_scaled.py); tests/scale/ prove it.

Everything listens on 127.0.0.1. The Redis and nginx are our own child processes with their
files under ``<var>/scale/``, never the system's services. Redis asks for a password made like
the stack's other secrets (REDIS_PASSWORD, else a file in the var folder); it must stay private
anyway: python-socketio's messages and Rasa's lock tickets are pickled, and unpickling data from
a stranger runs their code.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import redis
import yaml

from ops.stack import Service, Stack, StackConfig, free_port
from pharmacy.settings import PROJECT_ROOT, load_secret, load_settings

REDIS_PASSWORD_ENV = "REDIS_PASSWORD"
LOCK_STORE_DB = 1
SOCKETIO_DB = 0  # pub/sub ignores the number; kept apart from the locks for reading `redis-cli`
NGINX_HEALTH = "/nginx-health"


@dataclass
class ScaleOut:
    """The instances' own ports; StackConfig's rasa_port and action_port are nginx's fronts."""

    rasa_ports: list[int] = field(default_factory=lambda: [free_port(), free_port()])
    action_ports: list[int] = field(default_factory=lambda: [free_port(), free_port()])
    redis_port: int = field(default_factory=free_port)


def _binary(name: str) -> str:
    """Debian puts nginx in /usr/sbin, which is not on every user's PATH."""
    found = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )
    if found is None:
        raise RuntimeError(f"{name} is not installed; run scripts/install-scale-out.sh")
    return found


class ScaledStack(Stack):
    def __init__(self, config: StackConfig, scale: ScaleOut | None = None):
        self.scale = scale or ScaleOut()
        self.scale_dir = config.var_dir / "scale"
        self.redis_password = load_secret(REDIS_PASSWORD_ENV, config.var_dir)
        super().__init__(config)

    @property
    def rasa_instance_urls(self) -> list[str]:
        return [f"http://{self.config.host}:{port}" for port in self.scale.rasa_ports]

    @property
    def rasa_names(self) -> list[str]:
        return [f"rasa-{n}" for n in range(1, len(self.scale.rasa_ports) + 1)]

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.update(
            {
                REDIS_PASSWORD_ENV: self.redis_password,
                "SOCKETIO_REDIS_URL": f"redis://127.0.0.1:{self.scale.redis_port}/{SOCKETIO_DB}",
            }
        )
        return env

    def start(self, timeout: float = 240.0) -> None:
        self._write_files()
        super().start(timeout)

    def _services(self) -> list[Service]:
        single = {service.name: service for service in super()._services()}
        actions = [
            self._action_service(f"actions-{n}", port)
            for n, port in enumerate(self.scale.action_ports, start=1)
        ]
        endpoints = str(self.scale_dir / "endpoints.yml")
        rasas = [
            self._rasa_service(name, port, endpoints)
            for name, port in zip(self.rasa_names, self.scale.rasa_ports, strict=True)
        ]
        for rasa in rasas:
            # The chat gate's per-address limits count the shopper's address, which nginx puts
            # last in X-Forwarded-For, not nginx's own.
            rasa.env["SANIC_PROXIES_COUNT"] = "1"
        return [
            single["carrier"],
            self._redis_service(),
            *actions,
            *rasas,
            self._nginx_service(),
            single["web"],
            single["desk"],
        ]

    # ------------------------------------------------------------------------- Redis

    def _redis_client(self) -> redis.Redis:
        return redis.Redis(
            host="127.0.0.1",
            port=self.scale.redis_port,
            password=self.redis_password,
            socket_timeout=2,
        )

    def _redis_service(self) -> Service:
        def answers() -> bool:
            try:
                return bool(self._redis_client().ping())
            except redis.RedisError:
                return False

        return Service(
            "redis",
            [_binary("redis-server"), str(self.scale_dir / "redis" / "redis.conf")],
            ready_url="",
            ready_check=answers,
        )

    def _redis_conf(self) -> str:
        folder = self.scale_dir / "redis"
        return (
            "bind 127.0.0.1\n"
            "protected-mode yes\n"
            f"port {self.scale.redis_port}\n"
            f'dir "{folder}"\n'
            "daemonize no\n"
            'logfile ""\n'
            # Locks and socket.io messages live seconds: nothing to keep on disk.
            'save ""\n'
            "appendonly no\n"
            f"requirepass {self.redis_password}\n"
        )

    # ------------------------------------------------------------------------- nginx

    def _nginx_service(self) -> Service:
        folder = self.scale_dir / "nginx"
        return Service(
            "nginx",
            [
                _binary("nginx"),
                "-p",
                str(folder),
                "-c",
                str(folder / "nginx.conf"),
                "-e",  # before the configuration is read, nginx opens this error log
                str(folder / "error.log"),
            ],
            f"{self.config.rasa_url}{NGINX_HEALTH}",
        )

    def _nginx_conf(self) -> str:
        folder = self.scale_dir / "nginx"
        max_body = load_settings().max_request_bytes

        def servers(ports: list[int]) -> str:
            # A refused connection marks the instance down for 10 s and the request goes on to
            # the next one (proxy_next_upstream).
            return "".join(
                f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=10s;\n" for port in ports
            )

        temp = "".join(
            f"    {kind}_temp_path {folder / 'tmp' / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        proxied = (
            "            proxy_set_header Host $host;\n"
            "            proxy_set_header X-Real-IP $remote_addr;\n"
            "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            "            proxy_next_upstream error timeout http_502 http_503;\n"
        )
        return (
            "worker_processes 1;\n"
            "daemon off;\n"
            f"pid {folder / 'nginx.pid'};\n"
            f"error_log {folder / 'error.log'} warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            f"    access_log {folder / 'access.log'};\n"
            f"{temp}"
            # Bodies and answers stay in memory: the workers (nobody, when started as root)
            # may not be able to enter a private var folder to write temporary files.
            f"    client_max_body_size {max_body};\n"
            f"    client_body_buffer_size {max_body};\n"
            "    proxy_max_temp_file_size 0;\n"
            "    map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n"
            # socket.io: one client address stays on one instance (its polling requests and its
            # websocket must meet the same server); pushes cross instances through Redis.
            "    upstream rasa_sticky {\n        ip_hash;\n"
            f"{servers(self.scale.rasa_ports)}    }}\n"
            # REST turns, the HTTP API (desk relay, reminders, history): the least busy.
            "    upstream rasa {\n        least_conn;\n"
            f"{servers(self.scale.rasa_ports)}    }}\n"
            "    upstream actions {\n        least_conn;\n"
            f"{servers(self.scale.action_ports)}    }}\n"
            "    server {\n"
            f"        listen 127.0.0.1:{self.config.rasa_port};\n"
            f"        location = {NGINX_HEALTH} {{ access_log off; return 200 'ok'; }}\n"
            "        location /socket.io/ {\n"
            "            proxy_pass http://rasa_sticky;\n"
            "            proxy_http_version 1.1;\n"
            "            proxy_set_header Upgrade $http_upgrade;\n"
            "            proxy_set_header Connection $connection_upgrade;\n"
            f"{proxied}"
            "            proxy_read_timeout 3600s;\n"
            "        }\n"
            "        location / {\n"
            "            proxy_pass http://rasa;\n"
            f"{proxied}"
            "            proxy_read_timeout 300s;\n"
            "        }\n"
            "    }\n"
            "    server {\n"
            f"        listen 127.0.0.1:{self.config.action_port};\n"
            "        location / {\n"
            "            proxy_pass http://actions;\n"
            f"{proxied}"
            "            proxy_read_timeout 300s;\n"
            "        }\n"
            "    }\n"
            "}\n"
        )

    # ------------------------------------------------------------------------- files

    def _endpoints(self) -> str:
        """The project's endpoints.yml (action server, tracker store), with Redis locks: one
        conversation is handled by one instance at a time (Rasa's Redis lock store made safe
        across processes, rasa_channels/lock_store.py)."""
        endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
        endpoints["lock_store"] = {
            "type": "rasa_channels.lock_store.AtomicRedisLockStore",
            "url": "127.0.0.1",
            "port": self.scale.redis_port,
            "password": "${" + REDIS_PASSWORD_ENV + "}",  # Rasa reads it from the environment
            "db": LOCK_STORE_DB,
        }
        return (
            "# Generated by ops/scaled_stack.py for one run; change that file instead.\n"
            + yaml.safe_dump(endpoints, sort_keys=False)
        )

    def _write_files(self) -> None:
        for folder in ("redis", "nginx/tmp"):
            (self.scale_dir / folder).mkdir(parents=True, exist_ok=True)
        redis_conf = self.scale_dir / "redis" / "redis.conf"
        redis_conf.touch(mode=0o600)
        redis_conf.chmod(0o600)  # it holds the password
        redis_conf.write_text(self._redis_conf())
        (self.scale_dir / "nginx" / "nginx.conf").write_text(self._nginx_conf())
        (self.scale_dir / "endpoints.yml").write_text(self._endpoints())
