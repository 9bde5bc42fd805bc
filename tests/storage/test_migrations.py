"""Every migration runs up and down on both engines, and the migrated schema is exactly the ORM's."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage import Repository
from storage.migrate import head
from storage.schema import Base

FTS_OBJECTS = {"mentions_fts", "ix_mentions_search_text_fts"}


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _is_fts(diff: object) -> bool:
    return any(
        getattr(part, "name", None) in FTS_OBJECTS or str(part).find("_fts") >= 0
        for part in (diff if isinstance(diff, tuple) else (diff,))
    )


def test_up_down_up(db_url: str) -> None:
    repo = Repository.from_url(db_url)
    assert repo.schema_revision() is None
    repo.upgrade()
    assert repo.schema_revision() == head()
    expected = set(Base.metadata.tables)
    assert expected <= _tables(db_url)
    repo.upgrade()  # idempotent
    repo.downgrade("base")
    assert repo.schema_revision() is None
    assert _tables(db_url) <= {"alembic_version"}
    repo.upgrade()
    assert expected <= _tables(db_url)
    repo.close()


def test_migrated_schema_matches_the_orm(db_url: str) -> None:
    repo = Repository.from_url(db_url)
    repo.upgrade()
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    repo.close()
    assert [d for d in diffs if not _is_fts(d)] == []


def test_every_revision_steps_down_and_up(db_url: str) -> None:
    from alembic.script import ScriptDirectory

    from storage.migrate import config

    revisions = [r.revision for r in ScriptDirectory.from_config(config()).walk_revisions()]
    repo = Repository.from_url(db_url)
    repo.upgrade()
    for revision in revisions:  # newest first
        down = ScriptDirectory.from_config(config()).get_revision(revision).down_revision
        repo.downgrade(str(down) if down else "base")
        repo.upgrade(revision)
        repo.downgrade(str(down) if down else "base")
    assert repo.schema_revision() is None
    repo.close()
