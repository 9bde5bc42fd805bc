"""Opinion leaders, flag-bearers and estrangement on hand-built conversations."""

from __future__ import annotations

from datetime import timedelta

from analysis.authors import (
    MentionSignals,
    estranged_authors,
    flag_bearers,
    opinion_leaders,
    signals_from_annotations,
)
from analysis.bots import bot_keys, detect_bots
from listener.core.model import Annotation, Mention
from tests._authors_factory import NOW, author, mention

NEG = MentionSignals(negative=0.9, complaint=0.8)
POS = MentionSignals(positive=0.9)
NEU = MentionSignals()


def _conversation() -> tuple[list[Mention], dict[tuple[str, str], MentionSignals]]:
    critic = author("critic", followers=800)
    friend = author("friend", followers=900)
    quiet = author("quiet", followers=5_000)
    out: list[Mention] = []
    sig: dict[tuple[str, str], MentionSignals] = {}
    c1 = mention("c1", critic, text="third refund refused, done with them", likes=60, reposts=20, replies=9)
    c2 = mention("c2", critic, text="support hung up on me again", likes=5, hours_ago=5)
    f1 = mention("f1", friend, text="love the new app", likes=70, reposts=15, replies=4)
    q1 = mention("q1", quiet, text="store opens at nine", hours_ago=2)
    out += [c1, c2, f1, q1]
    sig.update({c1.key: NEG, c2.key: NEG, f1.key: POS, q1.key: NEU})
    for i in range(6):
        fan = author(f"echo{i}", followers=50)
        target = c1 if i < 4 else f1
        m = mention(f"e{i}", fan, text="so true", reply_to=target, hours_ago=0.5)
        out.append(m)
        sig[m.key] = NEG if target is c1 else POS
    return out, sig


def test_leaders_show_friends_and_critics() -> None:
    mentions, sig = _conversation()
    leaders = opinion_leaders(mentions, sig, now=NOW, limit=3)
    stances = {lead.influence.key: lead.stance for lead in leaders}
    assert stances["twitter:critic"] == "critic"
    assert stances["twitter:friend"] == "friend"
    # 5,000 followers but nobody engages: below both
    assert {lead.influence.key for lead in leaders[:2]} == {"twitter:critic", "twitter:friend"}


def test_flag_bearer_is_the_echoed_critic_with_grievances() -> None:
    mentions, sig = _conversation()
    bearers = flag_bearers(mentions, sig, now=NOW)
    assert bearers[0].influence.key == "twitter:critic"
    assert bearers[0].grievances[0].external_id == "c1"  # the most echoed complaint first
    assert "twitter:friend" not in {b.influence.key for b in bearers}
    assert 0 < bearers[0].flag <= bearers[0].influence.score


def test_a_copy_grouped_as_an_echo_is_not_a_voice_of_its_own() -> None:
    mentions, sig = _conversation()
    copycat = author("copycat", followers=700)
    copy = mention("k1", copycat, text="third refund refused, done with them", likes=40, reposts=10)
    mentions.append(copy)
    sig[copy.key] = NEG
    as_posts = {b.influence.key for b in flag_bearers(mentions, sig, now=NOW)}
    assert "twitter:copycat" in as_posts  # the probe: ungrouped, the copy reads as a grievance of its own
    grouped = {b.influence.key for b in flag_bearers(mentions, sig, now=NOW, echoed={copy.key})}
    assert "twitter:copycat" not in grouped and "twitter:critic" in grouped


def test_bots_are_excluded_from_rankings_not_dropped() -> None:
    mentions, sig = _conversation()
    spam = author("deals_bot", followers=10_000)
    flood = [
        mention(f"s{i}", spam, text=f"BUY NOW {i} https://x.example/{i}", likes=100, hours_ago=i / 10)
        for i in range(60)
    ]
    everything = mentions + flood
    verdicts = detect_bots(everything, now=NOW)
    assert verdicts["twitter:deals_bot"].is_bot
    assert any(r.startswith("duplicates") for r in verdicts["twitter:deals_bot"].reasons)
    assert any(r.startswith("rate") for r in verdicts["twitter:deals_bot"].reasons)
    assert not verdicts["twitter:critic"].is_bot
    bots = bot_keys(verdicts)
    leaders = opinion_leaders(everything, sig, now=NOW, exclude=bots)
    assert "twitter:deals_bot" not in {lead.influence.key for lead in leaders}
    assert len(everything) == len(mentions) + 60  # nothing deleted


