"""``listener sources``: a table of every source's health (last success, last error, failures)."""

from __future__ import annotations

import importlib
from typing import Any

import typer
from rich.table import Table

from listener.cli._common import DEFAULT_CONFIG, ConfigOption, console, settings_from, user_errors
from listener.errors import ConfigError


def _repository(url: str) -> Any:
    """Open the storage repository (imported lazily: the command works only with storage installed)."""
    try:
        storage = importlib.import_module("storage")
        return storage.Repository.from_url(url)
    except (ImportError, AttributeError) as err:
        raise ConfigError(f"database.url: cannot open storage for {url!r}: {err}") from err


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


def sources(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Show the health of every (source, topic) collection job."""
    settings = settings_from(config)
    with user_errors():
        repository = _repository(settings.database.url)
        try:
            rows = repository.source_health()
        finally:
            repository.close()
    table = Table(title="Sources")
    for column in ("source", "topic", "last success", "last error", "failures", "items", "next run"):
        table.add_column(column)
    for row in rows:
        failures = str(row.consecutive_failures)
        table.add_row(
            row.source,
            row.query_id,
            _when(row.last_success_at),
            (row.last_error or "-")[:80],
            f"[red]{failures}[/]" if row.consecutive_failures else failures,
            str(row.items_fetched_total),
            _when(row.next_run_not_before),
        )
    if not rows:
        console.print("no collection run recorded yet (run 'listener run-once')")
        return
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``sources`` command."""
    app.command("sources")(sources)
