"""The demo's Trends page tells the outage: rising terms and a burst on the spike day, on a short history.

The shared demo week (3 days, the outage on the second) is far shorter than the usual baselines
(rising terms: the last 7 days against the 4 weeks before; bursts: 3 days of seasonal history), so the
page said "Not enough data yet." everywhere. It now compares the period's own shorter windows and says
which window is compared with which baseline; these tests read the demo as a community manager would,
through the real server, at the demo's own instant.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from analysis.terms import terms
from connectors import _demo_text
from connectors.demo import DemoSettings, DemoWorld
from listener.cli._common import settings_from
from listener.core.clock import fixed
from listener.demo import DemoReport
from listener.web.security import digest, hash_password, new_api_token
from listener.web.serve import WebServer, app_for
from tests.demo_week import DAYS, NOW, SEED, copy_of

PASSWORD = "community manager's password"
PAGE_WINDOW: dict[str, str | int] = {"window_hours": 168, "baseline_windows": 4, "since": "7d"}
"""What the page asks for its "7 days" period (``listener.web.pages.trends.RISING_WINDOW``)."""


def _outage_words() -> set[str]:
    """Terms of the demo's outage and churn posts that its everyday posts never use."""

    def of(tones: Collection[str]) -> set[str]:
        found: set[str] = set()
        for tone, by_lang in _demo_text._TEMPLATES.items():
            if tone in tones:
                for template in (t for texts in by_lang.values() for t in texts):
                    found |= terms(re.sub(r"\{\w+\}", " ", template))
        return found

    outage = {"outage", "churn"}
    return of(outage) - of({str(t) for t in _demo_text._TEMPLATES} - outage) | {"#lumiodown"}


@pytest.fixture(scope="module")
def served(demo_week: DemoReport, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    demo = copy_of(demo_week, tmp_path_factory.mktemp("trends-demo"))
    app, repository = app_for(settings_from(Path(demo.config_path)), clock=fixed(NOW))
    store = app.state.store
    user = store.add_user("cm", display_name="CM", password_hash=hash_password(PASSWORD), role="viewer")
    store.add_user("cm_fr", display_name="CM", password_hash=hash_password(PASSWORD), role="viewer",
                   language="fr")
    token = new_api_token()
    store.add_token(user, name="tests", token_hash=digest(token), prefix=token[:8])
    server = WebServer(app, host="127.0.0.1", port=0)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}", token
    finally:
        server.stop()
        repository.close()


def _get(served: tuple[str, str], path: str, **params: str | int) -> httpx.Response:
    base, token = served
    with httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
        return client.get(path, params=params)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    """The demo's simulated world (its first day and outage day), as ``demo_week`` simulated it."""
    return DemoWorld(DemoSettings(seed=SEED, days=DAYS), now=NOW)


def _spike(world: DemoWorld) -> datetime:
    return world.start + timedelta(days=world.burst_day)


def test_rising_terms_name_the_outage_in_a_window_of_the_spike_day(
    served: tuple[str, str], world: DemoWorld
) -> None:
    answer = _get(served, "/api/trends/rising", topic="lumio", **PAGE_WINDOW).json()
    assert answer["status"] == "ok", answer
    assert "earlier windows" in answer["usual_reason"]  # why the week-long comparison could not be made
    assert answer["usual_reason_code"] == "baseline_windows" and answer["reason_code"] == ""
    assert answer["baseline_windows"] >= 3
    start, end = _at(answer["window_start"]), _at(answer["window_end"])
    spike = _spike(world)
    assert start < spike + timedelta(days=1) and end > spike  # the compared window overlaps the outage
    rising = {t["term"] for t in answer["terms"]}
    assert rising & _outage_words(), rising
    assert all(t["examples"] for t in answer["terms"][:3])


def test_without_a_period_the_api_keeps_its_plain_not_enough_data(served: tuple[str, str]) -> None:
    answer = _get(served, "/api/trends/rising", topic="lumio", window_hours=168, baseline_windows=4).json()
    assert answer["status"] == "not_enough_data" and answer["terms"] == []
    assert "needed for a baseline" in answer["reason"]


def test_the_spike_is_a_burst_and_a_too_short_history_says_why(
    served: tuple[str, str], world: DemoWorld
) -> None:
    week = _get(served, "/api/trends/bursts", topic="lumio", measure="total", since="7d").json()
    assert week["status"] == "ok" and week["baseline_days"] == 1 and week["history_days"] == DAYS
    assert [_at(b["start"]).date() for b in week["bursts"]] == [_spike(world).date()]
    early = world.start + timedelta(hours=20)
    first = _get(served, "/api/trends/bursts", topic="lumio", since=world.start.isoformat(),
                 until=early.isoformat()).json()
    assert first["status"] == "not_enough_data" and first["bursts"] == []
    assert first["reason"] == "bursts need at least 2 days of history; this topic has 0"
    assert first["reason_code"] == "burst_history" and first["reason_values"] == {"needed": 2, "count": 0}


def test_the_page_shows_the_outage_terms_the_burst_and_what_was_compared(served: tuple[str, str]) -> None:
    with httpx.Client(base_url=served[0], timeout=60) as browser:
        signed = browser.post("/api/auth/login", json={"username": "cm", "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        page = browser.get("/trends", params={"days": "7", "topic": "lumio"})
    assert page.status_code == 200, page.text[:500]
    text = page.text
    rising = text.split('id="rising-h"')[1].split('id="bursts-h"')[0]
    bursts = text.split('id="bursts-h"')[1].split('id="voice-h"')[0]
    assert "Not enough data yet" not in rising and "Not enough data yet" not in bursts
    assert "Compared:" in rising and "The usual comparison" in rising
    folded = {w for w in _outage_words() if w in terms(re.sub(r"<[^>]+>", " ", rising))}
    assert folded, rising[:2000]
    assert 'class="burst"' in bursts and "the same hour of the day before" in bursts


def test_a_french_reader_reads_why_and_what_was_compared_in_french(served: tuple[str, str]) -> None:
    with httpx.Client(base_url=served[0], timeout=60) as browser:
        assert browser.post("/api/auth/login", json={"username": "cm_fr", "password": PASSWORD}).is_success
        page = browser.get("/trends", params={"days": "7", "topic": "lumio"}).text
    rising = page.split('id="rising-h"')[1].split('id="bursts-h"')[0]
    assert "Comparé :" in rising and "fenêtres précédentes avec des mentions" in rising
    assert "earlier windows" not in rising  # the reason too, not only the sentence around it
    assert "la même heure de la veille" in page.split('id="bursts-h"')[1]
