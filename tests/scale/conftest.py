"""A scaled-out stack (ops/scaled_stack.py) for the scale tests: PostgreSQL, Redis, two Rasa and
two action servers behind nginx. `make test-scale` runs them (marker ``scale``); plain `make
test` leaves them out (pytest.ini), as they need Redis, nginx and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from ops.scaled_stack import ScaledStack
from ops.stack import StackConfig, free_port
from tests.conftest import ALWAYS_OPEN, _own_database


@pytest.fixture(scope="session")
def scale_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    base = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not base or make_url(base).get_backend_name() != "postgresql":
        pytest.fail("the scale tests need TEST_DATABASE_URL on PostgreSQL: run `make test-scale`")
    return _own_database(tmp_path_factory, "scale")


@pytest.fixture(scope="session")
def scaled(scale_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScaledStack]:
    from ops.model_cache import ensure_model

    config = StackConfig(
        model_path=ensure_model(),
        var_dir=tmp_path_factory.mktemp("scale-var"),
        database_url=scale_database,
        rasa_port=free_port(),
        action_port=free_port(),
        web_port=free_port(),
        carrier_port=free_port(),
        desk_port=free_port(),
        # Every test client is 127.0.0.1: no per-address limits (the gate's own tests check them).
        extra_env={
            "HANDOFF_HOURS": ALWAYS_OPEN,
            "CLIENT_MESSAGES_PER_MINUTE": "0",
            "TICKETS_PER_ADDRESS_PER_HOUR": "0",
        },
    )
    stack = ScaledStack(config)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
