"""``listener authors``, ``author ID`` and ``forget-author ID``: who drives the conversation.

``authors`` ranks the period's authors by influence (or, with ``--role``, as opinion leaders or
flag-bearers of discontent); ``author`` shows one profile with its score breakdown and recent
mentions; ``forget-author`` erases someone's personal data (GDPR) after a confirmation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from alerts.i18n import translator
from analysis.authors import FlagBearer, OpinionLeader
from analysis.influence import AuthorInfluence
from listener import author_report as report
from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    console,
    current_clock,
    err_console,
    open_repository,
    settings_from,
    user_errors,
)
from listener.cli._filters import check_topics
from storage import Repository

AuthorKey = Annotated[str, typer.Argument(
    help="Author: 'source:external_id', 'source:@handle', a plain handle or a row id.")]
TopicOption = Annotated[str | None, typer.Option("--topic", "-t", help="Only this topic id.")]
SourceOption = Annotated[
    str | None, typer.Option("--source", "-s", help="Only this source (twitter, reddit...).")
]
DaysOption = Annotated[float, typer.Option("--days", "-d", min=0.01, help="Period: the last N days.")]
AtOption = Annotated[
    datetime | None,
    typer.Option("--at", help="Evaluate as of this UTC date/time instead of now (e.g. for the demo data)."),
]


def _now(at: datetime | None) -> datetime:
    if at is None:
        return current_clock()()
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _open(config: Path) -> Repository:
    return open_repository(settings_from(config))


def _column_labels(lang: str) -> dict[str, str]:
    """Return each column's heading in ``lang`` (the keys stay English: they choose the layout)."""
    _ = translator(lang)
    return {"#": "#", "author": _("author"), "source": _("source"), "score": _("score"),
            "points": _("points"),
            "audience": _("audience"), "mentions": _("mentions"), "bot": _("bot"), "stance": _("stance"),
            "engagement": _("engagement"), "echoes": _("echoes"), "flag": _("flag"),
            "influence": _("influence"), "negativity": _("negativity"), "estranged": _("estranged"),
            "grievance": _("grievance")}


def _columns(table: Table, names: tuple[str, ...], handles: list[str], lang: str = "en") -> None:
    """Add columns; the author column never shrinks below its longest handle (the text ones wrap)."""
    labels = _column_labels(lang)
    for name in names:
        if name == "author":
            table.add_column(labels[name], no_wrap=True, min_width=max((len(h) for h in handles), default=6))
        else:
            right = name in {
                "#",
                "score",
                "audience",
                "mentions",
                "flag",
                "influence",
                "engagement",
                "echoes",
            }
            table.add_column(labels[name], justify="right" if right else "left", overflow="fold")


def _known(value: object) -> str:
    return (
        "?"
        if value is None
        else f"{value:,}"
        if isinstance(value, int) and not isinstance(value, bool)
        else str(value)
    )


def _score_cell(points: dict[str, float] | object) -> str:
    assert isinstance(points, dict)
    return f"{points['reach']:.0f}/{points['engagement']:.0f}/{points['network']:.0f}"


def authors(
    config: ConfigOption = DEFAULT_CONFIG,
    topic: TopicOption = None,
    source: SourceOption = None,
    days: DaysOption = 30.0,
    role: Annotated[
        str | None, typer.Option("--role", "-r", help="leader or flag-bearer (default: plain influence).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many authors to list.")] = 20,
    include_bots: Annotated[
        bool, typer.Option("--include-bots", help="Also rank accounts marked as bots.")
    ] = False,
    at: AtOption = None,
) -> None:
    """Rank the authors of a period by influence, as opinion leaders, or as flag-bearers."""
    if role not in (None, "leader", "flag-bearer"):
        err_console.print(f"[red]unknown role {role!r}[/]: use 'leader' or 'flag-bearer'")
        raise typer.Exit(2)
    now = _now(at)
    lang = settings_from(config).language
    _ = translator(lang)
    with user_errors():
        repo = _open(config)
        try:
            if topic is not None:
                check_topics(settings_from(config), [topic], repo.stored_topics())
            activity = report.load_activity(
                repo, report.Period.last(days, now=now, topic=topic, source=source), now=now
            )
        finally:
            repo.close()
    scope = _("{topic}, {source}, last {days} days").format(
        topic=topic or _("all topics"), source=source or _("all sources"), days=f"{days:g}")
    if role == "leader":
        _print_leaders(report.leaders(activity, now=now, limit=limit), scope, lang)
    elif role == "flag-bearer":
        _print_bearers(report.bearers(activity, now=now, limit=limit), scope, lang)
    else:
        _print_ranking(report.ranking(activity, now=now, include_bots=include_bots)[:limit], activity, scope,
                       lang)
    bots = len(activity.bot_keys)
    if bots and not include_bots:
        left_out = _("{count} account(s) marked as bots are left out (see --include-bots).")
        console.print("[dim]" + left_out.format(count=bots) + "[/]")


