"""Shared fixtures: a fresh real database, and a running stack for conversation and browser tests.

Tests never touch DATABASE_URL (it may be a real deployment). They use TEST_DATABASE_URL when set
(CI points it at PostgreSQL) and a throw-away SQLite file otherwise.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from ops.rest_chat import RestChat
from ops.stack import Stack, free_port
from pharmacy import clock
from pharmacy.database import get_engine, session_scope
from pharmacy.schema import metadata
from pharmacy.settings import reset_settings

# The demo data's reference day: today, because the running stack's actions decide refills for
# today, on the same clock (the edge cases are built relative to this day).
DEMO_TODAY = clock.current().today()
ALWAYS_OPEN = "Mon-Sun 00:00-24:00 UTC"
NEVER_OPEN = "Mon-Sun 00:00-00:00 UTC"
# A shop's own site on another origin, embedding the chat (tests/browser/test_rasa_webchat.py).
SHOP_ORIGIN = f"http://127.0.0.1:{free_port()}"
T = TypeVar("T")


def in_transaction(url: str, function: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Call a core function as an action does: with a session of its own, committed after."""
    with session_scope(url) as session:
        return function(session, *args, **kwargs)


@pytest.fixture(autouse=True)
def _no_settings_kept() -> Iterator[None]:
    """A test that starts a service in-process leaves no settings behind for the next one."""
    yield
    reset_settings()


def _reset_database(url: str) -> None:
    engine = get_engine(url)
    metadata.drop_all(engine)
    with engine.begin() as connection:
        for table in ("alembic_version", "events"):
            if inspect(connection).has_table(table):
                connection.exec_driver_sql(f"DROP TABLE {table}")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if url:
        _reset_database(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'pharmacy-test.db'}"


@pytest.fixture(scope="session")
def seeded_database(database_url: str) -> str:
    """A migrated database with the demo data for DEMO_TODAY (read-only for tests)."""
    from pharmacy.database import prepare

    prepare(database_url, today=DEMO_TODAY)
    return database_url


def _own_database(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    """A migrated database with the demo data for DEMO_TODAY that only one group of tests uses
    (and changes). On PostgreSQL it is the test database's sibling "<name>_<suffix>"
    (scripts/start-postgres.sh creates them), or TEST_<SUFFIX>_DATABASE_URL."""
    from pharmacy.database import prepare

    base = os.environ.get("TEST_DATABASE_URL", "").strip()
    if base:
        url = os.environ.get(f"TEST_{name.upper()}_DATABASE_URL", "").strip() or str(
            make_url(base).set(database=f"{make_url(base).database}_{name}")
        )
        _reset_database(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp(f'{name}-db') / f'pharmacy-{name}.db'}"
    prepare(url, today=DEMO_TODAY)
    return url


@pytest.fixture(scope="session")
def stack_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The running stack's own database: conversation tests change it (refills, tickets, address
    changes), so it is kept apart from the one the database tests check."""
    return _own_database(tmp_path_factory, "stack")


@pytest.fixture(scope="session")
def desk_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The desk app tests' own database: they create and retire the demo accounts and fill the
    queue, which the database tests' queues must not see."""
    return _own_database(tmp_path_factory, "desk")


@pytest.fixture(scope="session")
def tracking_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The order-tracking tests' own database: they record carrier statuses and address changes."""
    return _own_database(tmp_path_factory, "tracking")


@pytest.fixture(scope="session")
def carrier_world_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """What the fake carrier knows, apart from our records, so that the tracking tests can make
    the carrier report what our database does not say yet."""
    return _own_database(tmp_path_factory, "carrier")


@pytest.fixture(scope="session")
def stack(stack_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from ops.model_cache import ensure_model
    from ops.stack import StackConfig

    web_port = free_port()
    config = StackConfig(
        model_path=ensure_model(),
        var_dir=tmp_path_factory.mktemp("var"),
        database_url=stack_database,
        rasa_port=free_port(),
        action_port=free_port(),
        web_port=web_port,
        carrier_port=free_port(),
        desk_port=free_port(),
        # The desk is always open in tests; the out-of-hours test closes it explicitly.
        # All tests come from one address: no per-address limits (the gate's tests check them).
        extra_env={
            "HANDOFF_HOURS": ALWAYS_OPEN,
            "DEMO_MODE": "1",
            "CLIENT_MESSAGES_PER_MINUTE": "0",
            "TICKETS_PER_ADDRESS_PER_HOUR": "0",
            "CHAT_ALLOWED_ORIGINS": f"http://localhost:{web_port},"
            f"http://127.0.0.1:{web_port},{SHOP_ORIGIN}",
        },
    )
    running = Stack(config)
    running.start()
    try:
        yield running
    finally:
        running.stop()


class Chat(RestChat):
    """One shopper's conversation over Rasa's REST channel, holding its chat's secret."""

    def texts(self, text: str) -> str:
        """The bot's replies to ``text``, joined, for assertions on wording."""
        return "\n".join(str(reply.get("text", "")) for reply in self.send(text))

    def texts_with(self, text: str, login_token: str) -> str:
        """The replies to ``text`` sent with a login token."""
        return "\n".join(
            str(reply.get("text", "")) for reply in self.send(text, {"login_token": login_token})
        )


@pytest.fixture
def new_chat(stack) -> Callable[[], Chat]:
    return lambda: Chat(stack.config.rasa_url, stack.chat_key, f"test-{uuid.uuid4()}")


_MARKERS_BY_FOLDER = {
    "db": ["db"],
    "conversation": ["stack"],
    "browser": ["stack", "browser"],
    "scale": ["scale"],
}
# A test that asks for one of these touches a real database, wherever it lives: marked ``db`` so
# that CI runs it on PostgreSQL too.
_DATABASE_FIXTURES = frozenset(
    {
        "database_url",
        "seeded_database",
        "desk_database",
        "tracking_database",
        "carrier_world_database",
        "stack_database",
    }
)


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        for marker in _MARKERS_BY_FOLDER.get(folder, []):
            item.add_marker(getattr(pytest.mark, marker))
        if _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.db)
