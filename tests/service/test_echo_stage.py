"""Echo grouping is a stage of the service, and every figure a user reads counts distinct posts.

A real service cycle on the demo world (the wiring's collection, echo, alert and digest jobs on
SQLite, analysis off: sentiment is stored as the analysis would store it). Before, only ``listener
demo`` grouped echoes: after ``listener run`` no repost was grouped, so the digest listed one repost
several times, showed a reposter's name with the original's link, and counted reposts as more posts
and more "negative authors"; alerts counted them too.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from listener.config import parse_settings
from listener.core.model import Annotation
from listener.service import Service
from listener.wiring import build_full_service, open_repository
from storage import MentionFilter, Repository, StoredMention

PARIS = ZoneInfo("Europe/Paris")


def _config(tmp_path: Path) -> str:
    return f"""
database: {{url: "sqlite:///{tmp_path / 'listener.db'}"}}
data_dir: {tmp_path / 'data'}
timezone: Europe/Paris
topics:
  - {{id: lumio, name: Lumio, role: brand, query: 'lumio OR #lumio OR #lumiodown OR @lumio_fr'}}
sources:
  demo: {{enabled: true, seed: 42, days: 2}}
analysis: {{enabled: false}}
alerts:
  channels: [{{id: console, type: log}}]
  rules:
    - {{id: crisis, kind: keyword, query: 'panne OR réseau', threshold: 1, window: 4d, cooldown: 1h}}
  digest: {{enabled: true, at: "07:30"}}
"""


def _all(repository: Repository) -> list[StoredMention]:
    return repository.search_mentions(MentionFilter(order="id", limit=None))


def _local_day(stored: StoredMention) -> date:
    return stored.mention.published_at.astimezone(PARIS).date()


def _crisis_alert_counts_distinct_posts(repository: Repository, service: Service,
                                        by_id: dict[int, StoredMention], now: datetime) -> None:
    # alerts: the crisis rule counts distinct posts and lists no echo
    service.run_once(("alerts",))
    [crisis] = [a.alert for a in repository.alerts(since=now - timedelta(days=30), limit=None)
                if a.alert.rule_id == "crisis"]
    assert crisis.details["count"] > 0
    rows: Any = crisis.details["top_mentions"]
    listed = [int(row["id"]) for row in rows]
    assert all(by_id[i].echo_of_id is None for i in listed)
    assert set(crisis.mention_ids) <= {i for i, s in by_id.items() if s.echo_of_id is None}
    assert crisis.details["count"] == len(crisis.mention_ids)


def _digest_counts_distinct_posts(repository: Repository, service: Service, stored: list[StoredMention],
                                  now: list[datetime]) -> None:
    by_id = {s.id: s for s in stored}
    echoes = [s for s in stored if s.echo_of_id is not None]
    # the digest of the day with the most echoes, sent the next morning at 07:30
    echo_days = Counter(_local_day(e) for e in echoes)
    day = max(echo_days, key=lambda d: (echo_days[d], d))
    now[0] = datetime.combine(day + timedelta(days=1), time(7, 30), PARIS).astimezone(UTC)
    service.run_once(("digest",))
    [digest] = [a.alert for a in repository.alerts(since=now[0] - timedelta(days=30), limit=None)
                if a.alert.rule_id == "daily_digest"]
    figures: Any = digest.details["digest"]
    assert isinstance(figures, dict)
    of_day = [s for s in stored if _local_day(s) == day]
    distinct = [s for s in of_day if s.echo_of_id is None]
    [lumio] = figures["topics"]
    assert lumio["volume"] == len(distinct)
    assert lumio["echoes"] == len(of_day) - len(distinct) == echo_days[day] > 0

    rows = [*figures["top_negative"], *figures["open_questions"], *figures["suggestions"]]
    assert rows
    for row in rows:
        shown = by_id[int(row["id"])]
        assert shown.echo_of_id is None, f"an echo is listed: {row}"
        # the name shown is the author of the post the link opens
        assert (row["author"], row["url"]) == (shown.mention.author.handle, shown.mention.url)
    top = [str(row["id"]) for row in figures["top_negative"]]
    assert len(top) == len(set(top))
    assert len({row["text"] for row in figures["top_negative"]}) == len(top)

    voices = Counter(f"{s.mention.author.source}:{s.mention.author.external_id}" for s in distinct)
    for author in figures["top_negative_authors"]:
        assert author["mentions"] == voices[author["key"]]


def test_the_service_groups_echoes_and_every_figure_counts_distinct_posts(tmp_path: Path) -> None:
    settings = parse_settings(_config(tmp_path))
    now = [datetime(2026, 11, 20, 9, 0, tzinfo=UTC)]

    def clock() -> datetime:
        return now[0]

    repository = open_repository(settings, clock=clock)
    service = build_full_service(settings, repository, clock=clock)
    try:
        statuses = {s.id: s for s in service.run_once(("collect", "analysis", "echoes"))}
        assert statuses["echoes"].outcome == "ok" and statuses["echoes"].items > 0
        stored = _all(repository)
        echoes = [s for s in stored if s.echo_of_id is not None]
        assert len(echoes) >= 10
        assert repository.echo_mark() == max(s.id for s in stored)
        by_id = {s.id: s for s in stored}
        assert all(by_id[e.echo_of_id].echo_of_id is None for e in echoes if e.echo_of_id in by_id)
        # every mention labelled negative, as analysis would store it: reposts are negatives too
        repository.save_annotations([Annotation(source=s.mention.source, external_id=s.mention.external_id,
                                                stage="sentiment", version="test", label="negative")
                                     for s in stored])

        _crisis_alert_counts_distinct_posts(repository, service, by_id, now[0])
        _digest_counts_distinct_posts(repository, service, stored, now)
    finally:
        service.shutdown(wait=False)
        repository.close()

    # resumable and incremental: restarted the next day, the stage starts from its stored watermark
    mark = max(s.id for s in stored)
    now[0] = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    repository = open_repository(settings, clock=clock)
    restarted = build_full_service(settings, repository, clock=clock)
    try:
        [idle] = [s for s in restarted.run_once(("echoes",)) if s.id == "echoes"]
        assert (idle.outcome, idle.items, idle.backlog) == ("ok", 0, 0)
        [grouped] = [s for s in restarted.run_once(("collect", "echoes")) if s.id == "echoes"]
        fresh = [s for s in _all(repository) if s.id > mark]
        assert fresh and repository.echo_mark() == max(s.id for s in fresh)
        fresh_echoes = [s for s in fresh if s.echo_of_id is not None]
        assert grouped.items >= len(fresh_echoes) > 0 and grouped.backlog == 0
        canonical = {s.id for s in _all(repository) if s.echo_of_id is None}
        assert all(s.echo_of_id in canonical for s in fresh_echoes)
    finally:
        restarted.shutdown(wait=False)
        repository.close()
