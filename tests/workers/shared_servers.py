"""The machine's shared RabbitMQ and PostgreSQL, made safe for fleet tests that run beside other sessions.

The queues are named ``collect``, ``analyse`` and ``alerts`` (``listener/workers/broker.py``): two test
sessions on the same vhost would take each other's tasks, so a session gets a RabbitMQ vhost of its own
(``rabbitmqctl``, about 3 s; the default vhost when it cannot, with a warning). :class:`Proxied` puts a
``LoopbackProxy`` in front of a shared server so that a test can play its restart.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from tests.workers.loopback_proxy import LoopbackProxy

RABBIT_PORT = 5672
DEFAULT_VHOST_URL = f"amqp://guest:guest@127.0.0.1:{RABBIT_PORT}//"


def _ctl(*args: str, wait: bool = True) -> bool:
    ctl = shutil.which("rabbitmqctl", path="/usr/sbin:/usr/lib/rabbitmq/bin:/usr/bin")
    if ctl is None:
        return False
    if not wait:  # deleting the vhost at the end need not hold the session up (seconds under load)
        subprocess.Popen([ctl, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
        return True
    try:
        return subprocess.run([ctl, *args], capture_output=True, timeout=60, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@contextmanager
def private_vhost() -> Iterator[str]:
    """Yield the URL of a fresh vhost on the shared RabbitMQ (the default vhost if we cannot make one)."""
    name = f"listener-test-{uuid.uuid4().hex[:10]}"
    if not (_ctl("add_vhost", name) and _ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")):
        warnings.warn("rabbitmqctl could not make a vhost: fleet tests share the default one", stacklevel=2)
        yield DEFAULT_VHOST_URL
        return
    try:
        yield f"amqp://guest:guest@127.0.0.1:{RABBIT_PORT}/{name}"
    finally:
        _ctl("delete_vhost", name, wait=False)


def purge_queues(url: str) -> None:
    """Empty the fleet's queues on ``url``: what an earlier test left must not run in this one."""
    from kombu.connection import Connection

    from listener.workers.broker import QUEUES

    with Connection(url) as conn:  # type: ignore[no-untyped-call]
        for queue in QUEUES:
            channel = conn.channel()
            try:
                channel.queue_purge(queue)
            except conn.channel_errors:
                pass  # never declared: nothing to purge
            finally:
                channel.close()


def via(url: str, upstream_port: int, proxy: LoopbackProxy) -> str:
    """Return ``url`` with ``127.0.0.1:<upstream_port>`` replaced by the proxy's address."""
    direct = f"@127.0.0.1:{upstream_port}/"
    if direct not in url:
        raise ValueError(f"expected {direct!r} in {url!r}")
    return url.replace(direct, f"@127.0.0.1:{proxy.port}/")


class Proxied:
    """A shared server behind a proxy: ``crash`` cuts every connection and refuses new ones, ``back`` ends it.

    What ``restart_harness`` needs of a restartable server (the shared server itself never stops).
    """

    def __init__(self, url: str, upstream_port: int) -> None:
        self.proxy = LoopbackProxy(upstream_port)
        self.url = via(url, upstream_port, self.proxy)

    def start(self) -> None:
        """Nothing to boot: the shared server is up."""

    def crash(self) -> None:
        self.proxy.cut()

    def back(self) -> None:
        self.proxy.resume()

    def close(self) -> None:
        self.proxy.close()
