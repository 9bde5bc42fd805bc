"""Analysis results: versioned annotations per stage, denormalised onto mentions; topics and echo groups.

The stages whose verdicts are copied onto ``mentions`` for fast filtering (see :data:`DENORMALISED`):
``language`` → ``detected_lang``; ``sentiment`` → ``sentiment`` and ``sentiment_score`` (positive minus
negative probability when both are given, else the winning probability); ``intent`` → ``intents`` (the
labels scored >= 0.5, plus the winning label).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from listener.core.model import Annotation, Mention
from storage import _sql, mention_reads
from storage._text import clean, clean_opt, dumps
from storage.records import StoredMention, TopicMatch
from storage.schema import AnnotationRow, MentionRow, MentionTopicRow

DENORMALISED = ("language", "sentiment", "intent")
INTENT_THRESHOLD = 0.5


def _denormalised(annotation: Annotation) -> dict[str, Any]:
    scores = annotation.scores
    if annotation.stage == "language":
        return {"detected_lang": annotation.label}
    if annotation.stage == "sentiment":
        if "positive" in scores and "negative" in scores:
            value: float | None = float(scores["positive"]) - float(scores["negative"])
        elif annotation.label is not None and annotation.label in scores:
            value = float(scores[annotation.label])
        else:
            value = None
        return {"sentiment": annotation.label, "sentiment_score": value}
    if annotation.stage == "intent":
        labels = {k for k, v in scores.items() if v >= INTENT_THRESHOLD}
        if annotation.label is not None:
            labels.add(annotation.label)
        return {"intents": dumps(sorted(labels))}
    return {}


def ids_by_key(conn: Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Return the row ids of mentions given by ``(source, external_id)``."""
    found: dict[tuple[str, str], int] = {}
    by_source: dict[str, list[str]] = {}
    for source, external_id in keys:
        by_source.setdefault(source, []).append(external_id)
    for source, ids in by_source.items():
        for part in _sql.chunks(sorted(set(ids))):
            rows = conn.execute(
                sa.select(MentionRow.external_id, MentionRow.id).where(
                    MentionRow.source == source, _sql.one_of(conn, MentionRow.external_id, part)
                )
            )
            found.update({(source, ext): row_id for ext, row_id in rows})
    return found


def save(conn: Connection, dialect: str, annotations: Sequence[Annotation], now: datetime) -> int:
    """Upsert annotations on ``(mention_id, stage)``; return how many matched a stored mention."""
    ids = ids_by_key(conn, [(a.source, clean(a.external_id)) for a in annotations])
    latest: dict[tuple[int, str], Annotation] = {}
    for annotation in annotations:
        mention_id = ids.get((annotation.source, clean(annotation.external_id)))
        if mention_id is not None:
            latest[(mention_id, annotation.stage)] = annotation
    if not latest:
        return 0
    rows = [
        {
            "mention_id": mention_id,
            "stage": stage,
            "version": a.version,
            "label": clean_opt(a.label),
            "scores": dumps(dict(a.scores)),
            "explanation": clean_opt(a.explanation),
            "created_at": now,
        }
        for (mention_id, stage), a in sorted(latest.items())
    ]
    stmt = _sql.insert(dialect, AnnotationRow.__table__)  # type: ignore[arg-type]
    ex = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=["mention_id", "stage"],
        set_={k: ex[k] for k in ("version", "label", "scores", "explanation", "created_at")},
    )
    conn.execute(stmt, rows)
    for (mention_id, _stage), a in sorted(latest.items()):
        values = _denormalised(a)
        if values:
            conn.execute(sa.update(MentionRow).where(MentionRow.id == mention_id).values(**values))
    return len(latest)


def for_mention(conn: Connection, mention_id: int) -> list[Annotation]:
    """Return every stage's latest annotation of one mention, by stage."""
    rows = conn.execute(
        sa.select(AnnotationRow, MentionRow.source, MentionRow.external_id)
        .join(MentionRow, MentionRow.id == AnnotationRow.mention_id)
        .where(AnnotationRow.mention_id == mention_id)
        .order_by(AnnotationRow.stage)
    )
    return [
        Annotation(
            source=r.source,
            external_id=r.external_id,
            stage=r.stage,
            version=r.version,
            label=r.label,
            scores=_sql.loads_dict(r.scores),
            explanation=r.explanation,
        )
        for r in rows
    ]


