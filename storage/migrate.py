"""Run the packaged Alembic migrations on a live connection (no alembic.ini, no CLI)."""

from __future__ import annotations

from importlib.resources import files

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


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` inside the caller's transaction."""
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
