"""The ``listener`` command line: one module per command group, discovered at start-up.

Each module in this package exposes ``register(app)``; commands parse arguments and call
``listener.wiring``, nothing more. Adding a command never edits this file (its ``--help`` panel is
named in ``_help.py``).
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

from listener.cli._help import PlainGroup, arrange

app = typer.Typer(
    cls=PlainGroup,
    name="listener",
    help="Self-hosted social listening: collect mentions, find discontent, warn the community manager.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    """Print the version and stop before any command is required (an eager option's callback)."""
    if value:
        from listener import __version__

        typer.echo(f"listener {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
    ),
) -> None:
    """Self-hosted social listening: collect mentions, find discontent, warn the community manager."""


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)
    arrange(app)


_register_commands()


def main() -> None:
    """Run the command line."""
    app()
