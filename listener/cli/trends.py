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

from alerts.i18n import translator
from analysis.terms import readable, spellings
from listener.cli._common import (
    DEFAULT_CONFIG,
    ConfigOption,
    console,
    current_clock,
    open_repository,
    settings_from,
    user_errors,
)
from listener.trend_reasons import aspect_explanation, reason_text

if TYPE_CHECKING:
    from analysis.bursts import Burst, Found
    from analysis.rising import Rising
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
    _ = translator(settings.language)
    roles: dict[str, str] = {t.id: str(t.role) for t in settings.topics}
    if topic is None:
        topic = next((t for t, r in roles.items() if r == "brand"), next(iter(roles), ""))
    if topic not in roles:
        known = ", ".join(roles) or _("none")
        console.print("[red]" + _("unknown topic {topic}").format(topic=repr(topic)) + "[/]: "
                      + _("the config has {topics}").format(topics=known))
        raise typer.Exit(2)
    return topic, roles


def _grain(grain: str, _: Callable[[str], str]) -> str:
    return {"hour": _("hour"), "day": _("day"), "week": _("week")}.get(grain, grain)


def _kind(kind: str, _: Callable[[str], str]) -> str:
    names = {"word": _("word"), "phrase": _("phrase"), "hashtag": _("hashtag"), "account": _("account")}
    return names.get(kind, kind)


def _role(role: str, _: Callable[[str], str]) -> str:
    return {"brand": _("brand"), "competitor": _("competitor")}.get(role, role)


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

    topic_id, _roles = _topic(config, topic)
    settings = settings_from(config)
    _ = translator(settings.language)
    now = _now(at)
    since, until = trends.period_bounds(now, int(max(days, 1)), "hour" if grain == "hour" else "day")
    with user_errors():
        repo = open_repository(settings)
        try:
            repo.refresh_rollups()
            points = repo.rollup_series(
                [topic_id], grain="day" if grain == "week" else grain, since=since, until=until
            )
            hourly = repo.rollup_series(
                [topic_id], grain="hour", since=since - timedelta(days=35), until=until
            )
            answer, by_id = report.rising_for(
                repo, topic_id, now=now, window=timedelta(hours=window), since=min(since, now)
            )
        finally:
            repo.close()
    title = _("{topic}: {grain} series, {since} → {until}")
    table = Table(title=title.format(topic=topic_id, grain=_grain(grain, _), since=f"{since:%Y-%m-%d}",
                                     until=f"{until:%Y-%m-%d}"))
    table.add_column(_("bucket"))
    for name in (_("volume"), _("negative"), _("net sentiment"), _("complaints")):
        table.add_column(name, justify="right")
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
    history = bursts.bursts_on_history(counts, since=since, until=until)
    found = _print_bursts_heading(history, settings.language)
    for b in found:
        line = _("{count} negative, {expected} expected, z {z}").format(
            count=b.count, expected=f"{b.expected:.1f}", z=f"{b.peak_z:.1f}"
        )
        console.print(f"  {b.start:%Y-%m-%d %H:%M} → {b.end:%H:%M}: {line}")
    if answer.status != "ok":
        why = reason_text(answer.reason, settings.language)
        console.print("[yellow]" + _("Rising terms: not enough data") + f"[/] ({why})")
        return
    title = _("Rising terms, last {hours} h (distinct authors)").format(hours=f"{window:g}")
    title = _short_title(answer, window, settings.language) or title
    terms_table = Table(title=title)
    for name in (_("group"), _("term"), _("kind")):
        terms_table.add_column(name, overflow="fold")
    for name in (_("authors"), _("expected"), "z"):
        terms_table.add_column(name, justify="right")
    terms_table.add_column(_("example"), overflow="fold")
    forms = spellings(m.text for m in by_id.values())  # counted folded, shown as spelled ("résilié")
    for t in answer.terms:
        example = by_id[t.mention_ids[0]].text if t.mention_ids else ""
        terms_table.add_row(
            readable(answer.groups[t.group].label, forms),
            readable(t.term, forms),
            _kind(t.kind, _),
            str(t.count),
            f"{t.expected:.1f}",
            f"{t.z:.1f}",
            " ".join(example.split())[:80],
        )
    console.print(terms_table if answer.terms else _("No term rises above its baseline."))


def _print_bursts_heading(found: Found, lang: str) -> list[Burst]:
    """Print how many bursts were found, on which history (or why none could be judged); return them."""
    from analysis.bursts import FULL_DAYS

    _ = translator(lang)
    heading = "[bold]" + _("Negative bursts") + "[/] " + _("(seasonal baseline)")
    if found.reason is not None:
        reason = _("Not enough data yet: {reason}.").format(reason=reason_text(found.reason, lang))
        console.print(f"{heading}: {reason}")
        return []
    console.print(f"{heading}: {len(found.bursts) or _('none')}")
    if found.baseline_days < FULL_DAYS:
        note = _("This topic has {count} days of history: the hours of its first {full} days are compared "
                 "with the same hour of the day before, later hours with their usual day and week.")
        console.print("  " + note.format(count=found.history_days, full=FULL_DAYS))
    return found.bursts


