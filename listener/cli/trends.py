"""``listener trends``, ``listener themes`` and ``listener sov``: why people talk, and how rivals compare.

``trends`` shows a topic's series (volume, net sentiment, share of voice), its bursts on a seasonal
baseline and the terms rising in the last window; ``themes`` groups a period's mentions (or only the
unhappy ones, ``--discontent``) into labelled themes; ``sov`` compares the brand with each competitor.
Every command answers "not enough data" honestly rather than inventing a trend.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    console,
    current_clock,
    open_repository,
    settings_from,
    user_errors,
)

if TYPE_CHECKING:
    from analysis.theme_vectors import ThemeEncoder

TopicOption = Annotated[
    str | None, typer.Option("--topic", "-t", help="Topic id (default: the first brand).")
]
DaysOption = Annotated[float, typer.Option("--days", "-d", min=0.04, help="Period: the last N days.")]
AtOption = Annotated[datetime | None, typer.Option("--at", help="As of this UTC date/time instead of now.")]
GrainOption = Annotated[str, typer.Option("--grain", "-g", help="hour, day or week.")]


def _now(at: datetime | None) -> datetime:
    if at is None:
        return current_clock()()
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _topic(config: Path, topic: str | None) -> tuple[str, dict[str, str]]:
    settings = settings_from(config)
    roles: dict[str, str] = {t.id: str(t.role) for t in settings.topics}
    if topic is None:
        topic = next((t for t, r in roles.items() if r == "brand"), next(iter(roles), ""))
    if topic not in roles:
        console.print(f"[red]unknown topic {topic!r}[/]: the config has {', '.join(roles) or 'none'}")
        raise typer.Exit(2)
    return topic, roles


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def trends_command(
    config: ConfigOption = DEFAULT_CONFIG,
    topic: TopicOption = None,
    days: DaysOption = 14.0,
    grain: GrainOption = "day",
    window: Annotated[
        float, typer.Option("--window", "-w", min=1.0, help="Rising terms: the last N hours.")
    ] = 24.0,
    at: AtOption = None,
) -> None:
    """A topic's series, its bursts and the terms rising in the last window."""
    from analysis import bursts, trends
    from listener import trends_report as report

    topic_id, _ = _topic(config, topic)
    now = _now(at)
    since, until = trends.period_bounds(now, int(max(days, 1)), "hour" if grain == "hour" else "day")
    with user_errors():
        repo = open_repository(settings_from(config))
        try:
            repo.refresh_rollups()
            points = repo.rollup_series(
                [topic_id], grain="day" if grain == "week" else grain, since=since, until=until
            )
            hourly = repo.rollup_series(
                [topic_id], grain="hour", since=since - timedelta(days=35), until=until
            )
            answer, by_id = report.rising_for(repo, topic_id, now=now, window=timedelta(hours=window))
        finally:
            repo.close()
    table = Table(title=f"{topic_id}: {grain} series, {since:%Y-%m-%d} → {until:%Y-%m-%d}")
    for name in ("bucket", "volume", "negative", "net sentiment", "complaints"):
        table.add_column(name, justify="left" if name == "bucket" else "right")
    for row in trends.series(points, topics=[topic_id], grain=grain, since=since, until=until):
        table.add_row(
            f"{row.bucket:%Y-%m-%d %H:%M}",
            str(row.total),
            str(row.negative),
            "—" if row.net_sentiment is None else f"{row.net_sentiment:+.2f}",
            str(row.complaints),
        )
    console.print(table)
    counts = {p.bucket: p.negative for p in hourly}
    found = bursts.bursts(counts, since=since, until=until)
    console.print(f"[bold]Negative bursts[/] (seasonal baseline): {len(found) or 'none'}")
    for b in found:
        console.print(
            f"  {b.start:%a %Y-%m-%d %H:%M} → {b.end:%H:%M}: {b.count} negative, "
            f"{b.expected:.1f} expected, z {b.peak_z:.1f}"
        )
    if answer.status != "ok":
        console.print(f"[yellow]Rising terms: not enough data[/] ({answer.reason})")
        return
    terms_table = Table(title=f"Rising terms, last {window:g} h (distinct authors)")
    for name in ("group", "term", "kind", "authors", "expected", "z", "example"):
        terms_table.add_column(
            name, justify="right" if name in ("authors", "expected", "z") else "left", overflow="fold"
        )
    for t in answer.terms:
        example = by_id[t.mention_ids[0]].text if t.mention_ids else ""
        terms_table.add_row(
            answer.groups[t.group].label,
            t.term,
            t.kind,
            str(t.count),
            f"{t.expected:.1f}",
            f"{t.z:.1f}",
            " ".join(example.split())[:80],
        )
    console.print(terms_table if answer.terms else "No term rises above its baseline.")


