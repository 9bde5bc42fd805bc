"""The broker and PostgreSQL restarted under load: nothing lost or doubled, the workers reconnect.

A short variant of ``benchmarks/restarts.py``: one restart of each, on a private RabbitMQ node and a
private PostgreSQL cluster (the machine's shared servers must stay up for everyone else). See
``restart_harness`` for what runs and what is checked. The RabbitMQ node takes 15-20 s to boot here,
twice: most of this test's time. (A private Redis broker would boot at once, but kombu 5.7's Redis
transport makes a worker exit when the broker goes away while a late-acknowledged task runs: see
docs/scale.md.)
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.workers.private_services import PrivatePostgres, PrivateRabbit, postgres_bin
from tests.workers.restart_harness import run_restarts


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if postgres_bin() is None:
        pytest.skip("no PostgreSQL server binaries (initdb) under /usr/lib/postgresql")
    server = PrivatePostgres()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def private_rabbit() -> Iterator[PrivateRabbit]:
    if shutil.which("rabbitmq-server", path="/usr/lib/rabbitmq/bin:/usr/sbin") is None:
        pytest.skip("rabbitmq-server is not installed")
    server = PrivateRabbit()
    try:
        yield server
    finally:
        server.close()


def test_broker_and_postgres_restarts_lose_and_double_nothing(
    tmp_path: Path, private_postgres: PrivatePostgres, private_rabbit: PrivateRabbit
) -> None:
    verdict = run_restarts(tmp_path, private_rabbit, private_postgres, rounds=1)
    print(verdict.line())
    assert verdict.served > 0 and verdict.stored >= verdict.served, verdict.line()
    zeros = (verdict.lost, verdict.duplicated, verdict.overlaps, verdict.silent)
    assert zeros == (0, 0, 0, 0), verdict.line()
