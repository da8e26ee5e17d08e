"""`make run`: prepare the database and model, start every service, print the URLs, wait for Ctrl-C.

`make run` is the newcomer's demo: it turns on DEMO_MODE (demo desk accounts with published
passwords, loopback only) unless DEMO_MODE is set, e.g. `DEMO_MODE=0 make run`.
"""

from __future__ import annotations

import os
import sys
import time

from desk.accounts import login_hint
from ops.model_cache import ensure_model
from ops.stack import Stack, StackConfig, interrupt_on_signals
from pharmacy import clock
from pharmacy.database import prepare
from pharmacy.logs import configure_logging
from pharmacy.metrics.synthetic import seed_demo_conversations
from pharmacy.settings import Settings, start_settings


def start_demo_settings(command: str) -> Settings:
    configure_logging("run")  # the services configure their own; this is for prepare()
    os.environ.setdefault("DEMO_MODE", "1")
    # Demo mode off loopback, a malformed number: say so, start nothing (exit status 2).
    settings = start_settings(command)
    interrupt_on_signals()
    return settings


def prepare_data(settings: Settings, database_url: str) -> None:
    seeded = prepare(database_url)
    print("database ready" + (" (demo data loaded)" if seeded else ""), flush=True)
    if settings.demo_mode:
        # Conversations for the supervisor's dashboard (once per database).
        written = seed_demo_conversations(
            database_url, clock.current().today(), clock.pharmacy_zone()
        )
        if written:
            print(f"demo conversations for the dashboard loaded ({written} events)", flush=True)


def serve(stack: Stack, started: float, what: str, urls: str) -> int:
    """Start ``stack``, print ``urls`` when it is ready, keep it running until Ctrl-C."""
    try:
        print(f"starting {what}...", flush=True)
        stack.start()
        print(
            f"\nReady in {time.monotonic() - started:.0f} s.\n{urls}\n"
            f"  Logs:           {stack.log_dir}/\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        while True:
            # One service failing (killed, out of memory) is started again; the others keep
            # serving meanwhile.
            for name in stack.revive_stopped():
                print(
                    f"{name} stopped unexpectedly and was started again; see {stack.log_dir}",
                    flush=True,
                )
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping...", flush=True)
        return 0
    finally:
        stack.stop()
        print("all services stopped", flush=True)


def service_urls(stack: Stack, settings: Settings) -> str:
    cfg = stack.config
    return (
        f"  Chat page:      {cfg.web_url}/\n"
        f"  Rasa HTTP API:  {cfg.rasa_url}  (a JWT signed with RASA_JWT_SECRET, or the file "
        f"{settings.var_dir / 'rasa_jwt_secret'}; see pharmacy/rasa_api.py)\n"
        f"  Agent desk:     {cfg.desk_url}/  {login_hint(settings.demo_mode)}\n"
        f"  Action server:  {cfg.action_url}/health\n"
        f"  Carrier (fake): {cfg.carrier_url}/health"
    )


def main() -> int:
    settings = start_demo_settings("make run")
    started = time.monotonic()
    prepare_data(settings, settings.database_url)
    stack = Stack(
        StackConfig(
            model_path=ensure_model(),
            var_dir=settings.var_dir,
            database_url=settings.database_url,
            rasa_port=settings.rasa_port,
            action_port=settings.action_port,
            web_port=settings.web_port,
            desk_port=settings.desk_port,
        )
    )
    return serve(
        stack,
        started,
        "the carrier stand-in, action server, Rasa server, chat page and agent desk",
        service_urls(stack, settings),
    )


if __name__ == "__main__":
    sys.exit(main())
