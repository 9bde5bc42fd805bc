"""Erasure and retention leave no count of the deleted mentions' words in the per-day term counts.

Real SQLite file and real PostgreSQL (``db_url``). Three days of mentions of one topic; Jane alone
writes a made-up word and Bob names her. After her erasure the word and her handle are counted on no
day, and every day the erasure touched holds exactly what a fresh recount of the term index gives;
retention leaves a pruned day no count and a partly pruned day its fresh recount. The repository made
by ``wiring`` recounts in the deleting transaction; one made without a counter leaves those days
uncounted until the next trends step. The people and texts are our own inventions.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from storage_builders import Clock

from analysis.rising_days import day_counts
from analysis.rising_index import term_key
from listener import trends_report, wiring
from listener.core.model import Author, Batch, Mention
from storage import Repository
from storage.records import MentionFilter
from storage.schema_trends import TermDayRow

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECRET_WORD = "zorglubium"
"""A word only Jane ever wrote."""
JANE = Author(source="t", external_id="jane-1", handle="jane_doeuf", followers=30)
BOB = Author(source="t", external_id="bob-2", handle="bob_martel", followers=5)
ANN = Author(source="t", external_id="ann-3", handle="ann_lebrun", followers=7)


def _mention(mid: str, who: Author, text: str, at: datetime) -> Mention:
    return Mention(source="t", external_id=mid, text=text, author=who, published_at=at, fetched_at=at,
                   topics=("lumio",))


def _world() -> list[Mention]:
    """Jane, Bob and Ann on three days; Jane's word on the last two, Bob naming her on the last."""
    out = []
    for back in (2, 1, 0):
        day = NOW - back * DAY
        out += [
            _mention(f"a{back}", ANN, "Lumio fibre coupee encore", day - timedelta(hours=3)),
            _mention(f"b{back}", BOB, "Lumio fibre lente ce soir", day - timedelta(hours=2)),
        ]
        if back < 2:
            text = f"Lumio {SECRET_WORD} fibre en panne"
            out.append(_mention(f"j{back}", JANE, text, day - timedelta(hours=1)))
    out.append(_mention("b9", BOB, "@jane_doeuf Lumio fibre pareil chez moi", NOW - timedelta(minutes=30)))
    return out


@pytest.fixture
def clock() -> Clock:
    return Clock(now=NOW)


@pytest.fixture(params=["wired", "no_counter"])
def wired(request: pytest.FixtureRequest) -> bool:
    """True: the repository ``wiring`` makes (it counts term days); False: one made without a counter."""
    return bool(request.param == "wired")


@pytest.fixture
def repo(wired: bool, db_url: str, clock: Clock) -> Iterator[Repository]:
    repository = (
        wiring.repository_at(db_url, clock=clock) if wired else Repository.from_url(db_url, clock=clock)
    )
    repository.upgrade()
    repository.upsert_batch(Batch(mentions=tuple(_world()), next_cursor=None), source="t", query_id="lumio")
    trends_report.refresh_term_index(repository)
    clock.advance(minutes=5)
    yield repository
    repository.close()


def _rows(repo: Repository, day: date) -> list[tuple[str, int, int, int]]:
    d = TermDayRow
    query = sa.select(d.topic_id, d.term_key, d.authors, d.posts).where(d.day == day)
    return sorted((str(t), int(k), int(a), int(p)) for t, k, a, p in repo.database.read(
        lambda conn: conn.execute(query).all()))


def _fresh(repo: Repository, day: date) -> list[tuple[str, int, int, int]]:
    """What recounting ``day`` from the term index gives now (the marker row included)."""
    return sorted([*day_counts(repo.term_days().entries(day)), ("", 0, 0, 0)])


def _all_keys(repo: Repository) -> set[int]:
    return {int(k) for (k,) in repo.database.read(lambda conn: conn.execute(sa.select(TermDayRow.term_key)))}


def _authors(repo: Repository, day: date, term: str) -> int:
    counts = repo.term_days().read("lumio", day)
    return dict(zip(counts.keys, counts.authors, strict=True)).get(term_key(term), 0)


def test_erasure_leaves_no_count_of_the_authors_words(repo: Repository, wired: bool) -> None:
    days = [(NOW - back * DAY).date() for back in (2, 1, 0)]
    assert _authors(repo, days[2], SECRET_WORD) == 1 and _authors(repo, days[2], "@jane_doeuf") == 1  # probes
    before = {day: _rows(repo, day) for day in days}
    assert repo.term_days().counted(days)  # the trends step counted them

    repo.erase_author("t", JANE.external_id)

    assert term_key(SECRET_WORD) not in _all_keys(repo)
    assert term_key("@jane_doeuf") not in _all_keys(repo)  # Bob's post named her: recounted without it
    assert _rows(repo, days[0]) == before[days[0]]  # a day she did not write on is left alone
    if wired:
        assert repo.term_days().counted(days)
        for day in days[1:]:
            assert _rows(repo, day) == _fresh(repo, day)
        assert _authors(repo, days[1], "fibre") == 2  # Ann and Bob: Jane no longer counts
    else:  # nothing of hers is summed; the days wait for the next trends step
        assert not repo.term_days().counted(days[1:]) and _rows(repo, days[1]) == []
        assert set(repo.term_days().uncounted()) == set(days[1:])
    trends_report.refresh_term_index(repo)  # Bob's scrubbed post is indexed again
    for day in days:
        assert _rows(repo, day) == _fresh(repo, day)
    assert _authors(repo, days[2], "pareil") == 1 and _authors(repo, days[2], "fibre") == 2
    assert term_key(SECRET_WORD) not in _all_keys(repo) and term_key("@jane_doeuf") not in _all_keys(repo)


def test_retention_leaves_no_count_of_pruned_mentions(repo: Repository, wired: bool) -> None:
    days = [(NOW - back * DAY).date() for back in (2, 1, 0)]
    before_last = _rows(repo, days[2])
    assert _authors(repo, days[0], "coupee") == 1 and _authors(repo, days[1], SECRET_WORD) == 1

    pruned = repo.prune_mentions(NOW - DAY - timedelta(hours=1, minutes=30))  # Jane's post of day 1 stays

    assert pruned == 4  # day 0: Ann and Bob; day 1: Ann and Bob
    assert _rows(repo, days[0]) == [("", 0, 0, 0)]  # nothing left to count, and counted as such
    assert repo.term_days().counted([days[0]])
    assert _rows(repo, days[2]) == before_last
    if wired:
        assert _rows(repo, days[1]) == _fresh(repo, days[1])
        assert (_authors(repo, days[1], "fibre"), _authors(repo, days[1], "lente")) == (1, 0)
    else:
        assert _rows(repo, days[1]) == [] and repo.term_days().uncounted() == [days[1]]
        trends_report.refresh_term_index(repo)
        assert _rows(repo, days[1]) == _fresh(repo, days[1])
    assert term_key("coupee") not in {k for _, k, _, _ in _rows(repo, days[0])}


def test_erasure_drops_the_theme_vectors_of_scrubbed_posts(repo: Repository) -> None:
    ids = {s.mention.external_id: s.id for s in repo.search_mentions(MentionFilter(limit=None))}
    repo.save_vectors("m", [(ids["b9"], b"\x00\x01"), (ids["b0"], b"\x00\x02")])
    repo.erase_author("t", JANE.external_id)
    assert repo.vectors("m", [ids["b9"], ids["b0"]]) == {ids["b0"]: b"\x00\x02"}  # b9 quoted her handle
