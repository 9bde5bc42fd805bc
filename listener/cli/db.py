"""``listener db``: create or update the database schema (Alembic migrations shipped in ``storage``)."""

from __future__ import annotations

from typing import Annotated

import typer

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
    keep = days if days is not None else settings.retention.mentions_days
    if keep is None:
        err_console.print(
            "[red]no retention limit: set retention.mentions_days in the config, or give --days[/]"
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
        f"{pruned} mention(s) published before {before:%Y-%m-%d %H:%M} UTC deleted; "
        "their daily counts are kept",
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
        with user_errors():
            repo = repository_at(settings.database.url)
            try:
                before = repo.schema_revision()
                repo.upgrade()
                after = repo.schema_revision()
            finally:
                repo.close()
            if before == after:
                console.print(f"database {repo.safe_url} already at revision {after}", highlight=False)
            else:
                console.print(
                    f"database {repo.safe_url} upgraded from {before or 'empty'} to revision {after}",
                    highlight=False,
                )

    @db.command("current")
    def current(config: ConfigOption = DEFAULT_CONFIG) -> None:
        """Print the schema revision of the database and the newest one this version ships."""
        from listener.wiring import repository_at
        from storage.migrate import head

        settings = settings_from(config)
        with user_errors():
            missing = sqlite_file(settings.database.url)
            if missing is not None and not missing.exists():  # connecting would create an empty file
                console.print(f"database {missing}: does not exist (run: listener db upgrade); "
                              f"newest {head()}", highlight=False)
                return
            repo = repository_at(settings.database.url)
            try:
                revision = repo.schema_revision()
            finally:
                repo.close()
            console.print(
                f"database {repo.safe_url}: revision {revision or 'none (run: listener db upgrade)'}; "
                f"newest {head()}",
                highlight=False,
            )

    db.command("prune")(prune)
    app.add_typer(db, name="db")
