"""What every command shares: the config option, the console, and turning our errors into exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from alerts.i18n import translator
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

language: ContextVar[str] = ContextVar("listener_cli_language", default="en")
"""The ``language`` of the config this command loaded (English until one is loaded): its errors speak it."""


def in_language(message: str) -> str:
    """Return ``message`` in the language of the config this command loaded (English before one is).

    Modules import it as ``_`` so that Babel's extractor and the catalogue test find their messages.
    """
    return translator(language.get())(message)


@contextmanager
def user_errors() -> Iterator[None]:
    """Print our errors as one clear message and exit non-zero, instead of a traceback."""
    _ = translator(language.get())
    try:
        yield
    except ConfigError as err:
        err_console.print("[bold red]" + _("config error") + f"[/]\n{err}", highlight=False)
        sys.exit(EXIT_CONFIG)
    except DatabaseUnavailable as err:
        err_console.print("[bold red]" + _("database unavailable:") + f"[/] {err}", highlight=False)
        sys.exit(EXIT_UNAVAILABLE)
    except ListenerError as err:
        err_console.print("[bold red]" + _("error:") + f"[/] {err}", highlight=False)
        sys.exit(EXIT_FAILED)


def current_clock() -> Clock:
    """Return the one clock of this command (the wall clock, or the instant ``LISTENER_CLOCK`` names)."""
    with user_errors():
        return from_environment()
    raise AssertionError("unreachable")  # pragma: no cover


DEMO_CONFIG = Path(".listener/demo.yaml")
"""What ``listener demo`` writes next to its database: the fallback when there is no config.yaml."""


def config_path(path: Path) -> Path:
    """Return the config to read: ``path``, or the demo's when the default config.yaml is absent.

    After ``listener demo`` a user types ``listener mentions`` and expects the demo's data;
    :func:`settings_from` says which file was used (on stderr, in its language), and ``-c`` always wins.
    """
    if path == DEFAULT_CONFIG and not path.exists() and DEMO_CONFIG.exists():
        return DEMO_CONFIG
    return path


def settings_from(path: Path) -> Settings:
    """Load the config (see :func:`config_path`) or exit with the file, line and key of the problem.

    From then on the command's errors speak the config's ``language``.
    """
    language.set("en")
    with user_errors():
        chosen = config_path(path)
        try:
            settings = load_settings(chosen)
        except ConfigError as err:
            if path == DEFAULT_CONFIG and not path.exists():
                _ = translator(language.get())  # no config, no language yet: English
                raise ConfigError(_("{error}\nor run 'listener demo', then any command reads its {demo}; "
                                    "or give -c FILE").format(error=err, demo=DEMO_CONFIG)) from err
            raise
        language.set(settings.language)
        if chosen != path:
            _ = translator(settings.language)
            err_console.print(_("no {default} here: using the demo's {demo} (-c FILE to choose)").format(
                default=DEFAULT_CONFIG, demo=DEMO_CONFIG), highlight=False)
        return settings
    raise AssertionError("unreachable")  # pragma: no cover


def sqlite_file(url: str) -> Path | None:
    """Return the file of a SQLite URL (None for other engines and in-memory databases)."""
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///"))
    return None


def open_repository(settings: Settings, *, upgrade: bool = False) -> Repository:
    """Open the configured database under the one schema rule of every command.

    Only the commands that run the pipeline (``db upgrade``, ``run``, ``worker``, ``scheduler``,
    ``web``, ``demo``, ``users``) create or migrate the schema (``upgrade``). Every other command
    refuses a missing database file or an empty schema, creates nothing, and says what to run.
    """
    from alerts.i18n import translator
    from listener.wiring import repository_at

    _ = translator(settings.language)
    missing = sqlite_file(settings.database.url)
    if not upgrade and missing is not None and not missing.exists():
        raise ListenerError(_("the database {path} does not exist yet: run 'listener db upgrade' first")
                            .format(path=missing))
    repository = repository_at(settings.database.url, clock=current_clock())
    if upgrade:
        repository.upgrade()
    elif repository.schema_revision() is None:
        repository.close()
        raise ListenerError(_("the database {url} has no listener schema yet: run 'listener db upgrade' "
                              "first").format(url=repository.safe_url))
    return repository
