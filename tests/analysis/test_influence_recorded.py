"""Influence on the real recordings in ../shared/data (read at run time, never copied)."""

from __future__ import annotations

import random
from pathlib import Path

from analysis.bots import detect_bots
from analysis.influence import InfluenceSettings, score_authors
from benchmarks._recorded_mentions import load_recorded_mentions

YEAR = InfluenceSettings(half_life_days=365.0)
"""The recordings span years; a one-year half-life keeps decay from deciding everything."""


def test_recorded_twitter_scores_differ_from_follower_counts(shared_data: Path) -> None:
    tweets = [m for m in load_recorded_mentions(shared_data) if m.source == "twitter"]
    assert len(tweets) > 50
    now = max(m.published_at for m in tweets)
    ranked = score_authors(tweets, now=now, settings=YEAR)
    assert all(0.0 <= r.score <= 100.0 for r in ranked)
    by_followers = sorted(ranked, key=lambda r: (-(r.audience or 0), r.key))
    top_score = [r.key for r in ranked[:10]]
    top_followers = [r.key for r in by_followers[:10]]
    assert top_score != top_followers
    # someone outside the ten biggest audiences makes the top ten on what their posts earned
    assert set(top_score) - set(top_followers)
    # plain retweets earn their author nothing: the credit goes to whoever was retweeted
    posters = {m.author.key for m in tweets if not m.reposted_id}
    retweeters = {m.author.key for m in tweets if m.reposted_id} - posters
    assert retweeters
    assert all(r.engagement_raw == 0 for r in ranked if r.key in retweeters)


def test_recorded_scores_are_stable_under_shuffling(shared_data: Path) -> None:
    mentions = load_recorded_mentions(shared_data)
    now = max(m.published_at for m in mentions)
    first = [(r.key, r.score) for r in score_authors(mentions, now=now, settings=YEAR)]
    random.Random(3).shuffle(mentions)
    assert [(r.key, r.score) for r in score_authors(mentions, now=now, settings=YEAR)] == first


def test_recorded_big_accounts_are_not_bots(shared_data: Path) -> None:
    tweets = [m for m in load_recorded_mentions(shared_data) if m.source == "twitter"]
    verdicts = detect_bots(tweets, now=max(m.published_at for m in tweets))
    big = {m.author.key for m in tweets if (m.author.followers or 0) > 100_000}
    assert big
    assert not any(verdicts[k].is_bot for k in big)
