"""GDPR erasure: every trace of an author's personal data goes, aggregates stay, the tombstone holds.

Runs on a real SQLite file and a real PostgreSQL database (``db_url``). The people and texts are our
own inventions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from listener.core.model import Alert, Annotation, Author, Batch, Mention, Metrics, Reference
from storage import Repository
from storage.records import MentionFilter, TopicMatch

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
JANE = Author(
    source="twitter",
    external_id="98765432101",
    handle="jane_doeuf",
    display_name="Janette Doeuf",
    followers=321,
    url="https://twitter.example/jane_doeuf",
    created_at=NOW - timedelta(days=800),
)
BOB = Author(
    source="twitter", external_id="55501", handle="bob_martel", display_name="Bob Martel", followers=50
)
CARL = Author(source="twitter", external_id="77702", handle="carl_reposts", followers=12)
SECRET_WORD = "zorglubium"
"""A word only Jane ever wrote: it must vanish from every table and from the search index."""
IDENTIFIERS = (
    "jane_doeuf",
    "Janette Doeuf",
    SECRET_WORD,
    "twitter.example/jane_doeuf",
    "third call today",  # a phrase of her text that a repost copies word for word
)


def _mention(mid: str, who: Author, text: str, hours_ago: float, **extra: object) -> Mention:
    return Mention(
        source="twitter",
        external_id=mid,
        text=text,
        author=who,
        published_at=NOW - timedelta(hours=hours_ago),
        fetched_at=NOW,
        metrics=Metrics(likes=3, reposts=1, replies=1),
        **extra,  # type: ignore[arg-type]
    )


def _jane_mentions() -> list[Mention]:
    return [
        _mention("j1", JANE, f"the {SECRET_WORD} refund saga continues, third call today", 30),
        _mention(
            "j2",
            JANE,
            f"still no {SECRET_WORD} refund, support hung up",
            5,
            raw={"user": {"name": "Janette Doeuf"}},
        ),
    ]


def _bob_mentions() -> list[Mention]:
    reply = _mention(
        "b1",
        BOB,
        "@jane_doeuf same here, they never answer",
        4,
        in_reply_to="j2",
        references=(Reference(kind="reply", external_id="j2", author_external_id=JANE.external_id),),
        mentioned_handles=("jane_doeuf",),
        raw={
            "in_reply_to_user_id": JANE.external_id,
            "entities": {"mentions": [{"username": "jane_doeuf"}]},
            "includes": {"tweets": [{"text": f"still no {SECRET_WORD} refund, support hung up"}]},
        },
    )
    own = _mention("b2", BOB, "lovely weather for a bike ride", 2)
    return [reply, own]


def _carl_repost() -> Mention:
    """A repost as the demo and Bluesky store it: Jane's words and Jane's URL under Carl's name."""
    return _mention(
        "c1",
        CARL,
        f"the {SECRET_WORD} refund saga continues, third call today",
        3,
        url="https://twitter.example/jane_doeuf/status/j1",
        links=("https://twitter.example/jane_doeuf/status/j1", "https://example.org/refunds"),
        references=(Reference(kind="repost", external_id="j1", author_external_id=None),),
        raw={"repost_of": "j1"},
    )


