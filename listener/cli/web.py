"""``listener web``: serve the HTTP API (and its interactive docs at /api/docs)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    console,
    current_clock,
    settings_from,
    user_errors,
)


def web(
    config: ConfigOption = DEFAULT_CONFIG,
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: web.host).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: web.port).")] = None,
    reload: Annotated[bool, typer.Option("--reload", help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the web API on the configured database (migrated to the newest schema first)."""
    import uvicorn

    from listener.web.serve import CONFIG_ENV, app_for

    settings = settings_from(config)
    chosen_host = host or settings.web.host
    chosen_port = port if port is not None else settings.web.port
    with user_errors():
        app, repository = app_for(settings, clock=current_clock())
        if not app.state.store.users():
            console.print(
                "[yellow]no user yet:[/] create one with "
                f"[bold]listener users add NAME --role admin -c {config}[/]"
            )
    console.print(
        f"listener API on http://{chosen_host}:{chosen_port}/api/ (docs: /api/docs)", highlight=False
    )
    if reload:
        repository.close()
        os.environ[CONFIG_ENV] = str(config.resolve())
        uvicorn.run(
            "listener.web.serve:factory",
            factory=True,
            host=chosen_host,
            port=chosen_port,
            reload=True,
            log_level="info",
        )
        return
    try:
        uvicorn.run(app, host=chosen_host, port=chosen_port, log_level="info", server_header=False)
    finally:
        repository.close()


def register(app: typer.Typer) -> None:
    """Add ``web`` to the command line."""
    app.command("web")(web)
