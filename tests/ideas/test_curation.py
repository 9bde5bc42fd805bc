"""Curation and workflow on real storage (SQLite and PostgreSQL): merge, split, rename, status, replies."""

from __future__ import annotations

import pytest
from idea_world import QUERIES, Clock, World

from analysis.ideas.lexical import LexicalEmbedder
from listener.idea_box.board import Crowd, board, public_roadmap, weekly_report
from listener.idea_box.grouping_job import refresh_ideas
from listener.idea_box.workflow import WorkflowError, change_status
from storage import Repository


def _ideas(world: World, lexical: LexicalEmbedder) -> dict[str, int]:
    """Two ideas: a dark mode (EN + FR suggestions, a vote) and PDF invoices."""
    first = world.post("Lumio please add a dark mode to the mobile app", who="ann")
    world.post("Lumio please add a dark mode to the mobile app, mode sombre", who="bea", lang="fr")
    world.post("Lumio should export invoices as PDF files", who="cat")
    world.post("@lumio +1", who="dan", reply_to=first, intents=(), lang="fr")
    refresh_ideas(world.repo, lexical, QUERIES, threshold=0.45, cross_threshold=0.45)
    ideas = world.repo.ideas().search()
    return {("dark" if "dark" in i.title.lower() else "pdf"): i.id for i in ideas}


def test_planning_an_idea_drafts_one_reply_per_supporter_in_their_language(
    world: World, repo: Repository, lexical: LexicalEmbedder
) -> None:
    ids = _ideas(world, lexical)
    change = change_status(repo, ids["dark"], "planned", actor="cm", owner="app team")
    by_lang = sorted((r.lang, r.text.split()[0]) for r in change.replies)
    assert by_lang == [("en", "@ann"), ("fr", "@bea"), ("fr", "@dan")]
    assert all("prévue" in r.text for r in change.replies if r.lang == "fr")
    idea = repo.ideas().get(ids["dark"])
    assert idea is not None and (idea.status, idea.owner) == ("planned", "app team")
    stored = repo.ideas().replies(ids["dark"])
    assert [r.state for r in stored] == ["drafted"] * 3
    assert repo.ideas().mark_sent([stored[0].id, stored[1].id]) == 2
    assert repo.ideas().mark_sent([stored[0].id]) == 0  # already sent: counted once
    assert repo.ideas().loops_closed() == 2
    history = [(e.kind, e.from_status, e.to_status) for e in repo.ideas().history(ids["dark"])]
    assert history == [("opened", None, "new"), ("status", "new", "planned")]


def test_declining_needs_a_reason_and_bots_get_no_reply(
    world: World, repo: Repository, lexical: LexicalEmbedder
) -> None:
    ids = _ideas(world, lexical)
    with pytest.raises(WorkflowError):
        change_status(repo, ids["pdf"], "declined")
    with pytest.raises(WorkflowError):
        change_status(repo, ids["pdf"], "shipped")
    change = change_status(repo, ids["dark"], "declined", reason="not this year", bots=frozenset({"t:dan"}))
    assert sorted(r.text.split()[0] for r in change.replies) == ["@ann", "@bea"]
    assert all("not this year" in r.text for r in change.replies)


def test_merge_split_rename_keep_history_and_support(
    world: World, repo: Repository, lexical: LexicalEmbedder, clock: Clock
) -> None:
    ids = _ideas(world, lexical)
    store = repo.ideas()
    store.merge(ids["dark"], ids["pdf"], actor="cm")
    merged = store.get(ids["pdf"])
    assert merged is not None and (merged.status, merged.merged_into_id) == ("merged", ids["dark"])
    rows = board(repo, now=clock.now, crowd=Crowd())
    assert [(r.idea.id, r.support.people) for r in rows] == [(ids["dark"], 4)]
    pdf_post = next(p.mention_id for p in store.posts([ids["dark"]])[ids["dark"]] if "PDF" in p.text)
    new_id = store.split(ids["dark"], [pdf_post], title="PDF invoices", actor="cm")
    store.rename(ids["dark"], "Dark mode in the app", actor="cm")
    refresh_ideas(repo, lexical, QUERIES, threshold=0.45, cross_threshold=0.45)
    dark = store.get(ids["dark"])
    assert dark is not None and dark.title == "Dark mode in the app" and dark.is_title_locked
    assert sorted(r.support.people for r in board(repo, now=clock.now, crowd=Crowd())) == [1, 3]
    assert [e.kind for e in store.history(ids["dark"])] == ["opened", "absorbed", "split", "renamed"]
    assert [e.kind for e in store.history(new_id)] == ["opened"]


def test_reports_and_public_roadmap_hold_no_personal_data(
    world: World, repo: Repository, lexical: LexicalEmbedder, clock: Clock
) -> None:
    ids = _ideas(world, lexical)
    change_status(repo, ids["dark"], "under_review", actor="cm")
    report = weekly_report(repo, now=clock.now, crowd=Crowd())
    assert next(i["id"] for i in report["new_and_rising"]["brand:lumio"]) == ids["dark"]
    assert report["status_changes"][0]["to"] == "under_review"
    assert report["replies_waiting"] == 3
    roadmap = public_roadmap(repo, now=clock.now, crowd=Crowd(), scope="brand:lumio")
    assert [(r["status"], r["supporters"]) for r in roadmap] == [("under_review", 3)]
    assert "ann" not in str(roadmap) and "@" not in str(roadmap)


def test_forgetting_an_author_removes_their_part_of_ideas(
    world: World, repo: Repository, lexical: LexicalEmbedder, clock: Clock
) -> None:
    ids = _ideas(world, lexical)
    change_status(repo, ids["dark"], "planned")
    repo.erase_author("t", "bea")
    posts = repo.ideas().posts([ids["dark"]])[ids["dark"]]
    assert sorted(p.handle for p in posts) == ["ann", "dan"]
    assert sorted(r.handle for r in repo.ideas().replies(ids["dark"])) == ["ann", "dan"]
