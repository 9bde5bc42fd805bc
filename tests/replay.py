"""A real HTTP server on 127.0.0.1 that replays recorded third-party responses to our connectors.

Recordings are read from ../shared/data at test time (never copied into the repo): feedparser's test
feeds with their ``Header:`` comments, real-world feeds, the HN Algolia fixtures, Mastodon.py's vcrpy
cassettes and bskyr's R ``vcr`` cassettes. Failure scenarios (429, 500 then 200, a slow answer, a cut
body) are served by the same server, so the connector's real httpx stack meets real sockets; nothing
is patched.

Matching: a request matches a route when the paths are equal and no query parameter the route names
has a different value in the request; among matches the route naming the most of the request's
parameters (and missing the fewest) wins, later registrations winning ties.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml

_HOP_HEADERS = frozenset(
    {"transfer-encoding", "content-length", "connection", "keep-alive", "content-encoding"}
)


@dataclass(frozen=True)
class Reply:
    """One response to serve; ``truncate_at`` cuts the body (after promising all of it)."""

    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay_s: float = 0.0
    truncate_at: int | None = None
    gzip_body: bool = False

    @classmethod
    def json(cls, value: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
        """Return a JSON reply."""
        merged = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        return cls(status=status, headers=merged, body=json.dumps(value).encode())


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    pairs: list[tuple[str, str]] = field(default_factory=list)
    """Every query parameter in order, repeated keys included."""

    def values(self, key: str) -> list[str]:
        """Return every value of a repeated query parameter."""
        return [v for k, v in self.pairs if k == key]


Handler = Callable[[Seen], Reply]


@dataclass
class Route:
    """Replies for one path (and query subset), served in order, the last one repeating."""

    path: str
    query: dict[str, str]
    replies: list[Reply | Handler]
    served: int = 0

    def next_reply(self, seen: Seen) -> Reply:
        index = min(self.served, len(self.replies) - 1)
        self.served += 1
        reply = self.replies[index]
        return reply(seen) if callable(reply) else reply


class ReplayServer:
    """A threaded HTTP/1.1 server on a free loopback port with a mutable route table."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Return the base URL, ``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Start serving in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset(self) -> None:
        """Forget every route and every request seen."""
        with self._lock:
            self.routes.clear()
            self.seen.clear()

    def add(self, target: str, *replies: Reply | Handler) -> Route:
        """Serve ``replies`` (in order) for ``target``, a path with an optional query string."""
        parts = urlsplit(target)
        route = Route(parts.path or "/", dict(parse_qsl(parts.query, keep_blank_values=True)), list(replies))
        with self._lock:
            self.routes.append(route)
        return route

    def requests_to(self, path: str) -> list[Seen]:
        """Return the requests received for ``path``."""
        return [s for s in self.seen if s.path == path]

    def match(self, seen: Seen) -> Route | None:
        """Return the route that best fits a request."""
        best: tuple[int, int, Route] | None = None
        with self._lock:
            for order, route in enumerate(self.routes):
                if route.path != seen.path:
                    continue
                if any(k in seen.query and seen.query[k] != v for k, v in route.query.items()):
                    continue
                score = sum(1 for k in route.query if k in seen.query) * 10 - sum(
                    1 for k in route.query if k not in seen.query
                )
                if best is None or (score, order) >= best[:2]:
                    best = (score, order, route)
        return best[2] if best else None


