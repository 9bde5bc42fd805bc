"""Serve the API with uvicorn: in the foreground (``listener web``) or in a thread (``listener run``, tests).

The collaborators (repository, web store) come from ``listener.wiring``; the app itself only receives
them (see :func:`listener.web.app.create_app`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from listener.config import Settings, load_settings
from listener.core.clock import Clock, from_environment
from listener.wiring import build_web_app, open_repository
from storage import Repository

logger = logging.getLogger(__name__)

CONFIG_ENV = "LISTENER_CONFIG"


def app_for(settings: Settings, *, clock: Clock) -> tuple[FastAPI, Repository]:
    """Open the configured database (migrating it to the newest schema) and build the app over it."""
    repository = open_repository(settings, clock=clock)
    return build_web_app(settings, repository, clock=clock), repository


def factory() -> FastAPI:
    """Build the app from the config named by ``LISTENER_CONFIG`` (what ``uvicorn --reload`` imports)."""
    settings = load_settings(Path(os.environ.get(CONFIG_ENV, "config.yaml")))
    app, _ = app_for(settings, clock=from_environment())
    return app


class WebServer:
    """A uvicorn server on a background thread, stopped cleanly with :meth:`stop`."""

    def __init__(self, app: FastAPI, *, host: str, port: int) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            server_header=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="listener-web", daemon=True)

    def start(self, timeout_s: float = 15.0) -> None:
        """Start serving and wait until the socket listens."""
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("web: the server did not start (is the port taken?)")
            time.sleep(0.02)

    @property
    def port(self) -> int:
        """Return the port actually bound (useful with port 0)."""
        servers = self._server.servers
        return int(servers[0].sockets[0].getsockname()[1]) if servers else 0

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
