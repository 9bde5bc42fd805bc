"""A tiny ``/healthz`` JSON endpoint served by the stdlib in a daemon thread (no web stack needed)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

logger = logging.getLogger(__name__)


class HealthServer:
    """Serve ``snapshot()`` as JSON at ``GET /healthz`` on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, snapshot: Callable[[], dict[str, Any]], *, host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self._snapshot = snapshot
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.split("?", 1)[0] not in ("/healthz", "/healthz/"):
                    self.send_error(404, "only /healthz lives here")
                    return
                body = json.dumps(outer._snapshot(), default=str, indent=2).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                logger.debug("health: " + format, *args)

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="healthz", daemon=True)

    @property
    def port(self) -> int:
        """Return the port actually bound."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Start serving in a daemon thread."""
        self._thread.start()
        logger.info("health: serving /healthz", extra={"port": self.port})

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
