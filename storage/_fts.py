"""Full-text search over ``mentions.search_text`` on both engines: the WHERE clause for a user query.

SQLite: an FTS5 *external content* table ``mentions_fts`` (it stores only the index, the text stays
in ``mentions``), kept in sync by three triggers; the update trigger fires only when ``search_text``
really changed, so refreshing engagement counts costs no re-indexing. PostgreSQL: a GIN index on
``to_tsvector('simple', search_text)``; ``simple`` does no stemming and no stop words, which suits a
folded, bilingual column. Both sides see the words :func:`storage._text.search_text` wrote.
The DDL lives in the migration ``0001_initial_schema`` (frozen there, as migrations must be).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from storage import _text
from storage.schema import MentionRow


def match(dialect: str, query: str, ids: tuple[int, int] | None = None) -> ColumnElement[bool] | None:
    """Return the WHERE clause for a user search, or None when the query has no searchable word.

    Syntax: words must all appear (AND), ``"a phrase"`` in that order, ``factur*`` as a prefix.
    ``ids``: on SQLite, only ids in this range can match (FTS5 then reads only that part of the
    index instead of listing every match: a common word has 190k at 1M mentions).
    """
    terms = _text.parse_query(query)
    if not terms:
        return None
    if dialect == "sqlite":
        if ids is not None:
            hits = sa.text(
                "SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH :fts AND rowid BETWEEN :lo AND :hi"
            ).bindparams(fts=_text.fts5_query(terms), lo=ids[0], hi=ids[1])
            return MentionRow.id.in_(hits.columns(sa.column("rowid", sa.Integer)))
        hits = sa.text("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH :fts").bindparams(
            fts=_text.fts5_query(terms)
        )
        return MentionRow.id.in_(hits.columns(sa.column("rowid", sa.Integer)))
    return sa.func.to_tsvector(sa.literal_column("'simple'"), MentionRow.search_text).bool_op("@@")(
        sa.func.to_tsquery(sa.literal_column("'simple'"), _text.tsquery(terms))
    )
