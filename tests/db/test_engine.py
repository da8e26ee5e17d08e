"""The engine's connections to a SQLite file: kept between sessions, each one tuned."""

from sqlalchemy import event, text

from pharmacy.database import get_engine, session_scope


def test_sessions_in_a_row_reuse_one_tuned_connection(tmp_path):
    url = f"sqlite:///{tmp_path / 'pooled.db'}"
    opened = []
    event.listen(get_engine(url), "connect", lambda connection, record: opened.append(connection))

    for _ in range(5):
        with session_scope(url) as session:
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"

    assert len(opened) == 1
