"""`make run-scaled`: the assistant scaled out on this machine (ops/scaled_stack.py), on
PostgreSQL from scripts/start-postgres.sh (its "<database>_scale" database), in demo mode like
`make run`. nginx takes RASA_PORT and ACTION_PORT; the two instances of each listen on the next
two ports, Redis on SCALE_REDIS_PORT (6390)."""

from __future__ import annotations

import subprocess
import sys
import time

from sqlalchemy.engine import make_url

from ops.model_cache import ensure_model
from ops.run import prepare_data, serve, service_urls, start_demo_settings
from ops.scaled_stack import ScaledStack, ScaleOut
from ops.stack import StackConfig
from pharmacy.settings import PROJECT_ROOT, env_number


def scale_database_url() -> str:
    started = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "start-postgres.sh")],
        check=True,
        capture_output=True,
        text=True,
    )
    url = make_url(started.stdout.strip())
    return url.set(database=f"{url.database}_scale").render_as_string(hide_password=False)


def main() -> int:
    settings = start_demo_settings("make run-scaled")
    started = time.monotonic()
    database_url = scale_database_url()
    prepare_data(settings, database_url)
    scale = ScaleOut(
        rasa_ports=[settings.rasa_port + 1, settings.rasa_port + 2],
        action_ports=[settings.action_port + 1, settings.action_port + 2],
        redis_port=int(env_number("SCALE_REDIS_PORT", 6390, int)),
    )
    stack = ScaledStack(
        StackConfig(
            model_path=ensure_model(),
            var_dir=settings.var_dir,
            database_url=database_url,
            rasa_port=settings.rasa_port,
            action_port=settings.action_port,
            web_port=settings.web_port,
            desk_port=settings.desk_port,
        ),
        scale,
    )
    instances = ", ".join(stack.rasa_instance_urls)
    actions = ", ".join(f"http://localhost:{port}" for port in scale.action_ports)
    return serve(
        stack,
        started,
        "Redis, 2 action servers, 2 Rasa servers, nginx, the chat page and the desk",
        service_urls(stack, settings)
        + f"\n  Rasa instances: {instances}  (nginx balances {stack.config.rasa_url})"
        + f"\n  Action servers: {actions}  (nginx balances {stack.config.action_url})"
        + f"\n  Redis:          127.0.0.1:{scale.redis_port}  (lock store, socket.io; password "
        f"in {settings.var_dir / 'redis_password'} unless REDIS_PASSWORD is set)"
        + f"\n  Database:       {make_url(database_url).render_as_string()}",
    )


if __name__ == "__main__":
    sys.exit(main())
