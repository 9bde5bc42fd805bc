"""The simulated demo stream: deterministic per seed, a real burst, a cursor that never repeats or skips."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from connectors.demo import DemoConnector, DemoSettings, DemoWorld, demo_queries
from listener.core.model import Cursor

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    first = DemoWorld(DemoSettings(seed=7), now=NOW)
    again = DemoWorld(DemoSettings(seed=7), now=NOW)
    other = DemoWorld(DemoSettings(seed=8), now=NOW)
    pairs = [(m.external_id, m.text) for m in first.mentions]
    assert pairs == [(m.external_id, m.text) for m in again.mentions]
    assert [m.text for m in first.mentions] != [m.text for m in other.mentions]


def test_identities_are_unique_and_times_utc() -> None:
    world = DemoWorld(DemoSettings(), now=NOW)
    keys = [m.key for m in world.mentions]
    assert len(keys) == len(set(keys))
    assert all(m.published_at.utcoffset() == timedelta(0) for m in world.mentions)


def test_burst_day_has_several_times_the_negative_volume() -> None:
    world = DemoWorld(DemoSettings(days=7), now=NOW)
    negative = ("complaint", "outage", "churn")
    per_day = Counter(
        (m.published_at - world.start).days
        for m in world.mentions
        if m.raw.get("tone") in negative and m.raw.get("brand") == "Lumio"
    )
    others = [per_day[d] for d in range(7) if d != world.burst_day]
    assert per_day[world.burst_day] > 3 * max(others)


def test_both_languages_and_echoes_present() -> None:
    world = DemoWorld(DemoSettings(), now=NOW)
    langs = Counter(m.lang for m in world.mentions)
    assert langs["fr"] > 100 and langs["en"] > 100
    reposts = [m for m in world.mentions if m.reposted_id]
    assert reposts and all(r.reposted_id in world.by_id for r in reposts)


def test_connector_cursor_advances_without_gaps_or_repeats() -> None:
    world = DemoWorld(DemoSettings(days=3), now=NOW)
    clock = [world.start]
    connector = DemoConnector(world, clock=lambda: clock[0])
    query = demo_queries()[0]
    seen: list[str] = []
    cursor: Cursor | None = None
    for hours in range(0, 3 * 24 + 1, 5):
        clock[0] = world.start + timedelta(hours=hours)
        batch = connector.fetch(query, cursor)
        seen.extend(m.external_id for m in batch.mentions)
        cursor = Cursor.from_json(batch.next_cursor.to_json()) if batch.next_cursor else cursor
    clock[0] = world.end
    batch = connector.fetch(query, cursor)
    seen.extend(m.external_id for m in batch.mentions)
    everything = connector.fetch(query, None)
    assert len(seen) == len(set(seen))
    assert sorted(seen) == sorted(m.external_id for m in everything.mentions)
    assert all(m.query_id == query.id for m in everything.mentions)


def test_the_week_ends_at_midnight_of_now_and_a_pinned_start_wins() -> None:
    for now in (datetime(2026, 12, 3, 7, 51, tzinfo=UTC), datetime(2030, 6, 12, 23, 59, tzinfo=UTC)):
        world = DemoWorld(DemoSettings(seed=1, days=3), now=now)
        assert world.end == now.replace(hour=0, minute=0, second=0, microsecond=0)
        assert world.start == world.end - timedelta(days=3)
        assert all(world.start <= m.published_at < world.end + timedelta(hours=4) for m in world.mentions)
    pinned = datetime(2026, 11, 16, tzinfo=UTC)
    world = DemoWorld(DemoSettings(seed=1, days=3, start=pinned), now=NOW)
    assert world.start == pinned
    same_day = DemoWorld(DemoSettings(seed=1, days=3), now=NOW.replace(hour=23))
    assert [m.external_id for m in same_day.mentions] == [
        m.external_id for m in DemoWorld(DemoSettings(seed=1, days=3), now=NOW).mentions]
