"""Themes: the mentions of a topic and period grouped by what they are about, labelled and ranked.

Why this method: short posts make poor bags of words, but the sentence vectors the analysis already
computes (multilingual e5) place "facture en double" and "charged twice" close together, so
clustering the vectors groups a French and an English complaint about the same thing. HDBSCAN
(scikit-learn) suits them: it finds the number of themes itself and leaves what belongs nowhere as
noise instead of forcing it into a theme. Each language's mean vector is subtracted first (see
:func:`_center_languages`), which is what lets one theme hold both languages. Vectors are then
reduced to a few dimensions (PCA), because density estimates degrade in 384 dimensions, and
HDBSCAN runs on at most ``sample`` distinct texts; the other mentions join the nearest theme centre
when close enough, else stay noise. This is how 100,000 mentions are grouped in under a minute on
two cores. A group no tighter than a random set of mentions is dissolved back into noise.

Identical texts (reposts, copy-paste campaigns) are clustered once with their weight, so 50,000
copies of one post make one theme of one text, reported as such, not a dense fake cluster.

Each theme is labelled by its distinctive terms with a class-based TF-IDF (Grootendorst, BERTopic,
2022): a term's frequency in the theme times ``log(1 + A / f)``, where ``A`` is the average number of
terms per theme and ``f`` the term's frequency over all themes; its representative mention is the
one nearest the theme's centre.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from analysis.terms import STOP_WORDS, readable, spellings, terms
from analysis.trend_input import TrendMention
from analysis.trend_reasons import Reason
from listener.core.query.normalize import fold

Vectors = npt.NDArray[np.float32]
SAME_USE = 0.6
"""A phrase stands for a word of it when it holds at least this share of the word's weight."""
_LABEL_STOP_TEXT = """either neither want wants wanted need needs know knows anyone someone something anything
thing things since ever quand meme"""
LABEL_STOP = frozenset(_LABEL_STOP_TEXT.split())
"""Words that say nothing of a theme, kept out of its label (not of the terms trends count, whose index
would change): a label "mobile signal either" reads "mobile signal"."""
ABSORB = 0.25
"""A noise mention joins the nearest theme when it is as close to its centre as this share of the
theme's own members are (the lower quartile); see :func:`_absorb`."""
MIN_MENTIONS = 10
MIN_WORDED = 0.5
"""A theme needs at least this share of its texts to hold a word (else: emoji or links, not a subject)."""
"""Fewer mentions than this (or fewer distinct texts than ``min_size`` × 2) is not enough for themes."""
NO_THEME = Reason("no_theme")
"""Why there are no themes when clustering found no group that holds (the same for every call)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Theme:
    """One group of mentions about the same thing."""

    id: int
    label: str
    terms: tuple[str, ...]
    size: int
    """Mentions in the theme, copies included."""
    distinct: int
    """Distinct texts in the theme."""
    representative_id: int
    mention_ids: tuple[int, ...]
    langs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Themes:
    """The answer: themes, largest first, and the mentions left as noise (or why there are none)."""

    status: str
    reason: Reason | None = None
    themes: tuple[Theme, ...] = ()
    noise_ids: tuple[int, ...] = ()
    mentions: int = 0


def _distinct(mentions: Sequence[TrendMention]) -> tuple[list[int], list[list[int]]]:
    """Group mentions by folded text; return the first index of each text and the members."""
    first: dict[str, int] = {}
    members: list[list[int]] = []
    reps: list[int] = []
    for i, m in enumerate(mentions):
        key = " ".join(fold(m.text).split())
        if key not in first:
            first[key] = len(reps)
            reps.append(i)
            members.append([])
        members[first[key]].append(i)
    return reps, members


def _reduce(x: Vectors, dims: int, seed: int) -> Vectors:
    from sklearn.decomposition import PCA

    if x.shape[1] <= dims or x.shape[0] <= dims:
        return x
    reduced: Vectors = PCA(n_components=dims, random_state=seed).fit(x).transform(x).astype(np.float32)
    norms = np.linalg.norm(reduced, axis=1, keepdims=True)
    return np.asarray(reduced / np.maximum(norms, 1e-9), dtype=np.float32)


def find_themes(
    mentions: Sequence[TrendMention],
    vectors: Vectors,
    *,
    min_size: int = 8,
    dims: int = 50,
    sample: int = 6000,
    join_cosine: float = 0.8,
    min_samples: int | None = 3,
    selection: str = "leaf",
    seed: int = 0,
    n_terms: int = 5,
    absorb: float | None = ABSORB,
) -> Themes:
    """Group ``mentions`` (row ``i`` of ``vectors`` is mention ``i``) into labelled themes."""
    if len(mentions) != len(vectors):
        raise ValueError(f"themes: {len(mentions)} mentions but {len(vectors)} vectors")
    reps, members = _distinct(mentions)
    if len(mentions) < MIN_MENTIONS or len(reps) < 2 * min_size:
        return Themes(
            status="not_enough_data",
            mentions=len(mentions),
            reason=Reason("theme_texts", {"count": len(mentions), "texts": len(reps), "needed": MIN_MENTIONS,
                                          "texts_needed": 2 * min_size}),
        )
    from sklearn.cluster import HDBSCAN

    x = np.asarray(vectors, dtype=np.float32)[reps]
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    x = _center_languages(x, [mentions[i].lang or "?" for i in reps], min_size)
    z = _reduce(x, dims, seed)
    rng = np.random.default_rng(seed)
    fit_rows = (
        np.arange(len(reps)) if len(reps) <= sample else np.sort(rng.choice(len(reps), sample, replace=False))
    )
    model = HDBSCAN(
        min_cluster_size=min_size,
        min_samples=min_samples or min_size,
        cluster_selection_method=selection,
        copy=True,
    )
    fit_labels = model.fit_predict(z[fit_rows])
    labels = np.full(len(reps), -1, dtype=np.int64)
    labels[fit_rows] = fit_labels
    n_found = int(fit_labels.max()) + 1 if len(fit_labels) else 0
    if n_found == 0:
        return Themes(
            status="not_enough_data",
            mentions=len(mentions),
            reason=NO_THEME,
            noise_ids=tuple(m.id for m in mentions),
        )
    centres = np.stack([x[fit_rows][fit_labels == c].mean(axis=0) for c in range(n_found)])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    labels = _drop_outliers(x, labels, centres)
    labels = _drop_loose(x, labels, n_found, seed)
    if absorb is not None:
        labels = _absorb(x, labels, n_found, absorb)
        labels = _drop_loose(x, labels, n_found, seed)
    if not (labels >= 0).any():
        return Themes(
            status="not_enough_data",
            mentions=len(mentions),
            reason=NO_THEME,
            noise_ids=tuple(m.id for m in mentions),
        )
    rest = np.setdiff1d(np.arange(len(reps)), fit_rows)
    if len(rest):
        sims = x[rest] @ centres.T
        best = sims.argmax(axis=1)
        labels[rest] = np.where(sims[np.arange(len(rest)), best] >= join_cosine, best, -1)
    return _build(mentions, x, labels=labels, reps=reps, members=members, centres=centres, n_terms=n_terms)


def _center_languages(x: Vectors, langs: Sequence[str], min_size: int) -> Vectors:
    """Subtract each language's mean vector, so themes group by meaning rather than by language.

    Multilingual vectors of French texts share a "French" direction; without this, a French and an
    English complaint about the same outage landed in two themes on the demo, with it in one. Done
    only with at least two languages of ``min_size`` texts each.
    """
    names = np.asarray(langs)
    counts = Counter(langs)
    big = [lang for lang, n in counts.items() if n >= min_size]
    if len(big) < 2:
        return x
    out = x.copy()
    for lang in big:
        rows = names == lang
        out[rows] -= x[rows].mean(axis=0)
    return np.asarray(out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9), dtype=np.float32)


MIN_COHESION_GAP = 0.3
"""How much tighter than a random set of the same size a theme must be (see :func:`_drop_loose`)."""


def _drop_loose(x: Vectors, labels: npt.NDArray[np.int64], n_found: int, seed: int) -> npt.NDArray[np.int64]:
    """Dissolve themes no tighter than random sets of mentions: density found in noise, not a theme.

    Cohesion is the mean cosine of members to their centre, after removing the mean of all vectors
    (sentence vectors all point roughly the same way, which hides differences). A theme keeps its
    place when ``(cohesion - random) / (1 - random) >= MIN_COHESION_GAP``, ``random`` being the
    cohesion of random sets of its size. On random vectors the gap stayed under 0.2; on the demo's
    and the complaint set's themes above 0.45.
    """
    xc = x - x.mean(axis=0)
    xc /= np.maximum(np.linalg.norm(xc, axis=1, keepdims=True), 1e-9)
    rng = np.random.default_rng(seed)

    def cohesion(rows: npt.NDArray[np.int64]) -> float:
        centre = xc[rows].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)
        return float((xc[rows] @ centre).mean())

    out = labels.copy()
    for c in range(n_found):
        rows = np.flatnonzero(labels == c)
        if len(rows) == 0:
            continue
        chance = float(np.mean([cohesion(rng.choice(len(xc), len(rows), replace=False)) for _ in range(5)]))
        if (cohesion(rows) - chance) / max(1.0 - chance, 1e-9) < MIN_COHESION_GAP:
            out[rows] = -1
    return out




def _absorb(
    x: Vectors, labels: npt.NDArray[np.int64], n_found: int, quantile: float
) -> npt.NDArray[np.int64]:
    """Let noise join the theme it is nearest to when it is as close to the centre as the members are.

    HDBSCAN, in a few reduced dimensions, leaves most short posts as noise (65-80% on real complaints)
    although many are as close to a theme's centre, in the full space, as the theme's own members. A
    noise mention joins its nearest theme when its similarity to the centre reaches the ``quantile``
    of the members' similarities: no new theme is made, each theme keeps its own spread, and a mention
    near no theme stays noise. The themes are checked against random sets again afterwards.
    """
    out = labels.copy()
    noise = np.flatnonzero(labels < 0)
    if not len(noise):
        return out
    centres, floors, ids = [], [], []
    for c in range(n_found):
        rows = np.flatnonzero(labels == c)
        if len(rows) == 0:
            continue
        centre = x[rows].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)
        centres.append(centre)
        floors.append(float(np.quantile(x[rows] @ centre, quantile)))
        ids.append(c)
    if not ids:
        return out
    sims = x[noise] @ np.stack(centres).T
    best = sims.argmax(axis=1)
    close = sims[np.arange(len(noise)), best] >= np.asarray(floors)[best]
    out[noise[close]] = np.asarray(ids)[best[close]]
    return out


def _drop_outliers(
    x: Vectors, labels: npt.NDArray[np.int64], centres: Vectors, k: float = 3.0
) -> npt.NDArray[np.int64]:
    """Send back to noise the members far less similar to their theme's centre than the others are.

    The density step works in a few reduced dimensions, where an unrelated text can land near a
    theme; in the full space its similarity to the centre stands out (median - k·MAD of the theme's).
    """
    out = labels.copy()
    for c in range(len(centres)):
        rows = np.flatnonzero(labels == c)
        sims = x[rows] @ centres[c]
        centre = float(np.median(sims))
        mad = float(np.median(np.abs(sims - centre)))
        out[rows[sims < centre - k * max(1.4826 * mad, 0.02)]] = -1
    return out


def _build(
    mentions: Sequence[TrendMention],
    x: Vectors,
    *,
    labels: npt.NDArray[np.int64],
    reps: list[int],
    members: list[list[int]],
    centres: Vectors,
    n_terms: int,
) -> Themes:
    n_found = len(centres)
    docs: list[Counter[str]] = [Counter() for _ in range(n_found)]
    worded = np.zeros(len(labels), dtype=bool)
    for row, label in enumerate(labels):
        if label >= 0:
            found = [t for t in terms(mentions[reps[row]].text) if not t.startswith("@")]
            docs[label].update({t: len(members[row]) ** 0.5 for t in found})
            worded[row] = bool(found)
    labels = labels.copy()
    for c in range(n_found):  # emoji-only or URL-only posts: alike, but about nothing one can name
        rows = labels == c
        if rows.any() and worded[rows].mean() < MIN_WORDED:
            labels[rows] = -1
            docs[c] = Counter()
    labelled = c_tf_idf(docs, n_terms)
    themes: list[Theme] = []
    noise: list[int] = []
    for c in range(n_found):
        rows = np.flatnonzero(labels == c)
        if len(rows) == 0:
            continue
        best = rows[int(np.argmax(x[rows] @ centres[c]))]
        ids = [mentions[i].id for r in rows for i in members[r]]
        langs = Counter(mentions[i].lang or "?" for r in rows for i in members[r])
        top = labelled[c] or ("(no words)",)
        forms = spellings(mentions[reps[r]].text for r in rows[:200])
        shown = tuple(readable(t, forms) for t in top)
        themes.append(
            Theme(
                id=c,
                label=" · ".join(shown[:3]),
                terms=top,
                size=len(ids),
                distinct=len(rows),
                representative_id=mentions[reps[best]].id,
                mention_ids=tuple(sorted(ids)),
                langs=tuple(lang for lang, _ in langs.most_common()),
            )
        )
    for r in np.flatnonzero(labels < 0):
        noise.extend(mentions[i].id for i in members[r])
    if not themes:
        return Themes(
            status="not_enough_data",
            mentions=len(mentions),
            reason=NO_THEME,
            noise_ids=tuple(sorted(noise)),
        )
    themes.sort(key=lambda t: (-t.size, t.id))
    renumbered = tuple(
        Theme(**{**{f: getattr(t, f) for f in Theme.__dataclass_fields__}, "id": i})
        for i, t in enumerate(themes)
    )
    return Themes(status="ok", themes=renumbered, noise_ids=tuple(sorted(noise)), mentions=len(mentions))


def c_tf_idf(docs: Sequence[Counter[str]], n: int) -> list[tuple[str, ...]]:
    """Return the ``n`` most distinctive terms of each class (BERTopic's class-based TF-IDF).

    A phrase replaces its own words when it carries most of their uses ("service client" says more
    than "service" and "client"); a word used far more widely than any of its phrases stays.
    """
    totals = [sum(d.values()) for d in docs]
    overall: Counter[str] = Counter()
    for d in docs:
        overall.update(d)
    average = sum(totals) / max(1, len(docs))
    out: list[tuple[str, ...]] = []
    for d, total in zip(docs, totals, strict=True):
        whole = sum(overall.values())
        scored = sorted(
            ((d[t] / total) * math.log(1 + average / overall[t]), t)
            for t in d
            if total and (len(docs) == 1 or d[t] / total > overall[t] / whole)
        )
        picked: list[str] = []
        for _, term in reversed(scored):
            words = term.split()
            if term in STOP_WORDS or words[0] in LABEL_STOP or words[-1] in LABEL_STOP:
                continue
            if " " in term:
                covered = [w for w in term.split() if w in picked and d[term] >= SAME_USE * d[w]]
                picked = [p for p in picked if p not in covered]
            elif any(term in p.split() and d[p] >= SAME_USE * d[term] for p in picked if " " in p):
                continue
            picked.append(term)
            if len(picked) >= n:
                break
        out.append(tuple(picked))
    return out
