"""Rules as plain calls with an explicit ``now`` over a simulated day with a negative burst."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from alerts.rules import Rule, baseline, evaluate
from alerts.threads import decide, threads_from
from alerts.window import HistoryBucket, Window, WindowMention
from listener.core.model import Alert

DAY = datetime(2026, 3, 10, tzinfo=UTC)


def mention(i: int, at: datetime, *, negative: bool, topic: str = "acme", followers: int = 100,
            text: str = "quite an ordinary remark", author: str | None = None) -> WindowMention:
    handle = author or f"user{i % 37}"
    return WindowMention(id=i, source="demo", text=text, published_at=at, author_key=f"demo:{handle}",
                         author_handle=handle, url=f"https://example.test/p/{i}", topics=(topic,),
                         followers=followers, sentiment="negative" if negative else "neutral")


def history(days: int = 14) -> dict[str, tuple[HistoryBucket, ...]]:
    start = DAY - timedelta(days=days)
    buckets = tuple(HistoryBucket(start=start + timedelta(hours=h), total=10, negative=1 + h % 3)
                    for h in range(days * 24))
    return {"acme": buckets}


def simulated_day() -> list[WindowMention]:
    """Ten mentions an hour with one or two negatives; a burst from 14:00 to 16:00, 40 then 90 negatives."""
    out: list[WindowMention] = []
    i = 0
    for hour in range(24):
        negatives = {14: 40, 15: 90}.get(hour, 1 + hour % 2)
        for k in range(10 + negatives):
            at = DAY + timedelta(hours=hour, minutes=(k * 59) // (10 + negatives))
            out.append(mention(i, at, negative=k < negatives))
            i += 1
    return out


def test_baseline_is_median_plus_k_mad() -> None:
    rule = Rule(id="spike", kind="negative_spike", threshold=3.0)
    base = baseline(rule, history()["acme"], timedelta(hours=1), DAY)
    assert base is not None
    assert base.median == 2 and base.mad == 1
    assert abs(base.limit - (2 + 3 * 1.4826)) < 1e-9


def test_spike_needs_history_and_volume() -> None:
    rule = Rule(id="spike", kind="negative_spike", min_volume=5)
    now = DAY + timedelta(hours=15)
    burst = [mention(i, now - timedelta(minutes=i + 1), negative=True) for i in range(30)]
    fresh = Window(start=now - timedelta(hours=1), end=now, mentions=tuple(burst))
    assert evaluate(rule, fresh, now) == []  # no history yet: no guessed baseline
    quiet = Window(start=now - timedelta(hours=1), end=now, mentions=tuple(burst[:4]), history=history())
    assert evaluate(rule, quiet, now) == []  # under min_volume
    [alert] = evaluate(rule, Window(start=now - timedelta(hours=1), end=now, mentions=tuple(burst),
                                    history=history()), now)
    assert alert.subject == "acme" and alert.details["count"] == 30
    assert len(alert.mention_ids) == 30
    assert "30 negative mentions" in alert.summary and "usual 2.0" in alert.summary


def test_seasonal_baseline_uses_same_hour() -> None:
    # every day 09:00 is busy (8 negatives), other hours have 1: 9 negatives at 09:00 is normal.
    start = DAY - timedelta(days=10)
    buckets = tuple(HistoryBucket(start=start + timedelta(hours=h), total=20,
                                  negative=8 if (start + timedelta(hours=h)).hour == 9 else 1)
                    for h in range(240))
    now = DAY + timedelta(hours=10)
    burst = tuple(mention(i, now - timedelta(minutes=i + 1), negative=True) for i in range(9))
    window = Window(start=now - timedelta(hours=1), end=now, mentions=burst, history={"acme": buckets})
    flat = Rule(id="flat", kind="negative_spike")
    seasonal = Rule(id="seasonal", kind="negative_spike", seasonal=True)
    assert [a.rule_id for a in evaluate(flat, window, now)] == ["flat"]
    assert evaluate(seasonal, window, now) == []


def run_day(rule: Rule, mentions: list[WindowMention], *, step: timedelta) -> list[tuple[datetime, Alert]]:
    """Evaluate every ``step`` through the day, storing what was sent, as the service does."""
    sent: list[tuple[datetime, Alert]] = []
    now = DAY + step
    hist = history()
    while now <= DAY + timedelta(days=1):
        window = Window(start=now - rule.window, end=now,
                        mentions=tuple(m for m in mentions if now - rule.window <= m.published_at <= now),
                        history=hist)
        threads = threads_from(a for _, a in sent)
        for alert in decide(rule, evaluate(rule, window, now), threads, now):
            sent.append((now, alert))
        now += step
    return sent


def test_simulated_day_one_thread_with_update_and_resolution() -> None:
    rule = Rule(id="spike", kind="negative_spike", cooldown=timedelta(hours=2), growth=2.0)
    sent = run_day(rule, simulated_day(), step=timedelta(minutes=15))
    phases = [(at.strftime("%H:%M"), a.details["phase"], a.details["count"]) for at, a in sent]
    # 56 ticks, 130 burst negatives: the thread opens at the first tick over the limit, follows up only
    # when the count has doubled (14 -> 39 -> 79), and resolves two hours after the last message.
    assert phases == [("14:15", "opened", 14), ("14:45", "update", 39), ("15:45", "update", 79),
                      ("17:45", "resolved", 0)], phases
    opened, *_, resolved = (a for _, a in sent)
    assert {a.details["thread"] for _, a in sent} == {opened.dedupe_key}
    assert [a.details["sequence"] for _, a in sent] == [1, 2, 3, 4]
    assert resolved.is_resolution and resolved.dedupe_key == opened.dedupe_key + "|resolved"
    assert resolved.details["peak"] == 79
    assert len({a.dedupe_key for _, a in sent}) == 4


def test_cooldown_holds_without_growth() -> None:
    # a plateau of 40 negatives an hour for six hours: after the ramp-up of its first hour, the 20
    # ticks of the plateau send nothing; one resolution once it is over.
    mentions = [mention(i, DAY + timedelta(hours=10, minutes=i * 360 // 240), negative=True)
                for i in range(240)]
    rule = Rule(id="spike", kind="negative_spike", cooldown=timedelta(hours=1))
    sent = run_day(rule, mentions, step=timedelta(minutes=15))
    assert [a.details["phase"] for _, a in sent] == ["opened", "update", "resolved"]
    assert all(at <= DAY + timedelta(hours=11) for at, a in sent if not a.is_resolution)
    assert sent[-1][0] == DAY + timedelta(hours=17)


def test_negative_share_counts_only_analysed_mentions() -> None:
    now = DAY + timedelta(hours=12)
    ms = [mention(i, now - timedelta(minutes=i + 1), negative=i < 4) for i in range(8)]
    unanalysed = [WindowMention(id=100 + i, source="demo", text="x", published_at=now - timedelta(minutes=2),
                                author_key="demo:a", author_handle="a", topics=("acme",)) for i in range(20)]
    rule = Rule(id="share", kind="negative_share", threshold=0.4, min_volume=5)
    window = Window(start=now - timedelta(hours=1), end=now, mentions=(*ms, *unanalysed))
    [alert] = evaluate(rule, window, now)
    assert alert.details["share"] == 0.5 and alert.details["analysed"] == 8
    assert alert.details["count"] == 4
    rule_high = Rule(id="share", kind="negative_share", threshold=0.6, min_volume=5)
    assert evaluate(rule_high, Window(start=now - timedelta(hours=1), end=now, mentions=tuple(ms)), now) == []


def test_influencer_negative_uses_followers_then_karma() -> None:
    now = DAY + timedelta(hours=9)
    big = mention(1, now - timedelta(minutes=5), negative=True, followers=50_000, author="bigvoice")
    big_positive = mention(2, now - timedelta(minutes=5), negative=False, followers=90_000, author="fan")
    small = mention(3, now - timedelta(minutes=5), negative=True, followers=20, author="nobody")
    karma = WindowMention(id=4, source="reddit", text="this product is a scam", published_at=now,
                          author_key="reddit:old_timer", author_handle="old_timer", topics=("acme",),
                          karma=120_000, sentiment="negative", url="https://example.test/r/4")
    rule = Rule(id="vip", kind="influencer_negative", threshold=10_000, severity="critical")
    window = Window(start=now - timedelta(hours=1), end=now, mentions=(big, big_positive, small, karma))
    alerts = evaluate(rule, window, now)
    assert sorted(a.subject for a in alerts) == ["demo:bigvoice", "reddit:old_timer"]
    assert all(a.severity == "critical" for a in alerts)
    by_subject = {a.subject: a for a in alerts}
    assert by_subject["reddit:old_timer"].details["reach"] == 120_000
    assert by_subject["demo:bigvoice"].details["top_mentions"][0]["url"] == "https://example.test/p/1"  # type: ignore[index]


def test_keyword_rule_uses_the_injected_matcher() -> None:
    pattern = re.compile(r"\b(boycott|arnaque|data breach)\b", re.IGNORECASE)
    now = DAY + timedelta(hours=20)
    ms = (mention(1, now - timedelta(minutes=3), negative=False, text="On lance un BOYCOTT demain"),
          mention(2, now - timedelta(minutes=4), negative=False, text="they confirmed a data breach"),
          mention(3, now - timedelta(minutes=5), negative=True, text="service lent mais correct"),
          mention(4, now - timedelta(hours=3), negative=False, text="arnaque totale"))  # outside the window
    rule = Rule(id="crisis", kind="keyword", query='boycott OR arnaque OR "data breach"',
                matcher=lambda text: bool(pattern.search(text)))
    [alert] = evaluate(rule, Window(start=now - timedelta(hours=4), end=now, mentions=ms), now)
    assert alert.mention_ids == (1, 2)
    assert alert.details["query"] == 'boycott OR arnaque OR "data breach"'
    assert evaluate(Rule(id="crisis", kind="keyword"), Window(start=now, end=now, mentions=ms), now) == []


def test_spike_baseline_ignores_buckets_inside_its_own_window() -> None:
    now = DAY + timedelta(hours=15)
    burst = tuple(mention(i, now - timedelta(minutes=i + 1), negative=True) for i in range(30))
    hist = history()["acme"] + (HistoryBucket(start=now - timedelta(hours=1), negative=30),)
    window = Window(start=now - timedelta(hours=2), end=now, mentions=burst, history={"acme": hist})
    [alert] = evaluate(Rule(id="spike", kind="negative_spike"), window, now)
    assert alert.details["baseline"]["buckets"] == len(hist) - 1  # type: ignore[index]


def test_a_dip_of_one_check_does_not_close_and_reopen_the_thread() -> None:
    """A finding absent for less than the cool-down keeps its thread open; then one resolution."""
    from dataclasses import replace

    rule = Rule(id="crisis", kind="keyword", cooldown=timedelta(hours=3))
    start = datetime(2026, 11, 21, 8, tzinfo=UTC)
    finding = Alert(rule_id=rule.id, kind=rule.kind, subject="acme", severity="warning",
                    window_start=start, window_end=start, title="t", summary="s", details={"count": 10})
    stored: list[Alert] = []
    last_seen: dict[tuple[str, str], datetime] = {}
    phases = []
    # Present for six hours without growing, absent at 11:00, present again until 15:00, then quiet.
    for hour in range(16):
        now = start + timedelta(hours=hour)
        present = hour != 3 and hour <= 7
        findings = [finding] if present else []
        if present:
            last_seen[(rule.id, "acme")] = now
        for alert in decide(rule, findings, threads_from(stored), now, last_seen):
            stored.append(replace(alert, window_end=now))
            phases.append((hour, alert.details["phase"]))
    assert phases == [(0, "opened"), (10, "resolved")]
