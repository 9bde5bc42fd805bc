"""The report cache: one computation for concurrent requests, recomputed on new data or old age."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from web_env import WebEnv, make_mention, seed

from listener.web.report_cache import ReportCache

START = datetime(2026, 3, 10, tzinfo=UTC)


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def test_concurrent_requests_compute_once_and_share_the_result() -> None:
    cache = ReportCache(clock=_Clock())
    calls: list[int] = []
    gate = threading.Event()

    def compute() -> str:
        calls.append(1)
        gate.wait(5)
        return "ranking"

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get("k", (1,), compute))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(5)
    assert results == ["ranking"] * 8
    assert len(calls) == 1


def test_new_data_old_age_and_clear_recompute() -> None:
    clock = _Clock()
    cache = ReportCache(clock=clock, max_age=timedelta(seconds=60))
    counter = iter(range(100))
    assert cache.get("k", (1,), lambda: next(counter)) == 0
    assert cache.get("k", (1,), lambda: next(counter)) == 0
    assert cache.get("k", (2,), lambda: next(counter)) == 1
    clock.now += timedelta(seconds=61)
    assert cache.get("k", (2,), lambda: next(counter)) == 2
    cache.clear()
    assert cache.get("k", (2,), lambda: next(counter)) == 3
    assert cache.get("other", (2,), lambda: next(counter)) == 4


def test_the_oldest_entries_leave_first_past_the_size() -> None:
    cache = ReportCache(clock=_Clock(), size=2)
    cache.get("a", (1,), lambda: "a")
    cache.get("b", (1,), lambda: "b")
    cache.get("c", (1,), lambda: "c")
    assert cache.get("a", (1,), lambda: "again") == "again"
    assert cache.get("c", (1,), lambda: "again") == "c"


def _ranked(env: WebEnv) -> set[str]:
    found = env.client("viewer").get("/api/authors", params={"days": 1, "limit": 100}).json()
    return {x["influence"]["key"] for part in ("leaders", "flag_bearers") for x in found[part]}


def test_the_people_ranking_follows_new_mentions_and_erasures(sqlite_env: WebEnv) -> None:
    assert "testsrc:u9" not in _ranked(sqlite_env)
    newcomer = [make_mention(n, author_n=9, text="lumio facture horrible") for n in range(900, 904)]
    seed(sqlite_env.repo, newcomer)
    assert "testsrc:u9" in _ranked(sqlite_env)
    author = sqlite_env.repo.get_author("testsrc:u9")
    assert author is not None
    sqlite_env.repo.erase_author("testsrc", "u9")  # as the CLI does, outside the web app
    assert "testsrc:u9" not in _ranked(sqlite_env)
