"""A loopback HTTP server that replays recorded exchanges, and loaders for the recording formats we read.

The real client libraries (tweepy, praw) talk to this server over real sockets; nothing patches
``requests``. Routes match on method, path and a subset of query parameters; each route answers in
turn and repeats its last answer. Every request received is kept for assertions.

Formats read (see ../shared/data/README.md sections 1 and 2):

- vcrpy YAML (tweepy): bodies are either ``!!binary`` gzip bytes sent as they are with their
  ``content-encoding: gzip``, or already-decoded text under a stale gzip header, which we drop;
- academictwitteR JSON (``{url, status_code, headers, body}``): ``body`` is parsed JSON, already
  decoded, so the gzip header is dropped;
- praw Betamax JSON: ``response.body.string`` is plain text;
- our own scenarios in ``tests/recordings/<area>/<scenario>/*.json``: ``{request: {method, path,
  query}, response: {status, headers, body}}`` where ``body`` is a JSON value or a string.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

_HOP_HEADERS = {"content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass(frozen=True)
class Reply:
    """One recorded HTTP response: status, headers (without hop-by-hop ones) and body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def with_headers(self, **extra: str) -> Reply:
        """Return a copy with headers replaced or added (names use ``_`` for ``-``)."""
        names = {k.replace("_", "-").lower(): v for k, v in extra.items()}
        kept = tuple((k, v) for k, v in self.headers if k.lower() not in names)
        return Reply(self.status, kept + tuple(names.items()), self.body)


@dataclass(frozen=True)
class Seen:
    """A request the server received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class _Route:
    method: str
    path: str
    query: Mapping[str, str]
    replies: list[Reply]
    served: int = 0

    def matches(self, method: str, path: str, query: Mapping[str, str]) -> bool:
        return (
            method == self.method
            and path.rstrip("/") == self.path.rstrip("/")
            and all(query.get(k) == v for k, v in self.query.items())
        )

    def next_reply(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


@dataclass
class ReplayServer:
    """Serve replies on 127.0.0.1; most specific route (most query keys) wins."""

    routes: list[_Route] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    url: str = ""

    def add(self, method: str, path: str, *replies: Reply, query: Mapping[str, str] | None = None) -> None:
        """Answer ``method path`` (and these query parameters) with ``replies`` in turn."""
        self.routes.append(_Route(method.upper(), path, dict(query or {}), list(replies)))

    def requests_to(self, path: str) -> list[Seen]:
        """Return the requests received for ``path`` (trailing slash ignored)."""
        return [s for s in self.seen if s.path.rstrip("/") == path.rstrip("/")]

    def _answer(self, method: str, target: str, headers: Mapping[str, str]) -> Reply:
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        self.seen.append(Seen(method, parts.path, query, dict(headers)))
        candidates = [r for r in self.routes if r.matches(method, parts.path, query)]
        if not candidates:
            body = json.dumps({"error": f"replay: no recording for {method} {parts.path}"}).encode()
            return Reply(599, (("content-type", "application/json"),), body)
        best = max(candidates, key=lambda r: len(r.query))
        return best.next_reply()


@dataclass(frozen=True)
class _Running:
    server: ThreadingHTTPServer
    thread: threading.Thread


def _handler_for(replay: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            reply = replay._answer(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("content-length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_DELETE = do_PUT = _serve

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def serve(replay: ReplayServer) -> Iterator[ReplayServer]:
    """Run ``replay`` on a free loopback port for the duration of the generator (a fixture body)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(replay))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    replay.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield replay
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _clean(headers: Mapping[str, Any], *, drop_encoding: bool) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for name, value in headers.items():
        low = name.lower()
        if low in _HOP_HEADERS or (drop_encoding and low == "content-encoding") or low == "set-cookie":
            continue
        values = value if isinstance(value, list) else [value]
        out.extend((name, str(v)) for v in values)
    return tuple(out)


def vcr_replies(path: Path) -> list[tuple[str, str, Reply]]:
    """Return ``(method, uri, reply)`` for each interaction of a vcrpy YAML cassette."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.Loader)  # for !!binary
    out = []
    for item in data["interactions"]:
        response = item["response"]
        body = response["body"]["string"]
        status = response["status"]["code"]
        if isinstance(body, bytes):
            is_gzip = body[:2] == b"\x1f\x8b"
            reply = Reply(status, _clean(response["headers"], drop_encoding=not is_gzip), body)
        else:
            reply = Reply(status, _clean(response["headers"], drop_encoding=True), body.encode())
        out.append((item["request"]["method"], item["request"]["uri"], reply))
    return out


def academic_reply(path: Path) -> Reply:
    """Return the response recorded in one academictwitteR JSON file (its body re-serialised)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    body = data["body"]
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return Reply(int(data["status_code"]), _clean(data["headers"], drop_encoding=True), raw)


def betamax_replies(path: Path) -> list[tuple[str, str, Reply]]:
    """Return ``(method, uri, reply)`` for each interaction of a praw Betamax cassette."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for item in data["interactions"]:
        response = item["response"]
        body = response["body"]["string"].encode()
        reply = Reply(response["status"]["code"], _clean(response["headers"], drop_encoding=True), body)
        out.append((item["request"]["method"], item["request"]["uri"], reply))
    return out


def own_recording(path: Path) -> list[tuple[str, str, dict[str, str], Reply]]:
    """Return ``(method, path, query, reply)`` from one of our own scenario files."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for item in data["interactions"]:
        request, response = item["request"], item["response"]
        body = response["body"]
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        reply = Reply(int(response["status"]), _clean(response.get("headers", {}), drop_encoding=True), raw)
        out.append((request["method"], request["path"], dict(request.get("query", {})), reply))
    return out


def gunzip_if_needed(body: bytes) -> bytes:
    """Return ``body`` decompressed when it is gzip (for tests that read a recorded body)."""
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
