"""The demo's idea box end to end: planted ideas grouped across languages, ranked, one planned, CLI on top."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import pytest
from typer.testing import CliRunner

from alerts.i18n import translator
from listener.cli import app
from listener.demo import DemoReport
from storage import Repository
from tests.demo_week import copy_of


@pytest.fixture(scope="module")
def demo(demo_week: DemoReport, tmp_path_factory: pytest.TempPathFactory) -> DemoReport:
    """The shared demo week, copied: the commands below change ideas' status."""
    return copy_of(demo_week, tmp_path_factory.mktemp("ideas-demo"))


def test_the_demo_groups_its_planted_ideas_across_french_and_english(demo: DemoReport) -> None:
    repo = Repository.from_url(f"sqlite:///{demo.db_path}")
    planted: dict[int, Counter[str]] = defaultdict(Counter)
    langs: dict[int, set[str]] = defaultdict(set)
    try:
        store = repo.ideas()
        posts = store.posts([i.id for i in store.search(scope="brand:lumio")])
        for idea_id, items in posts.items():
            for post in items:
                stored = repo.get_mention(post.mention_id)
                feature = stored.mention.raw.get("idea") if stored else None
                if post.kind == "suggestion" and feature:
                    planted[idea_id][str(feature)] += 1
                    langs[idea_id].add(post.lang or "?")
    finally:
        repo.close()
    # An idea is "recovered" when one idea holds most of a feature's suggestions, in both languages.
    recovered = {
        c.most_common(1)[0][0]
        for i, c in planted.items()
        if c.most_common(1)[0][1] / sum(c.values()) >= 0.8 and {"fr", "en"} <= langs[i]
    }
    assert len(recovered) >= 3, dict(planted)
    assert translator(demo.language)("ideas") in demo.stages


def test_the_demo_ranks_ideas_and_plans_the_first_with_replies_in_both_languages(demo: DemoReport) -> None:
    _ = translator(demo.language)  # the demo's titles speak its config's language (the starter's)
    suggest = _("Ideas customers suggest ({placed} suggestions in {ideas} ideas, {votes} votes; "
                "refused: {refused})").split("{")[0]
    title = next(t for t in demo.sections if t.startswith(suggest))
    header, *rows = demo.sections[title]
    assert header[0] == "#" and len(rows) >= 3
    people = [int(r[2]) for r in rows]
    assert people == sorted(people, reverse=True) or rows[0][6] == "planned"
    replies = next(t for t in demo.sections if t.startswith(
        _("Replies drafted: idea #{id} moved to planned ({count} supporters)").split("{")[0]))
    langs = {lang for lang, _ in demo.sections[replies][1:]}
    assert langs and all(text.startswith("@") for _, text in demo.sections[replies][1:])
    asked = _("What customers ask of {name} (openings)").split("{")[0]
    assert any(t.startswith(asked) for t in demo.sections)


def test_the_ideas_commands_work_on_the_demo(demo: DemoReport) -> None:
    runner = CliRunner()
    config = str(demo.config_path)
    listed = runner.invoke(app, ["ideas", "list", "-c", config, "--json", "--scope", "brand:lumio"])
    assert listed.exit_code == 0, listed.output
    ideas = [json.loads(line) for line in listed.output.splitlines()]
    assert ideas[0]["status"] == "planned" and ideas[0]["people"] >= ideas[-1]["people"]
    second = ideas[1]["id"]
    shown = runner.invoke(app, ["ideas", "show", str(second), "-c", config])
    assert shown.exit_code == 0 and f"#{second}" in shown.output
    bad = runner.invoke(app, ["ideas", "status", str(second), "declined", "-c", config])
    assert bad.exit_code == 1 and "reason" in bad.output
    moved = runner.invoke(app, ["ideas", "status", str(second), "under_review", "-c", config, "--by", "cm"])
    assert moved.exit_code == 0 and "@" in moved.output
    report = runner.invoke(app, ["ideas", "report", "-c", config, "--json", "--days", "30"])
    assert report.exit_code == 0, report.output
    data = json.loads(report.output)
    assert data["replies_waiting"] > 0 and data["status_changes"]
