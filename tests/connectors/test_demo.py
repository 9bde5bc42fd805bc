"""The simulated demo stream: deterministic per seed, a real burst, a cursor that never repeats or skips."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from connectors.demo import DemoConnector, DemoSettings, DemoWorld, demo_queries
from listener.model import Cursor


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    first = DemoWorld(DemoSettings(seed=7))
    again = DemoWorld(DemoSettings(seed=7))
    other = DemoWorld(DemoSettings(seed=8))
    pairs = [(m.external_id, m.text) for m in first.mentions]
    assert pairs == [(m.external_id, m.text) for m in again.mentions]
    assert [m.text for m in first.mentions] != [m.text for m in other.mentions]


def test_identities_are_unique_and_times_utc() -> None:
    world = DemoWorld(DemoSettings())
    keys = [m.key for m in world.mentions]
    assert len(keys) == len(set(keys))
    assert all(m.published_at.utcoffset() == timedelta(0) for m in world.mentions)


def test_burst_day_has_several_times_the_negative_volume() -> None:
    world = DemoWorld(DemoSettings(days=7))
    negative = ("complaint", "outage", "churn")
    per_day = Counter(
        (m.published_at - world.settings.start).days
        for m in world.mentions
        if m.raw.get("tone") in negative and m.raw.get("brand") == "Lumio"
    )
    others = [per_day[d] for d in range(7) if d != world.burst_day]
    assert per_day[world.burst_day] > 3 * max(others)


def test_both_languages_and_echoes_present() -> None:
    world = DemoWorld(DemoSettings())
    langs = Counter(m.lang for m in world.mentions)
    assert langs["fr"] > 100 and langs["en"] > 100
    reposts = [m for m in world.mentions if m.reposted_id]
    assert reposts and all(r.reposted_id in world.by_id for r in reposts)


def test_connector_cursor_advances_without_gaps_or_repeats() -> None:
    world = DemoWorld(DemoSettings(days=3))
    clock = [world.settings.start]
    connector = DemoConnector(world, clock=lambda: clock[0])
    query = demo_queries()[0]
    seen: list[str] = []
    cursor: Cursor | None = None
    for hours in range(0, 3 * 24 + 1, 5):
        clock[0] = world.settings.start + timedelta(hours=hours)
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