def _print_ranking(ranked: list[AuthorInfluence], activity: report.Activity, scope: str, lang: str = "en"
                   ) -> None:
    _ = translator(lang)
    table = Table(title=_("Authors by influence ({scope})").format(scope=scope),
                  caption=_("points: reach/engagement/network"))
    _columns(
        table,
        ("#", "author", "source", "score", "points", "audience", "mentions", "bot"),
        [r.handle for r in ranked],
        lang,
    )
    for i, r in enumerate(ranked, 1):
        verdict = activity.bots.get(r.key)
        table.add_row(
            str(i),
            r.handle,
            r.source,
            f"{r.score:.1f}",
            _score_cell(dict(r.points)),
            f"{r.audience:,}" if r.audience is not None else "?",
            str(r.mentions),
            _("bot") if verdict and verdict.is_bot else "",
        )
    console.print(table)


def _print_leaders(leaders: list[OpinionLeader], scope: str, lang: str = "en") -> None:
    _ = translator(lang)
    table = Table(title=_("Opinion leaders ({scope})").format(scope=scope))
    _columns(
        table,
        ("#", "author", "source", "score", "stance", "engagement", "echoes", "mentions"),
        [lead.influence.handle for lead in leaders],
        lang,
    )
    colours = {"friend": "green", "critic": "red", "neutral": "white"}
    for i, lead in enumerate(leaders, 1):
        inf = lead.influence
        table.add_row(
            str(i),
            inf.handle,
            inf.source,
            f"{inf.score:.1f}",
            f"[{colours[lead.stance]}]{lead.stance}[/]",
            f"{lead.engagement:,.0f}",
            str(lead.echoes),
            str(lead.mentions),
        )
    console.print(table)


def _print_bearers(bearers: list[FlagBearer], scope: str, lang: str = "en") -> None:
    _ = translator(lang)
    table = Table(
        title=_("Flag-bearers of discontent ({scope})").format(scope=scope),
        caption=_("flag = influence x negativity x activity"),
    )
    _columns(
        table,
        ("#", "author", "source", "flag", "influence", "negativity", "estranged", "grievance"),
        [b.influence.handle for b in bearers],
        lang,
    )
    for i, b in enumerate(bearers, 1):
        grievance = report.short(b.grievances[0].text, 60) if b.grievances else ""
        table.add_row(
            str(i),
            b.influence.handle,
            b.influence.source,
            f"{b.flag:.1f}",
            f"{b.influence.score:.1f}",
            f"{b.negativity:.0%}",
            _("yes") if b.is_estranged else "",
            grievance,
        )
    console.print(table)


