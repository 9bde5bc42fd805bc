"""Run the conformance suite against every connector in the registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from connectors import REGISTRY
from connectors._http import HttpClient
from tests.connectors import conformance
from tests.connectors.harnesses import HARNESSES
from tests.replay import ReplayServer

NAMES = sorted(name for name, cls in REGISTRY.items() if not getattr(cls, "is_offline", False))


def test_every_registered_connector_has_a_harness() -> None:
    assert set(HARNESSES) == set(NAMES) and "demo" in REGISTRY


@pytest.fixture(params=NAMES)
def harness(request: pytest.FixtureRequest) -> conformance.Harness:
    return HARNESSES[request.param]


@pytest.fixture
def client(harness: conformance.Harness, make_client: Callable[..., HttpClient]) -> HttpClient:
    return make_client(harness.name)


def test_first_fetch(harness: conformance.Harness, server: ReplayServer, shared_data: Path,
                     client: HttpClient) -> None:
    conformance.check_first_fetch(harness, server, shared_data, client)


def test_cursor_round_trip_and_no_duplicates(harness: conformance.Harness, server: ReplayServer,
                                             shared_data: Path, client: HttpClient) -> None:
    conformance.check_cursor_round_trip(harness, server, shared_data, client)


def test_rate_limited(harness: conformance.Harness, server: ReplayServer, client: HttpClient) -> None:
    conformance.check_rate_limited(harness, server, client)


def test_auth_failed(harness: conformance.Harness, server: ReplayServer, client: HttpClient) -> None:
    conformance.check_auth_failed(harness, server, client)


def test_server_error_retried_then_unavailable(harness: conformance.Harness, server: ReplayServer,
                                               client: HttpClient, sleeps: list[float]) -> None:
    conformance.check_server_error(harness, server, client, sleeps)


def test_malformed_item_skipped(harness: conformance.Harness, server: ReplayServer, shared_data: Path,
                                client: HttpClient, caplog: pytest.LogCaptureFixture) -> None:
    conformance.check_malformed_item(harness, server, shared_data, client, caplog)
