"""``listener web``: serve the dashboard and the HTTP API (and its interactive docs at /api/docs).

``listener demo --web`` ends here too (:func:`serve_demo`): it adds a demo account with a fresh
random password, prints both, and serves the dashboard on the demo database.
"""

from __future__ import annotations

import os
from pathlib import Path
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
        f"listener dashboard on http://{chosen_host}:{chosen_port}/ "
        f"(API: /api/, docs: /api/docs)", highlight=False
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


def serve_demo(config_path: Path, *, host: str, port: int) -> None:
    """Serve the dashboard on the demo database with a new ``demo`` admin account printed on screen.

    The demo stored its week's alerts (``run_demo``), so the overview marks its spikes as they are.
    """
    import secrets

    import uvicorn

    from alerts.i18n import translator
    from listener.web.security import hash_password
    from listener.web.serve import app_for

    settings = settings_from(config_path)
    with user_errors():
        app, repository = app_for(settings, clock=current_clock())
    password = secrets.token_urlsafe(12)
    store = app.state.store
    found = store.user(username="demo")
    if found is None:
        store.add_user("demo", display_name="Demo", password_hash=hash_password(password), role="admin",
                       language=settings.language)
    else:
        store.update_user(found.id, actor_id=None, action="user.reset_password", end_sessions=True,
                          password_hash=hash_password(password))
    _ = translator(settings.language)
    shown = _("[bold]dashboard:[/] {url}  user {user}  password {password}  (Ctrl+C to stop)").format(
        url=f"http://{host}:{port}/", user="[bold]demo[/]", password=f"[bold]{password}[/]")
    console.print("\n" + shown, highlight=False)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
    finally:
        repository.close()
