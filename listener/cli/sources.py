"""``listener sources``: a table of every source's health (last success, last error, failures)."""

from __future__ import annotations

import typer

from alerts.i18n import translator
from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    console,
    open_repository,
    settings_from,
    user_errors,
)
from listener.cli._tables import narrow_table, when


def sources(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Show the health of every (source, topic) collection job."""
    settings = settings_from(config)
    with user_errors():
        repository = open_repository(settings)
        try:
            rows = repository.source_health()
        finally:
            repository.close()
    zone = settings.timezone
    _ = translator(settings.language)
    kept = (_("source"), _("topic"), _("last success"))
    table = narrow_table(_("Sources (times in {zone})").format(zone=zone), *kept, _("failures"), _("items"),
                         _("next run"), _("last error"), keep=(*kept, _("next run")))
    for row in rows:
        failures = str(row.consecutive_failures)
        table.add_row(
            row.source,
            row.query_id,
            when(row.last_success_at, zone),
            f"[red]{failures}[/]" if row.consecutive_failures else failures,
            str(row.items_fetched_total),
            when(row.next_run_not_before, zone),
            row.last_error or "-",
        )
    if not rows:
        console.print(_("no collection run recorded yet (run 'listener run --once')"))
        return
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add the ``sources`` command."""
    app.command("sources")(sources)