def test_quiet_humans_are_not_bots() -> None:
    person = author("marie_dupont", followers=120, created_days_ago=900)
    posts = [
        mention(f"h{i}", person, text=t, hours_ago=10 * i)
        for i, t in enumerate(["late delivery again", "thanks for the fix", "is the shop open sunday?"])
    ]
    assert not detect_bots(posts, now=NOW)["twitter:marie_dupont"].is_bot


def test_a_busy_news_desk_is_not_a_bot_on_lifetime_rate_alone() -> None:
    from listener.core.model import Author

    desk = Author(
        source="twitter",
        external_id="desk",
        handle="CityNewsDesk",
        followers=90_000,
        posts_count=200_000,
        created_at=NOW - timedelta(days=1_000),
    )
    verdict = detect_bots([mention("n1", desk), mention("n2", desk, hours_ago=3)], now=NOW)["twitter:desk"]
    assert not verdict.is_bot and verdict.reasons[0].startswith("lifetime rate")


def test_young_account_with_generated_handle_is_a_bot() -> None:
    fresh = author("user48213977", created_days_ago=2)
    verdict = detect_bots([mention("y1", fresh)], now=NOW)["twitter:user48213977"]
    assert verdict.is_bot and len(verdict.reasons) == 2


def test_estrangement_flags_a_friend_turning_negative() -> None:
    turner = author("turner", followers=300)
    steady = author("steady", followers=300)
    days = 24.0
    history = [
        mention("t1", turner, hours_ago=40 * days),
        mention("t2", turner, hours_ago=30 * days),
        mention("t3", turner, hours_ago=20 * days),
        mention("t4", turner, hours_ago=2 * days),
        mention("s1", steady, hours_ago=40 * days),
        mention("s2", steady, hours_ago=30 * days),
        mention("s3", steady, hours_ago=2 * days),
    ]
    sig = {("twitter", i): POS for i in ("t1", "t2", "t3", "s1", "s2", "s3")}
    sig[("twitter", "t4")] = NEG
    found = estranged_authors(history, sig, now=NOW)
    assert [e.key for e in found] == ["twitter:turner"]
    assert found[0].earlier < 0.35 and found[0].recent >= 0.6
    assert found[0].turned_at == history[3].published_at
    bearers = flag_bearers(history, sig, now=NOW)
    assert [b.influence.key for b in bearers] == ["twitter:turner"] and bearers[0].is_estranged


def test_signals_read_sentiment_and_intent_annotations() -> None:
    anns = [
        Annotation(
            source="twitter",
            external_id="1",
            stage="sentiment",
            version="v",
            label="negative",
            scores={"negative": 0.7, "neutral": 0.2, "positive": 0.1},
        ),
        Annotation(source="twitter", external_id="1", stage="intent", version="v", label="complaint"),
        Annotation(source="twitter", external_id="2", stage="sentiment", version="v", label="positive"),
    ]
    sig = signals_from_annotations(anns)
    assert sig[("twitter", "1")] == MentionSignals(negative=0.7, positive=0.1, complaint=1.0)
    assert sig[("twitter", "2")].positive == 1.0 and sig[("twitter", "2")].discontent == 0.0


def test_signals_from_stored_labels() -> None:
    from analysis.authors import signals_from_labels

    expected = MentionSignals(negative=0.8, complaint=1.0)
    assert signals_from_labels("negative", -0.8, ("complaint",)) == expected
    assert signals_from_labels("negative", -0.2, ()).negative == 0.5  # the label wins a weak score
    assert signals_from_labels("negative", 0.9, ()) == MentionSignals(negative=0.9)  # a winning probability
    assert signals_from_labels("neutral", -0.3, ()).negative == 0.3
    assert signals_from_labels("positive", None, ()).positive == 1.0
    assert signals_from_labels(None, None, ()).discontent == 0.0
