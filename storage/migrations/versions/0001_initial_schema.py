"""Initial schema: every table listener needs, plus full-text search (FTS5 on SQLite, GIN on PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-11-23 18:39:31.215448
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Full-text search (see storage/_fts.py for why), frozen here as this revision created it.
SQLITE_UP = (
    "CREATE VIRTUAL TABLE mentions_fts USING fts5("
    "search_text, content='mentions', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER mentions_fts_ai AFTER INSERT ON mentions BEGIN "
    "INSERT INTO mentions_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER mentions_fts_ad AFTER DELETE ON mentions BEGIN "
    "INSERT INTO mentions_fts(mentions_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "END",
    "CREATE TRIGGER mentions_fts_au AFTER UPDATE OF search_text ON mentions "
    "WHEN old.search_text IS NOT new.search_text BEGIN "
    "INSERT INTO mentions_fts(mentions_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO mentions_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS mentions_fts_au",
    "DROP TRIGGER IF EXISTS mentions_fts_ad",
    "DROP TRIGGER IF EXISTS mentions_fts_ai",
    "DROP TABLE IF EXISTS mentions_fts",
)
POSTGRES_UP = (
    "CREATE INDEX ix_mentions_search_text_fts ON mentions USING gin (to_tsvector('simple', search_text))",
)
POSTGRES_DOWN = ("DROP INDEX IF EXISTS ix_mentions_search_text_fts",)



def _fts_ddl(*, up: bool) -> tuple[str, ...]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UP if up else SQLITE_DOWN
    if dialect == "postgresql":
        return POSTGRES_UP if up else POSTGRES_DOWN
    return ()


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('alerts',
    sa.Column('id', ID, nullable=False),
    sa.Column('dedupe_key', sa.String(length=1024), nullable=False),
    sa.Column('rule_id', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('severity', sa.String(length=32), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('mention_ids', sa.Text(), nullable=False),
    sa.Column('is_resolution', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('dedupe_key', name='uq_alerts_dedupe_key')
    )
    op.create_index('ix_alerts_created_at', 'alerts', ['created_at'], unique=False)
    op.create_index('ix_alerts_rule_subject', 'alerts', ['rule_id', 'subject'], unique=False)
    op.create_table('author_tombstones',
    sa.Column('id', ID, nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('forgotten_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_author_tombstones')),
    sa.UniqueConstraint('source', 'external_id', name='uq_author_tombstones_key')
    )
    op.create_table('authors',
    sa.Column('id', ID, nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('handle', sa.Text(), nullable=False),
    sa.Column('display_name', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('followers', sa.BigInteger(), nullable=True),
    sa.Column('following', sa.BigInteger(), nullable=True),
    sa.Column('posts_count', sa.BigInteger(), nullable=True),
    sa.Column('karma', sa.BigInteger(), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('mention_count', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authors')),
    sa.UniqueConstraint('source', 'external_id', name='uq_authors_source_external_id')
    )
    op.create_table('cursors',
    sa.Column('id', ID, nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('query_id', sa.String(length=255), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cursors')),
    sa.UniqueConstraint('source', 'query_id', name='uq_cursors_source_query')
    )
    op.create_table('job_runs',
    sa.Column('id', ID, nullable=False),
    sa.Column('job_id', sa.String(length=255), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('items', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    op.create_index('ix_job_runs_job_started', 'job_runs', ['job_id', 'started_at'], unique=False)
    op.create_table('mention_tombstones',
    sa.Column('id', ID, nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mention_tombstones')),
    sa.UniqueConstraint('source', 'external_id', name='uq_mention_tombstones_key')
    )
    op.create_table('source_health',
    sa.Column('id', ID, nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('query_id', sa.String(length=255), nullable=False),
    sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('consecutive_failures', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('items_fetched_total', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('last_items', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('next_run_not_before', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_ms', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_health')),
    sa.UniqueConstraint('source', 'query_id', name='uq_source_health_source_query')
    )
    op.create_table('deliveries',
    sa.Column('id', ID, nullable=False),
    sa.Column('alert_id', ID, nullable=False),
    sa.Column('channel', sa.String(length=255), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_deliveries_alert_id_alerts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries'))
    )
    op.create_index('ix_deliveries_alert_channel', 'deliveries', ['alert_id', 'channel'], unique=False)
    op.create_table('mentions',
    sa.Column('id', ID, nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('author_id', ID, nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('lang', sa.String(length=32), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('likes', sa.BigInteger(), nullable=True),
    sa.Column('reposts', sa.BigInteger(), nullable=True),
    sa.Column('replies', sa.BigInteger(), nullable=True),
    sa.Column('quotes', sa.BigInteger(), nullable=True),
    sa.Column('score', sa.BigInteger(), nullable=True),
    sa.Column('views', sa.BigInteger(), nullable=True),
    sa.Column('in_reply_to', sa.Text(), nullable=True),
    sa.Column('conversation_id', sa.Text(), nullable=True),
    sa.Column('references', sa.Text(), nullable=False),
    sa.Column('hashtags', sa.Text(), nullable=False),
    sa.Column('mentioned_handles', sa.Text(), nullable=False),
    sa.Column('links', sa.Text(), nullable=False),
    sa.Column('query_id', sa.String(length=255), nullable=True),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('detected_lang', sa.String(length=32), nullable=True),
    sa.Column('sentiment', sa.String(length=32), nullable=True),
    sa.Column('sentiment_score', sa.Float(), nullable=True),
    sa.Column('intents', sa.Text(), nullable=False),
    sa.Column('echo_of_id', ID, nullable=True),
    sa.Column('echo_count', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['authors.id'], name=op.f('fk_mentions_author_id_authors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['echo_of_id'], ['mentions.id'], name=op.f('fk_mentions_echo_of_id_mentions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentions')),
    sa.UniqueConstraint('source', 'external_id', name='uq_mentions_source_external_id')
    )
    op.create_index('ix_mentions_author_id', 'mentions', ['author_id'], unique=False)
    op.create_index('ix_mentions_echo_of_id', 'mentions', ['echo_of_id'], unique=False)
    op.create_index('ix_mentions_published_at', 'mentions', ['published_at'], unique=False)
    op.create_index('ix_mentions_sentiment_published_at', 'mentions', ['sentiment', 'published_at'], unique=False)
    op.create_index('ix_mentions_source_published_at', 'mentions', ['source', 'published_at'], unique=False)
    op.create_table('annotations',
    sa.Column('id', ID, nullable=False),
    sa.Column('mention_id', ID, nullable=False),
    sa.Column('stage', sa.String(length=255), nullable=False),
    sa.Column('version', sa.String(length=255), nullable=False),
    sa.Column('label', sa.Text(), nullable=True),
    sa.Column('scores', sa.Text(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_annotations_mention_id_mentions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annotations')),
    sa.UniqueConstraint('mention_id', 'stage', name='uq_annotations_mention_stage')
    )
    op.create_index('ix_annotations_stage_version', 'annotations', ['stage', 'version'], unique=False)
    op.create_table('labels',
    sa.Column('id', ID, nullable=False),
    sa.Column('mention_id', ID, nullable=False),
    sa.Column('stage', sa.String(length=255), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_labels_mention_id_mentions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labels'))
    )
    op.create_index('ix_labels_mention_stage', 'labels', ['mention_id', 'stage'], unique=False)
    op.create_table('mention_topics',
    sa.Column('id', ID, nullable=False),
    sa.Column('mention_id', ID, nullable=False),
    sa.Column('topic_id', sa.String(length=255), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_mention_topics_mention_id_mentions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mention_topics')),
    sa.UniqueConstraint('mention_id', 'topic_id', name='uq_mention_topics_mention_topic')
    )
    op.create_index('ix_mention_topics_topic_id', 'mention_topics', ['topic_id', 'mention_id'], unique=False)

    for statement in _fts_ddl(up=True):
        op.execute(statement)


def downgrade() -> None:
    """Revert this revision."""
    for statement in _fts_ddl(up=False):
        op.execute(statement)
    op.drop_index('ix_mention_topics_topic_id', table_name='mention_topics')
    op.drop_table('mention_topics')
    op.drop_index('ix_labels_mention_stage', table_name='labels')
    op.drop_table('labels')
    op.drop_index('ix_annotations_stage_version', table_name='annotations')
    op.drop_table('annotations')
    op.drop_index('ix_mentions_source_published_at', table_name='mentions')
    op.drop_index('ix_mentions_sentiment_published_at', table_name='mentions')
    op.drop_index('ix_mentions_published_at', table_name='mentions')
    op.drop_index('ix_mentions_echo_of_id', table_name='mentions')
    op.drop_index('ix_mentions_author_id', table_name='mentions')
    op.drop_table('mentions')
    op.drop_index('ix_deliveries_alert_channel', table_name='deliveries')
    op.drop_table('deliveries')
    op.drop_table('source_health')
    op.drop_table('mention_tombstones')
    op.drop_index('ix_job_runs_job_started', table_name='job_runs')
    op.drop_table('job_runs')
    op.drop_table('cursors')
    op.drop_table('authors')
    op.drop_table('author_tombstones')
    op.drop_index('ix_alerts_rule_subject', table_name='alerts')
    op.drop_index('ix_alerts_created_at', table_name='alerts')
    op.drop_table('alerts')
