"""The service driven with short intervals: overruns, retry-after, backoff, pausing, clean shutdown."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

from listener.backoff import next_delay
from listener.core.errors import AuthFailed, RetryLater, SourceUnavailable
from listener.health import HealthServer
from listener.service import JobResult, JobSpec, Service

FAST = timedelta(milliseconds=200)


def wait_for(predicate, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


def test_next_delay_policy() -> None:
    minute, hour = timedelta(minutes=1), timedelta(hours=1)
    assert next_delay(minute, hour) == minute
    assert next_delay(minute, hour, failures=3) == 8 * minute
    assert next_delay(minute, hour, failures=10) == hour
    assert next_delay(minute, hour, empty_runs=2) == 2 * minute
    assert next_delay(minute, hour, retry_after_s=600) == 10 * minute
    assert next_delay(minute, hour, failures=1, retry_after_s=30) == 2 * minute


def test_overrunning_job_is_never_started_twice() -> None:
    running, peak, runs = [0], [0], [0]
    lock = threading.Lock()

    def slow(now: datetime) -> JobResult:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.6)
        with lock:
            running[0] -= 1
            runs[0] += 1
        return JobResult(items=1)

    service = Service([JobSpec(id="analysis", kind="analysis", run=slow, interval=FAST)], jitter=timedelta(0))
    service.start()
    try:
        wait_for(lambda: runs[0] >= 2)
    finally:
        service.shutdown()
    assert peak[0] == 1


def test_failing_source_never_blocks_others_and_backs_off() -> None:
    good_runs: list[datetime] = []
    bad_runs: list[datetime] = []

    def good(now: datetime) -> JobResult:
        good_runs.append(now)
        return JobResult(items=3)

    def bad(now: datetime) -> JobResult:
        bad_runs.append(now)
        raise SourceUnavailable("rss: unexpected status 502", source="rss")

    service = Service([JobSpec(id="rss:acme", kind="collect", run=bad, interval=FAST, is_adaptive=True,
                               max_interval=timedelta(seconds=30)),
                       JobSpec(id="hackernews:acme", kind="collect", run=good, interval=FAST,
                               is_adaptive=True)],
                      jitter=timedelta(0))
    service.start()
    try:
        wait_for(lambda: len(good_runs) >= 6)
    finally:
        service.shutdown()
    # the failing job waits 0.4 s, then 0.8 s...: far fewer runs than the healthy one
    assert 1 <= len(bad_runs) < len(good_runs) / 2
    status = {s.id: s for s in service.status()}
    bad_status = status["rss:acme"]
    assert bad_status.outcome == "failed" and bad_status.error == "rss: unexpected status 502"
    assert bad_status.consecutive_failures == len(bad_runs)
    assert bad_status.next_run_at is not None and bad_status.last_finished_at is not None
    gap = (bad_status.next_run_at - bad_status.last_finished_at).total_seconds()
    assert abs(gap - 0.2 * 2 ** len(bad_runs)) < 0.05
    assert status["hackernews:acme"].outcome == "ok" and status["hackernews:acme"].consecutive_failures == 0


def test_retry_later_is_honoured_and_auth_failure_pauses() -> None:
    limited: list[datetime] = []
    refused: list[datetime] = []

    def rate_limited(now: datetime) -> JobResult:
        limited.append(now)
        raise RetryLater("mastodon: 429", retry_after_s=30, source="mastodon")

    def unauthorised(now: datetime) -> JobResult:
        refused.append(now)
        raise AuthFailed("twitter: 401 unauthorised", source="twitter")

    ticks: list[datetime] = []
    service = Service([JobSpec(id="mastodon:acme", kind="collect", run=rate_limited, interval=FAST,
                               is_adaptive=True),
                       JobSpec(id="twitter:acme", kind="collect", run=unauthorised, interval=FAST),
                       JobSpec(id="alerts", kind="alerts", run=lambda now: ticks.append(now) or JobResult(),
                               interval=FAST)], jitter=timedelta(0))
    service.start()
    try:
        wait_for(lambda: len(ticks) >= 8)
    finally:
        service.shutdown()
    assert len(limited) == 1 and len(refused) == 1
    status = {s.id: s for s in service.status()}
    assert status["mastodon:acme"].outcome == "retry_later"
    limited_status = status["mastodon:acme"]
    assert limited_status.next_run_at is not None and limited_status.last_finished_at is not None
    assert limited_status.next_run_at - limited_status.last_finished_at >= timedelta(seconds=30)
    assert status["twitter:acme"].is_paused and status["twitter:acme"].outcome == "auth_failed"
    assert service.snapshot()["status"] == "degraded"


def test_shutdown_waits_for_the_job_in_flight(tmp_path: Path) -> None:
    started, finished = threading.Event(), threading.Event()

    def batch(now: datetime) -> JobResult:
        started.set()
        time.sleep(0.5)
        finished.set()
        return JobResult(items=10)

    status_path = tmp_path / "status.json"
    service = Service([JobSpec(id="rss:acme", kind="collect", run=batch, interval=timedelta(hours=1))],
                      status_path=status_path)
    service.start()
    assert started.wait(5)
    service.shutdown(wait=True)
    assert finished.is_set()
    written = json.loads(status_path.read_text())
    assert written["jobs"][0]["outcome"] == "ok" and written["jobs"][0]["items"] == 10


def test_healthz_serves_the_status() -> None:
    spec = JobSpec(id="analysis", kind="analysis", run=lambda now: JobResult(items=2, backlog=40))
    service = Service([spec])
    service.run_once()
    server = HealthServer(service.snapshot, port=0)
    server.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=5) as response:
            body = json.loads(response.read())
            assert response.status == 200
    finally:
        server.stop()
    [job] = body["jobs"]
    assert body["status"] == "ok"
    assert (job["id"], job["outcome"], job["items"], job["backlog"]) == ("analysis", "ok", 2, 40)
    assert job["duration_ms"] is not None


class ListRecorder:
    """A real RunRecorder keeping starts and ends in memory."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, object]] = []

    def started(self, spec: JobSpec) -> object:
        self.events.append(("start", spec.id, None))
        return len(self.events)

    def finished(self, spec: JobSpec, token: object, status: object) -> None:
        self.events.append(("end", spec.id, (token, getattr(status, "outcome", None))))


def test_recorders_see_start_and_end_of_each_run() -> None:
    recorder = ListRecorder()

    def broken(now: datetime) -> JobResult:
        raise ValueError("bad row")

    service = Service([JobSpec(id="analysis", kind="analysis", run=broken),
                       JobSpec(id="alerts", kind="alerts", run=lambda now: JobResult(items=1))],
                      recorders=[recorder])
    statuses = {s.id: s for s in service.run_once()}
    assert recorder.events == [("start", "analysis", None), ("end", "analysis", (1, "failed")),
                               ("start", "alerts", None), ("end", "alerts", (3, "ok"))]
    assert statuses["analysis"].error == "ValueError: bad row"