def themes_command(
    config: ConfigOption = DEFAULT_CONFIG,
    topic: TopicOption = None,
    days: DaysOption = 7.0,
    only_discontent: Annotated[
        bool, typer.Option("--discontent", help="Only negative and complaint mentions, ranked.")
    ] = False,
    no_embed: Annotated[bool, typer.Option("--no-embed", help="Use stored vectors only.")] = False,
    with_aspects: Annotated[
        bool, typer.Option("--aspects", help="Also tag mentions with aspects (billing, delivery, outage...).")
    ] = False,
    at: AtOption = None,
) -> None:
    """Group a period's mentions into labelled themes (``--discontent``: the themes that hurt)."""
    from listener import trends_report as report

    topic_id, _ = _topic(config, topic)
    now = _now(at)
    settings = settings_from(config)

    def encoder() -> ThemeEncoder:
        from listener.wiring import theme_encoder

        console.print("[dim]computing theme vectors for new mentions (stored for next time)...[/]")
        return theme_encoder(settings, say=console.print)

    with user_errors():
        repo = open_repository(settings)
        try:
            answer = report.themes_for(
                repo,
                [topic_id],
                since=now - timedelta(days=days),
                until=now,
                only_discontent=only_discontent,
                encoder=None if no_embed else encoder,
            )
        finally:
            repo.close()
    found = answer.themes
    if found.status != "ok":
        console.print(f"[yellow]Not enough data for themes[/]: {found.reason}")
        return
    if answer.discontent:
        table = Table(title=f"Themes of discontent, {topic_id}, last {days:g} days")
        for name in (
            "#",
            "theme",
            "mentions",
            "negativity",
            "trend",
            "churn risk",
            "flag-bearers",
            "example",
        ):
            table.add_column(name, overflow="fold")
        for i, d in enumerate(answer.discontent, 1):
            trend = "new" if d.trend == float("inf") else f"×{d.trend:.1f}"
            table.add_row(
                str(i),
                d.theme.label,
                str(d.volume),
                f"{d.negativity:.2f}",
                trend,
                _pct(d.churn_share),
                ", ".join(f"@{f.handle}" for f in d.flag_bearers),
                answer.mentions[d.theme.representative_id].text[:90],
            )
    else:
        table = Table(title=f"Themes, {topic_id}, last {days:g} days")
        for name in ("#", "theme", "mentions", "languages", "example"):
            table.add_column(name, overflow="fold")
        for t in found.themes:
            table.add_row(
                str(t.id + 1),
                t.label,
                str(t.size),
                ",".join(t.langs),
                answer.mentions[t.representative_id].text[:90],
            )
    console.print(table)
    console.print(f"[dim]{len(found.noise_ids)} of {found.mentions} mentions belong to no theme.[/]")
    if with_aspects:
        _print_aspects(config, topic_id, now, days, only_discontent=only_discontent, encoder=encoder)


def _print_aspects(
    config: Path,
    topic: str,
    now: datetime,
    days: float,
    *,
    only_discontent: bool,
    encoder: Callable[[], ThemeEncoder],
) -> None:
    from collections import Counter

    from analysis.aspects import DEFAULT_ASPECTS
    from listener import trends_report as report

    settings = settings_from(config)
    with user_errors():
        repo = open_repository(settings)
        try:
            tags, by_id = report.aspects_for(
                repo,
                [topic],
                since=now - timedelta(days=days),
                until=now,
                only_discontent=only_discontent,
                encoder=encoder,
            )
        finally:
            repo.close()
    counts = Counter(t.aspect for t in tags)
    table = Table(title=f"Aspects, {topic}, last {days:g} days ({len(by_id)} mentions)")
    for name in ("aspect", "mentions", "example", "why"):
        table.add_column(name, overflow="fold")
    names = {a.id: a.name_fr if settings.language == "fr" else a.name_en for a in DEFAULT_ASPECTS}
    for aspect, n in counts.most_common():
        best = max((t for t in tags if t.aspect == aspect), key=lambda t: t.score)
        table.add_row(names.get(aspect, aspect), str(n), by_id[best.mention_id].text[:80], best.explanation)
    console.print(table if counts else "No mention is close to any aspect.")


def sov_command(
    config: ConfigOption = DEFAULT_CONFIG,
    days: DaysOption = 30.0,
    grain: GrainOption = "week",
    at: AtOption = None,
) -> None:
    """Share of voice: brand against each competitor (volume, negative volume, reach)."""
    from analysis.trends import period_bounds
    from listener import trends_report as report

    _, roles = _topic(config, None)
    watched = {t: r for t, r in roles.items() if r in ("brand", "competitor")} or roles
    now = _now(at)
    since, until = period_bounds(now, int(max(days, 1)), "day")
    with user_errors():
        repo = open_repository(settings_from(config))
        try:
            shares, pairs, rows = report.sov_for(repo, watched, since=since, until=until, grain=grain)
        finally:
            repo.close()
    table = Table(title=f"Share of voice, {since:%Y-%m-%d} → {until:%Y-%m-%d}")
    for name in ("topic", "role", "mentions", "share", "negative share", "reach share", "net sentiment"):
        table.add_column(name, justify="left" if name in ("topic", "role") else "right")
    for s in shares:
        table.add_row(
            s.topic,
            s.role,
            str(s.volume),
            _pct(s.share_volume),
            _pct(s.share_negative),
            _pct(s.share_reach),
            "—" if s.net_sentiment is None else f"{s.net_sentiment:+.2f}",
        )
    console.print(table)
    for p in pairs:
        console.print(
            f"{p.brand} vs {p.competitor}: {_pct(p.brand_share_volume)} of the pair's mentions, "
            f"{_pct(p.brand_share_negative)} of its negatives, {_pct(p.brand_share_reach)} of its reach"
        )
    weekly = Table(title=f"Share of voice per {grain}")
    weekly.add_column("bucket")
    for topic in watched:
        weekly.add_column(topic, justify="right")
    buckets = sorted({r.bucket for r in rows})
    cells = {(r.bucket, r.topic): r.share_of_voice for r in rows}
    for b in buckets:
        weekly.add_row(f"{b:%Y-%m-%d}", *(_pct(cells.get((b, t))) for t in watched))
    console.print(weekly)


def register(app: typer.Typer) -> None:
    """Add the trend commands."""
    app.command("trends")(trends_command)
    app.command("themes")(themes_command)
    app.command("sov")(sov_command)
