"""Run the packaged Alembic migrations on a live connection (no alembic.ini, no CLI)."""

from __future__ import annotations

from importlib.resources import files

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection


def config(connection: Connection | None = None) -> Config:
    """Return an Alembic config pointing at ``storage/migrations``, bound to ``connection``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("storage") / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


MIGRATION_LOCK = 7_413_201_901
"""PostgreSQL advisory lock key held while migrating (any constant; ours, in no other use)."""


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` inside the caller's transaction.

    On PostgreSQL a transaction-scoped advisory lock serialises processes that start together (a
    scheduler and workers on several machines): the second waits, then finds the schema up to date,
    instead of failing on a half-created table.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    command.upgrade(config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    """Downgrade the schema to ``revision`` (``"base"`` drops everything)."""
    command.downgrade(config(connection), revision)


def current(connection: Connection) -> str | None:
    """Return the revision the database is at, or None for an empty database."""
    return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    """Return the newest revision this code ships."""
    return ScriptDirectory.from_config(config()).get_current_head()
