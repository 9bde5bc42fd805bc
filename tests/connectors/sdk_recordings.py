"""Loaders that turn the tweepy, academictwitteR and praw recordings into replies for ``tests.replay``.

Formats (../shared/data/README.md sections 1 and 2):

- tweepy's vcrpy YAML: sync cassettes hold ``!!binary`` gzip bodies; we decompress them and let the
  server gzip them again with ``Content-Encoding: gzip``, so tweepy still meets a gzip answer. Async
  cassettes hold decoded text under a stale gzip header, which the server drops.
- academictwitteR JSON ``{url, status_code, headers, body}``: ``body`` is parsed JSON (or HTML text),
  already decoded.
- praw's Betamax JSON: ``response.body.string`` is plain text; placeholders such as ``<ACCESS_TOKEN>``
  stay as they are (they are only opaque strings to praw).
- our own scenarios, ``tests/recordings/<area>/<scenario>/*.json``: ``{interactions: [{request:
  {method, path, query}, response: {status, headers, body}}]}``, ``body`` a JSON value or a string.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.replay import Interaction, Reply, cassette


def gzip_aware(interactions: list[Interaction]) -> list[Interaction]:
    """Decompress recorded gzip bodies and mark them to be served gzipped again."""
    out = []
    for item in interactions:
        reply = item.reply
        if reply.body[:2] == b"\x1f\x8b":
            reply = dataclasses.replace(reply, body=gzip.decompress(reply.body), gzip_body=True)
        out.append(Interaction(item.method, item.uri, reply))
    return out


def tweepy_cassette(path: Path) -> list[Interaction]:
    """Read one of tweepy's vcrpy cassettes."""
    return gzip_aware(cassette(path))


def academic_reply(path: Path) -> Reply:
    """Return the response recorded in one academictwitteR JSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    body = data["body"]
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return Reply(int(data["status_code"]), _flat(data["headers"]), raw)


def betamax(path: Path) -> list[Interaction]:
    """Read one of praw's Betamax cassettes."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for item in data["interactions"]:
        response = item["response"]
        reply = Reply(
            int(response["status"]["code"]),
            _flat(response["headers"]),
            response["body"]["string"].encode("utf-8"),
        )
        out.append(Interaction(item["request"]["method"].upper(), item["request"]["uri"], reply))
    return out


def own_recording(path: Path) -> list[Interaction]:
    """Read one of our own scenario files; ``uri`` is the request target (path and query)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for item in data["interactions"]:
        request, response = item["request"], item["response"]
        body = response["body"]
        raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        query = request.get("query") or {}
        target = request["path"] + ("?" + urlencode(query) if query else "")
        reply = Reply(int(response["status"]), _flat(response.get("headers") or {}), raw)
        out.append(Interaction(request["method"].upper(), target, reply))
    return out


def target_of(uri: str) -> str:
    """Return the path and query of a recorded URI."""
    parts = urlsplit(uri)
    return parts.path + ("?" + parts.query if parts.query else "")


def with_headers(reply: Reply, **headers: str) -> Reply:
    """Return ``reply`` with headers replaced or added (``_`` in names stands for ``-``)."""
    names = {k.replace("_", "-").lower(): v for k, v in headers.items()}
    kept = {k: v for k, v in reply.headers.items() if k.lower() not in names}
    return dataclasses.replace(reply, headers={**kept, **names})


def body_json(reply: Reply) -> Any:
    """Return the JSON a reply carries."""
    return json.loads(reply.body)


def _flat(headers: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in headers.items():
        if key.lower() == "set-cookie":
            continue
        out[str(key)] = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return out
