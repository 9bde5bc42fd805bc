"""Alerts are stored once per dedupe key, deliveries are counted and retried; runs feed source health."""

from __future__ import annotations

from datetime import timedelta

from storage_builders import T0, Clock, batch, mention

from listener.core.model import Alert
from storage import Repository


def _alert(subject: str = "brand", *, resolved: bool = False) -> Alert:
    return Alert(
        rule_id="spike",
        kind="volume_spike",
        subject=subject,
        severity="warning",
        window_start=T0,
        window_end=T0 + timedelta(hours=1),
        title="Volume spike",
        summary="42 mentions in an hour",
        details={"count": 42, "baseline": 3.5},
        mention_ids=(3, 1, 2),
        is_resolution=resolved,
    )


def test_an_alert_is_recorded_once(repo: Repository) -> None:
    first = repo.record_alert(_alert())
    assert first is not None
    assert repo.record_alert(_alert()) is None
    assert repo.alert_exists(_alert().dedupe_key)
    assert not repo.alert_exists(_alert("rival").dedupe_key)
    closing = repo.record_alert(_alert(resolved=True))
    assert closing is not None and closing != first
    stored = repo.get_alert(first)
    assert stored is not None and stored.alert == _alert()
    assert [a.id for a in repo.alerts()] == [closing, first]


def test_failed_deliveries_are_pending_until_sent_or_exhausted(repo: Repository) -> None:
    alert_id = repo.record_alert(_alert())
    other_id = repo.record_alert(_alert("rival"))
    assert alert_id is not None and other_id is not None
    assert repo.pending_deliveries() == []
    d1 = repo.record_delivery(alert_id, "email", outcome="failed", error="smtp: 421 try later")
    repo.record_delivery(alert_id, "webhook", outcome="sent")
    repo.record_delivery(other_id, "email", outcome="failed", error="boom")
    pending = repo.pending_deliveries()
    assert [(p.alert.id, p.channel, p.attempts, p.last_error) for p in pending] == [
        (alert_id, "email", 1, "smtp: 421 try later"),
        (other_id, "email", 1, "boom"),
    ]
    d2 = repo.record_delivery(alert_id, "email", outcome="sent")
    assert (d1.attempt, d2.attempt) == (1, 2)
    repo.record_delivery(other_id, "email", outcome="failed", error="boom again")
    assert [(p.alert.id, p.attempts) for p in repo.pending_deliveries()] == [(other_id, 2)]
    assert repo.pending_deliveries(max_attempts=2) == []
    assert repo.pending_deliveries(channels=["webhook"]) == []
    assert [d.outcome for d in repo.deliveries(alert_id)] == ["failed", "sent", "sent"]


def test_runs_fold_into_source_health(repo: Repository, clock: Clock) -> None:
    repo.record_run("rss", "brand", outcome="ok", items=12, duration_ms=340)
    t_ok = clock.now
    clock.advance(minutes=15)
    repo.record_run(
        "rss",
        "brand",
        outcome="error",
        error="rss: unexpected status 502",
        next_run_not_before=clock.now + timedelta(minutes=30),
    )
    clock.advance(minutes=15)
    repo.record_run("rss", "brand", outcome="error", error="rss: timeout")
    (health,) = repo.source_health()
    assert health.consecutive_failures == 2
    assert health.last_success_at == t_ok
    assert health.last_error == "rss: timeout"
    assert health.items_fetched_total == 12
    clock.advance(minutes=15)
    repo.record_run("rss", "brand", outcome="not_modified")
    repo.record_run("reddit", "brand", outcome="ok", items=3)
    rss = repo.source_health("rss")[0]
    assert (rss.consecutive_failures, rss.last_success_at, rss.last_error) == (0, clock.now, "rss: timeout")
    assert [h.source for h in repo.source_health()] == ["reddit", "rss"]


def test_job_runs_are_listed_newest_first(repo: Repository, clock: Clock) -> None:
    first = repo.start_job("collect:rss")
    clock.advance(seconds=3)
    repo.finish_job(first, outcome="ok", items=4)
    second = repo.start_job("collect:rss")
    repo.finish_job(second, outcome="error", error="rss: gone")
    runs = repo.job_runs("collect:rss")
    assert [(r.id, r.outcome) for r in runs] == [(second, "error"), (first, "ok")]
    assert runs[1].finished_at is not None and runs[1].finished_at - runs[1].started_at == timedelta(
        seconds=3
    )
    assert repo.job_runs("other") == []


def test_window_returns_the_mentions_of_a_period(repo: Repository) -> None:
    repo.upsert_batch(batch(*(mention(n) for n in range(10))), source="testsrc", query_id="q")
    inside = repo.window(T0 + timedelta(minutes=3), T0 + timedelta(minutes=6))
    assert [s.mention.external_id for s in inside] == ["m3", "m4", "m5"]
    assert repo.window(T0, T0 + timedelta(hours=1), ["no-such-topic"]) == []
