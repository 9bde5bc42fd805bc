"""Numeric building blocks of the influence score: per-source rank normalisation and PageRank.

Both are vectorised with numpy/scipy and deterministic: for the same arrays they return the same
floats, whatever order the caller first met the authors in (callers sort their authors by key).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def share_beaten(
    values: FloatArray, groups: IntArray, *, known: npt.NDArray[np.bool_] | None = None
) -> FloatArray:
    """Return, for each item, the share of the *other* items of its group with a strictly lower value.

    This is a percentile that a community manager can read ("louder than 80 % of Reddit authors"),
    and it is what makes 1,000 Reddit karma and 1,000 X followers comparable: each is ranked only
    against its own source. The lowest value of a group maps to 0 and a unique top value to 1; a
    group of one scores 1 when its value is positive. Items not ``known`` get 0 and are left out of
    their group's population.
    """
    out = np.zeros(values.shape[0], dtype=np.float64)
    if values.shape[0] == 0:
        return out
    mask = np.ones(values.shape[0], dtype=bool) if known is None else known
    for group in np.unique(groups[mask]):
        idx = np.flatnonzero((groups == group) & mask)
        vals = values[idx]
        n = idx.shape[0]
        if n == 1:
            out[idx] = 1.0 if vals[0] > 0 else 0.0
            continue
        below = np.searchsorted(np.sort(vals), vals, side="left")
        out[idx] = below / (n - 1)
    return out


def edge_matrix(src: IntArray, dst: IntArray, weight: FloatArray, n: int) -> sparse.csr_matrix:
    """Build the weighted adjacency matrix ``A[src, dst]``, summing repeated edges."""
    order = np.lexsort((dst, src))  # a canonical order, so duplicate sums add up identically
    matrix = sparse.csr_matrix((weight[order], (src[order], dst[order])), shape=(n, n), dtype=np.float64)
    matrix.sum_duplicates()
    return matrix


class Transition:
    """A weighted graph ready for power iteration: its adjacency and the inverse of each row's weight.

    Nothing is copied or transposed: each iteration multiplies by ``adjacency.T`` (a free CSC view of
    the CSR matrix), so an index that keeps its adjacency between updates pays no rebuild.
    """

    def __init__(self, adjacency: sparse.csr_matrix, *, muted: IntArray | None = None) -> None:
        """Compute out-weights; ``muted`` rows (e.g. bots) lend no rank, as if they linked nobody."""
        self.n = int(adjacency.shape[0])
        self.adjacency_t = adjacency.T
        out_weight = np.asarray(adjacency.sum(axis=1), dtype=np.float64).ravel()
        if muted is not None and muted.shape[0]:
            out_weight[muted] = 0.0
        self.dangling = out_weight == 0
        self.inverse = np.divide(1.0, out_weight, out=np.zeros_like(out_weight), where=~self.dangling)


def pagerank(
    graph: Transition,
    *,
    damping: float = 0.85,
    tol: float = 1e-10,
    max_iter: int = 300,
    start: FloatArray | None = None,
) -> tuple[FloatArray, int]:
    """Return weighted PageRank (summing to 1) and the number of power iterations it took.

    Links run from the one who answers, quotes, reposts or @mentions to the one addressed, so rank
    flows to whoever the conversation turns to. Dangling authors (who address nobody) spread their
    rank uniformly, as in networkx's ``pagerank``. ``start`` warm-starts the iteration from a
    previous vector: after a small update it converges in a few steps instead of dozens.
    """
    n = graph.n
    if n == 0:
        return np.zeros(0, dtype=np.float64), 0
    rank = np.full(n, 1.0 / n) if start is None or start.shape[0] != n else start / start.sum()
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        leaked = damping * rank[graph.dangling].sum() + (1.0 - damping)
        new = damping * (graph.adjacency_t @ (rank * graph.inverse)) + leaked / n
        delta = float(np.abs(new - rank).sum())
        rank = new
        if delta < tol:
            break
    return rank / rank.sum(), iterations
