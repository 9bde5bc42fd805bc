"""GDPR erasure reaches what our users wrote and the vectors of scrubbed posts; the audit log stays.

Real SQLite file and real PostgreSQL (``db_url``); the embedding cache is the real one, in a temporary
data folder. Bob's reply tags Jane, so the erasure scrubs it; our users wrote notes and tags on that
reply and saved inbox views searching for her; a training run cached the reply's vector under its text.
After the erasure none of those holds Jane's handle or name, the cache forgets the reply's old text,
and the audit log gains one entry about the erasure, naming only the tombstone, while the entries
written before stay as they were. The people and texts are our own inventions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote_plus

import numpy as np
import pytest
import sqlalchemy as sa

from analysis.embedding_cache import EmbeddingCache, text_key
from listener.analyse import forget_cached_texts
from listener.core.model import Author, Batch, Mention
from storage import Repository, WebStore
from storage.records import MentionFilter
from storage.web_records import WorkflowChange

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
JANE = Author(source="twitter", external_id="98765432101", handle="jane_doeuf", display_name="Janette Doeuf")
BOB = Author(source="twitter", external_id="55501", handle="bob_martel", display_name="Bob Martel")
REPLY = "@jane_doeuf same here, they never answer"
WEATHER = "lovely weather for a bike ride"
NAMES = ("jane_doeuf", "janette", "doeuf")
USER_TABLES = ("mention_notes", "note_revisions", "mention_tags", "saved_views")


def _mention(mid: str, who: Author, text: str, hours_ago: float) -> Mention:
    at = NOW - timedelta(hours=hours_ago)
    return Mention(source="twitter", external_id=mid, text=text, author=who, published_at=at, fetched_at=NOW)


@pytest.fixture
def repo(db_url: str) -> Iterator[Repository]:
    repository = Repository.from_url(db_url, clock=lambda: NOW)
    repository.upgrade()
    mentions = (
        _mention("j1", JANE, "still no refund, support hung up", 5),
        _mention("b1", BOB, REPLY, 4),
        _mention("b2", BOB, WEATHER, 2),
    )
    repository.upsert_batch(Batch(mentions=mentions, next_cursor=None), source="twitter", query_id="brand")
    yield repository
    repository.close()


@pytest.fixture
def store(repo: Repository) -> WebStore:
    """Notes, tags and saved views our users wrote about Jane (and some that are not about her)."""
    web = WebStore.of(repo, clock=lambda: NOW)
    cm = web.add_user("claire", display_name="Claire", password_hash="x", role="analyst")
    ids = {s.mention.external_id: s.id for s in repo.search_mentions(MentionFilter(limit=None))}
    note = web.add_note(ids["b1"], "asked @jane_doeuf to DM us her order number", user_id=cm)
    assert note is not None
    web.edit_note(ids["b1"], note, "Janette Doeuf called back, Bob's case is hers", user_id=cm)
    web.add_note(ids["b2"], "weather chatter, ignore", user_id=cm)
    web.add_note(ids["j1"], "jane_doeuf again", user_id=cm)  # goes with her mention
    web.change([ids["b1"]], WorkflowChange(add_tags=("jane_doeuf", "@jane_doeuf", "refund")), user_id=cm)
    web.change([ids["b2"]], WorkflowChange(add_tags=("Janette Doeuf", "vip")), user_id=cm)
    web.save_view(cm, name="jane_doeuf", query="q=%40jane_doeuf&sentiment=negative")
    web.save_view(cm, name="Janette Doeuf", query="q=Janette+Doeuf")
    web.save_view(cm, name="bike rides", query="q=bike&sort=newest")
    return web


def _rows(repo: Repository, table: str) -> list[str]:
    def work(conn: sa.Connection) -> list[str]:
        return [" | ".join(str(v) for v in row) for row in conn.execute(sa.text(f"select * from {table}"))]

    return repo.database.read(work)


def _names_left(repo: Repository) -> list[str]:
    rows = [(t, unquote_plus(r)) for t in USER_TABLES for r in _rows(repo, t)]
    return [f"{t}: {r}" for t, r in rows if any(n in r.lower() for n in NAMES)]


def test_notes_tags_and_saved_views_lose_the_author_not_the_rest(repo: Repository, store: WebStore) -> None:
    assert _names_left(repo)  # the probe: every table names her before

    report = repo.erase_author("twitter", JANE.external_id)

    assert _names_left(repo) == []
    assert report.user_texts_scrubbed == 8  # 1 note, 1 version, 3 tags, 2 views (and one duplicate tag)
    b1, b2 = (s.id for s in sorted(repo.search_mentions(MentionFilter(limit=None)), key=lambda s: s.id))
    assert [n.body for n in store.notes(b1)] == ["[forgotten] called back, Bob's case is hers"]
    assert [r.body for n in store.notes(b1) for r in n.history] == [
        "asked [forgotten] to DM us her order number"
    ]
    assert [n.body for n in store.notes(b2)] == ["weather chatter, ignore"]
    tags = store.workflows([b1, b2])
    assert sorted(tags[b1].tags) == ["[forgotten]", "refund"]  # her handle twice: one tag left
    assert sorted(tags[b2].tags) == ["[forgotten]", "vip"]
    views = sorted((v.name, v.query) for v in store.saved_views(store.users()[0].id))
    [renamed] = [v.id for v in store.saved_views(store.users()[0].id) if v.name.startswith("[forgotten] (")]
    assert views == sorted([
        ("[forgotten]", "q=%5Bforgotten%5D&sentiment=negative"),
        (f"[forgotten] ({renamed})", "q=%5Bforgotten%5D"),  # the same name as another view: kept apart
        ("bike rides", "q=bike&sort=newest"),
    ])


def test_the_erasure_is_audited_once_without_the_author_and_older_entries_stay(
    repo: Repository, store: WebStore
) -> None:
    before = store.audit_log()
    assert any("jane_doeuf" in str(e.details) for e in before)  # a saved view's query, as saved

    repo.erase_author("twitter", JANE.external_id, user_id=store.users()[0].id)

    after = store.audit_log()
    assert after[1:] == before  # nothing rewritten
    entry = after[0]
    assert (entry.action, entry.target_kind, entry.user_id) == ("author.erase", "author_tombstone",
                                                                 store.users()[0].id)
    [tombstone] = _rows(repo, "author_tombstones")
    assert tombstone.split(" | ")[0] == entry.target_id
    assert entry.details == {"mentions": 1, "references_scrubbed": 1, "alerts_scrubbed": 0,
                             "user_texts_scrubbed": 8}
    written = str(entry).lower()
    assert not any(n in written for n in (*NAMES, JANE.external_id))


def test_blocking_an_unknown_author_is_audited_too(repo: Repository, store: WebStore) -> None:
    repo.erase_author("twitter", "404404")
    entry = store.audit_log()[0]
    assert (entry.action, entry.user_id, entry.details) == ("author.erase", None, {"mentions": 0})


def test_cached_vectors_of_scrubbed_posts_are_forgotten(repo: Repository, tmp_path: Path) -> None:
    cache_path = tmp_path / "cache" / "features.npz"
    texts = [REPLY, WEATHER, "still no refund, support hung up"]
    EmbeddingCache(cache_path).embed(texts, lambda batch: np.ones((len(batch), 4), dtype=np.float32), dim=4)

    report = repo.erase_author("twitter", JANE.external_id)
    assert report.scrubbed_texts == (REPLY,)  # Bob's reply as it was before the scrub
    assert forget_cached_texts(tmp_path, report.cached_texts) == 2

    reloaded = EmbeddingCache(cache_path)
    assert reloaded.forget({text_key(REPLY)}) == 0  # the scrubbed reply's old text: gone
    assert reloaded.forget({text_key(texts[2])}) == 0  # her own text: gone
    assert reloaded.forget({text_key(WEATHER)}) == 1  # a post that never named her stays
