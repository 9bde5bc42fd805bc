"""Trends for the CLI (and later the API): stored mentions in, answers of the pure trend functions out.

This module reads the repository, turns stored mentions into :class:`analysis.trend_input.TrendMention`
and calls ``analysis.rising``, ``analysis.themes``, ``analysis.discontent``, ``analysis.trends`` and
``analysis.spike_story``. It never reads the clock: callers pass ``now``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import numpy as np

from analysis import aspects, discontent, rising, theme_vectors, themes, trends
from analysis.trend_input import COMPLAINT, TrendMention
from analysis.trend_reasons import Reason

if TYPE_CHECKING:
    from analysis.theme_vectors import ThemeEncoder
    from storage import Repository, StoredMention
    from storage.rollups import RollupPoint

EMBED_BATCH = 256
SENTIMENTS = ("positive", "neutral", "negative")


def trend_mention(stored: StoredMention) -> TrendMention:
    """The trend functions' view of one stored mention."""
    m = stored.mention
    return TrendMention(
        id=stored.id,
        text=f"{m.title}\n{m.text}" if m.title else m.text,
        published_at=m.published_at,
        source=m.source,
        lang=stored.lang,
        author=m.author.key,
        author_handle=m.author.handle,
        reach=float(max(m.author.followers or 0, m.author.karma or 0)),
        sentiment=stored.sentiment,
        sentiment_score=stored.sentiment_score,
        intents=stored.intents,
        topics=stored.topics,
        echo_of=stored.echo_of_id,
        url=m.url,
    )


def load_mentions(
    repository: Repository, topics: Sequence[str], since: datetime, until: datetime
) -> list[TrendMention]:
    """Every mention of ``topics`` (all when empty) published in ``[since, until)``, oldest first."""
    from storage import MentionFilter

    flt = MentionFilter(topics=tuple(topics), since=since, until=until, order="oldest", limit=None)
    return [trend_mention(s) for s in repository.search_mentions(flt)]


def refresh_term_index(repository: Repository, *, batch: int = 5000, limit: int | None = None) -> int:
    """Tokenise the mentions that are new or changed since the last refresh into the term index.

    ``limit`` bounds one call (the trends step indexes a long history over several runs); returns
    how many mentions were indexed. The per-day term counts of every day touched are then recounted
    (and those of days indexed before the counts existed), so rising terms over a day sum them.
    """
    from analysis.rising_index import index_entry

    index = repository.term_index()
    done = 0
    touched: set[date] = set()
    while limit is None or done < limit:
        stale = index.stale(batch if limit is None else min(batch, limit - done))
        if not stale:
            break
        done += index.save([(i, a, p, index_entry(text)) for i, a, p, text in stale])
        touched.update(p.astimezone(UTC).date() for _, _, p, _ in stale)
        if len(stale) < batch:
            break
    recount_days(repository, touched | set(repository.term_days().uncounted()))
    return done


def recount_days(repository: Repository, days: set[date]) -> int:
    """Recount the per-day term counts of ``days`` from the term index; return how many rows were written."""
    from analysis.rising_days import day_counts

    return repository.term_days().recount(sorted(days), day_counts)


