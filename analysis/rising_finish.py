"""The end of rising terms from term keys: name the terms that passed, list the mentions behind each, group.

Why a module of its own, in numpy: once the counting is cheap (``analysis.rising_days``), what is
left at a million mentions is this part. A rising common word is used by hundreds of thousands of the
window's mentions; done with Python sets and a reach look-up per mention, naming, ranking by reach and
grouping took 23 of 37 s. Here each term's mentions are an array, reach is looked up once per author,
and the overlaps that group terms come from one sparse product. The answer is exactly the one of
``analysis.rising`` (same order, same ties: reach, then lower id).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.rising import Rising, RisingTerm, TermGroup, _with
from analysis.terms import kind, term_key, terms

Floats = npt.NDArray[np.float64]
GROUP_OVERLAP = 0.5
"""Terms whose window mentions overlap this much (Jaccard) are one group, as in ``analysis.rising``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Scores:
    """The numbers of the terms that passed, in the order of their term ids."""

    count: Floats
    expected: Floats
    z: Floats
    g2: Floats


@dataclass(frozen=True, slots=True)
class Pairs:
    """The window's (mention, term) pairs: owner mention index, term id, and what they map to."""

    owner: npt.NDArray[np.intp]
    tid: npt.NDArray[np.intp]
    vocabulary: npt.NDArray[np.int64]
    in_window: npt.NDArray[np.bool_]
    ids: npt.NDArray[np.int64]
    authors: npt.NDArray[np.int64]
    """Each mention's author id (reach is an author's), in the order of ``ids``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Lookups:
    """What naming and ranking need from storage: texts of mentions, reach of authors."""

    texts: Callable[[Sequence[int]], Mapping[int, str]]
    author_reach: Callable[[Sequence[int]], Mapping[int, float]]


def _select(pairs: Pairs, tids: npt.NDArray[np.intp]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
    """The window pairs of the terms ``tids``: their slot in ``tids`` and their owner mention."""
    slot = np.full(len(pairs.vocabulary), -1, dtype=np.int64)
    slot[tids] = np.arange(len(tids))
    picked = pairs.in_window & (slot[pairs.tid] >= 0)
    return slot[pairs.tid[picked]], pairs.owner[picked]


def finish(
    pairs: Pairs, tids: npt.NDArray[np.intp], scores: Scores, *, lookups: Lookups, limit: int, per_term: int,
    frame: Rising,
) -> Rising:
    """Name the passing terms ``tids``, keep the best, attach their mentions and groups to ``frame``."""
    names = _names(pairs, tids, lookups.texts)
    found = [
        RisingTerm(
            term=names[i], kind=kind(names[i]), count=int(scores.count[i]),
            expected=float(scores.expected[i]), z=float(scores.z[i]), g2=float(scores.g2[i]), mention_ids=(),
        )
        for i in range(len(tids))
        if i in names
    ]
    tid_of = {names[i]: int(tids[i]) for i in names}
    found.sort(key=lambda t: (-t.z, -t.count, t.term))
    found = found[: limit * 3]
    members = _members(pairs, np.array([tid_of[t.term] for t in found], dtype=np.intp), lookups.author_reach)
    found = [_with(t, mention_ids=tuple(members[k][:per_term].tolist())) for k, t in enumerate(found)]
    groups, group_of = _group(found, members)
    return dataclasses.replace(
        frame, terms=tuple(_with(t, group=group_of[t.term]) for t in found[:limit]), groups=tuple(groups)
    )


def _names(
    pairs: Pairs, tids: npt.NDArray[np.intp], texts: Callable[[Sequence[int]], Mapping[int, str]]
) -> dict[int, str]:
    """Name each passing term (by position in ``tids``) by re-tokenising a window mention that holds it."""
    if not len(tids):
        return {}
    slots, owners = _select(pairs, tids)
    _, first = np.unique(slots, return_index=True)
    found = texts(sorted({int(pairs.ids[o]) for o in owners[first].tolist()}))
    key_of = {int(k): i for i, k in enumerate(pairs.vocabulary[tids].tolist())}
    names: dict[int, str] = {}
    for text in found.values():
        for term in terms(text):
            i = key_of.get(term_key(term))
            if i is not None:
                names[i] = term  # missing only when the text changed since it was indexed
    return names


def _members(
    pairs: Pairs, tids: npt.NDArray[np.intp], author_reach: Callable[[Sequence[int]], Mapping[int, float]]
) -> list[npt.NDArray[np.int64]]:
    """Each term's window mention ids, farthest-reaching first (ties: lower id)."""
    slots, owners = _select(pairs, tids)
    used = np.unique(pairs.authors[owners]) if len(owners) else np.zeros(0, dtype=np.int64)
    far = author_reach(used.tolist())
    reach_of = np.array([far.get(int(a), 0.0) for a in used.tolist()], dtype=np.float64)
    reach = reach_of[np.searchsorted(used, pairs.authors[owners])] if len(owners) else np.zeros(0)
    ids = pairs.ids[owners]
    order = np.lexsort((ids, -reach, slots))
    bounds = np.searchsorted(slots[order], np.arange(len(tids) + 1))
    return [ids[order[bounds[k] : bounds[k + 1]]] for k in range(len(tids))]


def _group(
    found: Sequence[RisingTerm], members: Sequence[npt.NDArray[np.int64]]
) -> tuple[list[TermGroup], dict[str, int]]:
    """Union terms whose mentions overlap (Jaccard >= 0.5), as ``analysis.rising._group`` does."""
    from scipy import sparse

    n = len(found)
    everyone, column = np.unique(np.concatenate([*members, np.zeros(0, dtype=np.int64)]), return_inverse=True)
    rows = np.repeat(np.arange(n), [len(m) for m in members])
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, column)), shape=(n, len(everyone)))
    inter = (matrix @ matrix.T).toarray()
    sizes = np.diag(inter)
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a in range(n):
        for b in range(a + 1, n):
            both = int(inter[a, b])
            if both and both / (sizes[a] + sizes[b] - both) >= GROUP_OVERLAP:
                parent[root(b)] = root(a)
    by_root: dict[int, list[int]] = {}
    for k in range(n):
        by_root.setdefault(root(k), []).append(k)
    ordered = sorted(by_root.values(), key=lambda ks: (-max(found[k].z for k in ks), found[ks[0]].term))
    groups: list[TermGroup] = []
    group_of: dict[str, int] = {}
    for index, unordered in enumerate(ordered):
        ks = sorted(unordered, key=lambda k: (-found[k].count, len(found[k].term), found[k].term))
        ids = np.unique(np.concatenate([members[k] for k in ks]))
        groups.append(
            TermGroup(
                label=found[ks[0]].term, terms=tuple(found[k].term for k in ks), count=len(ids),
                mention_ids=tuple(ids[:50].tolist()),
            )
        )
        group_of.update({found[k].term: index for k in ks})
    return groups, group_of