@pytest.fixture
def repo(db_url: str) -> Iterator[Repository]:
    """A migrated repository holding Jane, Bob, annotations, topics, a label, an echo and an alert."""
    repository = Repository.from_url(db_url, clock=lambda: NOW)
    repository.upgrade()
    repository.upsert_batch(
        Batch(mentions=(*_jane_mentions(), *_bob_mentions(), _carl_repost()), next_cursor=None),
        source="twitter",
        query_id="brand",
    )
    ids = {m.mention.external_id: m.id for m in repository.search_mentions(MentionFilter(limit=None))}
    repository.save_annotations(
        Annotation(
            source="twitter",
            external_id=mid,
            stage="sentiment",
            version="t",
            label="negative",
            scores={"negative": 0.9},
            explanation=f"cue words: {SECRET_WORD}" if mid.startswith("j") else None,
        )
        for mid in ("j1", "j2", "b1")
    )
    repository.save_topic_matches(
        [TopicMatch(mention_id=ids[m], topic_id="brand", terms=("refund",)) for m in ("j1", "j2", "b1", "b2")]
    )
    repository.save_label(ids["j1"], "sentiment", "negative")
    repository.set_echo_groups({ids["b1"]: ids["j2"], ids["c1"]: ids["j1"]})
    repository.record_alert(
        Alert(
            rule_id="flag-bearer",
            kind="author",
            subject="twitter:98765432101",
            severity="warning",
            window_start=NOW - timedelta(days=1),
            window_end=NOW,
            title="jane_doeuf is carrying the discontent",
            summary=f"@jane_doeuf (Janette Doeuf): still no {SECRET_WORD} refund, support hung up",
            details={"author": "twitter:98765432101", "handle": "jane_doeuf", "followers": 321},
            mention_ids=(ids["j1"], ids["j2"], ids["b1"]),
        )
    )
    yield repository
    repository.close()


def _dump(url: str) -> dict[str, list[str]]:
    """Return every row of every ordinary table as text (the FTS shadow tables are checked apart)."""
    engine = sa.create_engine(url)
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            if table.startswith("mentions_fts"):
                continue
            rows = conn.execute(sa.text(f'select * from "{table}"')).all()
            out[table] = [" | ".join(str(v) for v in row) for row in rows]
    engine.dispose()
    return out


