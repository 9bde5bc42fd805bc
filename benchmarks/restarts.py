"""Broker and PostgreSQL restarts under load, several rounds: the checker prints lost, duplicated, overlaps.

    python benchmarks/restarts.py [--rounds 5] [--broker rabbitmq|redis]

The full proof behind ``tests/workers/test_restarts.py`` (see ``tests/workers/restart_harness.py``): the
test plays one outage of each server with a loopback proxy in front of the shared servers; here real
servers are restarted, several rounds. One ``listener scheduler`` and two ``listener worker`` processes
collect from a loopback news-search server while a private broker (a RabbitMQ node of its own;
``--broker redis`` for a private ``redis-server``) is SIGKILLed and restarted, then a private PostgreSQL
cluster is stopped in ``immediate`` mode and started again, ``--rounds`` times, each time with a request
in flight. The machine's shared servers are never touched. It prints served and stored mentions, lost,
duplicated, (source, topic) fetched twice at once and workers that did not reconnect: the last four
must be 0. About 25 s a round with RabbitMQ here (its node takes 15-20 s to boot).

With ``--broker redis``, kombu 5.7's Redis transport makes a worker exit when the broker goes away
while a late-acknowledged task runs (see docs/scale.md): expect "a process died" there.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.workers.private_services import PrivatePostgres, PrivateRabbit, PrivateRedis  # noqa: E402
from tests.workers.restart_harness import run_restarts  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--broker", choices=("rabbitmq", "redis"), default="rabbitmq")
    args = parser.parse_args()
    started = time.monotonic()
    broker = PrivateRabbit() if args.broker == "rabbitmq" else PrivateRedis()
    postgres = PrivatePostgres()
    try:
        with tempfile.TemporaryDirectory(prefix="listener-restarts-") as tmp:
            verdict = run_restarts(Path(tmp), broker, postgres, rounds=args.rounds, say=print)
    finally:
        broker.close()
        postgres.close()
    print(f"restarts: {verdict.line()} ({time.monotonic() - started:.0f} s)")
    zeros = (verdict.lost, verdict.duplicated, verdict.overlaps, verdict.silent)
    print("restarts:", "all four are 0" if zeros == (0, 0, 0, 0) else f"NOT ZERO: {zeros}")
    return 0 if zeros == (0, 0, 0, 0) else 1


if __name__ == "__main__":
    raise SystemExit(main())
