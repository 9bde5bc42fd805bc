"""Rising terms from the term index give the answer texts give, and the index follows the mentions.

Real storage on both engines: two weeks of background, an outage that twenty people report, one
account posting the same promotion forty times. The indexed answer (what the CLI and the API use)
must equal ``rising_terms`` over the same mentions; the index must be incremental, re-made when a
mention changes, and leave nothing of an erased author or a pruned mention.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from analysis.rising import rising_terms
from analysis.rising_index import IndexedMentions, Lookups, index_entry, rising_indexed, term_key, to_us
from analysis.trend_input import TrendMention
from listener import trends_report
from listener.core.clock import fixed
from listener.core.model import Author, Batch, Mention
from storage import Repository

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
BACKGROUND = [
    "Lumio box works fine today",
    "my Lumio invoice arrived",
    "Lumio customer service was quick",
    "la box Lumio marche bien",
    "nouvelle offre Lumio fibre",
    "j'aime bien l'appli Lumio",
]


def _mention(n: int, text: str, at: datetime, who: str, followers: int = 10) -> Mention:
    return Mention(
        source="t", external_id=f"m{n}", text=text, published_at=at, fetched_at=at, topics=("lumio",),
        author=Author(source="t", external_id=who, handle=who, followers=followers),
    )


def _store(repo: Repository, mentions: list[Mention]) -> None:
    repo.upsert_batch(Batch(mentions=tuple(mentions), next_cursor=None), source="t", query_id="lumio")


def _world() -> list[Mention]:
    rng = random.Random(7)
    out: list[Mention] = []
    for d in range(14, 0, -1):
        for _ in range(25):
            at = NOW - d * DAY + timedelta(minutes=rng.randrange(24 * 60))
            out.append(_mention(len(out), rng.choice(BACKGROUND), at, f"a{rng.randrange(120)}"))
    for k in range(20):
        text = f"panne Lumio depuis ce matin, plus de fibre #panneLumio @support_lumio quartier {k}"
        out.append(_mention(len(out), text, NOW - timedelta(hours=3, minutes=k), f"p{k}", followers=k))
    for k in range(40):
        at = NOW - timedelta(hours=5, minutes=k)
        out.append(_mention(len(out), "#promo mega deal Lumio", at, "spammer"))
    for _ in range(25):
        at = NOW - DAY + timedelta(minutes=rng.randrange(24 * 60))
        out.append(_mention(len(out), rng.choice(BACKGROUND), at, f"a{rng.randrange(120)}"))
    return out


@pytest.fixture
def repo(db_url: str) -> Iterator[Repository]:
    repository = Repository.from_url(db_url, clock=fixed(NOW))
    repository.upgrade()
    _store(repository, _world())
    yield repository
    repository.close()


def test_the_index_answers_as_the_texts_do(repo: Repository) -> None:
    indexed, by_id = trends_report.rising_for(repo, "lumio", now=NOW, window=DAY)
    texts = trends_report.load_mentions(repo, ["lumio"], NOW - 15 * DAY, NOW)
    plain = rising_terms(texts, now=NOW, window=DAY)
    assert indexed.status == plain.status == "ok"
    assert [(t.term, t.count, t.mention_ids, t.group) for t in indexed.terms] == [
        (t.term, t.count, t.mention_ids, t.group) for t in plain.terms
    ]
    assert np.allclose([t.z for t in indexed.terms], [t.z for t in plain.terms])
    assert np.allclose([t.g2 for t in indexed.terms], [t.g2 for t in plain.terms])
    assert indexed.groups == plain.groups
    assert {"panne", "#pannelumio", "@support_lumio"} <= {t.term for t in indexed.terms}
    assert not {"promo", "#promo", "mega deal"} & {t.term for t in indexed.terms}  # one account: no rise
    assert all(i in by_id for t in indexed.terms for i in t.mention_ids)
    early = trends_report.rising_for(repo, "lumio", now=NOW - 14 * DAY, window=DAY)[0]
    assert early.status == "not_enough_data"


def _keys(repo: Repository) -> set[int]:
    rows = repo.term_index().window(None, NOW - 30 * DAY, NOW + DAY)
    return set(np.frombuffer(rows.keys, dtype="<i8").tolist())


def test_the_index_is_incremental_and_follows_edits_erasure_and_retention(
    repo: Repository, db_url: str
) -> None:
    assert trends_report.refresh_term_index(repo, limit=100) == 100
    assert trends_report.refresh_term_index(repo) == 14 * 25 + 20 + 40 + 25 - 100
    assert trends_report.refresh_term_index(repo) == 0  # nothing new: nothing tokenised again
    _store(repo, [_mention(9000, "Lumio tempete sur le reseau", NOW - timedelta(hours=1), "zed"),
                  _mention(9001, "Lumio ici le support", NOW - timedelta(hours=1), "support_lumio")])
    assert trends_report.refresh_term_index(repo) == 2
    assert term_key("tempete") in _keys(repo)
    later = fixed(NOW + timedelta(minutes=5))
    edited = Repository.from_url(db_url, clock=later)
    _store(edited, [_mention(9000, "Lumio orage sur le reseau", NOW - timedelta(hours=1), "zed")])
    assert trends_report.refresh_term_index(edited) == 1
    assert term_key("orage") in _keys(edited) and term_key("tempete") not in _keys(edited)
    assert term_key("@support_lumio") in _keys(edited)
    edited.erase_author("t", "support_lumio")  # named in twenty posts: their entries are made again
    trends_report.refresh_term_index(edited)
    assert term_key("@support_lumio") not in _keys(edited) and term_key("panne") in _keys(edited)
    edited.erase_author("t", "spammer")
    assert term_key("#promo") not in _keys(edited)
    edited.prune_mentions(NOW - 7 * DAY)
    left = edited.term_index().window(None, NOW - 30 * DAY, NOW - 7 * DAY)
    assert left.mention_ids == []
    edited.close()


def _indexed(mentions: list[TrendMention]) -> IndexedMentions:
    entries = [index_entry(m.text) for m in mentions]
    authors = {a: i for i, a in enumerate(sorted({m.author or f"#{m.id}" for m in mentions}))}
    return IndexedMentions(
        mention_ids=[m.id for m in mentions],
        author_ids=[authors[m.author or f"#{m.id}"] for m in mentions],
        published_us=[to_us(m.published_at) for m in mentions],
        sizes=[len(e) // 8 for e in entries],
        keys=b"".join(entries),
    )


@pytest.mark.parametrize("scenario", ["outage", "growing", "spam", "crowd"])
def test_the_pure_index_path_equals_rising_terms(scenario: str) -> None:
    """The scenarios of ``test_terms_rising``, scored from index entries and from texts."""
    from tests.trends.test_terms_rising import NOW as T
    from tests.trends.test_terms_rising import _history, _m

    now = T - DAY if scenario == "growing" else T
    mentions = _history(15, 30, growth=0.12 if scenario == "growing" else 0.0)
    extra = {
        "outage": [_m(5000 + k, "Panne réseau Lumio ce matin #panne", T - HOUR * 3) for k in range(12)],
        "growing": [],
        "spam": [_m(9000 + k, "Gagnez un iPhone gratuit", T - HOUR, author="bot") for k in range(300)],
        "crowd": [_m(20_000 + k, "Gagnez un iPhone gratuit", T - HOUR) for k in range(60)],
    }[scenario]
    mentions += extra
    by_id = {m.id: m for m in mentions}
    indexed = rising_indexed(
        _indexed(mentions),
        now=now,
        lookups=Lookups(
            texts=lambda ids: {i: by_id[i].text for i in ids},
            author_reach=lambda ids: dict.fromkeys(ids, 0.0),  # every TrendMention of _m reaches 0
        ),
    )
    plain = rising_terms(mentions, now=now)
    assert (indexed.status, indexed.groups) == (plain.status, plain.groups)
    assert [(t.term, t.count, t.mention_ids) for t in indexed.terms] == [
        (t.term, t.count, t.mention_ids) for t in plain.terms
    ]
    assert bool(plain.terms) == (scenario in ("outage", "crowd"))