def author(
    key: AuthorKey,
    config: ConfigOption = DEFAULT_CONFIG,
    days: DaysOption = 30.0,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many recent mentions.")] = 10,
    at: AtOption = None,
) -> None:
    """Show an author's profile, influence breakdown and recent mentions."""
    now = _now(at)
    _ = translator(settings_from(config).language)
    with user_errors():
        repo = _open(config)
        try:
            found = report.profile(repo, key, now=now, days=days, recent=limit)
        except ValueError as err:
            err_console.print(f"[red]{err}[/]")
            raise typer.Exit(2) from None
        finally:
            repo.close()
    if found is None:
        err_console.print("[red]" + _("no author {key}").format(key=repr(key)) + "[/] " + _(
            "(use 'source:external_id', 'source:@handle' or a row id; see `listener authors`)"))
        raise typer.Exit(1)
    a = found.author.author
    first_post = f"{found.first_posted_at:%Y-%m-%d}" if found.first_posted_at else "?"
    created = f"{a.created_at:%Y-%m-%d}" if a.created_at else "?"
    lines = [
        f"[bold]{a.display_name or a.handle}[/] @{a.handle} "
        + _("({source}, key {key}, id {id})").format(source=a.source, key=a.key, id=found.author.id),
        _("followers {followers}, karma {karma}, verified {verified}, account created {created}").format(
            followers=_known(a.followers), karma=_known(a.karma), verified=_known(a.verified),
            created=created),
        _("{count} mention(s) stored, first post {first}, collected {since} to {until} (UTC)").format(
            count=found.author.mention_count, first=first_post,
            since=f"{found.author.first_seen_at:%Y-%m-%d}", until=f"{found.author.last_seen_at:%Y-%m-%d}"),
    ]
    if found.bot is not None and found.bot.is_bot:
        lines.append(_("influence: not ranked (marked as a bot)"))
    elif found.influence is not None:
        lines.append(_("influence (last {days} days): rank {rank}/{ranked}; {explained}").format(
            days=f"{days:g}", rank=found.rank, ranked=found.ranked, explained=found.influence.explain()))
    else:
        lines.append(_("influence: no scored mention in the last {days} days").format(days=f"{days:g}"))
    if found.bot is not None and found.bot.is_bot:
        lines.append("[yellow]" + _("marked as a bot") + f"[/]: {'; '.join(found.bot.reasons)}")
    if found.estrangement is not None:
        e = found.estrangement
        lines.append("[red]" + _("turning negative") + "[/] " + _(
            "since {day}: discontent {before} before, {now} now").format(
            day=f"{e.turned_at:%Y-%m-%d}", before=f"{e.earlier:.0%}", now=f"{e.recent:.0%}"))
    console.print(Panel("\n".join(lines), title=_("author")))
    table = Table(title=_("recent mentions"))
    for name in (_("published"), "id", _("sentiment"), _("intents"), _("text")):
        table.add_column(name, overflow="fold")
    for s in found.recent:
        table.add_row(
            f"{s.mention.published_at:%Y-%m-%d %H:%M}",
            str(s.id),
            report.sentiment_of(s),
            ", ".join(s.intents),
            report.short(s.mention.text, 70),
        )
    console.print(table)


def forget_author(
    key: AuthorKey,
    config: ConfigOption = DEFAULT_CONFIG,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase an author's personal data and mentions (GDPR) and stop collecting them.

    An author never stored yet can be blocked in advance by ``source:external_id`` (the platform's
    account id): only the tombstone is written.
    """
    with user_errors():
        repo = _open(config)
        try:
            try:
                found = report.find_author(repo, key)
            except ValueError as err:
                err_console.print(f"[red]{err}[/]")
                raise typer.Exit(2) from None
            if found is not None:
                source, external_id = found.author.source, found.author.external_id
                question = (
                    f"Erase {found.author.handle} ({found.author.key}) and their {found.mention_count} "
                    "mention(s) for good?"
                )
            elif key.isdigit() or ":@" in key or ":" not in key:
                err_console.print(f"[red]no author {key!r}[/]")
                raise typer.Exit(1)
            else:
                source, external_id = key.split(":", 1)
                question = f"{key} is not stored. Block it so it is never collected?"
            if not yes:
                typer.confirm(question, abort=True)
            erased = repo.erase_author(source, external_id)
        finally:
            repo.close()
        from listener.analyse import forget_cached_texts

        vectors = forget_cached_texts(settings_from(config).data_dir, erased.cached_texts)
    console.print(
        f"forgot {erased.key}: {erased.mentions} mention(s) erased, {erased.references_scrubbed} other "
        f"mention(s) and {erased.alerts_scrubbed} alert(s) scrubbed, {vectors} cached vector(s) dropped; "
        "a tombstone stops it from being collected again"
    )


def register(app: typer.Typer) -> None:
    """Add ``authors``, ``author`` and ``forget-author`` to the command line."""
    app.command("authors")(authors)
    app.command("author")(author)
    app.command("forget-author")(forget_author)