def _short_title(answer: Rising, window: float, lang: str) -> str | None:
    """When shorter windows stood in for the usual comparison, print why and return the table's title."""
    if not (answer.usual_reason and answer.window_start and answer.window_end):
        return None
    _ = translator(lang)
    usual = _("The usual comparison ({hours} h against the {windows} windows before) needs a longer history: "
              "{reason}. The period's own shorter windows stand in; the window shown is the one where terms "
              "rose most.")
    why = reason_text(answer.usual_reason, lang)
    console.print(usual.format(hours=f"{window:g}", windows=14, reason=why))
    compared = _("Compared: {start} – {end} ({hours} h, {count} mentions) with the {windows} windows of "
                 "{hours} h before it.")
    return compared.format(
        start=f"{answer.window_start:%Y-%m-%d %H:%M}", end=f"{answer.window_end:%Y-%m-%d %H:%M}",
        hours=round((answer.window_end - answer.window_start) / timedelta(hours=1)),
        count=answer.window_mentions, windows=answer.baseline_windows,
    )


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

    topic_id, _roles = _topic(config, topic)
    now = _now(at)
    settings = settings_from(config)
    _ = translator(settings.language)

    def encoder() -> ThemeEncoder:
        from listener.wiring import theme_encoder

        note = _("computing theme vectors for new mentions (stored for next time)...")
        console.print(f"[dim]{note}[/]")
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
        why = reason_text(found.reason, settings.language)
        console.print("[yellow]" + _("Not enough data for themes") + f"[/]: {why}")
        return
    if answer.discontent:
        title = _("Themes of discontent, {topic}, last {days} days").format(topic=topic_id, days=f"{days:g}")
        table = Table(title=title)
        for name in (
            "#",
            _("theme"),
            _("mentions"),
            _("negativity"),
            _("trend"),
            _("churn risk"),
            _("flag-bearers"),
            _("example"),
        ):
            table.add_column(name, overflow="fold")
        for i, d in enumerate(answer.discontent, 1):
            trend = _("new") if d.trend == float("inf") else f"×{d.trend:.1f}"
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
        table = Table(title=_("Themes, {topic}, last {days} days").format(topic=topic_id, days=f"{days:g}"))
        for name in ("#", _("theme"), _("mentions"), _("languages"), _("example")):
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
    noise = _("{noise} of {total} mentions belong to no theme.").format(
        noise=len(found.noise_ids), total=found.mentions
    )
    console.print(f"[dim]{noise}[/]")
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

    from listener import trends_report as report

    settings = settings_from(config)
    _ = translator(settings.language)
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
                chosen=settings.analysis.aspect_list(),
            )
        finally:
            repo.close()
    counts = Counter(t.aspect for t in tags)
    title = _("Aspects, {topic}, last {days} days ({count} mentions)")
    table = Table(title=title.format(topic=topic, days=f"{days:g}", count=len(by_id)))
    for name in (_("aspect"), _("mentions"), _("example"), _("why")):
        table.add_column(name, overflow="fold")
    in_force = settings.analysis.aspect_list()
    names = {a.id: a.name_fr if settings.language == "fr" else a.name_en for a in in_force}
    for aspect, n in counts.most_common():
        best = max((t for t in tags if t.aspect == aspect), key=lambda t: t.score)
        why = aspect_explanation(best, settings.language)
        table.add_row(names.get(aspect, aspect), str(n), by_id[best.mention_id].text[:80], why)
    console.print(table if counts else _("No mention is close to any aspect."))


def sov_command(
    config: ConfigOption = DEFAULT_CONFIG,
    days: DaysOption = 30.0,
    grain: GrainOption = "week",
    at: AtOption = None,
) -> None:
    """Share of voice: brand against each competitor (volume, negative volume, reach)."""
    from analysis.trends import period_bounds
    from listener import trends_report as report

    _first, roles = _topic(config, None)
    settings = settings_from(config)
    _ = translator(settings.language)
    watched = {t: r for t, r in roles.items() if r in ("brand", "competitor")} or roles
    now = _now(at)
    since, until = period_bounds(now, int(max(days, 1)), "day")
    with user_errors():
        repo = open_repository(settings)
        try:
            shares, pairs, rows = report.sov_for(repo, watched, since=since, until=until, grain=grain)
        finally:
            repo.close()
    table = Table(title=_("Share of voice, {since} → {until}").format(since=f"{since:%Y-%m-%d}",
                                                                      until=f"{until:%Y-%m-%d}"))
    for name in (_("topic"), _("role")):
        table.add_column(name)
    for name in (_("mentions"), _("share"), _("negative share"), _("reach share"), _("net sentiment")):
        table.add_column(name, justify="right")
    for s in shares:
        table.add_row(
            s.topic,
            _role(s.role, _),
            str(s.volume),
            _pct(s.share_volume),
            _pct(s.share_negative),
            _pct(s.share_reach),
            "—" if s.net_sentiment is None else f"{s.net_sentiment:+.2f}",
        )
    console.print(table)
    for p in pairs:
        line = _("{brand} vs {competitor}: {volume} of the pair's mentions, {negative} of its negatives, "
                 "{reach} of its reach")
        console.print(line.format(brand=p.brand, competitor=p.competitor, volume=_pct(p.brand_share_volume),
                                  negative=_pct(p.brand_share_negative), reach=_pct(p.brand_share_reach)))
    weekly = Table(title=_("Share of voice per {grain}").format(grain=_grain(grain, _)))
    weekly.add_column(_("bucket"))
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
