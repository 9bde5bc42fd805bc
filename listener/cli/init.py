"""``listener init``: write a commented starter config that works offline on SQLite."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer

from listener.cli._common import DEFAULT_CONFIG, console, err_console


def starter_config() -> str:
    """Return the text of the shipped starter config (the project's own ``config.yaml``)."""
    return files("listener").joinpath("starter_config.yaml").read_text(encoding="utf-8")


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = DEFAULT_CONFIG,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a starter config.yaml (SQLite, the offline demo source, no account needed)."""
    if path.exists() and not force:
        err_console.print(f"[red]{path} already exists[/]; use --force to overwrite it.")
        raise typer.Exit(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(starter_config(), encoding="utf-8")
    console.print(f"wrote {path}; next: [bold]listener check -c {path}[/], then [bold]listener demo[/]")


def register(app: typer.Typer) -> None:
    """Add ``init`` to the command line."""
    app.command("init")(init)
