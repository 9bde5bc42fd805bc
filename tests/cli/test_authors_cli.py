"""``listener authors``, ``author`` and ``forget-author`` against a real SQLite database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from analysis.embedding_cache import EmbeddingCache, text_key
from listener.cli import app
from listener.core.model import Annotation, Batch, Mention
from storage import Repository
from storage.records import MentionFilter, TopicMatch
from tests._authors_factory import NOW, author, mention

AT = ["--at", NOW.strftime("%Y-%m-%dT%H:%M:%S")]


def _world() -> tuple[list[Mention], list[Annotation]]:
    critic = author("critic_claire", followers=700)
    fan = author("fan_fred", followers=650)
    star = author("star_sam", followers=900_000)
    spam = author("promo_bot", followers=20)
    out = [
        mention(
            "c1", critic, text="fourth week without internet, nobody answers", likes=40, reposts=12, replies=8
        ),
        mention("c2", critic, text="support closed my ticket again", likes=3, hours_ago=30),
        mention("f1", fan, text="the new box is great", likes=35, reposts=5, replies=3),
        mention("s1", star, text="good morning everyone"),
    ]
    out += [
        mention(f"r{i}", author(f"echo{i}", followers=30), text="same for me", reply_to=out[0])
        for i in range(5)
    ]
    out += [
        mention(f"p{i}", spam, text=f"WIN A PHONE {i} https://promo.example", hours_ago=i / 20)
        for i in range(60)
    ]
    labels = {"c1": "negative", "c2": "negative", "f1": "positive", "s1": "neutral"}
    notes = [
        Annotation(source="twitter", external_id=k, stage="sentiment", version="t", label=v, scores={v: 0.9})
        for k, v in labels.items()
    ]
    notes += [Annotation(source="twitter", external_id="c1", stage="intent", version="t", label="complaint")]
    return out, notes


@pytest.fixture
def config(tmp_path: Path) -> Path:
    db = tmp_path / "cli.db"
    path = tmp_path / "config.yaml"
    path.write_text(f"database:\n  url: sqlite:///{db}\n", encoding="utf-8")
    repo = Repository.from_url(f"sqlite:///{db}", clock=lambda: NOW)
    repo.upgrade()
    mentions, notes = _world()
    repo.upsert_batch(Batch(mentions=tuple(mentions), next_cursor=None), source="twitter", query_id="brand")
    repo.save_annotations(notes)
    ids = {s.mention.external_id: s.id for s in repo.search_mentions(MentionFilter(limit=None))}
    repo.save_topic_matches(
        TopicMatch(mention_id=i, topic_id="rival" if ext == "f1" else "brand") for ext, i in ids.items()
    )
    repo.close()
    return path


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_authors_ranks_by_influence_without_bots(config: Path) -> None:
    out = _run("authors", "-c", str(config), *AT)
    assert out.index("critic_claire") < out.index("star_sam")
    assert "promo_bot" not in out
    assert "marked as bots are left out" in out


def test_authors_role_flag_bearer_shows_the_grievance(config: Path) -> None:
    out = _run("authors", "-c", str(config), "--role", "flag-bearer", *AT)
    assert "critic_claire" in out and "fan_fred" not in out
    assert "fourth" in out  # the most echoed grievance (the column wraps)


def test_authors_role_leader_shows_friends_and_critics(config: Path) -> None:
    out = _run("authors", "-c", str(config), "--role", "leader", "--limit", "3", *AT)
    assert "critic" in out and "friend" in out


def test_unknown_role_is_refused(config: Path) -> None:
    result = CliRunner().invoke(app, ["authors", "-c", str(config), "--role", "boss"])
    assert result.exit_code == 2 and "unknown role" in result.output


def test_author_shows_profile_breakdown_and_mentions(config: Path) -> None:
    out = _run("author", "twitter:critic_claire", "-c", str(config), *AT)
    assert "Critic_Claire" in out and "rank 1/" in out
    assert "reach" in out and "engagement" in out and "network" in out
    assert "support closed my ticket" in out and "complaint" in out


def test_author_marks_a_bot(config: Path) -> None:
    out = _run("author", "twitter:promo_bot", "-c", str(config), *AT)
    assert "marked as a bot" in out and "duplicates" in out


def test_unknown_author_is_a_clear_error(config: Path) -> None:
    result = CliRunner().invoke(app, ["author", "twitter:nobody", "-c", str(config)])
    assert result.exit_code == 1 and "no author" in result.output


def test_forget_author_asks_then_erases(config: Path, tmp_path: Path) -> None:
    refused = CliRunner().invoke(
        app, ["forget-author", "twitter:critic_claire", "-c", str(config)], input="n\n"
    )
    assert refused.exit_code != 0
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'cli.db'}")
    assert repo.get_author("twitter:critic_claire") is not None
    repo.close()

    cache_path = tmp_path / ".listener" / "cache" / "features.npz"
    cache = EmbeddingCache(cache_path)
    texts = ["fourth week without internet, nobody answers", "the new box is great"]
    cache.embed(texts, lambda batch: np.ones((len(batch), 4), dtype=np.float32), dim=4)

    out = _run("forget-author", "twitter:critic_claire", "-c", str(config), "--yes")
    assert "2 mention(s) erased" in out and "1 cached vector(s) dropped" in out
    reloaded = EmbeddingCache(cache_path)
    assert reloaded.forget({text_key(texts[0])}) == 0  # her text's digest is gone from the file
    assert reloaded.forget({text_key(texts[1])}) == 1  # someone else's stays
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'cli.db'}")
    assert repo.get_author("twitter:critic_claire") is None
    left = repo.search_mentions(MentionFilter(since=NOW - timedelta(days=9), limit=None))
    assert all(s.mention.author.handle != "critic_claire" for s in left)
    repo.close()


def test_author_can_be_found_by_handle(config: Path) -> None:
    out = _run("author", "twitter:@critic_claire", "-c", str(config), *AT)
    assert "key twitter:critic_claire" in out
    plain = _run("author", "critic_claire", "-c", str(config), *AT)  # a plain handle, one source has it
    assert "key twitter:critic_claire" in plain
    missing = CliRunner().invoke(app, ["author", "nobody_here", "-c", str(config)])
    assert missing.exit_code == 1 and "source:@handle" in missing.output


def test_authors_topic_and_source_filters(config: Path) -> None:
    rival = _run("authors", "-c", str(config), "--topic", "rival", *AT)
    assert "fan_fred" in rival and "critic_claire" not in rival
    elsewhere = _run("authors", "-c", str(config), "--source", "reddit", *AT)
    assert "critic_claire" not in elsewhere and "fan_fred" not in elsewhere


def test_forget_author_can_block_someone_not_yet_collected(config: Path, tmp_path: Path) -> None:
    out = _run("forget-author", "twitter:not_seen_yet", "-c", str(config), "--yes")
    assert "0 mention(s) erased" in out
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'cli.db'}")
    try:
        result = repo.upsert_batch(
            Batch(mentions=(mention("n1", author("not_seen_yet")),), next_cursor=None),
            source="twitter",
            query_id="brand",
        )
        assert result.skipped == 1 and repo.get_author("twitter:not_seen_yet") is None
    finally:
        repo.close()
    missing = CliRunner().invoke(app, ["forget-author", "twitter:@nobody", "-c", str(config), "--yes"])
    assert missing.exit_code == 1 and "no author" in missing.output
