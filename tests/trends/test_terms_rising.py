"""Terms use the project's folding; rising terms beat their own baseline, not the brand's growth."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from analysis.rising import g2, rising_terms
from analysis.terms import terms
from analysis.trend_input import TrendMention
from analysis.trend_reasons import Reason

NOW = datetime(2026, 3, 15, tzinfo=UTC)
DAY = timedelta(days=1)
BACKGROUND = [
    "Lumio box works fine today",
    "my Lumio invoice arrived",
    "Lumio customer service was quick",
    "la box Lumio marche bien",
    "nouvelle offre Lumio fibre",
    "Lumio app update installed",
    "j'aime bien l'appli Lumio",
    "Lumio tv channels are great",
    "question about Lumio contract",
]


def test_terms_fold_accents_elisions_and_keep_hashtags_accounts_and_phrases() -> None:
    found = terms("L'Électricité est en PANNE chez @Lumio_FR #Panne https://lumio.fr/x 😡")
    assert {"electricite", "panne", "#panne", "@lumio_fr"} <= found
    assert "l" not in found and "est" not in found and "https" not in found
    assert "service client" in terms("Le service client ne répond pas")
    assert terms("😡😡😡") == frozenset() and terms("https://t.co/abc") == frozenset()


def _m(i: int, text: str, at: datetime, author: str | None = None) -> TrendMention:
    return TrendMention(id=i, text=text, published_at=at, author=author or f"a{i}", author_handle=f"a{i}")


def _history(days: int, per_day: int, *, growth: float = 0.0, seed: int = 1) -> list[TrendMention]:
    rng = random.Random(seed)
    out: list[TrendMention] = []
    for d in range(days, 0, -1):
        n = int(per_day * (1 + growth) ** (days - d))
        for _ in range(n):
            at = NOW - d * DAY + timedelta(minutes=rng.randrange(24 * 60))
            out.append(_m(len(out), rng.choice(BACKGROUND), at))
    return out


def test_a_planted_outage_rises_and_its_terms_are_grouped_with_their_mentions() -> None:
    mentions = _history(15, 40)
    start = len(mentions)
    for k in range(12):
        text = ["Panne réseau Lumio depuis ce matin #panne", "Lumio outage again, panne réseau partout"][
            k % 2
        ]
        mentions.append(_m(start + k, text, NOW - timedelta(hours=3, minutes=k)))
    answer = rising_terms(mentions, now=NOW)
    assert answer.status == "ok"
    top = {t.term for t in answer.terms}
    assert {"panne", "panne reseau", "reseau"} <= top
    assert "lumio" not in top  # always there: not rising
    group = answer.groups[answer.terms[0].group]
    assert {"panne", "reseau"} <= set(group.terms)
    panne = next(t for t in answer.terms if t.term == "panne")
    assert set(panne.mention_ids) == set(range(start, start + 12))


def test_a_growing_brand_raises_no_term() -> None:
    mentions = _history(15, 30, growth=0.12)
    answer = rising_terms(mentions, now=NOW - DAY + timedelta(hours=0))
    assert answer.status == "ok"
    assert answer.terms == ()


def test_one_account_repeating_a_post_raises_nothing_but_many_accounts_do() -> None:
    mentions = _history(15, 40)
    spam = [
        _m(10_000 + k, "Gagnez un iPhone gratuit ici", NOW - timedelta(hours=1), author="bot")
        for k in range(50_000)
    ]
    assert rising_terms([*mentions, *spam], now=NOW).terms == ()
    crowd = [_m(100_000 + k, "Gagnez un iPhone gratuit ici", NOW - timedelta(hours=1)) for k in range(200)]
    answer = rising_terms([*mentions, *crowd], now=NOW)
    assert "iphone gratuit" in {t.term for t in answer.terms}
    assert len(answer.groups) == 1


def test_not_enough_data_is_said_honestly() -> None:
    three = [_m(i, "panne Lumio", NOW - timedelta(hours=i + 1)) for i in range(3)]
    answer = rising_terms(three, now=NOW)
    assert answer.status == "not_enough_data"
    assert answer.reason == Reason("window_mentions", {"count": 3, "needed": 10})
    assert rising_terms([], now=NOW).status == "not_enough_data"
    fresh = [_m(i, "panne Lumio", NOW - timedelta(hours=1)) for i in range(30)]
    assert rising_terms(fresh, now=NOW).reason == Reason("baseline_windows", {"count": 0, "needed": 3})
    emoji = _history(15, 20) + [
        _m(90_000 + i, "😡😡 https://t.co/x", NOW - timedelta(hours=2)) for i in range(40)
    ]
    assert rising_terms(emoji, now=NOW).terms == ()


def test_g2_is_zero_for_equal_rates_and_grows_with_the_gap() -> None:
    assert abs(g2(10, 100, 100, 1000)) < 1e-9
    assert g2(30, 100, 100, 1000) > g2(20, 100, 100, 1000) > 0


def test_rising_terms_do_not_depend_on_input_order() -> None:
    mentions = _history(15, 30)
    mentions += [_m(5000 + k, "facture en double Lumio", NOW - timedelta(hours=2)) for k in range(10)]
    shuffled = mentions[:]
    random.Random(7).shuffle(shuffled)
    assert rising_terms(mentions, now=NOW) == rising_terms(shuffled, now=NOW)
