"""``listener demo``: simulate a week of mentions of a fictional brand and show what listener finds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from alerts.i18n import translator
from listener.cli._common import DEFAULT_CONFIG, DEMO_CONFIG, console, current_clock, language, user_errors
from listener.demo import DemoReport, run_demo

_BARS = "▁▂▃▄▅▆▇█"


def _spark(values: list[int]) -> str:
    top = max(values) or 1
    return "".join(_BARS[min(len(_BARS) - 1, round(v / top * (len(_BARS) - 1)))] for v in values)


def render(report: DemoReport) -> None:
    """Print the demo's findings, in the language of the demo's config."""
    _ = translator(report.language)
    langs = ", ".join(f"{lang} {n}" for lang, n in report.by_lang.most_common())
    console.print(Panel.fit(
        _("[bold]Lumio[/] (brand) vs [bold]Ondea[/] and [bold]Fibrix[/] (competitors), simulated from "
          "{start} to {end}").format(start=f"{report.start:%Y-%m-%d}", end=f"{report.end:%Y-%m-%d}") + "\n"
        + _("{stored} mentions stored in {path} ({langs}); {runs} collection runs, {failures} failed; "
            "{echoes} echoes (reposts, copies) grouped under their originals").format(
            stored=report.stored, path=report.db_path, langs=langs, runs=report.runs,
            failures=report.failures, echoes=report.echoes) + "\n"
        + _("stages: {stages}").format(stages=" → ".join(report.stages)),
        title="listener demo"))
    days = sorted({d.day for d in report.daily})
    # No vertical rules: seven days, the trend and the share fit 80 columns without cutting a date.
    table = Table(title=_("Volume per day and share of voice"), box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(_("topic"), no_wrap=True)
    for day in days:
        table.add_column(f"{day:%d/%m}", justify="right", no_wrap=True)
    table.add_column(_("trend"), no_wrap=True)
    table.add_column(_("share"), justify="right", no_wrap=True)
    share = report.share_of_voice
    for topic in dict.fromkeys(d.topic_id for d in report.daily):
        counts = [next((d.mentions for d in report.daily if d.topic_id == topic and d.day == day), 0)
                  for day in days]
        table.add_row(topic, *map(str, counts), _spark(counts), f"{share.get(topic, 0):.0%}")
    console.print(table)
    for title, rows in report.sections.items():
        if not rows:
            continue
        section = Table(title=title, show_header=False)
        for _cell in rows[0]:
            section.add_column(overflow="fold")
        for row in rows:
            section.add_row(*row)
        console.print(section)


def demo(
    db: Annotated[Path, typer.Option("--db", help="SQLite file for the demo (recreated each run).")]
    = Path(".listener/demo.db"),
    seed: Annotated[int, typer.Option(help="Seed of the simulated world (same seed, same demo).")] = 42,
    days: Annotated[int, typer.Option(min=2, max=60, help="Simulated days.")] = 7,
    start: Annotated[datetime | None, typer.Option(
        help="Pin the first simulated day (YYYY-MM-DD, UTC); default: the days ending at midnight today.",
        formats=["%Y-%m-%d"])] = None,
    web: Annotated[bool, typer.Option("--web", help="Then serve the dashboard on the demo database, "
                                      "with a demo account printed on screen.")] = False,
    port: Annotated[int, typer.Option(help="Port of the dashboard with --web.")] = 8080,
) -> None:
    """Simulate a week of French and English mentions and run every stage on them (offline)."""
    from listener.cli._progress import stage_label
    from listener.demo import demo_settings

    language.set(demo_settings(db).language)  # the bars speak the demo's language, as its summary does
    with user_errors(), Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console, transient=True) as bars:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bars.add_task(stage_label(step), total=total)
            bars.update(tasks[step], completed=done, total=total)

        pinned = start.replace(tzinfo=UTC) if start is not None else None
        report = run_demo(db, now=current_clock()(), seed=seed, days=days, start=pinned, progress=progress)
    render(report)
    _ = translator(report.language)
    found = not DEFAULT_CONFIG.exists() and report.config_path.resolve() == DEMO_CONFIG.resolve()
    option = "" if found else f" -c {report.config_path}"
    console.print("\n" + _("explore it: {mentions}, {alerts}, {authors}").format(
        mentions=f"[bold]listener mentions{option} --topic lumio --sentiment negative[/]",
        alerts=f"[bold]listener alerts{option}[/]", authors=f"[bold]listener authors{option}[/]"),
        highlight=False)
    if found:
        console.print(_("(with no {default} here, every command reads {demo})").format(
            default=DEFAULT_CONFIG, demo=DEMO_CONFIG), highlight=False)
    if web:
        from listener.cli.web import serve_demo

        serve_demo(report.config_path, host="127.0.0.1", port=port)
    else:
        console.print(_("or in the browser: {command} (the dashboard, with a demo account)").format(
            command="[bold]listener demo --web[/]"))


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the command line."""
    app.command("demo")(demo)
