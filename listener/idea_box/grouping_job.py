"""The ideas job: read new mentions, place suggestions in ideas, count agreeing replies as votes.

Glue between storage and the pure code of ``analysis.ideas``. Which mentions are idea candidates:

- in a topic whose role is ``campaign`` (a hashtag the brand launched to collect ideas), *every*
  mention is a candidate, and its ideas are ranked apart (scope ``campaign:<topic>``);
- elsewhere, mentions the analysis tagged ``suggestion``: ideas for the brand (``brand:<topic>``) or
  what customers ask of a competitor (``competitor:<topic>``), each ranked apart;
- a short agreeing reply ("+1", "moi aussi") to a suggestion that belongs to an idea is a vote.

Reposts and copies (echoes) are not candidates: they add to their original's engagement. A second run
over the same mentions changes nothing: placed, voted and refused mentions are skipped.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from analysis.ideas.candidates import is_agreement, refusal
from analysis.ideas.grouping import (
    CROSS_THRESHOLD,
    DEFAULT_THRESHOLD,
    Embed,
    IdeaIndex,
    central,
    idea_vectors,
    lang_group,
    short_title,
)
from listener.core.model import Query
from storage import MentionFilter, Repository, StoredMention
from storage.idea_records import NewIdea, NewMember
from storage.idea_store import IdeaStore

logger = logging.getLogger(__name__)

_ROLE_ORDER = ("campaign", "brand", "competitor")


@dataclass(slots=True)
class IdeasRun:
    """What one run did."""

    scanned: int = 0
    placed: int = 0
    opened: int = 0
    votes: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    reembedded: int = 0
    """Suggestions embedded again after an erasure scrubbed their text."""


def scope_of(stored: StoredMention, roles: Mapping[str, str]) -> str | None:
    """Return the scope a mention's idea is ranked in (campaign first), or None when it is no candidate."""
    hits = [(roles[t], t) for t in stored.topics if roles.get(t) in _ROLE_ORDER]
    for role in _ROLE_ORDER:
        for hit_role, topic in sorted(hits):
            if hit_role == role and (role == "campaign" or "suggestion" in stored.intents):
                return f"{role}:{topic}"
    return None


def _lang(stored: StoredMention) -> str | None:
    return stored.detected_lang or stored.mention.lang


class _Pools:
    """The open ideas of each (scope, language pool), loaded lazily from storage."""

    def __init__(self, store: IdeaStore, dim: int, thresholds: tuple[float, float]) -> None:
        self._store, self._dim, self._thresholds = store, dim, thresholds
        self._pools: dict[tuple[str, str], tuple[IdeaIndex, list[int]]] = {}
        self._loaded: set[str] = set()

    def _index(self, scope: str, pool: str) -> tuple[IdeaIndex, list[int]]:
        key = (scope, pool)
        if key not in self._pools:
            same, cross = self._thresholds
            self._pools[key] = (IdeaIndex(self._dim, threshold=same, cross_threshold=cross), [])
        return self._pools[key]

    def load(self, scope: str) -> None:
        if scope in self._loaded:
            return
        self._loaded.add(scope)
        for idea_id, lang, blobs in self._store.open_vectors(scope):
            vectors = np.stack([np.frombuffer(b, dtype=np.float32) for b in blobs])
            if vectors.shape[1] != self._dim:
                continue  # placed by another embedder: left as it is, never mixed
            index, ids = self._index(scope, lang_group(lang))
            index.open(vectors.sum(axis=0), lang)  # one language per idea on reload (its main one)
            ids.append(idea_id)

    def place(
        self, scope: str, lang: str | None, vector: np.ndarray, new_key: int
    ) -> tuple[int, float, bool]:
        index, ids = self._index(scope, lang_group(lang))
        placed = index.place(vector, lang)
        if placed.is_new:
            ids.append(new_key)
        return ids[placed.slot], placed.similarity, placed.is_new


