"""Private PostgreSQL, Redis and RabbitMQ servers on free loopback ports, to stop and restart at will.

The machine's shared servers (PostgreSQL 5432, RabbitMQ 5672, Redis 6379) serve other engineers and CI
at the same time, so a test that restarts a server starts its own: ``initdb`` + ``pg_ctl`` into a
temporary directory (run as the ``postgres`` user when we are root, since ``initdb`` refuses root),
``redis-server`` with an append-only file (``appendfsync always``, so a SIGKILL keeps what it
acknowledged, like a durable RabbitMQ queue), and a RabbitMQ node with its own name, port and
Mnesia directory (about 15-20 s to boot on these machines, so only ``benchmarks/restarts.py`` uses it).

Used by ``benchmarks/restarts.py`` (the full proof: real restarts); ``tests/workers/test_restarts.py``
plays the restarts with ``loopback_proxy`` in front of the shared servers instead, in a fraction of the
time. ``crash`` and ``back`` are what ``restart_harness`` calls.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    """Return a loopback TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout_s: float, what: str) -> None:
    """Wait until something accepts connections on ``port``; raise TimeoutError after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{what} did not listen on 127.0.0.1:{port} within {timeout_s} s")


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def postgres_bin() -> Path | None:
    """Return the newest ``/usr/lib/postgresql/*/bin`` holding ``initdb``, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """A PostgreSQL cluster of our own (trust auth, loopback only), stopped and started on demand."""

    def __init__(self) -> None:
        bindir = postgres_bin()
        if bindir is None:
            raise FileNotFoundError("no initdb under /usr/lib/postgresql/*/bin")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="listener-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run(_as_postgres([str(bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
                                     "-A", "trust", "--no-sync", "-E", "UTF8"]),
                       check=True, capture_output=True)

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL of the ``postgres`` database on this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                                     str(self.root / "log"), "-o", options, "-w", "-t", "60", "start"]),
                       check=True, capture_output=True)

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server: ``immediate`` drops every connection at once, as a crash does."""
        subprocess.run(_as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode,
                                     "-w", "stop"]), check=False, capture_output=True)

    def crash(self) -> None:
        """Stop in ``immediate`` mode: every connection dropped at once."""
        self.stop()

    def back(self) -> None:
        """Start again after :meth:`crash`."""
        self.start()

    def close(self) -> None:
        """Stop the server and delete its files."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """A Redis server of our own with an append-only file; :meth:`kill` is a SIGKILL, a crash."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="listener-redis-"))
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Return the broker URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (reloading its append-only file) and wait until it listens."""
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.root),
             "--save", "", "--appendonly", "yes", "--appendfsync", "always"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_port(self.port, 20, "redis-server")

    def kill(self) -> None:
        """SIGKILL the server (nothing is flushed beyond what it already acknowledged)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def crash(self) -> None:
        """SIGKILL, as a crash does."""
        self.kill()

    def back(self) -> None:
        """Start again after :meth:`crash`."""
        self.start()

    def close(self) -> None:
        """Kill the server and delete its files."""
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRabbit:
    """A RabbitMQ node of our own (name, AMQP and distribution ports, Mnesia directory, config)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="listener-rabbit-"))
        self.port = free_port()
        self.name = f"listener{self.port}@localhost"
        (self.root / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n",
                                                 encoding="utf-8")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Return the broker URL."""
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self, timeout_s: float = 120) -> None:
        """Boot the node (15-20 s here) and wait until it accepts AMQP connections."""
        env = {**os.environ, "RABBITMQ_NODENAME": self.name, "RABBITMQ_NODE_PORT": str(self.port),
               "RABBITMQ_DIST_PORT": str(free_port()),
               "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq.conf"),
               "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"), "RABBITMQ_LOG_BASE": str(self.root / "log"),
               "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "plugins"),
               "RABBITMQ_PID_FILE": str(self.root / "pid")}
        server = shutil.which("rabbitmq-server", path="/usr/lib/rabbitmq/bin") or "rabbitmq-server"
        self.proc = subprocess.Popen([server], env=env, cwd=self.root, start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, timeout_s, "rabbitmq-server")

    def kill(self) -> None:
        """SIGKILL the node's whole process group (the Erlang VM and its helpers), as a crash does."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def crash(self) -> None:
        """SIGKILL, as a crash does."""
        self.kill()

    def back(self) -> None:
        """Start again after :meth:`crash`."""
        self.start()

    def close(self) -> None:
        """Kill the node and delete its files."""
        self.kill()
        shutil.rmtree(self.root, ignore_errors=True)
