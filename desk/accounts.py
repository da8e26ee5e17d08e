"""Staff accounts outside the web pages: the demo accounts of demo mode, and the commands that
create and disable real accounts.

    python -m desk.accounts add --username dana --role pharmacist --name "Dana Lee"
    python -m desk.accounts disable --username dana

asks for the password twice, or reads one line from stdin when it is not a terminal
(``printf '%s\\n' "$PASSWORD" | python -m desk.accounts add ...``).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from typing import TextIO

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from pharmacy.database import session_scope
from pharmacy.handoff.agents import ROLES, Agent, DeskLogin, create_agent, verify_password

log = logging.getLogger("desk")

MIN_PASSWORD_CHARS = 12
# Published in the README and the `make run` banner: only ever active in demo mode, on loopback.
DEMO_AGENTS = [
    ("agent", "Alex (demo agent)", "agent", "agent-demo-password"),
    ("pharmacist", "Sam (demo pharmacist)", "pharmacist", "pharmacist-demo-password"),
    ("supervisor", "Kim (demo supervisor)", "supervisor", "supervisor-demo-password"),
]
DEMO_PASSWORDS = {password for *_, password in DEMO_AGENTS}


def login_hint(demo_mode: bool) -> str:
    """How to log in to the desk, for the `make run` banner: the demo logins only in demo mode."""
    if not demo_mode:
        return "(no demo accounts: python -m desk.accounts add --username NAME --role agent)"
    logins = ", ".join(f"{username} / {password}" for username, _, _, password in DEMO_AGENTS)
    return f"(DEMO MODE, this machine only: {logins})"


def ensure_demo_agents(database_url: str) -> None:
    """Demo mode: each demo account exists and is active (an account of that name with another
    password is a real one and is left alone)."""
    for username, name, role, password in DEMO_AGENTS:
        try:
            with session_scope(database_url) as session:
                agent = session.scalar(select(Agent).where(Agent.username == username))
                if agent is None:
                    create_agent(session, username, name, role, password)
                    log.info("desk: demo account %r created", username)
                elif verify_password(password, agent.password_hash):
                    agent.active = True
        except IntegrityError:
            pass  # another desk process created it at the same moment


def retire_demo_agents(database_url: str) -> None:
    """Outside demo mode: every account whose password is a published demo one is deactivated
    and logged out (kept, not deleted: the audit log and messages point at it)."""
    with session_scope(database_url) as session:
        for username, _name, _role, password in DEMO_AGENTS:
            agent = session.scalar(
                select(Agent).where(Agent.username == username, Agent.active.is_(True))
            )
            if agent is not None and verify_password(password, agent.password_hash):
                _deactivate(session, agent)
                log.warning("desk: demo account %r disabled (demo mode is off)", username)


def _deactivate(session, agent: Agent) -> None:
    agent.active = False
    session.execute(delete(DeskLogin).where(DeskLogin.agent_id == agent.id))


def add_account(username: str, role: str, display_name: str, password: str) -> int:
    """Creates an active account; 0, or 1 with the reason on stderr."""
    if len(password) < MIN_PASSWORD_CHARS or password in DEMO_PASSWORDS:
        print(
            f"Use at least {MIN_PASSWORD_CHARS} characters, and not a demo password; "
            "nothing created.",
            file=sys.stderr,
        )
        return 1
    try:
        with session_scope() as session:
            create_agent(session, username, display_name, role, password)
    except IntegrityError:
        print(f"There is already an account {username!r}.", file=sys.stderr)
        return 1
    print(f"Created {role} account {username!r} ({display_name}).")
    return 0


def disable_account(username: str) -> int:
    """Deactivates the account and ends its logins; 0, or 1 if there is no such account."""
    with session_scope() as session:
        agent = session.scalar(select(Agent).where(Agent.username == username))
        if agent is not None:
            _deactivate(session, agent)
    if agent is None:
        print(f"There is no account {username!r}.", file=sys.stderr)
        return 1
    print(f"Disabled account {username!r}; its logins have ended.")
    return 0


def read_password(username: str, stdin: TextIO) -> str | None:
    """From the terminal, typed twice; from a pipe, its first line. None if the two differ."""
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    password = getpass.getpass(f"Password for {username}: ")
    return password if password == getpass.getpass("Repeat it: ") else None


def main(argv: list | None = None, stdin: TextIO = sys.stdin) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m desk.accounts", description="Staff accounts of the agent desk."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create a staff account (password asked, or on stdin)")
    add.add_argument("--username", required=True)
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--name", help="name shown to shoppers, e.g. 'Dana Lee' (default: username)")
    disable = commands.add_parser("disable", help="deactivate an account and end its logins")
    disable.add_argument("--username", required=True)
    args = parser.parse_args(argv)
    if args.command == "disable":
        return disable_account(args.username)
    password = read_password(args.username, stdin)
    if password is None:
        print("The passwords differ; nothing created.", file=sys.stderr)
        return 1
    return add_account(args.username, args.role, args.name or args.username, password)


if __name__ == "__main__":
    sys.exit(main())