def refresh_ideas(
    repo: Repository,
    embed: Embed,
    queries: Sequence[Query],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    cross_threshold: float = CROSS_THRESHOLD,
) -> IdeasRun:
    """Place the period's new suggestions in ideas, record votes and refusals; return what was done."""
    store = repo.ideas()
    roles = {q.id: q.role for q in queries}
    run = IdeasRun(reembedded=_reembed(store, embed))
    flt = MentionFilter(
        since=since, until=until, topics=tuple(roles), order="oldest", limit=None, include_echoes=False
    )
    stored = repo.search_mentions(flt)
    done = store.processed([s.id for s in stored])
    fresh = [s for s in stored if s.id not in done]
    run.scanned = len(fresh)
    replies = [s for s in fresh if s.mention.in_reply_to and is_agreement(s.mention.text)]
    reply_ids = {s.id for s in replies}
    candidates: list[tuple[StoredMention, str]] = []
    refusals: list[tuple[int, str]] = []
    for s in fresh:
        scope = None if s.id in reply_ids else scope_of(s, roles)
        if scope is None:
            continue
        reason = refusal(s.mention.text)
        if reason is not None:
            refusals.append((s.id, reason))
        else:
            candidates.append((s, scope))
    new_ideas, members = _place(store, embed, candidates, (threshold, cross_threshold))
    real = store.save_grouping(new_ideas, members, refusals=refusals)
    votes, vote_refusals = _votes(repo, store, replies)
    store.save_grouping((), (), votes=votes, refusals=vote_refusals)
    run.placed, run.opened, run.votes = len(members), len(new_ideas), len(votes)
    run.refused.update(reason for _, reason in (*refusals, *vote_refusals))
    touched = sorted({real.get(m.idea_id, m.idea_id) for m in members} | set(store.blanked()))
    retitle(store, touched)  # and the titles an erasure blanked, from the suggestions left
    logger.info("ideas: run done", extra={"new": run.opened, "fetched": run.scanned, "updated": run.placed})
    return run


def _reembed(store: IdeaStore, embed: Embed) -> int:
    """Embed again the suggestions an erasure scrubbed (their vector embedded the old text)."""
    stale = store.unembedded()
    if not stale:
        return 0
    rows = idea_vectors(embed, [text for _, text in stale])
    store.save_vectors([(m, row.astype("<f4").tobytes()) for (m, _), row in zip(stale, rows, strict=True)])
    return len(stale)


def _place(
    store: IdeaStore,
    embed: Embed,
    candidates: Sequence[tuple[StoredMention, str]],
    thresholds: tuple[float, float],
) -> tuple[list[NewIdea], list[NewMember]]:
    if not candidates:
        return [], []
    texts = [s.mention.text for s, _ in candidates]
    distinct = sorted(set(texts))
    rows = idea_vectors(embed, distinct)
    by_text = dict(zip(distinct, rows, strict=True))
    pools = _Pools(store, rows.shape[1], thresholds)
    new_ideas: list[NewIdea] = []
    members: list[NewMember] = []
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one matrix-vector product per suggestion: 1.5 ms vs 20 ms on 2 busy cores
        for (s, scope), text in zip(candidates, texts, strict=True):
            pools.load(scope)
            vector = by_text[text]
            idea_id, similarity, is_new = pools.place(scope, _lang(s), vector, -(len(new_ideas) + 1))
            if is_new:
                new_ideas.append(
                    NewIdea(key=idea_id, scope=scope, title=short_title(s.mention.text), lang=_lang(s))
                )
            members.append(
                NewMember(
                    idea_id=idea_id,
                    mention_id=s.id,
                    similarity=round(similarity, 4),
                    vector=vector.astype("<f4").tobytes(),
                )
            )
    return new_ideas, members


def _votes(
    repo: Repository, store: IdeaStore, replies: Sequence[StoredMention]
) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
    """Turn agreeing replies into votes for their parent's idea; a reply to a post we lack is refused."""
    votes: list[tuple[int, int]] = []
    refused: list[tuple[int, str]] = []
    parents: dict[int, int] = {}
    for s in replies:
        parent = repo.get_mention_by_key(s.mention.source, str(s.mention.in_reply_to))
        if parent is None:
            refused.append((s.id, "parent_unknown"))
        else:
            parents[s.id] = parent.id
    ideas = store.idea_of(sorted(set(parents.values())))
    votes = [(ideas[p], r) for r, p in parents.items() if p in ideas]
    return votes, refused


def retitle(store: IdeaStore, idea_ids: Sequence[int]) -> None:
    """Title each idea after its most central suggestion, in the language most of its suggestions use."""
    for idea_id, posts in store.posts(idea_ids, with_vectors=True).items():
        suggestions = [p for p in posts if p.kind == "suggestion" and p.vector]
        if not suggestions:
            continue
        langs = Counter(p.lang for p in suggestions if p.lang)
        main = langs.most_common(1)[0][0] if langs else None
        pick = [p for p in suggestions if p.lang == main] or suggestions
        vectors = np.stack([np.frombuffer(p.vector, dtype=np.float32) for p in pick])
        store.retitle(idea_id, short_title(pick[central(vectors)].text), main)
