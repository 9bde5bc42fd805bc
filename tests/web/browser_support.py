"""Browser tests: Debian's Chromium driven by Playwright for Python, one browser per test module.

Playwright's own browser download cannot work on our machines, so we launch ``/usr/bin/chromium``
(``.ci/run`` installs the ``chromium`` package when it is missing). Without it the tests skip with the
reason, except under ``CI=true`` where they fail. Each test saves a screenshot in ``tmp/artifacts``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "tmp" / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


def chromium_browser() -> Iterator[object]:
    """Yield a headless Chromium (a Playwright ``Browser``), closed at the end."""
    if not CHROMIUM.exists():
        _missing("no /usr/bin/chromium (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


def screenshot(page: object, name: str, *, full_page: bool = False) -> Path:
    """Save a screenshot of ``page`` under tmp/artifacts (not committed)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)  # type: ignore[attr-defined]
    return path
