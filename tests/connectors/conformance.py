"""The conformance suite every registered connector runs (STYLE §3.1), after singer_sdk's tap tests.

A :class:`Harness` says how to serve one connector's genuine recordings from the replay server, which
path to break, and how to build the connector against the server. The checks (functions ``check_*``)
are the same for every connector; ``test_conformance.py`` runs each against each harness. Failures
come from the server, never from patching.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors._http import HttpClient
from listener.core.errors import AuthFailed, RetryLater, SourceUnavailable
from listener.core.model import Batch, Connector, Cursor, Query
from tests.replay import ReplayServer, Reply


@dataclass(frozen=True)
class Harness:
    """How to run one connector against the replay server."""

    name: str
    query: Query
    serve_ok: Callable[[ReplayServer, Path], None]
    """Register the routes of a normal, successful fetch (from the real recordings)."""
    serve_malformed: Callable[[ReplayServer, Path], None]
    """Register the same fetch with one item broken (generated from the real recording)."""
    failing_path: str
    """The path whose answers the failure checks replace."""
    build: Callable[[ReplayServer, HttpClient], Connector]


def _keys(batch: Batch) -> set[tuple[str, str]]:
    return {m.key for m in batch.mentions}


def check_first_fetch(h: Harness, server: ReplayServer, data: Path, client: HttpClient) -> Batch:
    """Every mention has an id, a UTC time, the connector's name as source; authors are namespaced."""
    h.serve_ok(server, data)
    connector = h.build(server, client)
    batch = connector.fetch(h.query, None)
    assert batch.mentions, f"{h.name}: the recorded answer yielded no mention"
    assert type(connector).name == h.name
    for mention in batch.mentions:
        assert mention.external_id.strip(), mention
        assert mention.source == h.name
        assert mention.author.source == h.name
        assert mention.author.external_id
        offset = mention.published_at.utcoffset()
        assert offset == timedelta(0), f"{h.name}: published_at {mention.published_at!r} is not UTC"
        assert mention.fetched_at.utcoffset() == timedelta(0)
        assert mention.query_id == h.query.id
        json.dumps(dict(mention.raw))  # raw must be plain JSON
    assert len(_keys(batch)) == len(batch.mentions), f"{h.name}: duplicate keys inside one batch"
    assert batch.requests >= 1
    return batch


def check_cursor_round_trip(h: Harness, server: ReplayServer, data: Path, client: HttpClient) -> None:
    """The cursor survives JSON; a second fetch with it returns nothing already returned."""
    first = check_first_fetch(h, server, data, client)
    assert first.next_cursor is not None, f"{h.name}: no cursor after a successful fetch"
    restored = Cursor.from_json(first.next_cursor.to_json())
    assert restored.to_json() == first.next_cursor.to_json()
    connector = h.build(server, client)
    second = connector.fetch(h.query, restored)
    again = _keys(first) & _keys(second)
    assert not again, f"{h.name}: second fetch returned {len(again)} mentions already returned"
    assert second.next_cursor is not None, f"{h.name}: the second fetch lost the cursor"


def check_rate_limited(h: Harness, server: ReplayServer, client: HttpClient) -> None:
    """A 429 becomes RetryLater with the server's Retry-After, without a retry."""
    server.add(h.failing_path, Reply(status=429, headers={"Retry-After": "120"}, body=b"slow down"))
    with pytest.raises(RetryLater) as caught:
        h.build(server, client).fetch(h.query, None)
    assert caught.value.retry_after_s == pytest.approx(120)
    assert "retry in 120s" in str(caught.value)
    assert len(server.requests_to(h.failing_path)) == 1


def check_auth_failed(h: Harness, server: ReplayServer, client: HttpClient) -> None:
    """A 401 becomes AuthFailed, without a retry."""
    server.add(h.failing_path, Reply(status=401, headers={"Content-Type": "application/json"},
                                     body=b'{"error":"invalid token"}'))
    with pytest.raises(AuthFailed):
        h.build(server, client).fetch(h.query, None)
    assert len(server.requests_to(h.failing_path)) == 1


def check_server_error(h: Harness, server: ReplayServer, client: HttpClient, sleeps: list[float]) -> None:
    """A persistent 5xx is retried with backoff, then surfaces as SourceUnavailable."""
    server.add(h.failing_path, Reply(status=503, body=b"upstream down"))
    with pytest.raises(SourceUnavailable) as caught:
        h.build(server, client).fetch(h.query, None)
    tries = client.policy.max_attempts
    assert len(server.requests_to(h.failing_path)) == tries
    assert len(sleeps) == tries - 1 and all(s > 0 for s in sleeps)
    assert sleeps[-1] > sleeps[0] / 2  # backoff grows (jitter keeps half of each step)
    assert "503" in str(caught.value)


def check_malformed_item(
    h: Harness, server: ReplayServer, data: Path, client: HttpClient, caplog: pytest.LogCaptureFixture
) -> None:
    """One broken item is skipped with a WARNING and the rest of the batch is kept."""
    h.serve_ok(server, data)
    good = h.build(server, client).fetch(h.query, None)
    server.reset()
    h.serve_malformed(server, data)
    with caplog.at_level(logging.WARNING):
        batch = h.build(server, client).fetch(h.query, None)
    assert batch.skipped == 1
    assert _keys(batch) == _keys(good)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "skipped" in r.getMessage()]
    assert warnings, "no WARNING names the skipped item"


def json_reply(value: Any) -> Reply:
    """Return a JSON reply (for answers generated from a real recording)."""
    return Reply.json(value)
