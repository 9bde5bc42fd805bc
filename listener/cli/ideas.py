"""``listener ideas``: the idea box (list, show, refresh, merge, split, rename, status, sent, report).

Commands parse arguments and call ``listener.idea_box``; every sentence comes from its messages, in
the configured language.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated

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
from listener.config import Settings
from listener.idea_box.messages import STATUS_LABELS, WORDS, Lang
from storage import Repository

ideas_app = typer.Typer(
    help="The idea box: customers' suggestions grouped, ranked and answered.", no_args_is_help=True
)

DaysOption = Annotated[
    float, typer.Option("--days", "-d", min=0.01, help="Support counted over the last N days.")
]
ScopeOption = Annotated[
    str | None, typer.Option("--scope", help="brand:<topic>, competitor:<topic> or campaign:<topic>.")
]
ByOption = Annotated[str | None, typer.Option("--by", help="Who makes the change (kept in the history).")]


@dataclass(frozen=True, slots=True)
class _Ctx:
    settings: Settings
    repo: Repository
    lang: Lang

    def w(self, key: str, **values: object) -> str:
        return WORDS[self.lang][key].format(**values)


@contextmanager
def _open(config: Path) -> Iterator[_Ctx]:
    settings = settings_from(config)
    with user_errors():
        repo = open_repository(settings)
        try:
            yield _Ctx(settings=settings, repo=repo, lang=settings.language)
        finally:
            repo.close()


def _label(status: str, lang: Lang) -> str:
    return STATUS_LABELS.get(status, {}).get(lang, status)


@ideas_app.command("list")
def list_ideas(
    config: ConfigOption = DEFAULT_CONFIG,
    scope: ScopeOption = None,
    days: DaysOption = 30.0,
    status: Annotated[list[str] | None, typer.Option("--status", help="Only these statuses.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per idea.")] = False,
) -> None:
    """Rank ideas by support (people, engagement, influence, recency); bots left out."""
    from listener.idea_box.board import LIVE, Crowd, board, summary

    with _open(config) as ctx:
        now = current_clock()()
        rows = board(
            ctx.repo,
            now=now,
            crowd=Crowd.of(ctx.repo, now=now, days=days),
            scope=scope,
            statuses=tuple(status or LIVE),
        )[:limit]
        if as_json:
            for row in rows:
                typer.echo(json.dumps(summary(row), ensure_ascii=False))
            return
        if not rows:
            console.print(ctx.w("none"))
            return
        table = Table()
        for name in (
            "#",
            ctx.w("title"),
            ctx.w("status"),
            ctx.w("score"),
            ctx.w("people"),
            ctx.w("votes"),
            ctx.w("langs"),
            ctx.w("scope"),
        ):
            table.add_column(name, overflow="fold")
        for row in rows:
            s = row.support
            table.add_row(
                str(row.idea.id),
                row.idea.title,
                _label(row.idea.status, ctx.lang),
                f"{s.score:.2f}",
                str(s.people),
                str(s.voters),
                " ".join(f"{k}:{v}" for k, v in sorted(s.langs.items())),
                row.idea.scope,
            )
        console.print(table)


@ideas_app.command("show")
def show(idea_id: int, config: ConfigOption = DEFAULT_CONFIG, days: DaysOption = 30.0) -> None:
    """One idea: its support, suggestions and votes, history and drafted replies."""
    from listener.idea_box.board import Crowd, board

    with _open(config) as ctx:
        now = current_clock()()
        rows = [
            r
            for r in board(
                ctx.repo, now=now, crowd=Crowd.of(ctx.repo, now=now, days=days), statuses=tuple(STATUS_LABELS)
            )
            if r.idea.id == idea_id
        ]
        idea = ctx.repo.ideas().get(idea_id)
        if idea is None:
            raise typer.BadParameter(f"#{idea_id}")
        console.print(
            f"[bold]#{idea.id} {idea.title}[/] ({_label(idea.status, ctx.lang)}, {idea.scope})",
            highlight=False,
        )
        if rows:
            s = rows[0].support
            console.print(
                f"{ctx.w('score')} {s.score:.2f} · {ctx.w('people')} {s.people} "
                f"({ctx.w('suggested')} {s.suggesters}, {ctx.w('votes')} {s.voters}) · "
                f"engagement {s.engagement} · influence {s.influence:.2f} · "
                f"{s.bots_left_out} {ctx.w('bots')}",
                highlight=False,
            )
        posts = ctx.repo.ideas().posts([idea_id])[idea_id]
        console.print(f"\n[bold]{ctx.w('suggestions')}[/]")
        for post in posts:
            mark = "+" if post.kind == "vote" else "•"
            console.print(
                f" {mark} [{post.mention_id}] @{post.handle} ({post.lang or '?'}): "
                f"{' '.join(post.text.split())[:160]}",
                highlight=False,
                markup=False,
            )
        console.print(f"\n[bold]{ctx.w('history')}[/]")
        for event in ctx.repo.ideas().history(idea_id):
            change = f"{event.from_status or ''} -> {event.to_status}" if event.to_status else ""
            console.print(
                f" {event.at:%Y-%m-%d %H:%M} {event.kind} {change} {event.actor or ''} {event.note or ''}",
                highlight=False,
                markup=False,
            )
        _print_replies(ctx, idea_id)


def _print_replies(ctx: _Ctx, idea_id: int) -> None:
    replies = ctx.repo.ideas().replies(idea_id)
    if replies:
        console.print(f"\n[bold]{ctx.w('replies')}[/]")
    for reply in replies:
        console.print(
            f" [{reply.id}] {reply.state} ({reply.lang}) -> {reply.mention_id}: {reply.text}",
            highlight=False,
            markup=False,
        )


@ideas_app.command("refresh")
def refresh(
    config: ConfigOption = DEFAULT_CONFIG,
    days: DaysOption = 30.0,
    lexical: Annotated[
        bool, typer.Option("--lexical", help="Group by shared words, without the model.")
    ] = False,
) -> None:
    """Place new suggestions in ideas and count agreeing replies as votes (what the service does hourly)."""
    from listener.idea_box.grouping_job import refresh_ideas

    with _open(config) as ctx:
        now = current_clock()()
        if lexical:
            from analysis.ideas.lexical import LexicalEmbedder

            run = refresh_ideas(
                ctx.repo,
                LexicalEmbedder(),
                ctx.settings.queries(),
                since=now - timedelta(days=days),
                threshold=0.45,
                cross_threshold=0.45,
            )
        else:
            from listener.wiring import load_analyzer

            model = load_analyzer(ctx.settings)
            run = refresh_ideas(
                ctx.repo, model.encoder.embed, ctx.settings.queries(), since=now - timedelta(days=days)
            )
        console.print(
            ctx.w(
                "refreshed",
                placed=run.placed,
                opened=run.opened,
                votes=run.votes,
                refused=dict(run.refused) or 0,
            ),
            highlight=False,
        )


@ideas_app.command("merge")
def merge(
    target: int, sources: list[int], config: ConfigOption = DEFAULT_CONFIG, by: ByOption = None
) -> None:
    """Merge ideas SOURCES into TARGET (their suggestions, votes and replies move; they become 'merged')."""
    with _open(config) as ctx:
        for source in sources:
            if (
                source == target
                or ctx.repo.ideas().get(source) is None
                or ctx.repo.ideas().get(target) is None
            ):
                raise typer.BadParameter(f"#{source} -> #{target}")
            ctx.repo.ideas().merge(target, source, actor=by)
            console.print(ctx.w("merged", source=source, target=target))


@ideas_app.command("split")
def split(
    idea_id: int,
    mention_ids: list[int],
    config: ConfigOption = DEFAULT_CONFIG,
    by: ByOption = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the new idea.")] = None,
) -> None:
    """Move some suggestions (by mention id, see 'ideas show') of an idea into a new idea."""
    from listener.idea_box.grouping_job import retitle

    with _open(config) as ctx:
        store = ctx.repo.ideas()
        members = {p.mention_id for p in store.posts([idea_id])[idea_id] if p.kind == "suggestion"}
        if not set(mention_ids) <= members or set(mention_ids) == members:
            raise typer.BadParameter(f"mention ids must be some (not all) suggestions of #{idea_id}")
        new_id = store.split(idea_id, mention_ids, title=title or "…", actor=by)
        retitle(store, [idea_id] + ([] if title else [new_id]))
        console.print(ctx.w("split", idea=new_id))


@ideas_app.command("rename")
def rename(idea_id: int, title: str, config: ConfigOption = DEFAULT_CONFIG, by: ByOption = None) -> None:
    """Give an idea your own title (new suggestions no longer change it)."""
    with _open(config) as ctx:
        if ctx.repo.ideas().get(idea_id) is None or not title.strip():
            raise typer.BadParameter(f"#{idea_id}")
        ctx.repo.ideas().rename(idea_id, title.strip(), actor=by)
        console.print(ctx.w("renamed", idea=idea_id))


@ideas_app.command("status")
def status(
    idea_id: int,
    new_status: Annotated[str, typer.Argument(metavar="STATUS")],
    config: ConfigOption = DEFAULT_CONFIG,
    by: ByOption = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (required to decline).")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Who takes the idea on.")] = None,
) -> None:
    """Move an idea (new, under_review, planned, shipped, declined) and draft a reply to each supporter."""
    from listener.idea_box.board import Crowd
    from listener.idea_box.workflow import change_status

    with _open(config) as ctx:
        crowd = Crowd.of(ctx.repo, now=current_clock()())
        change = change_status(
            ctx.repo,
            idea_id,
            new_status,
            actor=by,
            reason=reason,
            owner=owner,
            bots=crowd.bots,
            lang=ctx.lang,
        )
        console.print(ctx.w("drafted", n=len(change.replies)))
        for reply in change.replies:
            console.print(f" ({reply.lang}) {reply.text}", highlight=False, markup=False)


@ideas_app.command("sent")
def sent(reply_ids: list[int], config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Mark drafted replies as posted: each closes the loop with one supporter."""
    with _open(config) as ctx:
        changed = ctx.repo.ideas().mark_sent(reply_ids)
        console.print(ctx.w("sent", n=changed, loops=ctx.repo.ideas().loops_closed()))


