"""``listener sources``: a table of every source's health (last success, last error, failures)."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.table import Table

from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    console,
    open_repository,
    settings_from,
    user_errors,
)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


def sources(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Show the health of every (source, topic) collection job."""
    settings = settings_from(config)
    with user_errors():
        repository = open_repository(settings)
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
