"""``listener mentions``: search and list stored mentions, as a table, CSV or JSON lines."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.padding import Padding

from alerts.i18n import translator
from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    console,
    current_clock,
    open_repository,
    settings_from,
    user_errors,
)
from listener.cli._filters import INTENTS, SENTIMENTS, check_choices, check_search, check_topics
from listener.cli._tables import narrow_table, when
from listener.core.errors import ConfigError
from listener.source_settings import _parse_duration


class Format(StrEnum):
    """Output formats."""

    table = "table"
    csv = "csv"
    json = "json"


def parse_when(value: str | None, *, now: datetime, option: str) -> datetime | None:
    """Accept ``2d``/``6h`` (ago), an ISO date or an ISO datetime (UTC when no offset is given)."""
    if value is None:
        return None
    try:
        delta: timedelta = _parse_duration(value)
        return now - delta
    except (ValueError, TypeError):
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise ConfigError(f"{option}: expected a duration such as 2d or 6h, or a date such as 2026-11-20, "
                          f"got {value!r}") from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


FIELDS = ["id", "source", "external_id", "published_at", "author", "author_followers", "lang", "topics",
          "sentiment", "sentiment_score", "intents", "likes", "reposts", "replies", "echo_count", "url",
          "title", "text"]


def _row(stored: Any) -> dict[str, Any]:
    mention = stored.mention
    author = mention.author
    return {
        "id": stored.id,
        "source": mention.source,
        "external_id": mention.external_id,
        "published_at": mention.published_at.isoformat(),
        "author": author.handle,
        "author_followers": author.followers,
        "lang": stored.lang,
        "topics": list(stored.topics),
        "sentiment": stored.sentiment,
        "sentiment_score": stored.sentiment_score,
        "intents": list(stored.intents),
        "likes": mention.metrics.likes,
        "reposts": mention.metrics.reposts,
        "replies": mention.metrics.replies,
        "echo_count": stored.echo_count,
        "url": mention.url,
        "title": mention.title,
        "text": mention.text,
    }


_COLOURS = {"negative": "red", "positive": "green", "neutral": "white"}
_WIDE = 120
"""From this width on, one table row per mention; below it, a heading line and the text under it."""


def _print_table(rows: Iterable[dict[str, Any]], total: int, zone: str, lang: str = "en") -> None:
    _ = translator(lang)
    title = _("{count} mention(s), times in {zone}").format(count=total, zone=zone)
    wide = console.width >= _WIDE
    kept = ("id", _("published"))
    table = narrow_table(title, *kept, _("source"), _("author"), _("topics"), _("sentiment"), _("text"),
                         keep=kept)
    if not wide:
        console.print(f"[bold]{title}[/]", highlight=False)
    shown = 0
    for row in rows:
        shown += 1
        sentiment = row["sentiment"] or "-"
        coloured = f"[{_COLOURS.get(sentiment, 'white')}]{sentiment}[/]"
        text = " ".join(str(row["text"]).split())
        text = text if len(text) <= 280 else text[:279] + "…"
        published = when(row["published_at"], zone)
        if wide:
            table.add_row(str(row["id"]), published, row["source"], "[cyan]@" + row["author"] + "[/]",
                          ",".join(row["topics"]), coloured, escape(text))
        else:
            console.print(f"[dim]{row['id']}[/]  {published}  {row['source']}  "
                          f"[cyan]@{escape(row['author'])}[/]  {','.join(row['topics']) or '-'}  {coloured}",
                          highlight=False)
            console.print(Padding(escape(text), (0, 0, 1, 4)), highlight=False)
    if wide:
        console.print(table)
    if shown < total:
        console.print("[dim]" + _("showing {shown} of {total}; use --limit or --format csv for more").format(
            shown=shown, total=total) + "[/]")


def mentions(
    config: ConfigOption = DEFAULT_CONFIG,
    search: Annotated[str | None, typer.Option(
        "--search", "-s", help='Full-text: words, "a phrase", prefix*; accents and case ignored.')] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", "-t", help="Topic id (repeatable).")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="Source name (repeatable).")] = None,
    lang: Annotated[list[str] | None, typer.Option("--lang", help="Language code (repeatable).")] = None,
    sentiment: Annotated[list[str] | None, typer.Option("--sentiment", help="negative, neutral or positive.")]
    = None,
    intent: Annotated[list[str] | None, typer.Option("--intent", help="complaint, question, suggestion or "
                                                     "praise (repeatable).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="2d, 6h, or a date.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="2d, 6h, or a date.")] = None,
    no_echoes: Annotated[bool, typer.Option("--no-echoes", help="Hide reposts and copies.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1)] = 50,
    output: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Search and list stored mentions, newest first."""
    from storage import MentionFilter

    settings = settings_from(config)
    now = current_clock()()
    with user_errors():
        check_search(search, settings.language)
        check_choices("--sentiment", sentiment, SENTIMENTS, settings.language)
        check_choices("--intent", intent, INTENTS, settings.language)
        flt = MentionFilter(
            text=search, topics=tuple(topic or ()), sources=tuple(source or ()), langs=tuple(lang or ()),
            sentiments=tuple(sentiment or ()), intents=tuple(intent or ()),
            since=parse_when(since, now=now, option="--since"),
            until=parse_when(until, now=now, option="--until"),
            include_echoes=not no_echoes, limit=limit,
        )
        repository = open_repository(settings)
        try:
            if topic:
                check_topics(settings, topic, repository.stored_topics())
            found = repository.search_mentions(flt)
            total = repository.count_mentions(flt) if output is Format.table else len(found)
        finally:
            repository.close()
    rows = [_row(s) for s in found]
    if output is Format.json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif output is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (";".join(v) if isinstance(v, list) else v) for k, v in row.items()})
    else:
        _print_table(rows, total, settings.timezone, settings.language)


def register(app: typer.Typer) -> None:
    """Add ``mentions`` to the command line."""
    app.command("mentions")(mentions)
