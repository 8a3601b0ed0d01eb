"""Bring a store's schema up to date with the Alembic migrations in ``agent/store/migrations``.

Every worker calls ``upgrade`` when it opens the store, so only one of them may migrate at a time:
PostgreSQL takes a transaction-scoped advisory lock, SQLite a lock file beside the database. A
database made before migrations existed (by ``create_all``) holds revision 0001's schema exactly and
is stamped with it first.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LEGACY_REVISION = "0001"
#: Any fixed 64-bit number: the advisory lock every Tactful worker takes to migrate a PostgreSQL store.
_PG_LOCK_KEY = 0x7AC7F01


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands: its revision (None: empty or pre-migrations) and the code's head."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _alembic_config(connection: Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def schema_state(engine: Engine) -> SchemaState:
    with engine.connect() as connection:
        return SchemaState(_current(connection), head_revision())


def upgrade(engine: Engine) -> SchemaState:
    """Migrate ``engine``'s database to the head revision (a no-op when it is there already)."""
    from alembic import command

    head = head_revision()
    with engine.connect() as connection:
        if _current(connection) == head:  # the common case: no lock, one small query
            return SchemaState(head, head)
    with _migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        before = _current(connection)
        config = _alembic_config(connection)
        if before is None and inspect(connection).has_table("conversations"):
            command.stamp(config, LEGACY_REVISION)
        if before != head:
            command.upgrade(config, "head")
        return SchemaState(_current(connection), head)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """A lock file beside a SQLite database, so two processes opening it at once do not both migrate."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    try:
        import fcntl
    except ImportError:  # Windows: one process per SQLite store there anyway
        yield
        return
    # Left in place afterwards: removing it would let a late process lock a new file beside a waiting one.
    with open(f"{database}.migrate-lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
