"""A loopback TCP proxy that can play a server restart: every connection cut, new ones refused, then back.

What a worker sees of a broker or PostgreSQL restart is its connections cut mid-task and, for a moment,
connections refused; then the server accepts again and the worker must reconnect. Booting private
servers to restart them costs 15-20 s per RabbitMQ node here, so the tests put this proxy in front of
the machine's shared servers instead (which stay up for everyone else) and :meth:`LoopbackProxy.outage`
plays the restart: it resets every proxied connection (both sides: the server drops the session, and
RabbitMQ requeues the unacknowledged messages, as after a crash), closes its listening socket (so new
connections are refused) and listens again on the same port after ``seconds``.
``benchmarks/restarts.py`` restarts real servers and stays the full proof.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time


def _reset(sock: socket.socket) -> None:
    """Close ``sock`` with a TCP reset (no orderly goodbye), as a crashed peer's kernel may send."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class LoopbackProxy:
    """Forward 127.0.0.1:``port`` to ``upstream`` with one thread per direction; cut it on demand."""

    def __init__(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.lock = threading.Lock()
        self.pairs: set[tuple[socket.socket, socket.socket]] = set()
        self.accepted = 0
        """Connections accepted so far."""
        self.cut_counts: list[int] = []
        """How many live connections each :meth:`cut` reset (a test checks its outages hit something)."""
        self.listener = self._listen(0)
        self.port = int(self.listener.getsockname()[1])
        self._serve()

    def _listen(self, port: int) -> socket.socket:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(64)
        return sock

    def _serve(self) -> None:
        threading.Thread(target=self._accept, args=(self.listener,), name="proxy-accept", daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listening socket was closed: an outage or the end
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _reset(client)
                continue
            server.settimeout(None)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            pair = (client, server)
            with self.lock:
                self.pairs.add(pair)
                self.accepted += 1
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink, pair), name="proxy-pump",
                                 daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket,
              pair: tuple[socket.socket, socket.socket]) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass  # cut by an outage, or the other side went away
        self._drop(pair)

    def _drop(self, pair: tuple[socket.socket, socket.socket]) -> None:
        with self.lock:
            if pair not in self.pairs:
                return
            self.pairs.discard(pair)
        for sock in pair:
            _reset(sock)

    def cut(self) -> None:
        """Reset every proxied connection and refuse new ones until :meth:`resume`."""
        self.listener.close()
        with self.lock:
            pairs = list(self.pairs)
        self.cut_counts.append(len(pairs))
        for pair in pairs:
            self._drop(pair)

    def resume(self) -> None:
        """Listen again on the same port."""
        self.listener = self._listen(self.port)
        self._serve()

    def outage(self, seconds: float) -> None:
        """Play a restart: cut everything, refuse connections for ``seconds``, then accept again."""
        self.cut()
        time.sleep(seconds)
        self.resume()

    def connections(self) -> int:
        """Return how many proxied connections are open now."""
        with self.lock:
            return len(self.pairs)

    def close(self) -> None:
        """Stop listening and cut every connection."""
        self.listener.close()
        with self.lock:
            pairs = list(self.pairs)
        for pair in pairs:
            self._drop(pair)
