"""Rule windows and the alert log read from a real database (SQLite file and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from seeding import mention, store  # type: ignore[import-not-found]

from alerts.dispatch import Dispatcher
from alerts.notifiers import LogNotifier
from alerts.rules import Rule
from listener.alert_store import RepositoryAlertLog, WindowReader
from listener.core.model import Alert
from storage import Repository

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def repo(db_url: str) -> Iterator[Repository]:
    repository = Repository.from_url(db_url)
    repository.upgrade()
    try:
        yield repository
    finally:
        repository.close()


def seed_day_and_burst(repo: Repository) -> None:
    """A day of history (1 or 2 negatives an hour for acme), then 25 negatives in the last hour."""
    items = []
    i = 0
    start = NOW - timedelta(hours=24)
    for hour in range(23):
        for k in range(6):
            label = "negative" if k < 1 + hour % 2 else "neutral"
            items.append((mention(i, start + timedelta(hours=hour, minutes=5 * k), "acme"), label))
            i += 1
    for k in range(25):
        items.append((mention(i, NOW - timedelta(minutes=2 + 2 * k), "acme"), "negative"))
        i += 1
    items.append((mention(i, NOW - timedelta(minutes=3), "rival"), "positive"))
    store(repo, items)


def test_window_reader_builds_mentions_and_hourly_history(repo: Repository) -> None:
    seed_day_and_burst(repo)
    reader = WindowReader(repo, ["acme", "rival"])
    window = reader.read(NOW, timedelta(hours=1))
    acme = window.for_topic("acme")
    assert len(acme) == 25 and all(m.sentiment == "negative" for m in acme)
    assert [m.url for m in window.for_topic("rival")] == [f"https://social.example/{23 * 6 + 25}"]
    history = window.history["acme"]
    # every complete hour from the first stored mention to now (rules skip the ones in their window)
    assert len(history) == 24
    assert [b.negative for b in history] == [1 + h % 2 for h in range(23)] + [25]
    assert history[0].start == NOW - timedelta(hours=24)
    # the second read reuses settled buckets and gives the same answer
    assert reader.read(NOW, timedelta(hours=1)).history["acme"] == history


def test_dispatcher_over_storage_stores_before_sending_and_never_twice(repo: Repository) -> None:
    seed_day_and_burst(repo)
    rule = Rule(id="spike", kind="negative_spike", channels=("log",))
    notifier = LogNotifier("log")
    reader = WindowReader(repo, ["acme", "rival"])
    dispatcher = Dispatcher(RepositoryAlertLog(repo), {"log": notifier}, [rule])
    result = dispatcher.tick(reader.read(NOW, timedelta(hours=1)), NOW)
    [alert] = result.decided
    assert alert.subject == "acme" and alert.details["count"] == 25
    [stored] = repo.alerts()
    assert stored.alert.dedupe_key == alert.dedupe_key
    assert [(d.channel, d.outcome) for d in repo.deliveries(stored.id)] == [("log", "sent")]
    # a restarted process (new log, new reader, new dispatcher) decides and sends nothing again
    again = Dispatcher(RepositoryAlertLog(repo), {"log": notifier}, [rule])
    later = NOW + timedelta(minutes=1)
    second = again.tick(WindowReader(repo, ["acme"]).read(later, timedelta(hours=1)), later)
    assert second.decided == () and second.deliveries == ()
    assert len(notifier.sent) == 1


def test_a_question_with_a_stored_reply_counts_as_answered(repo: Repository) -> None:
    from dataclasses import replace

    asked = mention(1, NOW - timedelta(minutes=30), "acme", text="acme, how do I reset my router?")
    ignored = mention(2, NOW - timedelta(minutes=20), "acme", text="acme, why was I billed twice?")
    reply = replace(mention(3, NOW - timedelta(minutes=10), "acme", text="@user1 hold the button 10 s"),
                    in_reply_to="m1")
    store(repo, [(asked, "neutral"), (ignored, "negative"), (reply, "neutral")])
    window = WindowReader(repo, ["acme"]).read(NOW, timedelta(hours=1))
    answered = {m.text: m.is_answered for m in window.mentions}
    assert answered == {asked.text: True, ignored.text: False, reply.text: False}


def test_negative_margin_keeps_only_clear_negatives_in_window_and_history(repo: Repository) -> None:
    from listener.core.model import Annotation

    items = []
    for k in range(12):  # one past hour and the current one: 6 negatives each, half of them hesitant
        at = NOW - timedelta(hours=1 if k < 6 else 0, minutes=50 - 5 * (k % 6))
        items.append((mention(k, at, "acme"), "negative"))
    store(repo, items)
    clear = {"negative": 0.9, "neutral": 0.08, "positive": 0.02}
    hesitant = {"negative": 0.45, "neutral": 0.2, "positive": 0.35}
    repo.save_annotations([
        Annotation(source=m.source, external_id=m.external_id, stage="sentiment", version="test2",
                   label="negative", scores=clear if k % 2 == 0 else hesitant)
        for k, (m, _) in enumerate(items)])

    trusting = WindowReader(repo, ["acme"]).read(NOW, timedelta(hours=1))
    assert sum(m.is_negative for m in trusting.for_topic("acme")) == 6
    assert [b.negative for b in trusting.history["acme"]] == [6, 6]  # the past hour and this one

    strict = WindowReader(repo, ["acme"], negative_margin=0.6).read(NOW, timedelta(hours=1))
    negatives = [m for m in strict.for_topic("acme") if m.is_negative]
    assert len(negatives) == 3
    assert all(m.sentiment_score is not None and m.sentiment_score <= -0.6 for m in negatives)
    assert [b.negative for b in strict.history["acme"]] == [3, 3]


def test_a_language_can_have_its_own_negative_margin(repo: Repository) -> None:
    from listener.core.model import Annotation

    items = [(mention(k, NOW - timedelta(minutes=10 + k), "acme"), "negative") for k in range(4)]
    store(repo, items)
    hesitant = {"negative": 0.55, "neutral": 0.2, "positive": 0.25}  # margin 0.3
    repo.save_annotations([
        Annotation(source=m.source, external_id=m.external_id, stage="sentiment", version="test3",
                   label="negative", scores=hesitant)
        for m, _ in items])
    repo.save_annotations([
        Annotation(source=m.source, external_id=m.external_id, stage="language", version="test3",
                   label="en" if k < 2 else "fr", scores={})
        for k, (m, _) in enumerate(items)])

    reader = WindowReader(repo, ["acme"], negative_margin=0.2, margins_by_language={"en": 0.6})
    assert reader.margin_for("en-GB") == 0.6 and reader.margin_for("fr") == 0.2
    assert reader.margin_for(None) == 0.2
    window = reader.read(NOW, timedelta(hours=1))
    negative = sorted(m.text for m in window.for_topic("acme") if m.is_negative)
    assert negative == sorted(m.text for k, (m, _) in enumerate(items) if k >= 2)  # the French two only
    assert [b.negative for b in window.history["acme"]][-1] == 2
def _seed_alerts(url: str, count: int, pending: set[int]) -> dict[int, str]:
    """Store ``count`` alerts over the last 20 days, each sent on "log" except those in ``pending``.

    Rows go in with one multi-row insert per table (5,000 ``record_alert`` calls would take the test
    from seconds to a minute); the dispatcher then reads them through the repository like any other.
    """
    import sqlalchemy as sa

    from storage._text import dumps

    start = NOW - timedelta(days=20)
    step = timedelta(days=20) / count
    alerts = sa.table("alerts", *(sa.column(c) for c in (
        "id", "dedupe_key", "rule_id", "kind", "subject", "severity", "window_start", "window_end", "title",
        "summary", "details", "mention_ids", "is_resolution", "created_at")))
    deliveries = sa.table("deliveries", *(sa.column(c) for c in (
        "alert_id", "channel", "attempt", "outcome", "error", "sent_at")))
    naive = url.startswith("sqlite")

    def at(when: datetime) -> datetime:
        return when.replace(tzinfo=None) if naive else when

    rows, sent, keys = [], [], {}
    for i in range(count):
        created = start + i * step
        keys[i] = Alert(rule_id="kw", kind="keyword", subject="acme", severity="warning",
                        window_start=created, window_end=created, title=f"alert {i}", summary="s").dedupe_key
        rows.append({"id": i + 1, "dedupe_key": keys[i], "rule_id": "kw", "kind": "keyword",
                     "subject": "acme", "severity": "warning", "window_start": at(created),
                     "window_end": at(created), "title": f"alert {i}", "summary": "s",
                     "details": dumps({"channels": ["log"]}), "mention_ids": "[]", "is_resolution": False,
                     "created_at": at(created)})
        if i not in pending:
            sent.append({"alert_id": i + 1, "channel": "log", "attempt": 1, "outcome": "sent", "error": None,
                         "sent_at": at(created)})
        elif i % 2:  # half the pending ones failed once an hour after they were stored
            sent.append({"alert_id": i + 1, "channel": "log", "attempt": 1, "outcome": "failed",
                         "error": "down", "sent_at": at(created + timedelta(hours=1))})
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(alerts.insert(), rows)
        conn.execute(deliveries.insert(), sent)
    engine.dispose()
    return keys


def test_no_pending_delivery_is_skipped_among_5000_alerts(repo: Repository, db_url: str) -> None:
    pending = {3, 4, 10, 11, 2500, 4998}  # the oldest ones are far behind the newest 1,000
    keys = _seed_alerts(db_url, 5000, pending)
    notifier = LogNotifier("log")
    dispatcher = Dispatcher(RepositoryAlertLog(repo), {"log": notifier}, [])
    sent = dispatcher.deliver_due(NOW)
    assert sorted(d.alert_key for d in sent) == sorted(keys[i] for i in pending)
    assert all(d.is_ok for d in sent)
    # every attempt was recorded against its own alert: nothing is owed any more, after a restart too
    assert repo.pending_deliveries() == []
    again = Dispatcher(RepositoryAlertLog(repo), {"log": notifier}, [])
    assert again.deliver_due(NOW + timedelta(hours=2)) == []
    assert len(notifier.sent) == len(pending)