def rising_for(
    repository: Repository,
    topic: str | None,
    *,
    now: datetime,
    window: timedelta,
    baseline_windows: int = 14,
    limit: int = 20,
    refresh: bool = True,
    since: datetime | None = None,
) -> tuple[rising.Rising, dict[int, TrendMention]]:
    """Rising terms of a topic (or everything) in the window ending at ``now``, and their mentions.

    Reads the term index, not the texts (see ``analysis.rising_index``); when the window is one UTC
    day ending at midnight, a topic is given and its days are counted, the per-day term counts instead
    (``analysis.rising_days``: the same answer, summed rather than sorted). When the history is too
    short for that baseline and a period starts at ``since``, the period's own shorter windows stand in
    (``analysis.rising_short``), with ``usual_reason`` saying why. ``refresh`` first brings
    the index and the counts up to date (the CLI); the API and the dashboard only read them (the
    trends step keeps them fresh).
    """
    from analysis.rising_days import Day, aligned, rising_daily
    from analysis.rising_index import IndexedMentions, Lookups, rising_indexed

    if refresh:
        refresh_term_index(repository)
    index = repository.term_index()
    lookups = Lookups(texts=index.texts, author_reach=index.author_reach)

    def entries(since: datetime) -> IndexedMentions:
        rows = index.window(topic, since, now)
        return IndexedMentions(
            mention_ids=rows.mention_ids,
            author_ids=rows.author_ids,
            published_us=rows.published_us,
            sizes=rows.sizes,
            keys=rows.keys,
        )

    store = repository.term_days()
    needed = [(now - window * (back + 1)).date() for back in range(baseline_windows, -1, -1)]
    if topic and aligned(now, window) and store.counted(needed):
        days = []
        for day in needed:
            counts = store.read(topic, day)
            days.append(Day(keys=counts.keys, authors=counts.authors, posts=counts.posts))
        answer = rising_daily(
            days,
            now=now,
            window_entries=lambda: entries(now - window),
            lookups=lookups,
            limit=limit,
        )
    else:
        answer = rising_indexed(
            entries(now - window * (baseline_windows + 1)),
            now=now,
            lookups=lookups,
            window=window,
            baseline_windows=baseline_windows,
            limit=limit,
        )
    if answer.status != "ok" and since is not None:
        from analysis.rising_short import BASELINE, LADDER, rising_short

        short = rising_short(
            entries(since - LADDER[0] * BASELINE), now=now, since=since, lookups=lookups, longest=window,
            limit=limit,
        )
        if short is not None:
            answer = dataclasses.replace(short, usual_reason=answer.reason)
    wanted = sorted({i for t in answer.terms for i in t.mention_ids})
    return answer, {s.id: trend_mention(s) for s in repository.get_mentions(wanted)}


