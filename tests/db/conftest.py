from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select

from pharmacy.database import session_scope


@pytest.fixture(autouse=True)
def remove_rows_added_by_the_test(request, seeded_database: str) -> Iterator[None]:
    """For modules that name TABLES_TESTS_ADD_TO: delete the rows each test added, so the demo
    data other tests check stays as seeded. Children first in that list."""
    tables = getattr(request.module, "TABLES_TESTS_ADD_TO", None)
    if not tables:
        yield
        return
    with session_scope(seeded_database) as session:
        last_ids = {
            model: session.scalar(select(func.coalesce(func.max(model.id), 0))) for model in tables
        }
    yield
    with session_scope(seeded_database) as session:
        for model in tables:
            session.execute(delete(model).where(model.id > last_ids[model]))
