"""The Trends page and API only read what the trends step maintains, and show it once the step has run.

A page load used to refresh the rollups and the term index itself (seconds at a million mentions, on
every load). Now the step does it: news stored after the step's run is not on the page yet, and is
there after the next run, in the API's series and rising terms and on the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from test_trends_ideas_api import _post
from web_env import NOW, WebEnv, seed, start_env, stop_env

from listener.jobs.trends import TrendsStep


@pytest.fixture
def env(tmp_path: Path) -> Iterator[WebEnv]:
    environment = start_env(f"sqlite:///{tmp_path / 'listener.db'}", mentions=0)
    yield environment
    stop_env(environment)


def _look(env: WebEnv) -> tuple[int, set[str], str]:
    with env.client("viewer") as client:
        series = client.get("/api/trends/series", params={"topic": "lumio", "grain": "hour", "since": "6h"})
        rising = client.get("/api/trends/rising", params={"topic": "lumio", "window_hours": 24}).json()
    with closing(env.browser("viewer")) as browser:
        page = browser.get("/trends", params={"days": "1", "topic": "lumio"}).text
    return sum(r["total"] for r in series.json()["rows"]), {t["term"] for t in rising["terms"]}, page


def test_news_shows_after_the_trends_step_runs(env: WebEnv) -> None:
    quiet = [_post(1000 + 6 * d + k, f"lumio forfait maison {k}", 24 * d + 2 + k, 100 + k)
             for d in range(1, 15) for k in range(6)]
    seed(env.repo, quiet)
    TrendsStep(env.repo)(NOW)
    news = [_post(2000 + k, f"lumio tempete coupure quartier {k}", 3 + k / 10, 200 + k) for k in range(20)]
    seed(env.repo, news)
    total, terms, page = _look(env)
    assert total == 0 and "tempete" not in terms and "tempete" not in page  # a page load refreshes nothing
    TrendsStep(env.repo)(NOW + timedelta(minutes=1))
    total, terms, page = _look(env)
    assert total == 20 and "tempete" in terms and "tempete" in page