def _make_handler(server: ReplayServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
            return

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            seen = Seen(
                method=self.command,
                path=parts.path,
                query=dict(pairs),
                headers={k.lower(): v for k, v in self.headers.items()},
                pairs=pairs,
            )
            server.seen.append(seen)
            route = server.match(seen)
            if route is None:
                reply = Reply(status=404, headers={"Content-Type": "text/plain"}, body=b"no recording")
            else:
                reply = route.next_reply(seen)
            self._send(seen, reply)

        def do_POST(self) -> None:
            """Answer a POST like a GET (praw's token request); its body is read and dropped."""
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            self.do_GET()

        def _send(self, seen: Seen, reply: Reply) -> None:
            if reply.delay_s:
                time.sleep(reply.delay_s)
            headers = {k: v for k, v in reply.headers.items() if k.lower() not in _HOP_HEADERS}
            lower = {k.lower(): v for k, v in headers.items()}
            status, body = reply.status, reply.body
            if status == 200 and _is_fresh(seen.headers, lower):
                status, body = 304, b""
            if reply.gzip_body and body:
                body = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            if reply.truncate_at is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            if reply.truncate_at is not None:
                self.wfile.write(body[: reply.truncate_at])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return _Handler


def _is_fresh(request: Mapping[str, str], response: Mapping[str, str]) -> bool:
    """Apply conditional GET the way a real server does (RFC 9110 §13)."""
    etag = response.get("etag")
    if etag and request.get("if-none-match"):
        return request["if-none-match"] == etag
    modified = response.get("last-modified")
    return bool(modified and request.get("if-modified-since") == modified)


def serve() -> Iterator[ReplayServer]:
    """Start a server, yield it, stop it (the body of the session fixture)."""
    server = ReplayServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- loaders for the recordings under ../shared/data ---------------------------------------------

_HEADER_LINE = re.compile(r"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)


def feedparser_test(path: Path) -> Reply:
    """Serve one feedparser test document with the HTTP headers its ``Header:`` comment names."""
    body = path.read_bytes()
    head = body[:2048].decode("latin-1")
    headers = {"Content-Type": "application/xml"}
    comment_end = head.find("-->")
    for match in _HEADER_LINE.finditer(head[: comment_end if comment_end >= 0 else len(head)]):
        name, value = match.group(1), match.group(2)
        if name.lower() == "content-type":
            headers.pop("Content-Type", None)
        headers[name] = value
    return Reply(headers=headers, body=body)


def feed_file(path: Path, content_type: str = "application/xml") -> Reply:
    """Serve a real-world feed file as it is."""
    return Reply(headers={"Content-Type": content_type}, body=path.read_bytes())


@dataclass(frozen=True)
class Interaction:
    """One recorded request/response pair from a cassette."""

    method: str
    uri: str
    reply: Reply

    @property
    def target(self) -> str:
        """Return the path and query string of the recorded request."""
        parts = urlsplit(self.uri)
        return parts.path + ("?" + parts.query if parts.query else "")


def _flat_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in (headers or {}).items():
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        flat[str(key)] = text
    return flat


def cassette(path: Path) -> list[Interaction]:
    """Read a vcrpy (Mastodon.py) or R vcr (bskyr) YAML cassette.

    Bodies stored as decoded text lose their ``Content-Encoding: gzip`` header (the README notes
    that 14 bskyr interactions declare gzip but hold text); binary bodies are served as they are.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get("interactions") or data.get("http_interactions") or []
    out: list[Interaction] = []
    for item in items:
        request, response = item["request"], item["response"]
        status = response["status"]
        if isinstance(status, dict):
            code = int(status.get("code") or status.get("status_code") or 200)
        else:
            code = int(status)
        headers = _flat_headers(response.get("headers") or {})
        body_field = response.get("body") or {}
        raw = body_field.get("string", "") if isinstance(body_field, dict) else body_field
        if isinstance(raw, bytes):
            body = raw
        else:
            body = str(raw or "").encode("utf-8")
            headers = {k: v for k, v in headers.items() if k.lower() != "content-encoding"}
        out.append(Interaction(request["method"].upper(), request["uri"], Reply(code, headers, body)))
    return out


def add_cassette(server: ReplayServer, path: Path, *, only: Sequence[int] | None = None) -> list[Interaction]:
    """Register every GET of a cassette (or the ``only`` indices) on the server."""
    interactions = cassette(path)
    chosen = [interactions[i] for i in only] if only is not None else interactions
    for interaction in chosen:
        if interaction.method == "GET":
            server.add(interaction.target, interaction.reply)
    return chosen


def algolia_fixtures(path: Path) -> dict[str, Any]:
    """Read the HN Algolia fixtures: request target -> recorded JSON reply."""
    return {item["url"]: item["reply"] for item in json.loads(path.read_text(encoding="utf-8"))}


RECORDINGS = Path(__file__).resolve().parent / "recordings"


def scenario(connector: str, name: str) -> list[Reply]:
    """Return the answers of one of our own scenarios, ``tests/recordings/<connector>/<name>/``."""
    folder = RECORDINGS / connector / name
    replies = []
    for path in sorted(folder.glob("exchange-*.json"), key=lambda p: int(p.stem.split("-")[1])):
        spec = json.loads(path.read_text(encoding="utf-8"))
        if "json" in spec:
            body = json.dumps(spec["json"]).encode()
        elif "body_file" in spec:
            body = (folder / spec["body_file"]).read_bytes()
        else:
            body = str(spec.get("text", "")).encode()
        replies.append(Reply(status=int(spec["status"]), headers=dict(spec.get("headers", {})), body=body))
    if not replies:
        raise FileNotFoundError(f"no exchange-N.json in {folder}")
    return replies