@ideas_app.command("report")
def report(
    config: ConfigOption = DEFAULT_CONFIG,
    days: DaysOption = 7.0,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The weekly ideas report: new and rising ideas per scope, status changes, loops closed."""
    from listener.idea_box.board import Crowd, weekly_report

    with _open(config) as ctx:
        now = current_clock()()
        data = weekly_report(
            ctx.repo, now=now, crowd=Crowd.of(ctx.repo, now=now, days=max(days, 30.0)), days=days
        )
        if as_json:
            typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
            return
        console.print(f"[bold]{ctx.w('report')}[/] ({data['since'][:10]} → {data['until'][:10]})")
        console.print(f"\n[bold]{ctx.w('rising')}[/]")
        for scope, items in data["new_and_rising"].items():
            console.print(f" {scope}", highlight=False)
            for item in items:
                console.print(
                    f"   #{item['id']} {item['title']} — {ctx.w('people')} {item['people']} "
                    f"(+{item['new_people']}), {_label(item['status'], ctx.lang)}",
                    highlight=False,
                    markup=False,
                )
        console.print(f"\n[bold]{ctx.w('changes')}[/]")
        for change in data["status_changes"]:
            console.print(
                f"   #{change['idea']} {change['title']}: {change['from']} -> {change['to']}",
                highlight=False,
                markup=False,
            )
        console.print(
            f"\n{ctx.w('loops')}: {data['loops_closed']} · {ctx.w('waiting')}: {data['replies_waiting']}"
        )


def register(app: typer.Typer) -> None:
    """Add the ``ideas`` command group."""
    app.add_typer(ideas_app, name="ideas")
