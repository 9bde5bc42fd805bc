"""The idea box in ``listener demo``: group the simulated customers' suggestions, rank them, plan one.

It runs the same job and workflow the service and the CLI run, on the demo database: the ideas job
(with the analysis model's encoder), the board, and a status change to ``planned`` for the brand's
best-supported idea, which drafts a reply to each of its supporters in their own language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from analysis.ideas.grouping import Embed
from listener.core.model import Query
from listener.idea_box.board import Crowd, board
from listener.idea_box.grouping_job import refresh_ideas
from listener.idea_box.workflow import change_status
from storage import Repository


def idea_sections(
    repository: Repository, embed: Embed, queries: Sequence[Query], *, since: datetime, now: datetime,
    lang: str = "en",
) -> dict[str, list[tuple[str, ...]]]:
    """Group, rank and plan; return the demo's tables (title -> rows, first row the header), in ``lang``."""
    from alerts.i18n import translator

    _ = translator(lang)
    run = refresh_ideas(repository, embed, queries, since=since, until=now + timedelta(seconds=1))
    crowd = Crowd.of(repository, now=now, days=max((now - since).days, 1))
    brand = next(q.id for q in queries if q.role == "brand")
    rows = board(repository, now=now, crowd=crowd, scope=f"brand:{brand}")
    header = ("#", _("idea"), _("people"), _("votes"), _("langs"), _("score"), _("status"))
    sections: dict[str, list[tuple[str, ...]]] = {}
    if rows:
        top = rows[0]
        change = change_status(
            repository, top.idea.id, "planned", actor="demo", owner="product team", bots=crowd.bots
        )
        rows = board(repository, now=now, crowd=crowd, scope=f"brand:{brand}")
        refused = ", ".join(f"{k} {v}" for k, v in sorted(run.refused.items())) or _("none")
        title = _(
            "Ideas customers suggest ({placed} suggestions in {ideas} ideas, {votes} votes; "
            "refused: {refused})"
        ).format(placed=run.placed, ideas=len(rows), votes=run.votes, refused=refused)
        sections[title] = [header, *(_line(r, lang) for r in rows[:8])]
        sections[
            _("Replies drafted: idea #{id} moved to planned ({count} supporters)").format(
                id=top.idea.id, count=len(change.replies))
        ] = [(_("lang"), _("reply")), *((r.lang, r.text) for r in change.replies[:6])]
    for query in queries:
        if query.role != "competitor":
            continue
        theirs = board(repository, now=now, crowd=crowd, scope=f"competitor:{query.id}")
        if theirs:
            sections[_("What customers ask of {name} (openings)").format(name=query.name)] = [
                header,
                *(_line(r, lang) for r in theirs[:3]),
            ]
    return sections


def _line(row: object, lang: str) -> tuple[str, ...]:
    from listener.idea_box.board import BoardRow
    from listener.idea_box.messages import STATUS_LABELS

    assert isinstance(row, BoardRow)
    s = row.support
    langs = " ".join(f"{k}:{v}" for k, v in sorted(s.langs.items()))
    return (
        str(row.idea.id),
        row.idea.title,
        str(s.people),
        str(s.voters),
        langs,
        f"{s.score:.2f}",
        STATUS_LABELS.get(row.idea.status, {}).get("fr" if lang == "fr" else "en", row.idea.status),
    )