def _daily_counts(repository: Repository) -> Counter[tuple[str, str, str]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for s in repository.search_mentions(MentionFilter(limit=None)):
        counts[(s.mention.published_at.date().isoformat(), "*", s.sentiment or "")] += 1
        for topic in s.topics:
            counts[(s.mention.published_at.date().isoformat(), topic, s.sentiment or "")] += 1
    return counts


def test_erasure_leaves_no_personal_data_in_any_table(repo: Repository, db_url: str) -> None:
    before = _dump(db_url)
    assert any(SECRET_WORD in row for rows in before.values() for row in rows)  # the probe works

    report = repo.erase_author("twitter", JANE.external_id)

    assert report.found and report.mentions == 2
    assert report.references_scrubbed == 2 and report.alerts_scrubbed == 1
    after = _dump(db_url)
    for table, rows in after.items():
        for row in rows:
            for needle in IDENTIFIERS:
                assert needle.lower() not in row.lower(), f"{needle!r} left in {table}: {row}"
            if table not in {"author_tombstones", "mention_tombstones"}:
                assert JANE.external_id not in row, f"Jane's id left in {table}: {row}"
    assert repo.get_author("twitter:98765432101") is None
    assert repo.search_mentions(MentionFilter(text=SECRET_WORD)) == []


def test_other_peoples_mentions_stay_but_lose_the_link(repo: Repository) -> None:
    repo.erase_author("twitter", JANE.external_id)
    left = {s.mention.external_id: s for s in repo.search_mentions(MentionFilter(limit=None))}
    assert set(left) == {"b1", "b2", "c1"}
    reply = left["b1"].mention
    assert reply.text == "@[forgotten] same here, they never answer"
    assert reply.mentioned_handles == ()
    assert reply.references[0].author_external_id is None
    assert left["b1"].echo_of_id is None
    assert left["b2"].mention.text == "lovely weather for a bike ride"
    assert repo.search_mentions(MentionFilter(text="bike"))[0].mention.external_id == "b2"
    repost = left["c1"].mention
    assert repost.text == "[forgotten mention]" and repost.url is None
    assert repost.links == ("https://example.org/refunds",)
    assert repost.author.handle == "carl_reposts" and left["c1"].echo_of_id is None
    alert = repo.alerts()[0].alert
    assert alert.mention_ids == (left["b1"].id,)
    assert alert.details["followers"] == 321  # not personal on its own: kept


def test_aggregate_counts_stay_intact(repo: Repository) -> None:
    before = _daily_counts(repo)
    repo.erase_author("twitter", JANE.external_id)
    live = _daily_counts(repo)
    erased: Counter[tuple[str, str, str]] = Counter()
    for topic in ("*", "brand"):
        for row in repo.erased_counts(topic_id=topic):
            erased[(row.day.isoformat(), row.topic_id, row.sentiment)] += row.count
    assert sum(erased.values()) == 4  # two mentions, counted in "*" and in "brand"
    assert live + erased == before


def test_tombstone_blocks_recollection(repo: Repository) -> None:
    repo.erase_author("twitter", JANE.external_id)
    again = repo.upsert_batch(
        Batch(mentions=(*_jane_mentions(), _mention("j3", JANE, "a brand new post", 1)), next_cursor=None),
        source="twitter",
        query_id="brand",
    )
    assert again.inserted == 0 and again.skipped == 3
    assert repo.get_author("twitter:98765432101") is None
    assert {s.mention.external_id for s in repo.search_mentions(MentionFilter(limit=None))} == {
        "b1",
        "b2",
        "c1",
    }


def test_forgetting_an_unknown_author_still_tombstones_them(repo: Repository) -> None:
    ghost = Author(source="twitter", external_id="404404", handle="ghost_user")
    report = repo.erase_author("twitter", "404404")
    assert not report.found and report.mentions == 0
    result = repo.upsert_batch(
        Batch(mentions=(_mention("g1", ghost, "boo", 1),), next_cursor=None),
        source="twitter",
        query_id="brand",
    )
    assert result.skipped == 1 and repo.get_author("twitter:404404") is None


def test_sqlite_file_keeps_no_bytes_of_the_erased_text(tmp_path: Path) -> None:
    """secure_delete, an FTS merge and a WAL checkpoint: the words are gone from the file itself."""
    url = f"sqlite:///{tmp_path / 'erase.db'}"
    repository = Repository.from_url(url, clock=lambda: NOW)
    repository.upgrade()
    repository.upsert_batch(
        Batch(mentions=(*_jane_mentions(), *_bob_mentions(), _carl_repost()), next_cursor=None),
        source="twitter",
        query_id="brand",
    )
    repository.erase_author("twitter", JANE.external_id)
    repository.close()
    data = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("erase.db"))
    assert SECRET_WORD.encode() not in data
    assert b"Janette" not in data and b"jane_doeuf" not in data


def test_a_spike_story_in_an_alert_loses_the_author(repo: Repository, db_url: str) -> None:
    """What drove a spike (``analysis.spike_story``) quotes mentions and names top authors: scrubbed too."""
    from analysis.spike_story import SpikeStory, as_json

    text = f"the {SECRET_WORD} refund saga continues, third call today"
    story = SpikeStory(
        topic="brand", start=NOW - timedelta(hours=6), end=NOW, mentions=4, negative=3,
        terms=("refund",), authors=(("twitter:98765432101", 2, 321.0), ("twitter:55501", 1, 50.0)),
        examples=((1, "jane_doeuf", " ".join(text.split())[:200], "https://twitter.example/jane_doeuf/status/j1"),
                  (3, "bob_martel", "lovely weather for a bike ride", None)),
    )
    repo.record_alert(
        Alert(rule_id="spike", kind="volume_spike", subject="brand", severity="warning",
              window_start=NOW - timedelta(hours=6), window_end=NOW, title="brand: spike",
              summary="4 mentions", details={"story": as_json(story)}, mention_ids=())
    )
    report = repo.erase_author("twitter", JANE.external_id)
    assert report.alerts_scrubbed == 2
    rows = [r for r in _dump(db_url)["alerts"] if "spike" in r]
    assert len(rows) == 1 and "bob_martel" in rows[0] and "bike ride" in rows[0]
    for needle in (*IDENTIFIERS, JANE.external_id):
        assert needle.lower() not in rows[0].lower()
