"""Hostile text stays inert and readable on every page of the dashboard, in a real browser.

Mentions, handles, display names, tags, notes and an alert carry script payloads, a right-to-left
override (U+202E), zero-width characters and a 1 MB post. Every page is opened; the test fails if a
dialog opens, a payload's code runs (it would set ``window.__pwned``), the page throws, the CSP
reports a blocked inline script (a payload that became markup) or the page does not render. On the way
it checks that every form control of every page has a label (accessibility: no axe-core package offline).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from browser_support import chromium_browser, screenshot
from test_dashboard_browser import sign_in
from web_env import NOW, WebEnv, make_mention, seed, start_env, stop_env

from listener.core.model import Alert, Author
from storage.web_records import WorkflowChange

PAYLOADS = (
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1;alert(1)">',
    "<svg onload=alert(1)></svg>",
    "{{7*7}} ${7*7} </textarea></title><script>window.__pwned=1</script>",
    "javascript:alert(1)",
)
RTL = "good \u202eevil.exe\u202c text \u200b\u200d\u2066zero\u2069 width"
BIG = "lumio " + "x" * 1_000_000
HOSTILE = " ".join(PAYLOADS) + " " + RTL
UNLABELLED = """Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
  .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute("aria-label"))
  .map((c) => c.outerHTML.slice(0, 80))"""


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    """The app with hostile mentions (ids 31-33 after the 30 seeded ones), a hostile note, tag and alert."""
    started = start_env(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'listener.db'}", mentions=30)
    villain = Author(
        source="testsrc", external_id="evil", handle=PAYLOADS[1], display_name=RTL, followers=10**6
    )
    seed(
        started.repo,
        [
            make_mention(
                31, text="lumio " + HOSTILE, author=villain, url="javascript:alert(1)", title=PAYLOADS[0]
            ),
            make_mention(32, text=BIG, author=villain),
            make_mention(33, text="lumio " + RTL, author=villain),
        ],
    )
    hostile_ids = [31, 32, 33]
    started.store.change(hostile_ids, WorkflowChange(add_tags=(PAYLOADS[2],)), user_id=None)
    started.store.add_note(31, HOSTILE, user_id=started.user_ids["analyst"])
    alert_id = started.repo.record_alert(
        Alert(
            rule_id="crisis",
            kind="keyword",
            subject=PAYLOADS[0],
            severity="critical",
            window_start=NOW - timedelta(minutes=30),
            window_end=NOW,
            title=HOSTILE,
            summary=HOSTILE,
            mention_ids=(31,),
        )
    )
    assert alert_id is not None
    started.repo.record_delivery(alert_id, "log", outcome="failed", error=HOSTILE)
    yield started
    stop_env(started)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    yield from chromium_browser()


def test_every_page_keeps_hostile_text_inert_and_readable(env: WebEnv, browser: Any) -> None:
    context = browser.new_context(base_url=env.base_url)
    context.set_default_timeout(20_000)
    page = context.new_page()
    dialogs: list[str] = []
    problems: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda err: problems.append(f"error: {err}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    sign_in(page, "admin", "/inbox?poll=600000")
    author = env.repo.get_mention(31).author_id
    pages = ["/", "/?period=today", "/inbox?poll=600000", "/inbox?echoes=true&q=lumio&poll=600000",
             "/mentions/31", "/mentions/32", "/mentions/33", "/people", f"/people/{author}", "/alerts",
             "/alerts/1", "/sources", "/settings"]
    for path in pages:
        page.goto(path)
        assert page.locator("main h1").count() == 1, f"{path}: the page did not render"
        assert page.evaluate("window.__pwned") is None, f"{path}: a payload ran"
        unlabelled = page.evaluate(UNLABELLED)
        assert unlabelled == [], f"{path}: controls without a label {unlabelled}"
    page.goto("/mentions/31")
    screenshot(page, "hostile_mention")
    body = page.locator(".fulltext").inner_text()
    assert PAYLOADS[0] in body and "\u202e" in body  # shown as text, byte for byte
    rtl = page.locator(".fulltext bdi")
    assert rtl.count() == 1  # isolated: the override cannot reorder the page around it
    page.goto("/mentions/32")
    assert len(page.locator(".fulltext").inner_text()) > 1_000_000
    context.close()
    assert dialogs == [] and problems == []
