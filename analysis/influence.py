"""Score how influential each author is, 0-100, from reach, earned engagement and conversation position.

Why not followers alone: Cha et al. (ICWSM 2010, "the million follower fallacy") found follower counts
predict little of how far someone's words travel; what others *do* with a post matters more. So the
score combines three components, each a number in [0, 1] ranked **within the author's own source**
(so 1,000 Reddit karma is compared with Reddit karma, never with X followers):

- ``reach``: followers (karma where a source has no followers), as the share of the source's authors
  with less; multiplied by ``freshness`` = 2^(-days since last mention / half-life), so an account
  that has gone quiet stops lending its audience to the ranking.
- ``engagement``: what the author's own mentions earned, decayed by age with the same half-life:
  ``likes + 2 x max(reposts + quotes, echoes) + 2 x replies + max(score, 0)`` per mention, where
  echoes are the reposts and copies we collected ourselves (storage's echo groups): the larger of
  the platform's count and ours, so nothing is counted twice. A repost earns its reposter
  nothing: the credit goes to the original author through the graph.
- ``network``: weighted PageRank on the directed graph "who answers whom": replies (1.0), quotes
  (1.5), reposts (1.0) and @mentions (0.5) point from the one speaking to the one addressed, each
  edge decayed by its age. Self-loops are dropped.

``score = 100 x (0.25 x reach x freshness + 0.40 x engagement + 0.35 x network)`` (weights in
:class:`InfluenceSettings`; the default half-life is 14 days). Every result carries its components
and the points each contributes, so the number can be explained to a community manager.

Incremental updates: :class:`InfluenceIndex` keeps per-author decayed sums ``S`` valid at a
reference time ``as_of``; adding mentions rescales the arrays by ``2^(-(t' - as_of)/h)`` (one
vectorised multiply) and adds the new contributions, so the mention-side work is proportional to the
new mentions. A re-seen mention (metrics refreshed) contributes only its change. The graph is kept
as a coalesced sparse adjacency matrix rescaled the same way; new edges are coalesced on their own and
merged into it (a linear merge in C, no re-sort of the history), the power iteration multiplies by its
transpose view (no copy), and PageRank is warm-started from the previous vector. Ranks are then
re-normalised per source (a sort over authors, not mentions). ``benchmarks/influence.py`` measures
both paths.

Determinism: authors are ranked in key order, edges and contributions summed in a canonical order,
values quantised before ranking and the score rounded to 0.01, so the same mentions give the same
scores in every run and in any input order.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import UTC, datetime

import numpy as np
from scipy import sparse

from analysis._influence_input import columns_from_mentions
from analysis._ranking import FloatArray, IntArray, Transition, edge_matrix, pagerank, share_beaten
from analysis.influence_model import EDGE_WEIGHTS, AuthorInfluence, InfluenceSettings, mention_engagement
from listener.core.model import Mention

logger = logging.getLogger(__name__)

__all__ = [
    "EDGE_WEIGHTS",
    "AuthorInfluence",
    "InfluenceIndex",
    "InfluenceSettings",
    "in_topic",
    "mention_engagement",
    "score_authors",
]

_DAY_S = 86_400.0


def _ts(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _f64(values: object) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _grow(array: np.ndarray, size: int, fill: float | int | bool) -> np.ndarray:
    if array.shape[0] >= size:
        return array
    extra = np.full(size - array.shape[0], fill, dtype=array.dtype)
    return np.concatenate([array, extra])


class InfluenceIndex:
    """Per-author decayed aggregates and the conversation graph, updatable from new mentions only."""

    def __init__(self, settings: InfluenceSettings | None = None) -> None:
        """Start empty; feed it with :meth:`add_mentions` (or the columnar :meth:`add_activity`)."""
        self.settings = settings or InfluenceSettings()
        self._half_life_s = self.settings.half_life_days * _DAY_S
        self.as_of: float | None = None
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._handles: list[str] = []
        self._by_handle: dict[tuple[str, str], int] = {}
        self._sources: list[str] = []
        self._source_ids: dict[str, int] = {}
        self._source = np.zeros(0, dtype=np.int64)
        self._audience = np.full(0, np.nan)
        self._is_karma = np.zeros(0, dtype=bool)
        self._engagement = np.zeros(0)
        self._mentions = np.zeros(0, dtype=np.int64)
        self._last_seen = np.full(0, -np.inf)
        self._graph: sparse.csr_matrix | None = None
        """Coalesced edge weights, valid at ``as_of``; new edges wait in ``_pending`` until scored."""
        self._pending: list[tuple[IntArray, IntArray, FloatArray]] = []
        self._seen: dict[Hashable, tuple[int, float, float]] = {}
        self._rank: FloatArray | None = None
        self.last_iterations = 0
        self.last_timings: dict[str, float] = {}
        """Seconds spent in each step of the last :meth:`scores` call (graph, pagerank, normalise)."""

    def __len__(self) -> int:
        """Return the number of authors known."""
        return len(self._keys)

    def add_authors(
        self,
        keys: Sequence[str],
        sources: Sequence[str],
        handles: Sequence[str],
        audience: Sequence[float | None],
        is_karma: Sequence[bool],
    ) -> IntArray:
        """Register or refresh authors (latest audience wins) and return their row numbers."""
        rows = np.empty(len(keys), dtype=np.int64)
        for i, key in enumerate(keys):
            found = self._index.get(key)
            row = len(self._keys) if found is None else found
            if found is None:
                self._index[key] = row
                self._keys.append(key)
                self._handles.append(handles[i])
                self._sources.append(sources[i])
            self._by_handle[(sources[i], handles[i].lower().lstrip("@"))] = row
            rows[i] = row
        n = len(self._keys)
        self._source = _grow(self._source, n, 0)
        self._audience = _grow(self._audience, n, np.nan)
        self._is_karma = _grow(self._is_karma, n, False)
        self._engagement = _grow(self._engagement, n, 0.0)
        self._mentions = _grow(self._mentions, n, 0)
        self._last_seen = _grow(self._last_seen, n, -np.inf)
        for i, row in enumerate(rows.tolist()):
            self._source[row] = self._source_ids.setdefault(sources[i], len(self._source_ids))
            value = audience[i]
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                self._audience[row] = float(value)
                self._is_karma[row] = bool(is_karma[i])
        return rows

    def _advance(self, to: float) -> None:
        """Move the reference time forward, rescaling every decayed sum once."""
        if self.as_of is None:
            self.as_of = to
            return
        if to <= self.as_of:
            return
        factor = 2.0 ** (-(to - self.as_of) / self._half_life_s)
        self._engagement *= factor
        if self._graph is not None:
            self._graph.data *= factor
        self._pending = [(s, d, w * factor) for s, d, w in self._pending]
        self.as_of = to

    def _decay(self, at: FloatArray) -> FloatArray:
        assert self.as_of is not None
        return np.asarray(2.0 ** (-(self.as_of - at) / self._half_life_s), dtype=np.float64)

    def add_activity(
        self,
        *,
        mention_keys: Sequence[Hashable],
        author: IntArray,
        published_s: FloatArray,
        engagement: FloatArray,
        edge_src: IntArray,
        edge_dst: IntArray,
        edge_weight: FloatArray,
        edge_at_s: FloatArray,
    ) -> int:
        """Add mentions in columnar form (rows from :meth:`add_authors`); return how many were new.

        A mention key already seen adds only its engagement change; its edges are not added twice
        (the caller passes edges of new mentions only, see :meth:`add_mentions`).
        """
        if author.shape[0] == 0 and edge_src.shape[0] == 0:
            return 0
        latest = float(max(published_s.max(initial=-np.inf), edge_at_s.max(initial=-np.inf)))
        self._advance(latest)
        delta = engagement.astype(np.float64).copy()
        new_mask = np.ones(author.shape[0], dtype=bool)
        seen = self._seen
        records = zip(author.tolist(), engagement.tolist(), published_s.tolist(), strict=True)
        for i, (key, record) in enumerate(zip(mention_keys, records, strict=True)):
            old = seen.get(key)
            if old is not None:  # re-seen (also within this batch): count only the change
                new_mask[i] = False
                delta[i] -= old[1]
            seen[key] = record
        order = np.lexsort((delta, author))  # canonical summation order
        weights = delta[order] * self._decay(published_s[order])
        self._engagement += np.bincount(author[order], weights=weights, minlength=len(self._keys))
        self._mentions += np.bincount(author[new_mask], minlength=len(self._keys))
        np.maximum.at(self._last_seen, author, published_s)
        keep = edge_src != edge_dst
        if keep.any():
            self._pending.append(
                (edge_src[keep], edge_dst[keep], edge_weight[keep] * self._decay(edge_at_s[keep]))
            )
        return int(new_mask.sum())

    def mention_author(self, key: Hashable) -> int | None:
        """Return the author row of a mention already added, if any."""
        seen = self._seen.get(key)
        return None if seen is None else seen[0]

    def author_row(self, key: str) -> int | None:
        """Return the row of an author key (``source:external_id``), if known."""
        return self._index.get(key)

    def author_by_handle(self, source: str, handle: str) -> int | None:
        """Return the author row for an @handle on a source, if that author is known."""
        return self._by_handle.get((source, handle.lower().lstrip("@")))

    def add_mentions(
        self, mentions: Iterable[Mention], *, echoes: Mapping[tuple[str, str], int] | None = None
    ) -> int:
        """Add mentions (new or re-seen) and return how many were new."""
        return columns_from_mentions(self, list(mentions), echoes or {})

    def _adjacency(self) -> sparse.csr_matrix:
        """Fold pending edges into the kept adjacency matrix: work proportional to the new edges.

        The new edges are coalesced into a small matrix and added to the kept one (a linear merge of
        sorted CSR rows in C); nothing is re-sorted from scratch.
        """
        n = len(self._keys)
        graph = self._graph if self._graph is not None else sparse.csr_matrix((n, n), dtype=np.float64)
        if graph.shape[0] < n:
            graph.resize((n, n))
        if self._pending:
            src = np.concatenate([p[0] for p in self._pending])
            dst = np.concatenate([p[1] for p in self._pending])
            weight = np.round(np.concatenate([p[2] for p in self._pending]), 12)
            graph = (graph + edge_matrix(src, dst, weight, n)).tocsr()
            self._pending = []
        self._graph = graph
        return graph

    def pagerank(self, exclude: IntArray | None = None) -> FloatArray:
        """Return PageRank per author row, warm-started from the last computation."""
        started = time.perf_counter()
        n = len(self._keys)
        graph = Transition(self._adjacency(), muted=exclude)
        built = time.perf_counter()
        start = None
        if self._rank is not None and self._rank.shape[0] <= n:
            start = _grow(self._rank, n, 1.0 / n)
        rank, self.last_iterations = pagerank(graph, damping=self.settings.damping, start=start)
        self._rank = rank
        self.last_timings["graph_s"] = built - started
        self.last_timings["pagerank_s"] = time.perf_counter() - built
        return rank

    def scores(
        self, now: datetime, *, exclude: Iterable[str] = (), top: int | None = None
    ) -> list[AuthorInfluence]:
        """Return every author's influence at ``now`` (the ``top`` best only, when given), best first.

        Ties are broken by author key.

        Authors in ``exclude`` (bots, spam) get no score, are left out of the per-source
        populations, and their links do not lend rank to anyone.
        """
        excluded = np.array(sorted(self._index[k] for k in set(exclude) if k in self._index), dtype=np.int64)
        rank = self.pagerank(excluded)
        started = time.perf_counter()
        now_s = _ts(now)
        h = self._half_life_s
        n = len(self._keys)
        active = np.ones(n, dtype=bool)
        active[excluded] = False
        shift = 2.0 ** (-(now_s - self.as_of) / h) if self.as_of is not None else 1.0
        engagement_now = self._engagement * shift
        known = active & ~np.isnan(self._audience)
        audience = np.nan_to_num(np.log1p(np.maximum(self._audience, 0.0))).astype(np.float64)
        cols: dict[str, FloatArray] = {
            "reach": share_beaten(audience, self._source, known=known),
            "engagement": share_beaten(_f64(np.round(engagement_now, 6)), self._source, known=active),
            "network": share_beaten(_f64(np.round(rank * n, 9)), self._source, known=active),
            "engagement_now": engagement_now,
            "rank": rank,
        }
        age_s = np.maximum(now_s - self._last_seen, 0.0)
        cols["freshness"] = np.where(np.isfinite(self._last_seen), 2.0 ** (-age_s / h), 0.0)
        s = self.settings
        parts = {
            "reach": 100 * s.reach_weight * cols["reach"] * cols["freshness"],
            "engagement": 100 * s.engagement_weight * cols["engagement"],
            "network": 100 * s.network_weight * cols["network"],
        }
        cols["total"] = np.round(parts["reach"] + parts["engagement"] + parts["network"], 2)
        normalised = time.perf_counter()
        rows = np.flatnonzero(active)
        if top is not None and top < rows.shape[0]:
            # a stable sort by score then row; ties are re-ordered by key below, so widen the cut
            # to every row that ties with the last one kept
            order = rows[np.argsort(-cols["total"][rows], kind="stable")]
            cut = cols["total"][order[top - 1]] if top > 0 else np.inf
            rows = order[cols["total"][order] >= cut]
        results = self._results(rows, cols, parts)
        results.sort(key=lambda r: (-r.score, r.key))
        if top is not None:
            results = results[:top]
        self.last_timings["normalise_s"] = normalised - started
        self.last_timings["results_s"] = time.perf_counter() - normalised
        return results

    def _results(
        self, rows: IntArray, cols: Mapping[str, FloatArray], parts: Mapping[str, FloatArray]
    ) -> list[AuthorInfluence]:
        """Build result objects for ``rows`` (vectorised rounding, then plain Python lists)."""
        take = {
            "score": cols["total"][rows],
            "reach": np.round(cols["reach"][rows], 4),
            "freshness": np.round(cols["freshness"][rows], 4),
            "engagement": np.round(cols["engagement"][rows], 4),
            "network": np.round(cols["network"][rows], 4),
            "engagement_raw": np.round(cols["engagement_now"][rows], 3),
            "pagerank": cols["rank"][rows],
        }
        lists = {k: v.tolist() for k, v in take.items()}
        points = {k: np.round(v[rows], 2).tolist() for k, v in parts.items()}
        audience = self._audience[rows].tolist()
        karma = self._is_karma[rows].tolist()
        mentions = self._mentions[rows].tolist()
        last_seen = self._last_seen[rows].tolist()
        out = []
        for j, i in enumerate(rows.tolist()):
            known = not math.isnan(audience[j])
            out.append(
                AuthorInfluence(
                    key=self._keys[i],
                    source=self._sources[i],
                    handle=self._handles[i],
                    audience=int(audience[j]) if known else None,
                    audience_kind=("karma" if karma[j] else "followers") if known else None,
                    mentions=mentions[j],
                    last_seen_at=datetime.fromtimestamp(last_seen[j], tz=UTC)
                    if math.isfinite(last_seen[j])
                    else None,
                    points={k: v[j] for k, v in points.items()},
                    **{k: v[j] for k, v in lists.items()},
                )
            )
        return out


def in_topic(mention: Mention, topic: str | None) -> bool:
    """Return True when ``mention`` belongs to ``topic`` (always, when no topic is asked)."""
    return topic is None or topic in mention.topics or mention.query_id == topic


def score_authors(
    mentions: Iterable[Mention],
    *,
    now: datetime,
    topic: str | None = None,
    settings: InfluenceSettings | None = None,
    echoes: Mapping[tuple[str, str], int] | None = None,
    exclude: Iterable[str] = (),
) -> list[AuthorInfluence]:
    """Score every author of ``mentions`` (those of ``topic`` only, when given), best first."""
    chosen = sorted((m for m in mentions if in_topic(m, topic)), key=lambda m: (m.published_at, m.key))
    index = InfluenceIndex(settings)
    index.add_mentions(chosen, echoes=echoes)
    return index.scores(now, exclude=exclude)
