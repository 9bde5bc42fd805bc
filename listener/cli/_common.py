"""What every command shares: the config option, the console, and turning our errors into exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from listener.config import Settings, load_settings
from listener.core.clock import Clock, from_environment
from listener.core.errors import ConfigError, DatabaseUnavailable, ListenerError

if TYPE_CHECKING:
    from storage import Repository

console = Console()
err_console = Console(stderr=True)

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", envvar="LISTENER_CONFIG", help="Path to config.yaml.", show_default=True),
]
DEFAULT_CONFIG = Path("config.yaml")

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 3
EXIT_FAILED = 1


@contextmanager
def user_errors() -> Iterator[None]:
    """Print our errors as one clear message and exit non-zero, instead of a traceback."""
    try:
        yield
    except ConfigError as err:
        err_console.print(f"[bold red]config error[/]\n{err}", highlight=False)
        sys.exit(EXIT_CONFIG)
    except DatabaseUnavailable as err:
        err_console.print(f"[bold red]database unavailable:[/] {err}", highlight=False)
        sys.exit(EXIT_UNAVAILABLE)
    except ListenerError as err:
        err_console.print(f"[bold red]error:[/] {err}", highlight=False)
        sys.exit(EXIT_FAILED)


def current_clock() -> Clock:
    """Return the one clock of this command (the wall clock, or the instant ``LISTENER_CLOCK`` names)."""
    with user_errors():
        return from_environment()
    raise AssertionError("unreachable")  # pragma: no cover


def settings_from(path: Path) -> Settings:
    """Load the config or exit with the file, line and key path of the problem."""
    with user_errors():
        return load_settings(path)
    raise AssertionError("unreachable")  # pragma: no cover


def open_repository(settings: Settings, *, upgrade: bool = False) -> Repository:
    """Open the configured database; ``upgrade`` applies migrations, else an empty one is an error.

    Commands that write on their own (``demo``, ``run``) upgrade; read-only commands refuse to create a
    schema behind the operator's back and say what to run instead.
    """
    from listener.wiring import repository_at

    repository = repository_at(settings.database.url, clock=current_clock())
    if upgrade:
        repository.upgrade()
    elif repository.schema_revision() is None:
        repository.close()
        raise ListenerError(f"the database {repository.safe_url} has no listener schema yet: "
                            "run 'listener db upgrade' first")
    return repository
