"""Rising terms from the per-day term counts give the answer of the term index and of the texts.

Real storage on both engines, the world of ``test_rising_index`` (two weeks of background, an outage
twenty people report, one account posting a promotion forty times), asked for the UTC day before a
midnight: the path that sums per-day counts must equal the term index path and ``rising_terms`` over
the texts, and the counts must follow new and edited mentions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from analysis.rising import rising_terms
from analysis.rising_days import aligned
from analysis.rising_index import IndexedMentions, Lookups, rising_indexed, term_key
from listener import trends_report
from listener.core.clock import fixed
from storage import Repository
from tests.trends.test_rising_index import DAY, _mention, _store, _world

MIDNIGHT = datetime(2026, 3, 16, tzinfo=UTC)
"""The midnight after the outage (``test_rising_index.NOW`` is noon on the 15th)."""


@pytest.fixture
def repo(db_url: str) -> Iterator[Repository]:
    repository = Repository.from_url(db_url, clock=fixed(MIDNIGHT))
    repository.upgrade()
    _store(repository, _world())
    yield repository
    repository.close()


def _by_index(repo: Repository) -> IndexedMentions:
    rows = repo.term_index().window("lumio", MIDNIGHT - 15 * DAY, MIDNIGHT)
    return IndexedMentions(
        mention_ids=rows.mention_ids, author_ids=rows.author_ids, published_us=rows.published_us,
        sizes=rows.sizes, keys=rows.keys,
    )


def _same(a: object, b: object) -> None:
    from analysis.rising import Rising

    assert isinstance(a, Rising) and isinstance(b, Rising)
    assert (a.status, a.window_mentions, a.baseline_windows, a.groups) == (
        b.status, b.window_mentions, b.baseline_windows, b.groups
    )
    assert [(t.term, t.count, t.mention_ids, t.group) for t in a.terms] == [
        (t.term, t.count, t.mention_ids, t.group) for t in b.terms
    ]
    assert np.allclose([(t.z, t.g2, t.expected) for t in a.terms], [(t.z, t.g2, t.expected) for t in b.terms])


def test_the_day_counts_answer_as_the_index_and_the_texts_do(repo: Repository) -> None:
    assert aligned(MIDNIGHT, DAY) and not aligned(MIDNIGHT - timedelta(hours=12), DAY)
    summed, by_id = trends_report.rising_for(repo, "lumio", now=MIDNIGHT, window=DAY)
    assert repo.term_days().read("lumio", (MIDNIGHT - DAY).date()).keys  # the day counts were used
    index = repo.term_index()
    lookups = Lookups(texts=index.texts, author_reach=index.author_reach)
    indexed = rising_indexed(_by_index(repo), now=MIDNIGHT, lookups=lookups, window=DAY)
    plain = rising_terms(
        trends_report.load_mentions(repo, ["lumio"], MIDNIGHT - 15 * DAY, MIDNIGHT), now=MIDNIGHT, window=DAY
    )
    _same(summed, indexed)
    _same(summed, plain)
    assert summed.status == "ok"
    assert {"panne", "#pannelumio", "@support_lumio"} <= {t.term for t in summed.terms}
    assert not {"promo", "#promo", "mega deal"} & {t.term for t in summed.terms}  # one account: no rise
    assert all(i in by_id for t in summed.terms for i in t.mention_ids)
    early = trends_report.rising_for(repo, "lumio", now=MIDNIGHT - 13 * DAY, window=DAY)[0]
    assert early.status == "not_enough_data" and early.baseline_windows < 3


def test_the_day_counts_follow_new_and_edited_mentions(repo: Repository, db_url: str) -> None:
    day = (MIDNIGHT - DAY).date()
    assert not repo.term_days().counted([day])  # not counted yet: rising terms read the term index
    trends_report.refresh_term_index(repo)
    assert repo.term_days().counted([day, day - DAY])
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:  # an index built before the day counts existed
        conn.execute(sa.text("DELETE FROM term_days"))
    engine.dispose()
    assert trends_report.refresh_term_index(repo) == 0 and repo.term_days().counted([day])  # counted again

    def authors(term: str) -> int:
        counts = repo.term_days().read("lumio", day)
        return dict(zip(counts.keys, counts.authors, strict=True)).get(term_key(term), 0)

    assert authors("panne") == 20 and authors("tempete") == 0
    at = MIDNIGHT - timedelta(hours=1)
    _store(repo, [_mention(9000, "Lumio tempete et panne", at, "zed"),
                  _mention(9001, "panne Lumio", at, "p1")])
    trends_report.refresh_term_index(repo)
    assert (authors("panne"), authors("tempete")) == (21, 1)  # p1 already said it: one more author, not two
    edited = Repository.from_url(db_url, clock=fixed(MIDNIGHT + timedelta(minutes=5)))
    _store(edited, [_mention(9000, "Lumio orage", at, "zed")])
    trends_report.refresh_term_index(edited)
    assert (authors("panne"), authors("tempete"), authors("orage")) == (20, 0, 1)
    totals = repo.term_days().read("lumio", day)
    that_day = trends_report.load_mentions(repo, ["lumio"], MIDNIGHT - DAY, MIDNIGHT)
    assert dict(zip(totals.keys, totals.posts, strict=True))[0] == len(that_day)
    edited.close()
