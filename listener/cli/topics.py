"""``listener topics``: list the configured topic queries, and try a query on sample texts.

``listener topics`` validates every query (a mistake is shown with its column and a caret) and shows
how each one is searched on every provider, flagging the widened ones. ``listener topics try QUERY
TEXT...`` says for each text whether the query matches and which terms did, so a community manager
can tune a query before putting it in ``config.yaml``.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from listener.cli._common import (
    DEFAULT_CONFIG,
    EXIT_CONFIG,
    ConfigOption,
    console,
    current_clock,
    settings_from,
)
from listener.cli._common import in_language as _
from listener.core.model import Author, Mention
from listener.core.query import (
    QuerySyntaxError,
    UntranslatableQueryError,
    parse,
    to_text,
    translate,
)

topics_app = typer.Typer(help="List topic queries, or try one on sample texts.", no_args_is_help=False)


def _translations(expression: str) -> str:
    """Return one line per provider: its native queries, ``(widened)``, or why it cannot search."""
    import connectors  # imported here: ``listener --help`` stays light

    lines = []
    for provider, syntax in connectors.SEARCH_SYNTAXES.items():
        try:
            found = translate(expression, syntax)
        except UntranslatableQueryError:
            lines.append(_("{provider}: no native search (matched locally)").format(provider=provider))
            continue
        if not found:
            excluded = _("{provider}: not searched (the query excludes this source)")
            lines.append(excluded.format(provider=provider))
            continue
        flag = " " + _("(widened, filtered locally)") if any(q.is_widened for q in found) else ""
        shown = " | ".join(q.text for q in found[:3])
        if len(found) > 3:
            shown += " | ... " + _("{count} queries").format(count=len(found))
        lines.append(f"{provider}: {shown}{flag}")
    return "\n".join(lines)


def _report_syntax_error(err: QuerySyntaxError) -> None:
    # Plain echo, not rich: wrapping would move the caret away from its column.
    typer.echo(_("query error:") + f" {err}", err=True)


@topics_app.callback(invoke_without_command=True)
def topics(
    ctx: typer.Context,
    config: ConfigOption = DEFAULT_CONFIG,
    show_providers: Annotated[
        bool, typer.Option("--providers", help="Show each topic's native search on every provider.")
    ] = False,
) -> None:
    """List the configured topics and check that each query parses."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_from(config)
    table = Table(title=_("Topics"))
    for column in ("id", _("name"), _("role"), _("query"), _("status")):
        table.add_column(column)
    has_errors = False
    for topic in settings.topics:
        try:
            canonical = to_text(parse(topic.query))
            status = "[green]" + _("ok") + "[/]"
        except QuerySyntaxError as err:  # config loading checks too; kept for configs built elsewhere
            has_errors = True
            canonical, status = topic.query, f"[red]{escape(str(err))}[/]"
        table.add_row(topic.id, escape(topic.name), topic.role, escape(canonical), status)
        if show_providers and not has_errors:
            table.add_row("", "", "", f"[dim]{escape(_translations(topic.query))}[/]", "")
    if not settings.topics:
        console.print(_("no topics configured (add some under 'topics:' in config.yaml)"))
        return
    console.print(table)
    if has_errors:
        sys.exit(EXIT_CONFIG)


@topics_app.command("try")
def try_query(
    query: Annotated[str, typer.Argument(help="A topic query, e.g. 'acme -job \"late delivery\"~3'.")],
    texts: Annotated[list[str], typer.Argument(help="One or more texts to test the query on.")],
    lang: Annotated[str | None, typer.Option(help="Declared language of the texts (for lang:).")] = None,
    source: Annotated[str, typer.Option(help="Source name of the texts (for source:).")] = "cli",
    show_providers: Annotated[
        bool, typer.Option("--providers", help="Also show the query's native search on every provider.")
    ] = False,
) -> None:
    """Show whether QUERY matches each TEXT, and which of its terms did."""
    try:
        tree = parse(query)
    except QuerySyntaxError as err:
        _report_syntax_error(err)
        sys.exit(EXIT_CONFIG)
    from listener.wiring import topic_matcher

    matcher = topic_matcher([("query", query)])
    console.print(_("query:") + f" {escape(to_text(tree))}", highlight=False, soft_wrap=True)
    now = current_clock()()
    author = Author(source=source, external_id="cli", handle="cli")
    for number, text in enumerate(texts, 1):
        mention = Mention(source=source, external_id=str(number), text=text, author=author,
                          published_at=now, fetched_at=now, lang=lang)
        hits = matcher.match(mention)
        if hits:
            terms = ", ".join(hits[0].terms) or _("(filters only)")
            console.print(f"[green]{_('match'):<9}[/] {escape(text)}\n          " + _("terms:")
                          + f" {escape(terms)}", highlight=False, soft_wrap=True)
        else:
            console.print(f"[red]{_('no match'):<9}[/] {escape(text)}", highlight=False, soft_wrap=True)
    if show_providers:
        console.print(escape(_translations(query)), highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the ``topics`` command group."""
    app.add_typer(topics_app, name="topics")
