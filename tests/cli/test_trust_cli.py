"""What a user meets at the command line (issue 21): no fictional data in a real database, one schema
rule, bad filters refused, plain author handles. Real CLI (typer's runner), real SQLite files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from listener.cli import app
from listener.core.model import Batch
from storage import Repository
from tests._authors_factory import NOW, author, mention

TOPICS = "topics:\n  - {id: acme, name: Acme, query: acme}\n  - {id: rival, name: Rival, query: rival}\n"
LUMIO = "topics:\n  - {id: lumio, name: Lumio, query: lumio}\n"  # the demo world's brand: it would match
QUIET = "analysis: {enabled: false}\nalerts: {rules: []}\n"


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _count(db: Path) -> int:
    repo = Repository.from_url(f"sqlite:///{db}")
    try:
        return repo.count_mentions()
    finally:
        repo.close()


def test_a_config_without_a_demo_section_collects_nothing_fictional(tmp_path: Path) -> None:
    db = tmp_path / "real.db"
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {{url: 'sqlite:///{db}'}}\n{LUMIO}{QUIET}", encoding="utf-8")
    code, output = _invoke("run", "--once", "-c", str(config))
    assert code == 0, output
    assert _count(db) == 0  # the demo source used to run here: it was on unless switched off
    code, output = _invoke("check", "-c", str(config))
    assert "no source is enabled" in output and "source demo" not in output


def test_the_demo_stream_keeps_to_its_own_database_and_check_warns_beside_real_ones(tmp_path: Path) -> None:
    real = tmp_path / "real.db"
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {{url: 'sqlite:///{real}'}}\n{LUMIO}{QUIET}"
                      "sources:\n  demo: {enabled: true, days: 2}\n", encoding="utf-8")
    code, output = _invoke("run", "--once", "-c", str(config))
    assert code == 0, output
    assert "service: job finished job=demo:lumio outcome=ok" in output  # the log line names its job
    assert not real.exists()  # nothing fictional, not even an empty file, in the real database
    assert _count(tmp_path / ".listener" / "demo-stream.db") > 0
    tables = ((["status"], "demo:lumio"), (["sources"], "lumio"), (["mentions", "-n", "3"], "@"))
    for command, whole in tables:
        shown = CliRunner().invoke(app, [*command, "-c", str(config)], env={"COLUMNS": "80"}).output
        assert whole in shown and "times in UTC" in shown, shown  # readable at 80 columns, zone named
        assert max(len(line) for line in shown.splitlines()) <= 80
        assert "…" not in shown or command[0] == "mentions", shown  # no cell cut ("demo:l…", "2026-1…")
    with config.open("a", encoding="utf-8") as out:
        out.write("  hackernews: {enabled: true}\n")
    code, output = _invoke("check", "-c", str(config))
    flat = " ".join(output.split())
    assert "fictional demo stream is enabled beside hackernews" in flat
    assert "sources.demo.enabled: false" in flat


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    """A config and a database holding two authors called claire_techfr (two sources) and one other."""
    db = tmp_path / "cli.db"
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {{url: 'sqlite:///{db}'}}\n{TOPICS}", encoding="utf-8")
    repo = Repository.from_url(f"sqlite:///{db}", clock=lambda: NOW)
    repo.upgrade()
    for source in ("twitter", "mastodon"):
        claire = author("claire_techfr", source=source, followers=500)
        posts = [mention(f"{source}-old", claire, text="acme box down again", hours_ago=24 * 20),
                 mention(f"{source}-new", claire, text="acme still down", hours_ago=2)]
        repo.upsert_batch(Batch(mentions=tuple(posts), next_cursor=None), source=source, query_id="acme")
    dan = author("dan_streams", followers=40)
    repo.upsert_batch(Batch(mentions=(mention("d1", dan, text="rival is fine", hours_ago=24 * 9),),
                            next_cursor=None), source="twitter", query_id="rival")
    repo.close()
    return config


@pytest.mark.parametrize(("args", "expected"), [
    (["--topic", "nosuch"], "--topic nosuch: unknown topic; choose from acme, rival"),
    (["--sentiment", "furious"], "--sentiment furious: unknown value; choose from negative, neutral, "
                                 "positive"),
    (["--intent", "rant"], "choose from complaint, question, suggestion, praise"),
    (["--search", "facture AND ("], "(column 14)"),
    (["--search", "facture OR panne"], "(column 9)"),
])
def test_mentions_refuses_filters_that_cannot_match(stored: Path, args: list[str], expected: str) -> None:
    code, output = _invoke("mentions", "-c", str(stored), *args)
    assert code != 0
    assert expected in " ".join(output.split())
    assert "mention(s)" not in output


def test_authors_refuses_an_unknown_topic_and_mentions_accepts_good_filters(stored: Path) -> None:
    code, output = _invoke("authors", "-c", str(stored), "--topic", "nosuch", "--at", "2026-11-20T12:00:00")
    assert code != 0 and "choose from acme, rival" in output
    code, output = _invoke("mentions", "-c", str(stored), "--search", '"box down" acm*', "--format", "json")
    assert code == 0, output
    assert len(output.strip().splitlines()) == 2


def test_a_plain_handle_is_accepted_and_a_shared_one_asks_which(stored: Path) -> None:
    at = ["--at", "2026-11-20T12:00:00"]
    code, output = _invoke("author", "dan_streams", "-c", str(stored), *at)
    assert code == 0, output
    assert "@dan_streams" in output
    # "first post" is when they wrote it (nine days before), not the day it was collected
    assert f"first post {(NOW - timedelta(days=9)):%Y-%m-%d}" in output
    code, output = _invoke("author", "claire_techfr", "-c", str(stored), *at)
    assert code == 2
    flat = " ".join(output.split())
    assert "twitter:@claire_techfr" in flat and "mastodon:@claire_techfr" in flat
    code, output = _invoke("author", "mastodon:@claire_techfr", "-c", str(stored), *at)
    assert code == 0, output
    assert f"first post {(NOW - timedelta(days=20)):%Y-%m-%d}" in output


@pytest.mark.parametrize("command", [["status"], ["alerts"], ["sources"], ["mentions"], ["authors"],
                                     ["author", "1"], ["check"], ["db", "current"]])
def test_no_command_but_the_writing_ones_creates_a_database(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "none.db"
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {{url: 'sqlite:///{db}'}}\n{TOPICS}", encoding="utf-8")
    code, output = _invoke(*command, "-c", str(config))
    assert not db.exists(), f"{command} created {db}"
    assert "listener db upgrade" in " ".join(output.split())
    if command[0] not in ("check", "db"):
        assert code == 1
    code, output = _invoke("db", "upgrade", "-c", str(config))
    assert code == 0 and db.exists()
    code, output = _invoke(*command, "-c", str(config))
    assert "no listener schema" not in output and "does not exist" not in output


def test_an_existing_empty_database_is_refused_the_same_way(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    db.touch()
    config = tmp_path / "config.yaml"
    config.write_text(f"database: {{url: 'sqlite:///{db}'}}\n", encoding="utf-8")
    for command in (["status"], ["alerts"], ["mentions"]):
        code, output = _invoke(*command, "-c", str(config))
        flat = " ".join(output.split())
        assert code == 1 and "has no listener schema yet: run 'listener db upgrade'" in flat
    repo = Repository.from_url(f"sqlite:///{db}")
    try:
        assert repo.schema_revision() is None  # status and alerts used to create it silently
    finally:
        repo.close()


def test_help_groups_the_commands_in_plain_text() -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["--help"], env={"COLUMNS": "100"}).output
    panels = ["Set-up", "Collection", "Analysis", "People", "Alerts", "Data"]
    assert [p for p in sorted(panels, key=lambda p: shown.find(f"─ {p} ")) if f"─ {p} " in shown] == panels
    assert "─ More " not in shown and "─ Commands " not in shown  # every command has its panel
    for args in (["--help"], ["mentions", "--help"], ["label", "--help"], ["themes", "--help"],
                 ["db", "--help"], ["db", "upgrade", "--help"]):
        text = runner.invoke(app, args, env={"COLUMNS": "100"}).output
        assert "``" not in text and "<bool>" not in text, args


def test_the_refusals_speak_the_configs_language(stored: Path) -> None:
    french = stored.parent / "fr.yaml"
    french.write_text(stored.read_text(encoding="utf-8") + "language: fr\n", encoding="utf-8")
    code, output = _invoke("mentions", "-c", str(french), "--sentiment", "furious")
    assert code == 2
    assert "--sentiment furious : valeur inconnue ; choisissez parmi negative" in " ".join(output.split())
    empty = stored.parent / "empty.db"
    french.write_text(f"database: {{url: 'sqlite:///{empty}'}}\nlanguage: fr\n", encoding="utf-8")
    code, output = _invoke("status", "-c", str(french))
    flat = " ".join(output.split())
    assert code == 1 and "n'existe pas encore : lancez d'abord 'listener db upgrade'" in flat
