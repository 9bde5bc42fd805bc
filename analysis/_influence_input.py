"""Turn ``Mention`` objects into the columns :class:`analysis.influence.InfluenceIndex` adds up.

Edges are resolved to authors already known to the index (or in the same batch): a reply to a post we
never collected, by someone we never saw, cannot be credited to anyone and is dropped. Twitter and
Bluesky give the addressed author's id with the reference (``Reference.author_external_id``), so
most replies resolve even when the parent post itself was not collected.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Protocol

import numpy as np

from analysis._ranking import FloatArray, IntArray
from analysis.influence_model import EDGE_WEIGHTS, mention_engagement
from listener.core.model import Mention


class InfluenceIndex(Protocol):
    """What this module writes into: the part of ``analysis.influence.InfluenceIndex`` it calls.

    A protocol rather than an import, so ``influence`` can import this module at the top without an
    import cycle between the two.
    """

    def add_authors(self, keys: Sequence[str], sources: Sequence[str], handles: Sequence[str],
                    audience: Sequence[float | None], is_karma: Sequence[bool]) -> IntArray: ...

    def add_activity(self, *, mention_keys: Sequence[Hashable], author: IntArray, published_s: FloatArray,
                     engagement: FloatArray, edge_src: IntArray, edge_dst: IntArray,
                     edge_weight: FloatArray, edge_at_s: FloatArray) -> int: ...

    def mention_author(self, key: Hashable) -> int | None: ...

    def author_row(self, key: str) -> int | None: ...

    def author_by_handle(self, source: str, handle: str) -> int | None: ...


def columns_from_mentions(
    index: InfluenceIndex, mentions: Sequence[Mention], echoes: Mapping[tuple[str, str], int]
) -> int:
    """Register the authors of ``mentions``, add their activity to ``index``; return how many were new."""
    if not mentions:
        return 0
    authors = [m.author for m in mentions]
    rows = index.add_authors(
        [a.key for a in authors],
        [a.source for a in authors],
        [a.handle for a in authors],
        [a.followers if a.followers is not None else a.karma for a in authors],
        [a.followers is None and a.karma is not None for a in authors],
    )
    local = {m.key: int(rows[i]) for i, m in enumerate(mentions)}
    src: list[int] = []
    dst: list[int] = []
    weight: list[float] = []
    at: list[float] = []
    linked: set[tuple[str, str]] = set()
    for i, m in enumerate(mentions):
        if m.key in linked or index.mention_author(m.key) is not None:
            continue  # a re-seen mention: its links are already counted
        linked.add(m.key)
        me = int(rows[i])
        published = _published_s(m)
        addressed: set[int] = set()
        links = [(ref.kind, ref.external_id, ref.author_external_id) for ref in m.references]
        if m.in_reply_to and not any(kind == "reply" for kind, _, _ in links):
            links.append(("reply", m.in_reply_to, None))
        for kind, external_id, author_id in links:
            target = _target(index, local, m.source, external_id, author_id)
            if target is not None and target != me:
                src.append(me)
                dst.append(target)
                weight.append(EDGE_WEIGHTS[kind])
                at.append(published)
                addressed.add(target)
        for handle in m.mentioned_handles:
            target = index.author_by_handle(m.source, handle)
            if target is not None and target != me and target not in addressed:
                src.append(me)
                dst.append(target)
                weight.append(EDGE_WEIGHTS["mention"])
                at.append(published)
                addressed.add(target)
    return index.add_activity(
        mention_keys=[m.key for m in mentions],
        author=rows,
        published_s=np.array([_published_s(m) for m in mentions], dtype=np.float64),
        engagement=np.array(
            [mention_engagement(m, echoes.get(m.key, 0)) for m in mentions], dtype=np.float64
        ),
        edge_src=np.array(src, dtype=np.int64),
        edge_dst=np.array(dst, dtype=np.int64),
        edge_weight=np.array(weight, dtype=np.float64),
        edge_at_s=np.array(at, dtype=np.float64),
    )


def _published_s(mention: Mention) -> float:
    """Return when a mention was published, never later than when we fetched it.

    One post dated in the future (a broken clock, a parser slip) would otherwise move the index's
    reference time forward and decay everybody else's engagement to nothing.
    """
    return min(mention.published_at, mention.fetched_at).timestamp()


def _target(
    index: InfluenceIndex,
    local: Mapping[tuple[str, str], int],
    source: str,
    external_id: str,
    author_id: str | None,
) -> int | None:
    """Return the author row a reference points at, or None when that author is unknown."""
    if author_id is not None:
        row = index.author_row(f"{source}:{author_id}")
        if row is not None:
            return row
    row = local.get((source, external_id))
    return row if row is not None else index.mention_author((source, external_id))
