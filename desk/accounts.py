"""Staff accounts outside the web pages: the demo accounts and the create-agent command."""
from __future__ import annotations

import getpass
import logging
import os
import sys

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pharmacy.db import session_scope
from pharmacy.handoff.agents import Agent, create_agent

log = logging.getLogger("desk")

MIN_PASSWORD_CHARS = 12
DEMO_AGENTS = [
    ("agent", "Alex (demo agent)", "agent", "agent-demo-password"),
    ("pharmacist", "Sam (demo pharmacist)", "pharmacist", "pharmacist-demo-password"),
]


def demo_agents_wanted(database_url: str) -> bool:
    raw = os.environ.get("DESK_DEMO_AGENTS", "").strip()
    return raw == "1" if raw else database_url.startswith("sqlite")


def ensure_demo_agents(database_url: str) -> None:
    for username, name, role, password in DEMO_AGENTS:
        try:
            with session_scope(database_url) as session:
                if session.scalar(select(Agent.id).where(Agent.username == username)) is None:
                    create_agent(session, username, name, role, password)
                    log.info("desk: demo account %r created", username)
        except IntegrityError:
            pass  # another desk process created it at the same moment


def create_agent_command(username: str, role: str, display_name: str) -> int:
    password = os.environ.get("DESK_NEW_PASSWORD", "")
    if not password:
        password = getpass.getpass(f"Password for {username}: ")
        if password != getpass.getpass("Repeat it: "):
            print("The passwords differ; nothing created.", file=sys.stderr)
            return 1
    if len(password) < MIN_PASSWORD_CHARS:
        print(f"Use at least {MIN_PASSWORD_CHARS} characters; nothing created.", file=sys.stderr)
        return 1
    try:
        with session_scope() as session:
            create_agent(session, username, display_name, role, password)
    except IntegrityError:
        print(f"There is already an account {username!r}.", file=sys.stderr)
        return 1
    print(f"Created {role} account {username!r} ({display_name}).")
    return 0
