"""Alembic environment: migrates the database named by DATABASE_URL (or the URL passed in)."""

from alembic import context

from pharmacy.database import get_engine
from pharmacy.schema import metadata

config = context.config


def _include_object(obj, name, type_, reflected, compare_to):
    # Rasa's tracker store keeps its own "events" table in the same database; it is not ours.
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations_online() -> None:
    engine = get_engine(config.get_main_option("sqlalchemy.url") or None)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # Batch migrations rebuild a table by copying it and dropping the old one, which
            # SQLite refuses while other tables' rows point at it: check the keys at the end.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_object=_include_object,
            render_as_batch=sqlite,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"migration left {len(broken)} broken foreign keys")


run_migrations_online()