def vectors_for(
    repository: Repository, mentions: Sequence[TrendMention], encoder: Callable[[], ThemeEncoder] | None
) -> np.ndarray | None:
    """The theme vectors of ``mentions``: stored ones, the missing ones computed and stored first.

    Returns None when some are missing and no encoder is given (nothing is guessed).
    """
    stored = repository.vectors(theme_vectors.MODEL_ID, [m.id for m in mentions])
    missing = [m for m in mentions if m.id not in stored]
    if missing:
        if encoder is None:
            return None
        model = encoder()
        for start in range(0, len(missing), EMBED_BATCH):
            part = missing[start : start + EMBED_BATCH]
            rows = model.embed([m.text for m in part])
            blobs = [(m.id, theme_vectors.to_bytes(v)) for m, v in zip(part, rows, strict=True)]
            repository.save_vectors(theme_vectors.MODEL_ID, blobs)
            stored.update(dict(blobs))
    return (
        np.stack([theme_vectors.from_bytes(stored[m.id]) for m in mentions])
        if mentions
        else np.zeros((0, theme_vectors.DIM), dtype=np.float32)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeReport:
    """Themes of a topic and period, the discontent ranking, and the mentions they refer to."""

    themes: themes.Themes
    discontent: tuple[discontent.DiscontentTheme, ...]
    mentions: Mapping[int, TrendMention]
    missing_vectors: bool = False


def themes_for(
    repository: Repository,
    topics: Sequence[str],
    *,
    since: datetime,
    until: datetime,
    only_discontent: bool,
    encoder: Callable[[], ThemeEncoder] | None,
) -> ThemeReport:
    """Themes of the mentions of ``topics`` in ``[since, until)`` (discontent mentions only if asked).

    Without an encoder, a discontent mention without a vector means no themes: that is checked on
    their ids and labels first, so the dashboard does not load a month of texts to say so (3.7 s at
    1M mentions; theme vectors are off by default). ``mentions`` is then empty (no theme to cite).
    """
    if only_discontent and encoder is None:
        from storage import MentionFilter

        flt = MentionFilter(topics=tuple(topics), since=since, until=until, limit=None)
        unhappy = [i for i, label, intents in repository.mention_labels(flt)
                   if label == "negative" or COMPLAINT in intents]
        if len(repository.vectors(theme_vectors.MODEL_ID, unhappy)) < len(unhappy):
            empty = themes.Themes(
                status="not_enough_data", reason=Reason("vectors_missing"), mentions=len(unhappy)
            )
            return ThemeReport(themes=empty, discontent=(), mentions={}, missing_vectors=True)
    found = load_mentions(repository, topics, since, until)
    if only_discontent:
        found = [m for m in found if discontent.is_discontent(m)]
    vecs = vectors_for(repository, found, encoder)
    by_id = {m.id: m for m in found}
    if vecs is None:
        empty = themes.Themes(
            status="not_enough_data", reason=Reason("vectors_missing"), mentions=len(found)
        )
        return ThemeReport(themes=empty, discontent=(), mentions=by_id, missing_vectors=True)
    answer = themes.find_themes(found, vecs)
    ranked = (
        discontent.rank_discontent(answer.themes, found, since=since, until=until)
        if only_discontent and answer.status == "ok"
        else []
    )
    return ThemeReport(themes=answer, discontent=tuple(ranked), mentions=by_id)


def sov_for(
    repository: Repository, roles: Mapping[str, str], *, since: datetime, until: datetime, grain: str = "day"
) -> tuple[list[trends.VoiceShare], list[trends.Rivalry], list[trends.SeriesRow]]:
    """Share of voice over ``[since, until)`` from the rollups (refreshed first: the CLI), and its series."""
    repository.refresh_rollups()
    read_grain = "day" if grain == "week" else grain
    points = repository.rollup_series(list(roles), grain=read_grain, since=since, until=until)
    shares = trends.share_of_voice(points, roles)
    return (
        shares,
        trends.rivalries(shares),
        trends.series(points, topics=list(roles), grain=grain, since=since, until=until),
    )


def series_points(
    repository: Repository,
    topics: Sequence[str],
    *,
    grain: str,
    since: datetime,
    until: datetime,
    sources: Sequence[str] = (),
    langs: Sequence[str] = (),
    refresh: bool = True,
) -> tuple[list[RollupPoint], int]:
    """Rolled-up points plus, per day, the counts retention kept for pruned mentions.

    ``refresh`` brings the rollups up to date first (the CLI); the API only reads them.

    A (day, topic) the rollups know is taken from them; a day they never saw (its mentions were
    pruned before the rollups were built) comes from ``daily_counts``, where complaints, echoes and
    reach were not kept (zeros). Returns the points and how many (day, topic) came from retention.
    """
    from storage.rollups import RollupPoint

    if refresh:
        repository.refresh_rollups()
    read_grain = "day" if grain == "week" else grain
    points = repository.rollup_series(
        list(topics), grain=read_grain, since=since, until=until, sources=sources, langs=langs
    )
    if read_grain != "day":
        return points, 0
    known = {(p.topic_id, p.bucket.date()) for p in points}
    pruned: dict[tuple[str, date], dict[str, int]] = {}
    for topic in topics:
        for c in repository.daily_counts(since=since.date(), until=until.date(), topic_id=topic):
            skip = (sources and c.source not in sources) or (langs and c.lang not in langs)
            if (topic, c.day) in known or skip:
                continue
            counts = pruned.setdefault((topic, c.day), dict.fromkeys(("total", *SENTIMENTS), 0))
            counts["total"] += c.mentions
            if c.sentiment in counts:
                counts[c.sentiment] += c.mentions
    extra = [
        RollupPoint(
            bucket=datetime.combine(day, time(), tzinfo=UTC),
            topic_id=topic,
            complaints=0,
            echoes=0,
            reach=0,
            negative_reach=0,
            **counts,
        )
        for (topic, day), counts in sorted(pruned.items())
    ]
    return sorted([*points, *extra], key=lambda p: (p.bucket, p.topic_id)), len(extra)


def aspects_for(
    repository: Repository,
    topics: Sequence[str],
    *,
    since: datetime,
    until: datetime,
    only_discontent: bool,
    encoder: Callable[[], ThemeEncoder],
    chosen: Sequence[aspects.Aspect] = aspects.DEFAULT_ASPECTS,
) -> tuple[list[aspects.AspectTag], dict[int, TrendMention]]:
    """Tag the period's mentions with aspects (seed phrases embedded by the theme encoder)."""
    found = load_mentions(repository, topics, since, until)
    if only_discontent:
        found = [m for m in found if discontent.is_discontent(m)]
    vecs = vectors_for(repository, found, encoder)
    if vecs is None or not found:
        return [], {}
    seeds = aspects.seed_vectors(chosen, encoder().embed)
    tags = aspects.tag([m.id for m in found], [m.text for m in found], vecs, chosen, seeds)
    return tags, {m.id: m for m in found}
