"""The broker and PostgreSQL restarted under load: nothing lost or doubled, the workers reconnect.

A short variant of ``benchmarks/restarts.py``, which is the full proof: there a private RabbitMQ node is
SIGKILLed and a private PostgreSQL cluster stopped in ``immediate`` mode, several rounds. Here a loopback
proxy stands in front of the machine's shared RabbitMQ and PostgreSQL (which stay up for everyone else)
and plays one restart of each: with a request in flight, every connection is reset and new ones are
refused for a second, then accepted again. That is what a worker sees of a restart (connections cut
mid-task, reconnection needed), without booting a RabbitMQ node twice (15-20 s each here). Real
``listener scheduler`` and ``listener worker`` processes, a vhost of this session's own, and a database
of this session's own; see ``restart_harness`` for what runs and what is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.workers.restart_harness import run_restarts
from tests.workers.shared_servers import RABBIT_PORT, Proxied

pytestmark = pytest.mark.postgres

PG_PORT = 5432


@pytest.fixture
def clean_pg(pg_server_url: str) -> str:
    """Return this session's database, emptied."""
    engine = sa.create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("drop schema public cascade"))
        conn.execute(sa.text("create schema public"))
    engine.dispose()
    return pg_server_url


@pytest.fixture
def proxied(broker: str, clean_pg: str) -> Iterator[tuple[Proxied, Proxied]]:
    servers = (Proxied(broker, RABBIT_PORT), Proxied(clean_pg, PG_PORT))
    try:
        yield servers
    finally:
        for server in servers:
            server.close()


def test_broker_and_postgres_restarts_lose_and_double_nothing(
    tmp_path: Path, proxied: tuple[Proxied, Proxied], clean_pg: str
) -> None:
    rabbit, postgres = proxied
    verdict = run_restarts(tmp_path, rabbit, postgres, rounds=1, check_url=clean_pg, say=print)
    print(verdict.line())
    assert verdict.served > 0 and verdict.stored >= verdict.served, verdict.line()
    zeros = (verdict.lost, verdict.duplicated, verdict.overlaps, verdict.silent)
    assert zeros == (0, 0, 0, 0), verdict.line()
    # each outage cut live connections of the fleet (the scheduler's and both workers' at least)
    assert rabbit.proxy.cut_counts[0] >= 3 and postgres.proxy.cut_counts[0] >= 3, (
        rabbit.proxy.cut_counts, postgres.proxy.cut_counts)
