"""Alembic environment: configured in code by ``storage.migrate``; no alembic.ini is needed."""

from __future__ import annotations

from alembic import context

from storage.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("storage: run migrations through storage.Repository.upgrade(), not the alembic CLI")


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Keep autogenerate away from the full-text objects the migrations create by hand."""
    return not (name or "").startswith(("mentions_fts", "ix_mentions_search_text_fts"))


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