def unanalysed(conn: Connection, stage: str, version: str, limit: int) -> list[StoredMention]:
    """Return mentions with no ``stage`` annotation at ``version`` (never analysed, or by an older model)."""
    done = sa.exists().where(
        AnnotationRow.mention_id == MentionRow.id,
        AnnotationRow.stage == stage,
        AnnotationRow.version == version,
    )
    query = mention_reads.base_query().where(~done).order_by(MentionRow.id).limit(limit)
    return mention_reads.records(conn, query)


def save_topic_matches(conn: Connection, dialect: str, matches: Sequence[TopicMatch], replace: bool) -> None:
    """Store which topics each mention matched; ``replace`` first drops the mentions' older matches."""
    mention_ids = sorted({m.mention_id for m in matches})
    if replace:
        for part in _sql.chunks(mention_ids):
            conn.execute(
                sa.delete(MentionTopicRow).where(_sql.one_of(conn, MentionTopicRow.mention_id, part))
            )
    if not matches:
        return
    latest = {(m.mention_id, m.topic_id): m for m in matches}
    stmt = _sql.insert(dialect, MentionTopicRow.__table__)  # type: ignore[arg-type]
    stmt = stmt.on_conflict_do_update(
        index_elements=["mention_id", "topic_id"], set_={"terms": stmt.excluded.terms}
    )
    conn.execute(
        stmt,
        [
            {"mention_id": m.mention_id, "topic_id": m.topic_id, "terms": dumps([clean(t) for t in m.terms])}
            for _, m in sorted(latest.items())
        ],
    )


def save_matched_topics(conn: Connection, dialect: str, batch: Sequence[Mention]) -> None:
    """Store the topics (and matched terms) the collector found on each mention of a batch.

    Matches accumulate: a mention fetched again for another topic keeps the topics it matched before.
    Tombstoned mentions were not stored, so they are simply not found here.
    """
    wanted = {(m.source, clean(m.external_id)): m for m in batch if m.topics}
    if not wanted:
        return
    found = ids_by_key(conn, wanted)
    matches = [
        TopicMatch(mention_id=found[key], topic_id=topic, terms=tuple(m.matched_terms.get(topic, ())))
        for key, m in wanted.items()
        if key in found
        for topic in m.topics
    ]
    save_topic_matches(conn, dialect, matches, replace=False)


def set_echo_groups(conn: Connection, groups: Mapping[int, int | None], now: datetime) -> None:
    """Point each mention at its group's canonical mention (None: it is canonical); recount the groups.

    A mention that changes group gets ``updated_at = now``: the rollups count distinct posts, and
    find the hours to recount (and readers the hours not to trust) by that time.
    """
    touched: set[int] = set()
    for mention_id, canonical in sorted(groups.items()):
        target = None if canonical == mention_id else canonical
        old = conn.execute(sa.select(MentionRow.echo_of_id).where(MentionRow.id == mention_id)).scalar()
        if old is not None:
            touched.add(old)
        if target is not None:
            touched.add(target)
        if old != target:
            moved = sa.update(MentionRow).where(MentionRow.id == mention_id)
            conn.execute(moved.values(echo_of_id=target, updated_at=now))
    for part in _sql.chunks(sorted(touched)):
        rows = conn.execute(
            sa.select(MentionRow.echo_of_id, sa.func.count())
            .where(_sql.one_of(conn, MentionRow.echo_of_id, part))
            .group_by(MentionRow.echo_of_id)
        )
        counts = {canonical: int(n) for canonical, n in rows}
        for canonical_id in part:
            conn.execute(
                sa.update(MentionRow)
                .where(MentionRow.id == canonical_id)
                .values(echo_count=counts.get(canonical_id, 0))
            )
