"""``listener db``: create or update the database schema (Alembic migrations shipped in ``storage``)."""

from __future__ import annotations

from typing import Annotated

import typer

from alerts.i18n import translator
from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    console,
    current_clock,
    err_console,
    open_repository,
    settings_from,
    sqlite_file,
    user_errors,
)


def prune(
    config: ConfigOption = DEFAULT_CONFIG,
    days: Annotated[
        int | None,
        typer.Option("--days", min=1, help="Keep this many days (default: retention.mentions_days)."),
    ] = None,
) -> None:
    """Delete mentions older than the retention limit, keeping their daily counts."""
    from datetime import timedelta


    settings = settings_from(config)
    _ = translator(settings.language)
    keep = days if days is not None else settings.retention.mentions_days
    if keep is None:
        err_console.print(
            "[red]" + _("no retention limit: set retention.mentions_days in the config, or give --days")
            + "[/]"
        )
        raise typer.Exit(2)
    with user_errors():
        before = current_clock()() - timedelta(days=keep)
        repo = open_repository(settings)
        try:
            pruned = repo.prune_mentions(before)
        finally:
            repo.close()
    console.print(
        _("{count} mention(s) published before {before} UTC deleted; their daily counts are kept").format(
            count=pruned, before=f"{before:%Y-%m-%d %H:%M}"),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the ``db`` command group."""
    db = typer.Typer(help="Create, update and inspect the database schema.", no_args_is_help=True)

    @db.command("upgrade")
    def upgrade(config: ConfigOption = DEFAULT_CONFIG) -> None:
        """Apply every pending migration (safe to run again; the first run creates the database)."""
        from listener.wiring import repository_at

        settings = settings_from(config)
        _ = translator(settings.language)
        with user_errors():
            repo = repository_at(settings.database.url)
            try:
                before = repo.schema_revision()
                repo.upgrade()
                after = repo.schema_revision()
            finally:
                repo.close()
            if before == after:
                console.print(_("database {url} already at revision {revision}").format(
                    url=repo.safe_url, revision=after), highlight=False)
            else:
                console.print(
                    _("database {url} upgraded from {before} to revision {revision}").format(
                        url=repo.safe_url, before=before or _("empty"), revision=after),
                    highlight=False,
                )

    @db.command("current")
    def current(config: ConfigOption = DEFAULT_CONFIG) -> None:
        """Print the schema revision of the database and the newest one this version ships."""
        from listener.wiring import repository_at
        from storage.migrate import head

        settings = settings_from(config)
        _ = translator(settings.language)
        with user_errors():
            missing = sqlite_file(settings.database.url)
            if missing is not None and not missing.exists():  # connecting would create an empty file
                console.print(_("database {path}: does not exist (run: listener db upgrade); newest {head}")
                              .format(path=missing, head=head()), highlight=False)
                return
            repo = repository_at(settings.database.url)
            try:
                revision = repo.schema_revision()
            finally:
                repo.close()
            console.print(
                _("database {url}: revision {revision}; newest {head}").format(
                    url=repo.safe_url, revision=revision or _("none (run: listener db upgrade)"),
                    head=head()),
                highlight=False,
            )

    db.command("prune")(prune)
    app.add_typer(db, name="db")
